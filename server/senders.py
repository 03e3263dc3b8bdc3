"""Channel senders over HTTP: a recorded reply shaped by the channel adapter, sent with httpx.

Each sender turns a transcript message into the provider's `SendRequest`s (splitting and button
mapping are the adapter's policy), calls the provider's send endpoint at the configured base URL,
and reads the answer into `Sent` / `RetryLater` / `Failed` for the outbox worker. Network errors
are temporary failures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from server.channels import (
    OutboundMessage,
    Permanent,
    Retry,
    SendRequest,
    build_http_call,
    classify_response,
    instagram_send_requests,
    messenger_send_requests,
    telegram_send_requests,
    whatsapp_send_requests,
)
from server.delivery import ChannelSender, Failed, RetryLater, SendOutcome, Sent
from server.settings import Settings
from tools.conversations import Message
from tools.inbox import Delivery

Shape = Callable[[str, OutboundMessage], list[SendRequest]]
"""The adapter's requests for one message to one chat."""


@dataclass(frozen=True)
class HttpChannelSender:
    """Sends to one provider over HTTP."""

    channel: str
    base_url: str
    token: str
    shape: Shape
    client: httpx.AsyncClient

    async def send(self, delivery: Delivery, message: Message) -> SendOutcome:
        """Send every part of `message`; the first part that fails decides the outcome."""
        requests = self.shape(delivery.chat_id, OutboundMessage(message.text, tuple(message.buttons)))
        provider_id: str | None = None
        for request in requests:
            call = build_http_call(request, base_url=self.base_url, token=self.token)
            try:
                response = await self.client.request(
                    call.method, call.url, headers=dict(call.headers), content=call.content
                )
            except httpx.HTTPError as error:
                return RetryLater(f"{type(error).__name__}: {error}")
            outcome = classify_response(
                request.channel, response.status_code, dict(response.headers), response.content
            )
            if isinstance(outcome, Retry):
                return RetryLater(outcome.reason, outcome.after_s)
            if isinstance(outcome, Permanent):
                return Failed(outcome.reason)
            provider_id = provider_id or outcome.provider_message_id
        return Sent(provider_id)


def channel_senders(settings: Settings, client: httpx.AsyncClient) -> dict[str, ChannelSender]:
    """A sender for every channel whose credentials are set."""
    senders: dict[str, ChannelSender] = {}
    if settings.telegram_bot_token is not None:
        senders["telegram"] = HttpChannelSender(
            "telegram",
            settings.telegram_api_url,
            settings.telegram_bot_token.get_secret_value(),
            lambda chat, message: telegram_send_requests(chat, message),
            client,
        )
    if settings.whatsapp_token is not None and settings.whatsapp_phone_number_id:
        number = settings.whatsapp_phone_number_id
        senders["whatsapp"] = HttpChannelSender(
            "whatsapp",
            settings.graph_api_url,
            settings.whatsapp_token.get_secret_value(),
            lambda chat, message: whatsapp_send_requests(chat, message, phone_number_id=number),
            client,
        )
    if settings.meta_page_token is not None:
        token = settings.meta_page_token.get_secret_value()
        senders["messenger"] = HttpChannelSender(
            "messenger", settings.graph_api_url, token, lambda c, m: messenger_send_requests(c, m), client
        )
        account = settings.instagram_account_id or "me"
        senders["instagram"] = HttpChannelSender(
            "instagram",
            settings.graph_api_url,
            token,
            lambda c, m: instagram_send_requests(c, m, account_id=account),
            client,
        )
    return senders
