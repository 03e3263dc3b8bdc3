"""The web-chat widget in a real headless Chromium, on the demo page of a real server.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium``; ``bash .ci/run``
installs it): without it these tests fail, they never skip. Screenshots of each state go to
``FRONTDESK_SCREENSHOTS`` (default ``var/screenshots``, not committed).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, WebSocketRoute, async_playwright, expect

from tests.api.webchat_server import webchat_server
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("FRONTDESK_SCREENSHOTS", ROOT / "var" / "screenshots"))
WIDGET = "#frontdesk-webchat"
PRICE_QUESTION = "Сколько стоит маникюр?"


@pytest.fixture
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """The system clock: the worker waits out a 1 s burst before answering, so the typing dots show."""
    async with webchat_server(database_url, tmp_path, burst_s=1.0) as url:
        yield url


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium; the test fails when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (bash .ci/run installs it)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium))
        yield launched
        await launched.close()


async def _shot(page: Page, name: str) -> None:
    await page.screenshot(path=SCREENSHOTS / f"webchat-{name}.png")


async def _ask(page: Page, text: str) -> None:
    field = page.locator(f"{WIDGET} .fd-input")
    await field.fill(text)
    await field.press("Enter")


async def _ids(page: Page) -> list[str]:
    return [
        str(await bubble.get_attribute("data-id")) for bubble in await page.locator(f"{WIDGET} .fd-msg").all()
    ]


async def test_ask_tap_a_chip_and_reload_without_duplicates(server: str, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.goto(f"{server}/webchat/demo?lang=ru")
    await page.locator(f"{WIDGET} .fd-launcher").click()
    panel = page.locator(f"{WIDGET} .fd-panel")
    await expect(panel).to_be_visible()
    await expect(page.locator(f"{WIDGET} .fd-input")).to_have_attribute("aria-label", "Напишите сообщение…")
    await _shot(page, "1-open")

    await _ask(page, PRICE_QUESTION)
    await expect(page.locator(f"{WIDGET} .fd-customer")).to_have_text(PRICE_QUESTION)
    await expect(page.locator(f"{WIDGET} .fd-typing")).to_have_attribute("aria-label", "Печатает…")
    await _shot(page, "2-typing")
    await expect(page.locator(f"{WIDGET} .fd-bot").filter(has_text="1 800 ₽")).to_have_count(
        1, timeout=20_000
    )
    await expect(page.locator(f"{WIDGET} .fd-typing")).to_have_count(0)
    chip = page.locator(f"{WIDGET} .fd-chip", has_text="Да")
    await expect(chip).to_be_visible()
    await _shot(page, "3-reply-with-chips")

    replies_before = await page.locator(f"{WIDGET} .fd-bot").count()
    await chip.click()
    await expect(page.locator(f"{WIDGET} .fd-customer").last).to_have_text("Да")
    await expect(page.locator(f"{WIDGET} .fd-bot")).not_to_have_count(replies_before, timeout=20_000)
    await expect(page.locator(f"{WIDGET} .fd-pending")).to_have_count(0)
    await page.wait_for_timeout(800)  # the turn's last reply
    before = await _ids(page)
    await _shot(page, "4-after-chip")

    await page.reload()
    await page.locator(f"{WIDGET} .fd-launcher").click()
    await expect(page.locator(f"{WIDGET} .fd-msg")).to_have_count(len(before), timeout=10_000)
    await page.wait_for_timeout(1000)  # a late second copy would show by now
    after = await _ids(page)
    assert after == before and len(set(after)) == len(after)
    await _shot(page, "5-history-after-reload")


async def test_at_phone_width_the_panel_fills_the_screen(server: str, browser: Browser) -> None:
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = await context.new_page()
    await page.goto(f"{server}/webchat/demo")
    await page.locator(f"{WIDGET} .fd-launcher").tap()
    panel = page.locator(f"{WIDGET} .fd-panel")
    await expect(panel).to_be_visible()
    await expect(page.locator(f"{WIDGET} .fd-launcher")).to_be_hidden()
    box = await panel.bounding_box()
    assert box is not None and (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    await expect(page.locator(f"{WIDGET} .fd-close")).to_have_attribute("aria-label", "Close chat")
    await _ask(page, "how much is a manicure?")
    await expect(page.locator(f"{WIDGET} .fd-bot").first).to_be_visible(timeout=20_000)
    await _shot(page, "6-phone")
    await context.close()


async def test_with_websockets_blocked_sse_and_post_still_get_the_reply(
    server: str, browser: Browser
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})

    async def refuse(socket: WebSocketRoute) -> None:
        await socket.close(code=1006, reason="blocked by the test")

    await context.route_web_socket("**/webchat/ws/**", refuse)
    page = await context.new_page()
    await page.goto(f"{server}/webchat/demo?lang=ru")
    await page.locator(f"{WIDGET} .fd-launcher").click()
    await _ask(page, PRICE_QUESTION)
    await expect(page.locator(f"{WIDGET} .fd-bot").filter(has_text="1 800 ₽")).to_have_count(
        1, timeout=30_000
    )
    assert await page.evaluate("window.FrontdeskWebchat.transport()") == "sse"
    await expect(page.locator(f"{WIDGET} .fd-customer")).to_have_count(1)
    await expect(page.locator(f"{WIDGET} .fd-status")).to_be_hidden()
    await _shot(page, "7-sse-fallback")
    await context.close()
