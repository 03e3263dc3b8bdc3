"""What to call to deliver one recorded message on each channel, under the channel's rules.

A plan is the provider calls for one delivery: acknowledgements first (Telegram button presses,
best effort), then the message's parts. The rules decided here, before anything is sent:

- WhatsApp: free-form text only within 24 hours of the customer's last message; outside it the
  delivery must name an approved template (`Delivery.details["whatsapp_template"]`, a purpose
  from the playbook) and its values, or it fails with the reason — never a silent drop.
- Messenger / Instagram: the same 24-hour window; a person (staff) may answer up to 7 days with
  the ``HUMAN_AGENT`` tag.
- Instagram comment: the one private reply under the comment (`details["comment_id"]`).

Acknowledgements: Telegram button presses are answered (the client stops its spinner) and the
WhatsApp message answered is marked read (blue ticks), with the turn's first reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.channels import (
    OutboundMessage,
    SendRequest,
    instagram_private_reply,
    instagram_send_requests,
    messenger_send_requests,
    telegram_answer_callback,
    telegram_send_requests,
    whatsapp_mark_read,
    whatsapp_send_requests,
    whatsapp_template_request,
    within_human_agent_window,
    within_whatsapp_window,
)
from tools.clock import Clock
from tools.conversations import ConversationStore, Direction, Message
from tools.inbox import Delivery
from tools.playbook import Playbook
from tools.playbook.messaging import WhatsAppTemplate

TEMPLATE_VALUE_PREFIX = "template:"
"""`Delivery.details` keys holding a WhatsApp template's values: ``template:name`` → "Анна"."""


@dataclass(frozen=True)
class SendPlan:
    """The calls for one delivery: acknowledgements (not retried) and the message's parts, in order."""

    parts: list[SendRequest]
    acknowledgements: list[SendRequest]


@dataclass(frozen=True)
class NotAllowed:
    """The channel's rules forbid this send; `reason` says which rule and what would fix it."""

    reason: str


@dataclass(frozen=True)
class ChannelAccount:
    """The business side of each channel: who sends."""

    whatsapp_phone_number_id: str = ""
    instagram_account_id: str = "me"
    messenger_page_id: str = "me"


@dataclass
class SendPlanner:
    """Builds `SendPlan`s from deliveries, reading what the rules need from the transcript."""

    conversations: ConversationStore
    playbook: Playbook
    clock: Clock
    account: ChannelAccount

    async def plan(self, delivery: Delivery, message: Message) -> SendPlan | NotAllowed:
        """The calls that deliver `message`, or why it may not be sent."""
        outbound = OutboundMessage(message.text, tuple(message.buttons))
        chat = delivery.chat_id
        details = delivery.details
        if delivery.channel == "telegram":
            acks = [
                telegram_answer_callback(query) for query in details.get("callback_query_ids", "").split()
            ]
            return SendPlan(telegram_send_requests(chat, outbound), acks)
        if delivery.channel == "instagram" and "comment_id" in details:
            account = self.account.instagram_account_id
            return SendPlan(
                [instagram_private_reply(details["comment_id"], outbound, account_id=account)], []
            )
        last = await self._last_customer_message_at(delivery.conversation_id)
        now = self.clock.now()
        if delivery.channel == "whatsapp":
            return await self._whatsapp(delivery, outbound, last, now)
        if delivery.channel in ("messenger", "instagram"):
            staff = message.author.startswith("staff:")
            if within_whatsapp_window(last, now):
                human = False
            elif staff and within_human_agent_window(last, now):
                human = True
            else:
                return NotAllowed(
                    f"the customer last wrote more than 24 hours ago ({_ago(last, now)}); "
                    f"{delivery.channel.capitalize()} allows a message only within 24 hours "
                    "(a person may answer for 7 days)"
                )
            if delivery.channel == "messenger":
                page = self.account.messenger_page_id
                return SendPlan(messenger_send_requests(chat, outbound, page_id=page, human_agent=human), [])
            account = self.account.instagram_account_id
            return SendPlan(
                instagram_send_requests(chat, outbound, account_id=account, human_agent=human), []
            )
        return NotAllowed(f"no send plan for channel {delivery.channel!r}")

    async def _whatsapp(
        self, delivery: Delivery, outbound: OutboundMessage, last: datetime | None, now: datetime
    ) -> SendPlan | NotAllowed:
        number = self.account.whatsapp_phone_number_id
        phone = delivery.details.get("phone")
        if within_whatsapp_window(last, now):
            read = delivery.details.get("read_message_id")
            receipts = [whatsapp_mark_read(read, phone_number_id=number, typing=False)] if read else []
            return SendPlan(
                whatsapp_send_requests(delivery.chat_id, outbound, phone_number_id=number, phone=phone),
                receipts,
            )
        purpose = delivery.details.get("whatsapp_template")
        if purpose is None:
            return NotAllowed(
                f"the customer last wrote more than 24 hours ago ({_ago(last, now)}); outside that window "
                "WhatsApp accepts only an approved template, and this message names none"
            )
        conversation = await self.conversations.get_conversation(delivery.conversation_id)
        language = conversation.language or self.playbook.business.default_language
        template = self._template(purpose, language)
        if template is None:
            return NotAllowed(
                f"the playbook has no WhatsApp template for {purpose!r} (channels.whatsapp_templates)"
            )
        values = []
        for name in template.parameters:
            value = delivery.details.get(TEMPLATE_VALUE_PREFIX + name, "").strip()
            if not value:
                return NotAllowed(f"WhatsApp template {template.name!r} needs a value for {name!r}")
            values.append(value)
        request = whatsapp_template_request(
            delivery.chat_id,
            phone_number_id=number,
            name=template.name,
            language=template.language,
            body_parameters=values,
            phone=phone,
        )
        return SendPlan([request], [])

    def _template(self, purpose: str, language: str) -> WhatsAppTemplate | None:
        """The approved template for `purpose`, in the conversation's language when there is one."""
        matching = [t for t in self.playbook.channels.whatsapp_templates if t.purpose == purpose]
        in_language = [t for t in matching if t.language.split("_")[0].lower() == language]
        chosen = in_language or matching
        return chosen[0] if chosen else None

    async def _last_customer_message_at(self, conversation_id: str) -> datetime | None:
        transcript = await self.conversations.transcript(conversation_id, limit=50)
        inbound = [m.created_at for m in transcript if m.direction is Direction.IN]
        return max(inbound) if inbound else None


def _ago(last: datetime | None, now: datetime) -> str:
    if last is None:
        return "never in this conversation"
    hours = (now - last).total_seconds() / 3600
    return f"{hours:.0f} h ago" if hours < 72 else f"{hours / 24:.0f} days ago"
