"""The browser tests' shared parts: Debian's Chromium through Playwright, and a served studio with its console password."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from server.console.bootstrap import PASSWORD_FILE
from tests.api.webchat_server import webchat_server
from tests.browser.test_webchat_widget import CHROMIUM, SCREENSHOTS


@pytest.fixture
async def console_served(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """The studio on the system clock; yields its URL and the first administrator's password."""
    async with webchat_server(database_url, tmp_path) as url:
        yield url, (tmp_path / PASSWORD_FILE).read_text().strip()


@pytest.fixture
async def chromium_browser() -> AsyncIterator[Browser]:
    """Debian's Chromium (the test fails, never skips, when it is missing)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (bash .ci/run installs it)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        await launched.close()
