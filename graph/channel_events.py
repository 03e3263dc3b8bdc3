"""Turns the graph does not need: messages with nothing to read, and public comments.

A voice note, photo, sticker, location or file gets a polite answer in the customer's language
asking for text — or, when the customer has an open support ticket, it is noted for the
specialist on that ticket. A public Instagram comment opens a lead whose source is the comment's
post and gets one private reply that names the post and asks one question; the conversation
then goes on in direct messages like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.context import RunDeps
from agents.understanding.offline.language import detect_language
from tools.conversations import Conversation, Message, NewReply
from tools.crm import IG_COMMENT_SOURCE, OPEN_STAGES, Contact, LeadSource, NewLead
from tools.tickets import Ticket, TicketStatus

_WHAT: dict[str, dict[str, str]] = {
    "en": {
        "voice": "voice messages",
        "audio": "audio files",
        "image": "photos",
        "video": "videos",
        "sticker": "stickers",
        "location": "locations",
        "file": "files",
        "contact": "contact cards",
        "other": "this kind of message",
    },
    "ru": {
        "voice": "голосовые сообщения",
        "audio": "аудиофайлы",
        "image": "фото",
        "video": "видео",
        "sticker": "стикеры",
        "location": "геолокацию",
        "file": "файлы",
        "contact": "контакты",
        "other": "такие сообщения",
    },
}
_POST: dict[tuple[str, bool], dict[str, str]] = {
    ("en", False): {"post": "our post", "reel": "our reel"},
    ("en", True): {"post": "the post «{title}»", "reel": "the reel «{title}»"},
    ("ru", False): {"post": "нашему посту", "reel": "нашему рилсу"},
    ("ru", True): {"post": "посту «{title}»", "reel": "рилсу «{title}»"},
}
_OPEN_TICKETS = frozenset({TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS})


@dataclass(frozen=True)
class PublicComment:
    """A public comment the customer left, as the channel reports it."""

    comment_id: str
    media_id: str | None
    """The post (media) the comment is under."""
    media_product_type: str | None = None
    """``FEED``, ``REELS``, ``AD``…"""
    text: str = ""


def what_was_sent(kinds: Sequence[str], language: str) -> str:
    """The kind of attachment in the customer's language ("voice messages", «фото»)."""
    words = _WHAT["ru" if language == "ru" else "en"]
    return words.get(kinds[0] if kinds else "other", words["other"])


async def _open_ticket(deps: RunDeps, contact: Contact, conversation: Conversation) -> Ticket | None:
    tickets = await deps.stores.tickets.list_tickets(contact_id=contact.id)
    open_here = [t for t in tickets if t.status in _OPEN_TICKETS and t.conversation_id == conversation.id]
    return open_here[0] if open_here else None


async def answer_non_text(
    deps: RunDeps,
    conversation: Conversation,
    contact: Contact,
    message: Message,
    kinds: Sequence[str],
    language: str,
) -> list[NewReply]:
    """Ask for text, or note the attachment on the customer's open ticket."""
    what = what_was_sent(kinds, language)
    ticket = await _open_ticket(deps, contact, conversation)
    if ticket is None:
        return [NewReply(deps.replies.text("non_text_ask_text", language, what=what), agent="guardrails")]
    await deps.stores.crm.add_note(
        contact.id,
        f"Sent {', '.join(kinds) or 'an attachment'} for ticket {ticket.id} "
        f"(message {message.id} in conversation {conversation.id}).",
        key=f"attachment:{message.id}",
        author="agent:support",
    )
    text = deps.replies.text("non_text_added_to_ticket", language, what=what, ticket=ticket.id)
    return [NewReply(text, agent="support", actions=(f"attachment noted on ticket {ticket.id}",))]


def post_phrase(deps: RunDeps, comment: PublicComment, language: str) -> str:
    """How the reply names the post: its title from the playbook when known."""
    lang = "ru" if language == "ru" else "en"
    titled = deps.playbook.channels.instagram_posts.get(comment.media_id or "")
    kind = "reel" if (comment.media_product_type or "").upper() == "REELS" else "post"
    phrase = _POST[(lang, titled is not None)][kind]
    return phrase.format(title=titled.get(lang) if titled is not None else "")


async def answer_comment(
    deps: RunDeps, conversation: Conversation, contact: Contact, comment: PublicComment
) -> list[NewReply]:
    """Open the lead (source: IG comment + post id) unless one is open, and write the one private reply."""
    default = deps.playbook.business.default_language
    detected = detect_language(comment.text, default) if comment.text.strip() else default
    language = conversation.language or detected
    if conversation.language is None:
        await deps.stores.conversations.update_conversation(conversation.id, language=language)
    leads = await deps.stores.crm.list_leads(contact_id=contact.id)
    actions: tuple[str, ...] = ()
    if not any(lead.stage in OPEN_STAGES for lead in leads):
        lead = await deps.stores.crm.create_lead(
            NewLead(
                contact.id,
                LeadSource("instagram", IG_COMMENT_SOURCE, comment.media_id),
                summary=f"Commented on post {comment.media_id or '?'}: {comment.text}".strip(),
            ),
            key=f"ig-comment-lead:{comment.comment_id}",
            actor="agent:sales",
        )
        actions = (f"lead {lead.id} opened from an Instagram comment",)
    custom = deps.playbook.channels.instagram_comment_reply
    post = post_phrase(deps, comment, language)
    if custom is not None:
        lang = "ru" if language == "ru" else "en"
        text = " ".join(custom.get(lang).replace("{post}", post).split())
    else:
        text = deps.replies.text("instagram_comment_reply", language, post=post)
    return [NewReply(text, agent="sales", actions=actions)]
