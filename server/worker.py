"""The worker: takes a conversation's pending inbox events as one turn, runs it, and sends the replies.

Turns of one conversation run strictly in order (the inbox leases a conversation to one worker);
a burst of messages arriving within `burst_s` is one turn. A crash anywhere is safe: the lease
runs out, another worker claims the same batch, and the runner, idempotent by the batch id,
answers it once. Replies are recorded in the transcript by the runner before any send; each gets
a delivery in the outbox in the transaction that completes the turn. With an `outbox` the worker
then sends them itself, still holding the conversation (so its next turn cannot overtake them);
whatever cannot go at once (a send limit, a provider error) the outbox retries.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from graph import ConversationRunner
from server.delivery import DeliveryWorker
from server.turns import QueuedReply, process_turn
from server.worker_names import worker_name
from tools.inbox import Claim, InboxStore

log = logging.getLogger("frontdesk.worker")


@dataclass(frozen=True)
class Ran:
    """A turn this worker ran and completed."""

    checked_at: float
    """Monotonic time just before the turn's completion read the conversation's open events."""
    last_open_at: datetime | None
    """The conversation's newest open event as the turn completed (news that came during it); None: none."""


@dataclass
class InboxWorker:
    """Processes the inbox, one conversation turn at a time per conversation."""

    inbox: InboxStore
    runner: ConversationRunner
    owner: str = field(default_factory=worker_name)
    lease_s: float = 60.0
    """How long a claimed conversation stays this worker's; another worker takes over after that."""
    burst_s: float = 2.0
    """Messages of one conversation closer together than this are one turn."""
    idle_s: float = 0.2
    """How long to wait when there is nothing to do (a new event wakes the worker earlier)."""
    outbox: DeliveryWorker | None = None
    """Sends each turn's replies as soon as it completes; without one the outbox's own loop sends them."""
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """Something was added to the inbox: look now."""
        self._wake.set()

    async def run_once(self, *, conversation_key: str | None = None, quiet_s: float | None = None) -> bool:
        """Process one turn if one is waiting (of `conversation_key` if given); False when there was nothing to do.

        `quiet_s` (default `burst_s`): only a conversation that has been quiet this long is taken.
        """
        return await self.run_turn(conversation_key=conversation_key, quiet_s=quiet_s) is not None

    async def run_turn(
        self, *, conversation_key: str | None = None, quiet_s: float | None = None
    ) -> Ran | None:
        """`run_once`, saying what the completed turn found (None when there was nothing to do)."""
        claim = await self.inbox.claim(
            self.owner,
            lease_s=self.lease_s,
            burst_s=self.burst_s if quiet_s is None else quiet_s,
            conversation_key=conversation_key,
        )
        if claim is None:
            return None
        return await self.process(claim)

    async def process(self, claim: Claim) -> Ran:
        """Run a claimed turn and complete it: done (its replies sent), or failed (retried later, then dead-lettered)."""
        ids = [event.id for event in claim.events]
        try:
            replies = await self._turn(claim)
        except Exception as error:
            log.exception("turn %s of %s failed", claim.batch, claim.conversation_key)
            checked_at = time.monotonic()
            completion = await self.inbox.complete(claim, ids, error=f"{type(error).__name__}: {error}")
            return Ran(checked_at, completion.last_open_at)
        checked_at = time.monotonic()
        completion = await self.inbox.complete(
            claim,
            ids,
            deliveries=[reply.delivery for reply in replies],
            keep_to_send_s=self.lease_s / 2 if self.outbox is not None else None,
        )
        if completion.taken and self.outbox is not None:
            messages = {reply.message.id: reply.message for reply in replies}
            try:
                await self.outbox.send_taken(completion.taken, messages, completion.conversation_owner)
            except Exception:  # the deliveries stay in the outbox, which sends them when their lease ends
                log.exception("the replies of turn %s could not be sent at once", claim.batch)
            finally:
                await self.inbox.release_conversation(claim.conversation_key, claim.owner)
        return Ran(checked_at, completion.last_open_at)

    async def _turn(self, claim: Claim) -> list[QueuedReply]:
        return await process_turn(claim, self.runner)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set."""
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("the inbox could not be read; trying again")
                busy = False
            if busy:
                continue
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=self.idle_s, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()
