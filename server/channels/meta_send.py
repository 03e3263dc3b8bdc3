"""Messenger and Instagram Send API calls: ``POST /<page id or me>/messages`` with a Page token.

Paths are relative to ``FRONTDESK_GRAPH_API_URL``; `build_http_call` adds the bearer token.

Channel policy:
- Messenger text over 2000 characters and Instagram text over 1000 UTF-8 bytes are split;
- buttons become quick replies (at most 13, titles of at most 20 characters) on the last part,
  otherwise numbered lines;
- replies go out as ``RESPONSE`` (inside the 24-hour window); with ``human_agent`` as
  ``MESSAGE_TAG`` / ``HUMAN_AGENT``, which Meta allows only for a person, up to 7 days;
- an Instagram comment gets exactly one private reply (``recipient.comment_id``) within 7 days;
  it must be a single message, so it is shortened to fit rather than split.
"""

from __future__ import annotations

from typing import Literal

from server.channels.model import JsonObject, OutboundMessage, RateLimit, SendRequest
from server.channels.policy import (
    INSTAGRAM_TEXT,
    MESSENGER_TEXT,
    TextLimit,
    fits,
    measure,
    numbered_options,
    split_text,
    truncate,
)

MAX_QUICK_REPLIES = 13
QUICK_REPLY_TITLE = 20


def meta_limits(channel: Literal["messenger", "instagram"], account_id: str) -> tuple[RateLimit, ...]:
    """Instagram: 100 Send API calls/s per account. Messenger publishes no fixed per-page rate."""
    if channel == "instagram":
        return (RateLimit(f"instagram:account:{account_id}", 100, 1.0),)
    return ()


def quick_replies_fit(buttons: tuple[str, ...]) -> bool:
    """Whether `buttons` can be shown as quick replies (else they become numbered lines)."""
    return 0 < len(buttons) <= MAX_QUICK_REPLIES and all(len(title) <= QUICK_REPLY_TITLE for title in buttons)


def _send_requests(
    channel: Literal["messenger", "instagram"],
    recipient_id: str,
    message: OutboundMessage,
    *,
    account_id: str,
    human_agent: bool,
    limit: TextLimit,
) -> list[SendRequest]:
    text, buttons = message.text, message.buttons
    if buttons and not quick_replies_fit(buttons):
        text, buttons = numbered_options(text, buttons), ()
    parts = split_text(text, limit)
    requests = []
    for index, part in enumerate(parts):
        content: JsonObject = {"text": part}
        if buttons and index == len(parts) - 1:
            content["quick_replies"] = [
                {"content_type": "text", "title": title, "payload": f"opt:{number}"}
                for number, title in enumerate(buttons, start=1)
            ]
        body: JsonObject = {
            "recipient": {"id": recipient_id},
            "messaging_type": "RESPONSE",
            "message": content,
        }
        if human_agent:
            body |= {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        requests.append(
            SendRequest(
                channel=channel,
                path=f"/{account_id}/messages",
                body=body,
                purpose="interactive" if "quick_replies" in content else "text",
                limits=meta_limits(channel, account_id),
            )
        )
    return requests


def messenger_send_requests(
    psid: str, message: OutboundMessage, *, page_id: str = "me", human_agent: bool = False
) -> list[SendRequest]:
    """The Send API calls that deliver `message` to a Messenger user (`psid`), in order.

    Args:
        page_id: the Page id, or ``me`` (the Page the token belongs to).
        human_agent: a person answers after the 24-hour window (needs the Human Agent feature).
    """
    return _send_requests(
        "messenger", psid, message, account_id=page_id, human_agent=human_agent, limit=MESSENGER_TEXT
    )


def instagram_send_requests(
    igsid: str, message: OutboundMessage, *, account_id: str = "me", human_agent: bool = False
) -> list[SendRequest]:
    """The Send API calls that deliver `message` to an Instagram user (`igsid`), in order.

    Args:
        account_id: the Page linked to the Instagram account, or ``me`` (Page token).
        human_agent: a person answers after the 24-hour window (needs the Human Agent feature).
    """
    return _send_requests(
        "instagram", igsid, message, account_id=account_id, human_agent=human_agent, limit=INSTAGRAM_TEXT
    )


def private_reply_text(message: OutboundMessage, limit: TextLimit = INSTAGRAM_TEXT) -> str:
    """The one message a private reply may be: options as numbered lines, shortened to fit."""
    if not message.buttons:
        return truncate(message.text, limit)
    whole = numbered_options(message.text, message.buttons)
    if fits(whole, limit):
        return whole
    options = numbered_options("", message.buttons).lstrip("\n")
    room = limit.most - measure("\n\n" + options, limit.measure)
    if room < limit.most // 4:
        return truncate(message.text, limit)
    return numbered_options(truncate(message.text, TextLimit(room, limit.measure)), message.buttons)


def instagram_private_reply(
    comment_id: str, message: OutboundMessage, *, account_id: str = "me"
) -> SendRequest:
    """The private reply (a DM) to an Instagram comment: ``recipient: {comment_id}``.

    Meta allows one per comment, within 7 days of it; later messages go to the commenter's
    IGSID (`instagram_send_requests`) once they answer. Quick replies are not used here: the
    options, if any, are numbered lines.
    """
    return SendRequest(
        channel="instagram",
        path=f"/{account_id}/messages",
        body={"recipient": {"comment_id": comment_id}, "message": {"text": private_reply_text(message)}},
        purpose="private_reply",
        limits=(
            *meta_limits("instagram", account_id),
            RateLimit(f"instagram:private_replies:{account_id}", 750, 3600.0),
        ),
    )
