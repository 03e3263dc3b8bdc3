"""Channel senders over HTTP: a recorded reply planned under the channel's rules, sent with httpx.

Each delivery's plan (`server.send_plans`) is a list of provider calls. Before each call the
send limits (per recipient, per business number) are checked; a wait within the caller's
patience is waited out, a longer one defers the delivery (no failed attempt is counted). Every accepted part is recorded at once, so a retry after a failure —
or after the process died — sends only the parts the provider has not accepted. Network errors
are temporary failures.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx

from server.channels import Permanent, Retry, SendRequest, build_http_call, classify_response
from server.delivery import WAIT_IN_LINE_S, ChannelSender, Deferred, Failed, RetryLater, SendOutcome, Sent
from server.rate_limits import SendLimiter
from server.send_plans import ChannelAccount, NotAllowed, SendPlanner
from server.settings import Settings
from tools.conversations import Message
from tools.inbox import Delivery, InboxStore

log = logging.getLogger("frontdesk.senders")


@dataclass(frozen=True)
class HttpChannelSender:
    """Sends to one provider over HTTP."""

    channel: str
    base_url: str
    token: str
    planner: SendPlanner
    inbox: InboxStore
    limiter: SendLimiter
    client: httpx.AsyncClient

    async def send(
        self, delivery: Delivery, message: Message, *, wait_s: float = WAIT_IN_LINE_S
    ) -> SendOutcome:
        """Send the parts of `message` not yet accepted; the first part that fails decides the outcome.

        A send limit that frees up within `wait_s` is waited out; a later one defers the rest.
        """
        plan = await self.planner.plan(delivery, message)
        if isinstance(plan, NotAllowed):
            return Failed(plan.reason)
        if delivery.parts_sent == 0:
            for acknowledgement in plan.acknowledgements:
                outcome = await self._call(acknowledgement, wait_s)
                if not isinstance(outcome, Sent):
                    log.info("%s acknowledgement not sent: %s", self.channel, outcome)
        provider_id = delivery.provider_message_id
        for index, request in enumerate(plan.parts):
            if index < delivery.parts_sent:
                continue
            outcome = await self._call(request, wait_s)
            if not isinstance(outcome, Sent):
                return outcome
            provider_id = provider_id or outcome.provider_message_id
            if len(plan.parts) > 1:
                await self.inbox.parts_delivered(
                    delivery.id, parts_sent=index + 1, provider_message_id=outcome.provider_message_id
                )
        return Sent(provider_id)

    async def _call(self, request: SendRequest, wait_s: float) -> SendOutcome:
        wait = await self.limiter.reserve(request.limits)
        while 0 < wait <= wait_s:
            await asyncio.sleep(wait)
            wait = await self.limiter.reserve(request.limits)
        if wait > 0:
            return Deferred(f"send limit reached ({', '.join(limit.key for limit in request.limits)})", wait)
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
        return Sent(outcome.provider_message_id)


def channel_account(settings: Settings) -> ChannelAccount:
    """Who sends on each channel, from the settings."""
    return ChannelAccount(
        whatsapp_phone_number_id=settings.whatsapp_phone_number_id or "",
        instagram_account_id=settings.instagram_account_id or "me",
    )


def channel_senders(
    settings: Settings,
    client: httpx.AsyncClient,
    *,
    planner: SendPlanner,
    inbox: InboxStore,
    limiter: SendLimiter,
) -> dict[str, ChannelSender]:
    """A sender for every channel whose credentials are set."""

    def sender(channel: str, base_url: str, token: str) -> HttpChannelSender:
        return HttpChannelSender(channel, base_url, token, planner, inbox, limiter, client)

    senders: dict[str, ChannelSender] = {}
    if settings.telegram_bot_token is not None:
        senders["telegram"] = sender(
            "telegram", settings.telegram_api_url, settings.telegram_bot_token.get_secret_value()
        )
    if settings.whatsapp_token is not None and settings.whatsapp_phone_number_id:
        senders["whatsapp"] = sender(
            "whatsapp", settings.graph_api_url, settings.whatsapp_token.get_secret_value()
        )
    if settings.meta_page_token is not None:
        token = settings.meta_page_token.get_secret_value()
        senders["messenger"] = sender("messenger", settings.graph_api_url, token)
        senders["instagram"] = sender("instagram", settings.graph_api_url, token)
    return senders
