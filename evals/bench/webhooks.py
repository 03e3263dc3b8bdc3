"""`frontdesk bench webhooks`: sustained webhook load over real HTTP against `frontdesk serve`.

The benchmark starts a fake Telegram Bot API (in this process) and ``frontdesk serve --workers N``
as a child process on a fresh database (a temporary PostgreSQL database, or an SQLite file in the
data directory), waits until warm-up messages are answered, then runs `conversations` customers
at once for `duration_s`. Each behaves like a person in a chat: posts a Telegram update with the
secret-token header (a share of the updates is delivered twice, as Telegram does after a timeout),
waits for the bot's answer (the fake Telegram API sees the ``sendMessage``; at most
`reply_timeout_s`), thinks for about `think_s` and writes again. Then the benchmark waits until the
inbox and the outbox are drained and reads the database: turns processed, messages never
processed or never answered (lost), and replies sent more often than the outbox recorded
(duplicates).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from evals.bench.ack_histogram import ack_buckets, bucket_delta, bucket_quantile
from evals.bench.databases import fresh_database
from evals.bench.fake_telegram import FakeTelegram, until_started
from evals.bench.process_cpu import tree_cpu_s
from tools.clock import SystemClock
from tools.inbox import DeliveryStatus, InboxStatus
from tools.sql import open_stores
from tools.sql.schema import inbox_events

TOKEN = "123456:BENCH-token"
SECRET = "bench-webhook-secret"
LINES = (
    "Здравствуйте!",
    "сколько стоит маникюр?",
    "хочу записаться на завтра",
    "Hi, how much is a manicure?",
    "can I book for tomorrow at 3pm?",
    "спасибо",
)


@dataclass(frozen=True)
class WebhookReport:
    """The figures of one run."""

    mode: str
    conversations: int
    duration_s: float
    acks: int
    acks_per_s: float
    ack_p50_ms: float
    ack_p95_ms: float
    ack_p99_ms: float
    server_ack_p50_ms: float
    """At the endpoint: the API process's own answer times (its ``/metrics`` histogram, interpolated)."""
    server_ack_p95_ms: float
    server_ack_p99_ms: float
    failed_acks: int
    messages: int
    """Distinct customer messages accepted (redeliveries not counted)."""
    messages_per_s: float
    """Distinct customer messages accepted per second of load."""
    reply_p50_ms: float
    """From the acknowledgement of a message to the bot's first answer that followed it."""
    reply_p99_ms: float
    reply_timeouts: int
    """Messages whose answer did not come within the reply timeout (the customer wrote again anyway)."""
    turns: int
    turns_per_s: float
    """Turns processed per second, from the start of the load until the last one was done."""
    server_cpu_ms_per_turn: float
    """CPU time of the API and worker processes from the start of the load until the outbox drained, per turn."""
    server_cpu_cores: float
    """That CPU time over the same wall-clock time: how many cores the server used."""
    loadgen_cpu_ms_per_message: float
    """CPU time of this process (the customers and the fake Bot API) per message sent."""
    replies_sent: int
    duplicate_replies: int
    lost_messages: int
    """Accepted messages not processed, or processed without a reply, after the drain."""
    drain_s: float


async def _ack_buckets(client: aiohttp.ClientSession) -> list[tuple[float, int]]:
    """The server's Telegram webhook answer-time buckets, scraped from ``/metrics``."""
    async with client.get("/metrics") as answer:
        return ack_buckets(await answer.text())


@dataclass(frozen=True)
class _Customers:
    """How the simulated customers behave."""

    redeliver: float
    """Share of updates delivered twice."""
    think_s: float
    """Mean pause after the bot's answer before the next message."""
    reply_timeout_s: float
    """How long a customer waits for an answer before writing again anyway (0: not at all)."""


@dataclass
class _Load:
    """The customers' side of a run and what they saw."""

    client: aiohttp.ClientSession
    fake: FakeTelegram
    headers: dict[str, str]
    behaviour: _Customers
    ids: Iterator[int]
    deadline: float
    """When customers stop writing (monotonic)."""
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    latencies: list[float] = field(default_factory=list)
    """Acknowledgement latencies (seconds), redeliveries included."""
    answered: list[float] = field(default_factory=list)
    """Seconds from a message's acknowledgement to the bot's next answer."""
    accepted: set[str] = field(default_factory=set)
    failed: int = 0
    timeouts: int = 0

    async def customer(self, chat: int) -> None:
        """Write, wait for the answer (or the timeout), think, write again, until the deadline."""
        await asyncio.sleep(self.rng.random() * self.behaviour.think_s)
        while time.monotonic() < self.deadline:
            number = next(self.ids)
            seen = self.fake.sent[str(chat)]
            stored = False
            body = _update(number, chat, self.rng.choice(LINES))
            for _ in range(2 if self.rng.random() < self.behaviour.redeliver else 1):
                if await self._post(body):
                    self.accepted.add(f"{chat}:{number}")
                    stored = True
            if stored:
                await self._wait_answer(str(chat), seen)
            await asyncio.sleep(self.behaviour.think_s * (0.5 + self.rng.random()))

    async def _post(self, body: dict[str, object]) -> bool:
        began = time.perf_counter()
        try:
            async with self.client.post("/webhooks/telegram", data=_json(body), headers=self.headers) as ack:
                await ack.read()
                ok = ack.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        self.latencies.append(time.perf_counter() - began)
        self.failed += not ok
        return ok

    async def _wait_answer(self, chat: str, seen: int) -> None:
        if self.behaviour.reply_timeout_s <= 0:
            return
        acked = time.perf_counter()
        wait_s = min(self.behaviour.reply_timeout_s, self.deadline - time.monotonic())
        if await self.fake.wait_reply(chat, seen, max(0.0, wait_s)):
            self.answered.append(time.perf_counter() - acked)
        elif wait_s >= self.behaviour.reply_timeout_s:
            self.timeouts += 1


def _json(body: dict[str, object]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _update(update_id: int, chat: int, text: str) -> dict[str, object]:
    user = {"id": chat, "is_bot": False, "first_name": "Bench"}
    message = {"message_id": update_id, "date": int(time.time()), "from": user, "text": text}
    return {"update_id": update_id, "message": {**message, "chat": {"id": chat, "type": "private"}}}


async def _until(check: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.25)
    raise TimeoutError(f"{what} within {timeout_s:.0f} s")


async def run(
    *,
    playbook: Path,
    conversations: int,
    duration_s: float,
    workers: int,
    database_url: str | None,
    redis_url: str | None,
    data_dir: Path,
    redeliver: float = 0.05,
    think_s: float = 0.5,
    reply_timeout_s: float = 10.0,
    drain_timeout_s: float = 300.0,
    server_settings: Mapping[str, str] | None = None,
) -> WebhookReport:
    """Run the benchmark (see the module docstring).

    `server_settings` (setting name → value) are given to the server as ``FRONTDESK_*`` variables.
    """
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    fake = FakeTelegram(TOKEN, _free_port())
    fake_server = fake.server()
    fake_task = asyncio.create_task(fake_server.serve())
    await until_started(fake_server)
    try:
        async with fresh_database(database_url, data_dir) as url:
            return await _run(
                playbook,
                conversations,
                duration_s,
                workers,
                url,
                redis_url,
                data_dir,
                fake,
                _Customers(redeliver, think_s, reply_timeout_s),
                drain_timeout_s,
                {f"FRONTDESK_{name.upper()}": value for name, value in (server_settings or {}).items()},
            )
    finally:
        fake_server.should_exit = True
        await fake_task


async def _run(
    playbook: Path,
    conversations: int,
    duration_s: float,
    workers: int,
    url: str,
    redis_url: str | None,
    data_dir: Path,
    fake: FakeTelegram,
    behaviour: _Customers,
    drain_timeout_s: float,
    settings_env: Mapping[str, str],
) -> WebhookReport:
    port = _free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FRONTDESK_", "OPENAI_", "REDIS_URL", "DATABASE_URL"))
        },
        "DATABASE_URL": url,
        "FRONTDESK_PLAYBOOK": str(playbook),
        "FRONTDESK_DATA_DIR": str(data_dir),
        "FRONTDESK_BURST_S": "0",
        "FRONTDESK_TELEGRAM_BOT_TOKEN": TOKEN,
        "FRONTDESK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "FRONTDESK_TELEGRAM_API_URL": fake.url,
        "HF_HUB_OFFLINE": "1",
        **({"REDIS_URL": redis_url} if redis_url else {}),
        **settings_env,
    }
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", str(workers)]
    log = (data_dir / "bench-server.log").open("wb")
    server = await asyncio.to_thread(
        subprocess.Popen, command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=conversations + 8)
    stores = None
    try:
        async with aiohttp.ClientSession(
            base_url=base, connector=connector, timeout=aiohttp.ClientTimeout(total=30.0)
        ) as client:

            async def healthy() -> bool:
                try:
                    async with client.get("/healthz") as answer:
                        return answer.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    return False

            await _until(healthy, 300, "the server did not start")
            ids = itertools.count(1)
            warm = [1_000_000 + n for n in range(max(2, workers * 4))]
            for chat in warm:
                body = _json(_update(next(ids), chat, "Здравствуйте!"))
                async with client.post("/webhooks/telegram", data=body, headers=headers) as answer:
                    await answer.read()

            async def warmed() -> bool:
                return all(fake.sent[str(chat)] for chat in warm)

            await _until(warmed, 300, "the warm-up messages were not answered")
            chats = [2_000_000 + n for n in range(conversations)]
            started_at = datetime.now(UTC)
            load = _Load(client, fake, headers, behaviour, ids, time.monotonic() + duration_s)
            acks_before = await _ack_buckets(client)
            server_cpu_began, own_cpu_began = tree_cpu_s(server.pid), time.process_time()
            began_load = time.monotonic()
            await asyncio.gather(*(load.customer(chat) for chat in chats))
            load_s = time.monotonic() - began_load
            own_cpu_s = time.process_time() - own_cpu_began
            at_endpoint = bucket_delta(await _ack_buckets(client), acks_before)
            latencies, answered, accepted = load.latencies, load.answered, load.accepted
        stores = await open_stores(url, clock=SystemClock(), migrate=False)
        keys = {f"telegram:{chat}" for chat in chats}

        async def drained() -> bool:
            events = [e for e in await stores.inbox.events() if e.conversation_key in keys]  # type: ignore[union-attr]
            pending = await stores.inbox.deliveries(status=DeliveryStatus.PENDING)  # type: ignore[union-attr]
            return all(
                e.status is not InboxStatus.PENDING and e.status is not InboxStatus.PROCESSING for e in events
            ) and not any(d.chat_id in {str(c) for c in chats} for d in pending)

        drain_began = time.monotonic()
        with suppress(TimeoutError):
            await _until(drained, drain_timeout_s, "the inbox and outbox were not drained")
        drain_s = time.monotonic() - drain_began
        server_cpu_s = tree_cpu_s(server.pid) - server_cpu_began
        server_wall_s = time.monotonic() - began_load
        events = [e for e in await stores.inbox.events() if e.conversation_key in keys]
        done = {e.provider_id for e in events if e.status is InboxStatus.DONE}
        batches = {e.batch for e in events if e.status is InboxStatus.DONE}
        async with stores.engine.connect() as connection:
            last = (
                await connection.execute(
                    select(func.max(inbox_events.c.processed_at)).where(
                        inbox_events.c.conversation_key.in_(keys)
                    )
                )
            ).scalar()
        last_at = last if last is None or last.tzinfo else last.replace(tzinfo=UTC)
        processing_s = (last_at - started_at).total_seconds() if last_at else float("nan")
        unanswered = await _unanswered(stores, keys)
        deliveries = [d for d in await stores.inbox.deliveries() if f"telegram:{d.chat_id}" in keys]
        parts: dict[str, int] = {}
        for delivery in deliveries:
            sent = (
                max(1, delivery.parts_sent) if delivery.status is DeliveryStatus.SENT else delivery.parts_sent
            )
            parts[delivery.chat_id] = parts.get(delivery.chat_id, 0) + sent
        duplicates = sum(max(0, fake.sent[str(chat)] - parts.get(str(chat), 0)) for chat in chats)
        lost = len(accepted - done) + sum(
            1 for e in events if e.status is InboxStatus.DONE and e.batch in unanswered
        )
        ordered = sorted(latencies)
        replies = sorted(answered) or [float("nan")]
        mode = f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}"
        mode += (
            f" + Redis, {workers} worker processes"
            if redis_url
            else (f", {workers} worker processes" if workers else ", embedded")
        )
        return WebhookReport(
            mode=mode,
            conversations=conversations,
            duration_s=round(load_s, 1),
            acks=len(latencies),
            acks_per_s=round(len(latencies) / load_s, 1),
            ack_p50_ms=round(statistics.median(ordered) * 1000, 1),
            ack_p95_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
            ack_p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
            server_ack_p50_ms=round(bucket_quantile(at_endpoint, 0.5) * 1000, 1),
            server_ack_p95_ms=round(bucket_quantile(at_endpoint, 0.95) * 1000, 1),
            server_ack_p99_ms=round(bucket_quantile(at_endpoint, 0.99) * 1000, 1),
            failed_acks=load.failed,
            messages=len(accepted),
            messages_per_s=round(len(accepted) / load_s, 1),
            reply_p50_ms=round(statistics.median(replies) * 1000, 1),
            reply_p99_ms=round(replies[min(len(replies) - 1, int(len(replies) * 0.99))] * 1000, 1),
            reply_timeouts=load.timeouts,
            turns=len(batches),
            turns_per_s=round(len(batches) / processing_s, 1),
            server_cpu_ms_per_turn=round(server_cpu_s * 1000 / max(1, len(batches)), 1),
            server_cpu_cores=round(server_cpu_s / server_wall_s, 2),
            loadgen_cpu_ms_per_message=round(own_cpu_s * 1000 / max(1, len(accepted)), 2),
            replies_sent=sum(fake.sent[str(chat)] for chat in chats),
            duplicate_replies=duplicates,
            lost_messages=lost,
            drain_s=round(drain_s, 1),
        )
    finally:
        if stores is not None:
            await stores.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


async def _unanswered(stores: object, keys: set[str]) -> set[str]:
    """Batches (turns) whose inbound message got no reply in the transcript."""
    missing: set[str] = set()
    for key in keys:
        transcript = await stores.conversations.transcript(key)  # type: ignore[attr-defined]
        answered = {m.reply_to for m in transcript if m.direction.value == "out"}
        missing |= {m.provider_id for m in transcript if m.direction.value == "in" and m.id not in answered}
    return missing
