"""The console's metrics page in a real headless Chromium, on a real server, at desktop and phone width.

Two web-chat customers write and are answered; staff open the metrics page and see the by-channel
chart, pick another period, and at 390 px nothing scrolls sideways. Screenshots go to
``FRONTDESK_SCREENSHOTS`` (default ``var/screenshots``) as ``console-metrics-desktop.png`` and
``console-metrics-phone.png``. Needs Debian's Chromium at /usr/bin/chromium (fails without it).
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.test_console import _customer_says
from tests.browser.test_webchat_widget import SCREENSHOTS

pytestmark = pytest.mark.browser


async def _metrics_page(page: Page, url: str, password: str) -> None:
    """Open the metrics page; the login form comes first and leads back to it."""
    await page.goto(f"{url}/console/metrics")
    await page.get_by_label("Login").fill("admin")
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Metrics", exact=True)).to_be_visible()


async def test_the_metrics_page_at_desktop_and_phone_width(
    console_served: tuple[str, str], chromium_browser: Browser
) -> None:
    url, password = console_served
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        await _customer_says(client, "s_metricsview01", "Сколько стоит маникюр?")
        await _customer_says(client, "s_metricsview02", "Здравствуйте")

    for width, name in ((1280, "desktop"), (390, "phone")):
        context = await chromium_browser.new_context(viewport={"width": width, "height": 860}, locale="en-US")
        page = await context.new_page()
        await _metrics_page(page, url, password)
        chart = page.get_by_role("img", name=re.compile(r"^Median first response by channel\. webchat: "))
        await expect(chart).to_be_visible()
        box = await chart.bounding_box()
        assert box is not None and 0 < box["width"] <= width and box["height"] > 0
        await expect(page.locator("tr[data-channel='webchat'] [data-cell='answered']")).to_have_text("2")
        await expect(page.get_by_role("heading", name="Solved without a person")).to_be_visible()
        scroll_width = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"no sideways scrolling at {width} px (page is {scroll_width} px wide)"
        await page.screenshot(path=SCREENSHOTS / f"console-metrics-{name}.png", full_page=True)
        if name == "desktop":
            await page.get_by_role("link", name="30 days").click()
            await expect(page).to_have_url(re.compile(r"/console/metrics\?from=\d{4}-\d\d-\d\d&to="))
            await page.get_by_label("From", exact=True).fill("2027-03-05")
            await page.get_by_label("To", exact=True).fill("2027-03-01")
            await page.get_by_role("button", name="Show").click()
            await expect(page.get_by_role("alert")).to_contain_text("swap the dates")
        await context.close()
