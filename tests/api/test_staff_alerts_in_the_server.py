"""The server runs the staff-alert worker: a notification stored while it runs reaches the configured webhook."""

from __future__ import annotations

import asyncio
from pathlib import Path

from server.alert_formats import verify_signature
from server.app import create_app
from server.settings import Settings
from server.state import AppState
from tests.conftest import ROOT
from tests.fakes.hooks import FakeHooks
from tools.clock import SystemClock
from tools.notifications import NewNotification, NotificationKind


async def test_the_lifespan_sends_staff_alerts_to_a_webhook_from_settings(tmp_path: Path) -> None:
    with FakeHooks() as hooks:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            playbook=ROOT / "tests/fixtures/minimal_playbook.yaml",
            data_dir=tmp_path,
            alert_webhook_url=hooks.webhook_url,
            alert_webhook_secret="s3cret",
            public_url="https://desk.example",
        )
        app = create_app(settings, clock=SystemClock(), knowledge="none")
        async with app.router.lifespan_context(app):
            state: AppState = app.state.frontdesk
            await state.stores.notifications.notify(
                NewNotification(
                    NotificationKind.ESCALATION,
                    "team:support",
                    "The customer asked for a person",
                    "Last message: позовите администратора",
                    link="https://desk.example/console/conversations/telegram:1",
                ),
                key="escalation-1",
            )
            for _ in range(100):
                if hooks.calls_to("webhook", accepted_only=True):
                    break
                await asyncio.sleep(0.05)
        [call] = hooks.calls_to("webhook", accepted_only=True)
        headers = call.request.headers
        now = SystemClock().now().timestamp()
        assert verify_signature(
            "s3cret",
            call.request.raw,
            headers["x-frontdesk-timestamp"],
            headers["x-frontdesk-signature"],
            now=now,
        )
        assert call.body["kind"] == "escalation" and call.body["body"].endswith("позовите администратора")
