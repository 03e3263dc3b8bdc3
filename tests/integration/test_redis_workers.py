"""Worker processes fed by a Redis stream, on PostgreSQL: a killed worker and a restarted Redis lose nothing.

Real processes (`python -m server.cli worker`), a real redis-server of the test's own (started on a
free port, keeping nothing on disk, so it can be killed and restarted), webhooks over real HTTP,
and replies counted at the fake Telegram API.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from server.app import create_app
from server.settings import Settings
from server.turn_queue_redis import stream_key
from tests.api.test_payment_page import _free_port, _until_started
from tests.channels.payloads import tg_message
from tests.conftest import ROOT
from tests.fakes.openai_server import FakeOpenAI, RecordedRequest, Reply, raw_reply
from tests.fakes.providers import FakeProviders, telegram_secret_headers
from tools.clock import SystemClock
from tools.inbox import DeliveryStatus, InboxStatus
from tools.sql import BusinessStores, open_stores

pytestmark = [pytest.mark.redis, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]
PLAYBOOK = ROOT / "tests/fixtures/minimal_playbook.yaml"
STREAM = stream_key("tiny-salon")
SECRET = "tg-secret"


class RedisProcess:
    """A redis-server of this test's own on a free port, without persistence."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
                ).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@dataclass
class Deployment:
    """An API process (in the test's event loop) and worker processes on one database and one Redis."""

    url: str
    env: dict[str, str]
    logs: Path
    workers: list[subprocess.Popen[bytes]]

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "worker"], env=self.env, cwd=ROOT, stdout=log, stderr=log
        )
        self.workers.append(process)
        return process


def _env(
    database_url: str, redis_url: str, data_dir: Path, providers: FakeProviders, **extra: str
) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "OPENAI_"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "FRONTDESK_PLAYBOOK": str(PLAYBOOK),
        "FRONTDESK_DATA_DIR": str(data_dir),
        "FRONTDESK_BURST_S": "0",
        "FRONTDESK_LEASE_S": "2",
        "FRONTDESK_SWEEP_S": "1",
        "FRONTDESK_TELEGRAM_BOT_TOKEN": providers.telegram_token,
        "FRONTDESK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "FRONTDESK_TELEGRAM_API_URL": providers.telegram_url,
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


@asynccontextmanager
async def deploy(
    database_url: str,
    redis: RedisProcess,
    tmp_path: Path,
    providers: FakeProviders,
    workers: int,
    **extra: str,
) -> AsyncIterator[Deployment]:
    """The API in this event loop (it runs no worker), `workers` worker processes, all ready to take turns."""
    data_dir = tmp_path / "data"
    env = _env(database_url, redis.url, data_dir, providers, **extra)
    port = _free_port()
    settings = Settings(
        playbook=PLAYBOOK,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis.url,
        port=port,
        burst_s=0,
        workers=workers,
        telegram_bot_token=SecretStr(providers.telegram_token),
        telegram_webhook_secret=SecretStr(SECRET),
        telegram_api_url=providers.telegram_url,
    )
    running = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, knowledge="none"), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    task = asyncio.create_task(running.serve())
    await _until_started(running)
    deployment = Deployment(f"http://127.0.0.1:{port}", env, tmp_path, [])
    try:
        for _ in range(workers):
            deployment.start_worker()
        await _until_ready(deployment)
        yield deployment
    finally:
        for process in deployment.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in deployment.workers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        running.should_exit = True
        await task


async def _until_ready(deployment: Deployment, timeout_s: float = 60.0) -> None:
    """Every worker said it is processing turns."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        logs = [(deployment.logs / f"worker-{n}.log").read_text() for n in range(len(deployment.workers))]
        if all("is processing turns" in log for log in logs):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the workers did not start in {timeout_s} s")


def _update(number: int, chat: int, text: str) -> bytes:
    payload = tg_message(update_id=10_000 + number, message_id=number, text=text)
    payload["message"]["chat"]["id"] = chat
    payload["message"]["from"]["id"] = chat
    return json.dumps(payload, ensure_ascii=False).encode()


async def _until(condition: Callable[[], Awaitable[bool]], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{what} within {timeout_s} s")


async def _all_sent(stores: BusinessStores) -> bool:
    deliveries = await stores.inbox.deliveries()
    return bool(deliveries) and all(d.status is DeliveryStatus.SENT for d in deliveries)


async def _answered_exactly_once(stores: BusinessStores, providers: FakeProviders) -> None:
    """Every event done, one inbound transcript message per turn with a reply, each reply sent once."""
    events = await stores.inbox.events()
    assert events and {e.status for e in events} == {InboxStatus.DONE}
    sent: dict[str, list[str]] = {}
    for call in providers.calls_to("telegram", accepted_only=True):
        if call.method == "sendMessage":
            sent.setdefault(str(call.body["chat_id"]), []).append(str(call.body["text"]))
    for key in sorted({e.conversation_key for e in events}):
        batches = {e.batch for e in events if e.conversation_key == key}
        transcript = await stores.conversations.transcript(key)  # type: ignore[arg-type]
        inbound = [m for m in transcript if m.direction.value == "in"]
        replies = [m for m in transcript if m.direction.value == "out"]
        assert sorted(m.provider_id or "" for m in inbound) == sorted(b or "" for b in batches), key
        assert all(any(r.reply_to == m.id for r in replies) for m in inbound), (
            f"{key}: a turn went unanswered"
        )
        chat = key.split(":", 1)[1]
        assert sorted(sent.get(chat, [])) == sorted(r.text for r in replies), (
            f"{key}: sent ≠ recorded replies"
        )


def _hold_first() -> Callable[[RecordedRequest], Reply]:
    """The fake LLM: the first request hangs (its worker is mid-turn), later ones get garbage (offline fallback)."""
    seen = []

    def handle(request: RecordedRequest) -> Reply:
        seen.append(request)
        if len(seen) == 1:
            return Reply(body=b"{}", delay_s=60)
        return raw_reply("not json")(request)

    return handle


async def test_a_worker_killed_mid_turn_its_turn_is_answered_once_by_another(
    database_url: str, redis_process: RedisProcess, tmp_path: Path, providers: FakeProviders
) -> None:
    with FakeOpenAI(default=_hold_first()) as llm:
        llm_env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": llm.url, "FRONTDESK_LLM_TIMEOUT_S": "60"}
        async with deploy(database_url, redis_process, tmp_path, providers, 2, **llm_env) as deployment:
            stores = await open_stores(database_url, clock=SystemClock(), migrate=False)
            try:
                async with httpx.AsyncClient(base_url=deployment.url) as client:
                    ack = await client.post(
                        "/webhooks/telegram",
                        content=_update(1, 777, "сколько стоит стрижка?"),
                        headers=telegram_secret_headers(SECRET),
                    )
                assert ack.status_code == 200 and ack.json()["stored"] == 1

                async def mid_turn() -> bool:
                    return len(llm.completion_requests) >= 1

                await _until(mid_turn, 30, "no worker started the turn")
                [event] = await stores.inbox.events()
                assert event.status is InboxStatus.PROCESSING and event.lease_owner
                pid = int(event.lease_owner.split(":")[-1].split("/")[0])
                [doomed] = [p for p in deployment.workers if p.pid == pid]
                doomed.send_signal(signal.SIGKILL)
                doomed.wait()

                async def replied() -> bool:
                    return bool(providers.texts("telegram"))

                await _until(replied, 30, "the surviving worker did not answer the turn")
                await _until(lambda: _all_sent(stores), 30, "not every reply was sent")
                await asyncio.sleep(2.5)
                [event] = await stores.inbox.events()
                assert event.status is InboxStatus.DONE and event.attempts == 2, (
                    "claimed again, by the other worker"
                )
                assert event.lease_owner and int(event.lease_owner.split(":")[-1].split("/")[0]) != pid
                await _answered_exactly_once(stores, providers)
            finally:
                await stores.close()


async def test_redis_restarted_mid_load_every_message_is_answered_once(
    database_url: str, redis_process: RedisProcess, tmp_path: Path, providers: FakeProviders
) -> None:
    async with deploy(database_url, redis_process, tmp_path, providers, 2) as deployment:
        stores = await open_stores(database_url, clock=SystemClock(), migrate=False)
        try:
            async with httpx.AsyncClient(base_url=deployment.url) as client:

                async def customer(chat: int) -> None:
                    for turn in range(4):
                        number = chat * 100 + turn
                        for _ in range(5 if turn == 1 else 1):  # Telegram redelivers one update 5 times
                            ack = await client.post(
                                "/webhooks/telegram",
                                content=_update(number, chat, f"сколько стоит стрижка? ({turn})"),
                                headers=telegram_secret_headers(SECRET),
                            )
                            assert ack.status_code == 200
                        await asyncio.sleep(0.15)

                load = asyncio.gather(*(customer(chat) for chat in range(1, 13)))
                await asyncio.sleep(0.4)
                redis_process.kill()
                await asyncio.sleep(0.5)
                redis_process.start()
                await load

            async def all_done() -> bool:
                events = await stores.inbox.events()
                return len(events) == 48 and all(e.status is InboxStatus.DONE for e in events)

            await _until(all_done, 45, "not every message was processed")
            await _until(lambda: _all_sent(stores), 45, "not every reply was sent")
            await asyncio.sleep(1.5)
            await _answered_exactly_once(stores, providers)
        finally:
            await stores.close()
