"""The inbox worker over the real path: redeliveries, bursts and a crash mid-turn give exactly one reply."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from graph import Inbound, TurnResult
from server.assembly import Frontdesk
from server.worker import InboxWorker
from tools.clock import FrozenClock
from tools.inbox import InboxStatus, NewInboxEvent


def _event(clock: FrozenClock, provider_id: str, text: str, chat: str = "555") -> NewInboxEvent:
    return NewInboxEvent(
        "telegram", provider_id, chat, chat, text, received_at=clock.now(), sender_name="Вера"
    )


async def _drain(worker: InboxWorker) -> int:
    turns = 0
    while await worker.run_once():
        turns += 1
    return turns


async def test_the_same_webhook_five_times_gets_one_reply(studio: Frontdesk, clock: FrozenClock) -> None:
    for _ in range(5):
        await studio.stores.inbox.accept(_event(clock, "tg-1", "сколько стоит маникюр?"))
    clock.advance(timedelta(seconds=3))
    assert await _drain(InboxWorker(studio.stores.inbox, studio.runner, owner="w1")) == 1
    transcript = await studio.stores.conversations.transcript("telegram:555")
    assert [m.direction.value for m in transcript].count("in") == 1
    deliveries = await studio.stores.inbox.deliveries()
    assert deliveries and all(d.chat_id == "555" for d in deliveries)
    assert any("1 800 ₽" in m.text for m in transcript)


async def test_a_burst_is_one_turn(studio: Frontdesk, clock: FrozenClock) -> None:
    await studio.stores.inbox.accept(_event(clock, "tg-1", "здравствуйте"))
    clock.advance(timedelta(seconds=1))
    await studio.stores.inbox.accept(_event(clock, "tg-2", "сколько стоит маникюр?"))
    worker = InboxWorker(studio.stores.inbox, studio.runner, owner="w1", burst_s=2)
    assert await _drain(worker) == 0, "the customer may still be typing"
    clock.advance(timedelta(seconds=2))
    assert await _drain(worker) == 1
    [inbound] = [
        m for m in await studio.stores.conversations.transcript("telegram:555") if m.direction.value == "in"
    ]
    assert inbound.text == "здравствуйте\nсколько стоит маникюр?"


class _CrashAfterTurn:
    """A runner that dies right after the turn was processed, before the worker finishes its bookkeeping."""

    def __init__(self, runner: object) -> None:
        self.inner = runner

    async def handle(self, inbound: Inbound) -> TurnResult:
        await self.inner.handle(inbound)  # type: ignore[attr-defined]
        raise SystemExit("killed")


async def test_a_worker_killed_mid_turn_the_turn_is_answered_once(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    await studio.stores.inbox.accept(_event(clock, "tg-1", "сколько стоит маникюр?"))
    clock.advance(timedelta(seconds=3))
    doomed = InboxWorker(studio.stores.inbox, _CrashAfterTurn(studio.runner), owner="doomed", lease_s=30)  # type: ignore[arg-type]
    with contextlib.suppress(SystemExit):
        await doomed.run_once()
    rescuer = InboxWorker(studio.stores.inbox, studio.runner, owner="rescuer", lease_s=30)
    assert await rescuer.run_once() is False, "the dead worker's lease still holds"
    clock.advance(timedelta(seconds=31))
    assert await rescuer.run_once() is True
    transcript = await studio.stores.conversations.transcript("telegram:555")
    replies = [m for m in transcript if m.direction.value == "out"]
    assert len({m.text for m in replies}) == len(replies), "nothing answered twice"
    assert [m.direction.value for m in transcript].count("in") == 1
    assert len(await studio.stores.inbox.deliveries()) == len(replies)
    assert [e.status for e in await studio.stores.inbox.events()] == [InboxStatus.DONE]
