"""The worker: takes a conversation's pending inbox events as one turn, runs it, and queues the replies.

Turns of one conversation run strictly in order (the inbox leases a conversation to one worker);
a burst of messages arriving within `burst_s` is one turn. A crash anywhere is safe: the lease
runs out, another worker claims the same batch, and the runner, idempotent by the batch id,
answers it once. Replies are recorded in the transcript by the runner before any send; each gets
a delivery in the outbox, which `Sender`s work off with retries.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field

from graph import ConversationRunner
from server.turns import process_turn
from tools.inbox import Claim, InboxStore

log = logging.getLogger("frontdesk.worker")


def worker_name() -> str:
    """A name unique to this process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


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
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """Something was added to the inbox: look now."""
        self._wake.set()

    async def run_once(self, *, conversation_key: str | None = None, quiet_s: float | None = None) -> bool:
        """Process one turn if one is waiting (of `conversation_key` if given); False when there was nothing to do.

        `quiet_s` (default `burst_s`): only a conversation that has been quiet this long is taken.
        """
        claim = await self.inbox.claim(
            self.owner,
            lease_s=self.lease_s,
            burst_s=self.burst_s if quiet_s is None else quiet_s,
            conversation_key=conversation_key,
        )
        if claim is None:
            return False
        await self.process(claim)
        return True

    async def process(self, claim: Claim) -> None:
        """Run a claimed turn and complete it: done, or failed (retried later, then dead-lettered)."""
        ids = [event.id for event in claim.events]
        try:
            await self._turn(claim)
        except Exception as error:
            log.exception("turn %s of %s failed", claim.batch, claim.conversation_key)
            await self.inbox.complete(claim, ids, error=f"{type(error).__name__}: {error}")
            return
        await self.inbox.complete(claim, ids)

    async def _turn(self, claim: Claim) -> None:
        await process_turn(claim, self.runner, self.inbox)

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
