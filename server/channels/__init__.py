"""Channel protocol adapters: verify, parse and shape messages for each messaging provider.

Pure functions and frozen values; no HTTP framework, no environment, no network. The routes
verify and parse webhooks; the worker builds `SendRequest`s, turns them into HTTP calls with
`build_http_call` and reads the answers with `classify_response`.

| channel | verify | parse | send |
| --- | --- | --- | --- |
| Telegram | `verify_telegram_secret` | `parse_telegram_update` | `telegram_send_requests`, `telegram_answer_callback` |
| WhatsApp | `verify_meta_signature`, `answer_subscription` | `parse_whatsapp_webhook` | `whatsapp_send_requests`, `whatsapp_template_request` |
| Messenger, Instagram | `verify_meta_signature`, `answer_subscription` | `parse_meta_webhook` | `messenger_send_requests`, `instagram_send_requests`, `instagram_private_reply` |
| web chat | (session) | `parse_webchat_message` | `webchat_frames` |
"""

from server.channels.meta import parse_meta_webhook
from server.channels.meta_send import (
    instagram_private_reply,
    instagram_send_requests,
    messenger_send_requests,
)
from server.channels.model import (
    Channel,
    ChannelError,
    CommentRef,
    DeliveryReport,
    EventKind,
    InboundEvent,
    JsonObject,
    MalformedPayload,
    NonTextKind,
    OutboundMessage,
    ProviderError,
    RateLimit,
    SendRequest,
    SignatureInvalid,
)
from server.channels.policy import (
    TextLimit,
    numbered_options,
    split_text,
    within_human_agent_window,
    within_whatsapp_window,
)
from server.channels.telegram import parse_telegram_update
from server.channels.telegram_send import telegram_answer_callback, telegram_send_requests, telegram_typing
from server.channels.transport import (
    HttpCall,
    Ok,
    Permanent,
    ProviderOutcome,
    Retry,
    build_http_call,
    classify_graph_response,
    classify_response,
    classify_telegram_response,
)
from server.channels.verification import (
    META_SIGNATURE_HEADER,
    TELEGRAM_SECRET_HEADER,
    answer_subscription,
    meta_signature,
    verify_meta_signature,
    verify_telegram_secret,
)
from server.channels.webchat import (
    WebchatFrame,
    check_session_id,
    parse_webchat_message,
    webchat_frames,
    webchat_typing,
)
from server.channels.whatsapp import parse_whatsapp_webhook
from server.channels.whatsapp_send import (
    whatsapp_mark_read,
    whatsapp_send_requests,
    whatsapp_template_request,
)

__all__ = [
    "Channel",
    "ChannelError",
    "CommentRef",
    "DeliveryReport",
    "EventKind",
    "HttpCall",
    "InboundEvent",
    "JsonObject",
    "META_SIGNATURE_HEADER",
    "MalformedPayload",
    "NonTextKind",
    "Ok",
    "OutboundMessage",
    "Permanent",
    "ProviderError",
    "ProviderOutcome",
    "RateLimit",
    "Retry",
    "SendRequest",
    "SignatureInvalid",
    "TELEGRAM_SECRET_HEADER",
    "TextLimit",
    "WebchatFrame",
    "answer_subscription",
    "build_http_call",
    "check_session_id",
    "classify_graph_response",
    "classify_response",
    "classify_telegram_response",
    "instagram_private_reply",
    "instagram_send_requests",
    "messenger_send_requests",
    "meta_signature",
    "numbered_options",
    "parse_meta_webhook",
    "parse_telegram_update",
    "parse_webchat_message",
    "parse_whatsapp_webhook",
    "split_text",
    "telegram_answer_callback",
    "telegram_send_requests",
    "telegram_typing",
    "verify_meta_signature",
    "verify_telegram_secret",
    "webchat_frames",
    "webchat_typing",
    "whatsapp_mark_read",
    "whatsapp_send_requests",
    "whatsapp_template_request",
    "within_human_agent_window",
    "within_whatsapp_window",
]
