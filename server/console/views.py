"""What the console's templates show, built from the stores: plain view objects, text already formatted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from server.console.actions import EDITABLE, NUMERIC
from tools.conversation_list import ConversationRow, ConversationState, state_of
from tools.conversations import Approval, ApprovalStatus, Conversation, Direction, Message, Owner
from tools.errors import NotFound
from tools.money import format_money, format_range
from tools.playbook import Playbook
from tools.sql import BusinessStores

TRANSCRIPT_LIMIT = 300


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A timestamp as staff read it, in the business's time zone."""
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M") if moment else ""


def conversation_path(conversation_id: str) -> str:
    """The console page of a conversation."""
    return f"/console/conversations/{quote(conversation_id, safe='')}"


@dataclass(frozen=True)
class InboxLine:
    """One row of the inbox table."""

    id: str
    name: str
    channel: str
    state: str
    staff: str | None
    agent: str | None
    tags: tuple[str, ...]
    last_text: str
    last_author: str | None
    updated: str
    updated_iso: str


def inbox_line(row: ConversationRow, zone: ZoneInfo, words: Mapping[str, str]) -> InboxLine:
    """The inbox row of a conversation."""
    conversation = row.conversation
    author = row.last_author
    who = (
        words["by_customer"]
        if author == "customer"
        else words["by_bot"]
        if author == "bot"
        else author.removeprefix("staff:")
        if author
        else None
    )
    text = (row.last_text or "").replace("\n", " ")
    return InboxLine(
        id=conversation.id,
        name=row.contact_name or row.contact_phone or conversation.external_id,
        channel=conversation.channel,
        state=row.state.value,
        staff=conversation.owner_staff if conversation.owner is Owner.STAFF else None,
        agent=conversation.active_agent if row.state is ConversationState.BOT else None,
        tags=row.tags,
        last_text=text[:140] + ("…" if len(text) > 140 else ""),
        last_author=who,
        updated=when(row.updated_at, zone),
        updated_iso=row.updated_at.isoformat(),
    )


@dataclass(frozen=True)
class MessageLine:
    """One message of the transcript as staff see it."""

    id: str
    side: str
    """``in`` (customer), ``out`` (bot) or ``staff``."""
    who: str
    agent: str | None
    text: str
    at: str
    at_iso: str
    buttons: tuple[str, ...]
    actions: tuple[str, ...]


def message_line(message: Message, zone: ZoneInfo, words: Mapping[str, str]) -> MessageLine:
    """A transcript line: who wrote it, which agent answered and what it did."""
    if message.direction is Direction.IN:
        side, who = "in", words["by_customer"]
    elif message.author.startswith("staff:"):
        side, who = "staff", message.author.removeprefix("staff:")
    else:
        side, who = "out", words["by_bot"]
    return MessageLine(
        id=message.id,
        side=side,
        who=who,
        agent=message.agent if side == "out" else None,
        text=message.text,
        at=when(message.created_at, zone),
        at_iso=message.created_at.isoformat(),
        buttons=message.buttons,
        actions=message.actions,
    )


@dataclass(frozen=True)
class EditableField:
    """A proposal value staff may change."""

    name: str
    value: str
    numeric: bool


@dataclass(frozen=True)
class ApprovalView:
    """A paused action with what staff need to decide it."""

    id: str
    kind_label: str
    summary: str
    proposal: tuple[tuple[str, str], ...]
    editable: tuple[EditableField, ...]
    next: str
    channel: str = ""
    conversation_link: str | None = None
    conversation_title: str | None = None


def kind_label(kind: str, words: Mapping[str, str]) -> str:
    """The approval kind in the staff's language."""
    return words.get(f"kind_{kind}", kind)


def approval_view(
    approval: Approval, words: Mapping[str, str], *, next_path: str, conversation: Conversation | None = None
) -> ApprovalView:
    """An approval for the decision forms (with its conversation's link on the approvals page)."""
    editable = tuple(
        EditableField(name, approval.proposal.get(name, ""), name in NUMERIC)
        for name in EDITABLE.get(approval.kind, ())
    )
    return ApprovalView(
        id=approval.id,
        kind_label=kind_label(approval.kind, words),
        summary=approval.summary,
        proposal=tuple((key, value) for key, value in approval.proposal.items() if value),
        editable=editable,
        next=next_path,
        channel=conversation.channel if conversation else "",
        conversation_link=conversation_path(conversation.id) if conversation else None,
        conversation_title=conversation.external_id if conversation else None,
    )


@dataclass(frozen=True)
class CardSection:
    """A list of the customer's records of one kind."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class CustomerCard:
    """The customer beside the transcript."""

    name: str
    phone: str | None
    email: str | None
    language: str | None
    opted_out: bool
    tags: tuple[str, ...]
    sections: tuple[CardSection, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ConversationView:
    """Everything the conversation page shows."""

    id: str
    title: str
    channel: str
    staff_owned: bool
    owner_text: str
    version: str
    """Changes when the status panel must be drawn again (owner, approvals)."""
    messages: tuple[MessageLine, ...]
    pending: tuple[ApprovalView, ...]
    decided: tuple[DecidedLine, ...]
    card: CustomerCard
    state: ConversationState = field(default=ConversationState.BOT)


@dataclass(frozen=True)
class DecidedLine:
    """An approval already decided."""

    kind_label: str
    text: str


async def customer_card(
    stores: BusinessStores,
    playbook: Playbook,
    conversation: Conversation,
    words: Mapping[str, str],
    language: str,
) -> CustomerCard:
    """The contact, their identities, leads, bookings, invoices, orders, tickets and notes."""
    zone = playbook.business.zone
    try:
        contact = await stores.crm.get_contact(conversation.contact_id)
    except NotFound:
        return CustomerCard(conversation.external_id, None, None, None, False, (), (), ())
    identities = await stores.crm.identities(contact.id)
    leads = await stores.crm.list_leads(contact_id=contact.id)
    bookings = await stores.calendar.list_bookings(contact_id=contact.id)
    invoices = await stores.billing.list_invoices(contact_id=contact.id)
    quotes = await stores.billing.list_quotes(contact_id=contact.id)
    orders = await stores.orders.list_orders(contact_id=contact.id)
    tickets = await stores.tickets.list_tickets(contact_id=contact.id)
    notes = await stores.crm.notes(contact.id)

    def service_name(service_id: str | None) -> str:
        if not service_id:
            return ""
        try:
            return playbook.service(service_id).name.get(language)  # type: ignore[arg-type]
        except (KeyError, LookupError, NotFound):
            return service_id

    sections = (
        CardSection(
            words["identities"], tuple(f"{i.channel}: {i.display_name or i.external_id}" for i in identities)
        ),
        CardSection(
            words["leads"],
            tuple(
                f"{lead.stage.value} · {service_name(lead.service_id) or '—'}"
                + (f" · {', '.join(lead.tags)}" if lead.tags else "")
                + (f" · {lead.owner_id}" if lead.owner_id else "")
                for lead in leads
            ),
        ),
        CardSection(
            words["bookings"],
            tuple(
                f"{when(b.start, zone)} · {service_name(b.service_id)} · {b.staff_id} · {b.status.value}"
                for b in bookings
            ),
        ),
        CardSection(
            words["invoices"],
            tuple(
                [
                    f"{q.id}: {format_range(q.total_low_minor, q.total_high_minor, q.currency, language)} · {q.status.value}"
                    for q in quotes
                ]
                + [
                    f"{i.id}: {format_money(i.amount_minor, i.currency, language)} · {i.status.value}"
                    for i in invoices
                ]
            ),
        ),
        CardSection(
            words["orders"],
            tuple(
                f"{o.number}: {format_money(o.total_minor, o.currency, language)} · {o.status.value}"
                for o in orders
            ),
        ),
        CardSection(words["tickets"], tuple(f"{t.id}: {t.subject} · {t.status.value}" for t in tickets)),
    )
    return CustomerCard(
        name=contact.name or conversation.external_id,
        phone=contact.phone,
        email=contact.email,
        language=conversation.language or contact.language,
        opted_out=contact.opted_out,
        tags=tuple(dict.fromkeys([*contact.tags, *(tag for lead in leads for tag in lead.tags)])),
        sections=sections,
        notes=tuple(
            f"{when(n.created_at, zone)} · {n.author.removeprefix('staff:')}: {n.text}" for n in notes
        ),
    )


async def conversation_view(
    stores: BusinessStores, playbook: Playbook, conversation_id: str, words: Mapping[str, str], language: str
) -> ConversationView:
    """The conversation page's content (NotFound when there is no such conversation)."""
    conversation = await stores.conversations.get_conversation(conversation_id)
    zone = playbook.business.zone
    messages = await stores.conversations.transcript(conversation_id, limit=TRANSCRIPT_LIMIT)
    approvals = await stores.conversations.list_approvals(conversation_id=conversation_id)
    pending = [a for a in approvals if a.status is ApprovalStatus.PENDING]
    decided = [a for a in approvals if a.status is not ApprovalStatus.PENDING]
    staff_owned = conversation.owner is Owner.STAFF
    if staff_owned and conversation.owner_staff:
        owner_text = words["owned_by_staff"].format(who=conversation.owner_staff)
    elif staff_owned:
        owner_text = words["owned_by_staff_nobody"]
    else:
        owner_text = words["owned_by_bot"]
    card = await customer_card(stores, playbook, conversation, words, language)
    path = conversation_path(conversation_id)
    return ConversationView(
        id=conversation.id,
        title=card.name,
        channel=conversation.channel,
        staff_owned=staff_owned,
        owner_text=owner_text,
        version=f"{conversation.owner.value}:{conversation.owner_staff}:{','.join(a.id for a in pending)}:{len(decided)}",
        messages=tuple(message_line(m, zone, words) for m in messages),
        pending=tuple(approval_view(a, words, next_path=path) for a in pending),
        decided=tuple(_decided(a, words) for a in decided),
        card=card,
        state=state_of(conversation),
    )


def _decided(approval: Approval, words: Mapping[str, str]) -> DecidedLine:
    who = (approval.decided_by or "").removeprefix("staff:")
    text = words["decided"].format(status=approval.status.value, who=who)
    if approval.decision_note:
        text += f" — {approval.decision_note}"
    return DecidedLine(kind_label(approval.kind, words), text)


def distinct(values: Sequence[str]) -> list[str]:
    """`values` without repeats, in order."""
    return list(dict.fromkeys(values))
