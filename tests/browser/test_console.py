"""The staff console in a real headless Chromium, beside a customer in the web-chat widget, on a real server.

Staff log in with the first administrator's password (written at first start), watch a new web-chat
conversation appear in the inbox without reloading, approve / edit / reject paused bridal estimates
and see the customers' chats receive the answers, take a conversation over, reply, hand it back
and see the bot answer again. Every console page is saved as a screenshot to
``FRONTDESK_SCREENSHOTS`` (default ``var/screenshots``, not committed). Needs Debian's Chromium
at /usr/bin/chromium; without it these tests fail, they never skip.
"""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.test_webchat_widget import SCREENSHOTS, WIDGET

pytestmark = pytest.mark.browser
BRIDAL = ["Рассчитайте, пожалуйста, стоимость свадебной причёски", "12 июня", "4", "1", "1", "1"]
"""Five people: the estimate (34 500 ₽) is above the studio's 30 000 ₽ and waits for staff."""
_ids = itertools.count(1)
PAGES = [
    ("/console/leads", "Pipeline"),
    ("/console/bookings", "Bookings"),
    ("/console/billing", "Quotes"),
    ("/console/work", "Tasks"),
    ("/console/notifications", "Notifications"),
]
"""The record pages and their headings."""


async def _shot(page: Page, name: str) -> None:
    await page.screenshot(path=SCREENSHOTS / f"console-{name}.png", full_page=True)


async def _staff_page(
    chromium_browser: Browser, url: str, password: str, *, width: int = 1280
) -> tuple[BrowserContext, Page]:
    context = await chromium_browser.new_context(viewport={"width": width, "height": 860}, locale="en-US")
    page = await context.new_page()
    await page.goto(f"{url}/console/inbox")
    await expect(page.get_by_label("Login")).to_be_focused()
    await _shot(page, "1-login")
    await page.get_by_label("Login").fill("admin")
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    return context, page


async def _customer_says(client: httpx.AsyncClient, session: str, text: str) -> None:
    """A web-chat customer writes (over the widget's HTTP fallback) and waits for the whole answer."""
    before = len((await client.get(f"/webchat/sessions/{session}/history")).json()["messages"])
    posted = await client.post(
        f"/webchat/sessions/{session}/messages", json={"id": f"b{next(_ids)}", "text": text}
    )
    assert posted.status_code == 202, posted.text
    seen, stable = -1, 0
    for _ in range(300):
        await asyncio.sleep(0.1)
        messages = (await client.get(f"/webchat/sessions/{session}/history")).json()["messages"]
        answered = len(messages) > before + 1 and messages[-1]["from"] != "customer"
        stable = stable + 1 if answered and len(messages) == seen else 0
        seen = len(messages)
        if stable >= 4:
            return
    raise TimeoutError(f"no answer to {text!r}")


async def _chat_texts(client: httpx.AsyncClient, session: str) -> list[str]:
    return [m["text"] for m in (await client.get(f"/webchat/sessions/{session}/history")).json()["messages"]]


async def test_staff_run_conversations_from_the_console(
    console_served: tuple[str, str], chromium_browser: Browser
) -> None:
    url, password = console_served
    staff_context, staff = await _staff_page(chromium_browser, url, password)
    await _shot(staff, "2-inbox-empty")

    customer_context = await chromium_browser.new_context(viewport={"width": 1100, "height": 800})
    customer = await customer_context.new_page()
    await customer.goto(f"{url}/webchat/demo?lang=ru")
    await customer.locator(f"{WIDGET} .fd-launcher").click()
    await customer.locator(f"{WIDGET} .fd-input").fill("Сколько стоит маникюр?")
    await customer.locator(f"{WIDGET} .fd-input").press("Enter")
    row = staff.locator("tr[data-conversation^='webchat:']")
    await expect(row).to_have_count(1, timeout=15_000)  # no reload: the live feed drew it
    await expect(row).to_contain_text("bot:", timeout=15_000)  # the answer, drawn live too
    await expect(staff.locator("[data-live]")).to_contain_text("live")
    await _shot(staff, "3-inbox-live")

    # take over, reply, hand back
    await row.get_by_role("link").click()
    await expect(staff.get_by_text("The bot answers this conversation.")).to_be_visible()
    await staff.get_by_role("button", name="Take over").click()
    await expect(staff.get_by_text("Taken over by admin: the bot is silent.")).to_be_visible()
    bot_before = await customer.locator(f"{WIDGET} .fd-bot").count()
    await customer.locator(f"{WIDGET} .fd-input").fill("а на завтра можно?")
    await customer.locator(f"{WIDGET} .fd-input").press("Enter")
    await expect(staff.locator(".transcript .msg.in").filter(has_text="а на завтра можно?")).to_be_visible(
        timeout=15_000
    )
    await staff.get_by_label("Reply").fill("Здравствуйте! Я Ольга, завтра есть окно в 15:00")
    await _shot(staff, "4-conversation-taken-over")
    await staff.get_by_role("button", name="Send").click()
    await expect(customer.locator(f"{WIDGET} .fd-bot").last).to_have_text(
        "Здравствуйте! Я Ольга, завтра есть окно в 15:00", timeout=15_000
    )
    assert await customer.locator(f"{WIDGET} .fd-bot").count() == bot_before + 1, "only the staff reply"
    await staff.get_by_role("button", name="Hand back to the bot").click()
    await expect(staff.get_by_text("The bot answers this conversation.")).to_be_visible()
    await customer.locator(f"{WIDGET} .fd-input").fill("Сколько стоит маникюр?")
    await customer.locator(f"{WIDGET} .fd-input").press("Enter")
    await expect(customer.locator(f"{WIDGET} .fd-bot")).not_to_have_count(bot_before + 1, timeout=15_000)
    answer = await customer.locator(f"{WIDGET} .fd-bot").nth(bot_before + 1).text_content()
    assert answer and "₽" in answer, f"the bot answers the price question again: {answer!r}"
    await expect(staff.locator(".transcript .msg.out").filter(has_text="1 800 ₽")).to_have_count(
        2, timeout=10_000
    )
    await _shot(staff, "5-conversation-handed-back")

    # three bridal estimates waiting for approval: one from the widget, two over HTTP
    bride = await customer_context.new_page()
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        sessions = ["s_consoleedit01", "s_consolereject1"]
        for session in sessions:
            for text in BRIDAL:
                await _customer_says(client, session, text)
        widget_session = await customer.evaluate("window.FrontdeskWebchat.session()")
        for text in BRIDAL:
            await _customer_says(client, widget_session, text)
        await bride.close()

        await staff.get_by_role("link", name="Approvals").click()
        cards = staff.locator("[data-approval]")
        await expect(cards).to_have_count(3)
        await expect(staff.get_by_test_id("approvals-count")).to_have_text("3")
        await _shot(staff, "6-approvals")

        approve = cards.filter(has=staff.locator(f"a[href*='{widget_session}']"))
        await approve.get_by_role("button", name="Approve").click()
        await expect(customer.locator(f"{WIDGET} .fd-bot").filter(has_text="34 500 ₽")).not_to_have_count(
            0, timeout=15_000
        )
        await expect(cards).to_have_count(2)

        edit = cards.filter(has=staff.locator("a[href*='s_consoleedit01']"))
        await edit.locator("summary", has_text="Edit and approve").click()
        # another conversation changes while the form is open: the list is redrawn live, the form stays open
        await staff.evaluate("document.activeElement.blur()")
        await staff.evaluate(
            "new MutationObserver((_, o) => { document.body.dataset.redrawn = '1'; o.disconnect(); })"
            ".observe(document.querySelector('[data-approvals]'), {childList: true})"
        )
        async with httpx.AsyncClient(base_url=url, timeout=10) as another:
            await _customer_says(another, "s_consolelive01", "Здравствуйте")
        await expect(staff.locator("body[data-redrawn]")).to_have_count(1, timeout=15_000)
        await expect(edit.get_by_label("low")).to_be_visible()
        await edit.get_by_label("low").fill("31000")
        await edit.get_by_label("high").fill("31000")
        await _shot(staff, "7-approval-edit")
        await edit.get_by_role("button", name="Edit and approve").click()
        await expect(cards).to_have_count(1)

        reject = cards.filter(has=staff.locator("a[href*='s_consolereject1']"))
        await reject.locator("summary", has_text="Reject").click()
        await reject.get_by_label("Reason (the customer is told)").fill("на 12 июня все стилисты заняты")
        await reject.get_by_role("button", name="Reject").click()
        await expect(staff.get_by_text("Nothing waits for approval.")).to_be_visible()
        await _shot(staff, "8-approvals-done")

        for _ in range(100):
            edited, rejected = [await _chat_texts(client, s) for s in sessions]
            if any("31 000 ₽" in t for t in edited) and any("все стилисты заняты" in t for t in rejected):
                break
            await asyncio.sleep(0.1)
        assert any("31 000 ₽" in t for t in edited) and not any("34 500" in t for t in edited)
        assert any("все стилисты заняты" in t for t in rejected)

    await staff.goto(f"{url}/console/staff")
    await expect(staff.get_by_role("heading", name="Add a staff account")).to_be_visible()
    await _shot(staff, "9-staff")
    for index, (path, heading) in enumerate(PAGES):
        await staff.goto(f"{url}{path}")
        await expect(staff.get_by_role("heading", name=heading).first).to_be_visible()
        await _shot(staff, f"{12 + index}-{path.rsplit('/', 1)[-1]}")
    await staff.get_by_role("button", name="Log out").click()
    await expect(staff.get_by_role("button", name="Log in")).to_be_visible()
    await staff.goto(f"{url}/console/inbox")
    await expect(staff.get_by_role("button", name="Log in")).to_be_visible()
    await staff_context.close()
    await customer_context.close()


async def test_the_console_at_phone_width(console_served: tuple[str, str], chromium_browser: Browser) -> None:
    url, password = console_served
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        await _customer_says(client, "s_consolephone1", "Сколько стоит маникюр?")
    context, page = await _staff_page(chromium_browser, url, password, width=390)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    await _shot(page, "10-phone-inbox")
    await page.locator("tr[data-conversation] a").first.click()
    take_over = page.get_by_role("button", name="Take over")
    await expect(take_over).to_be_visible()
    box = await take_over.bounding_box()
    assert box is not None and box["height"] >= 40, "a thumb-sized button"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent")
    assert "Skip" in focused, "the first Tab reaches the skip link"
    await _shot(page, "11-phone-conversation")
    for path, heading in [("/console/approvals", "Approvals"), *PAGES]:
        await page.goto(f"{url}{path}")
        await expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways at phone width ({width} px)"
        await _shot(page, f"phone-{path.rsplit('/', 1)[-1]}")
    await context.close()
