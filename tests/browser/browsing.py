"""What a person does in the browser, in a few words each: sign in, fill a GOV.UK date,
read a table as its rows of words."""

from __future__ import annotations

import asyncio
import re
from datetime import date

from playwright.async_api import Locator, Page, expect


async def sign_in(page: Page, staff_id: str) -> None:
    """Choose ``staff_id`` on the local sign-in (the page it is on, else ``/sign-in``) and
    sign in; returns once the browser has left the sign-in page."""
    if "/sign-in" not in page.url:
        await page.goto("/sign-in")
    await page.locator(f'input[name="staff_id"][value="{staff_id}"]').check()
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).not_to_have_url(re.compile(r"/sign-in"))


async def fill_date(page: Page, name: str, day: date) -> None:
    """The three boxes of a GOV.UK date input named ``name``."""
    await page.locator(f"#{name}-day").fill(str(day.day))
    await page.locator(f"#{name}-month").fill(str(day.month))
    await page.locator(f"#{name}-year").fill(str(day.year))


async def record_event(
    page: Page, case_ref: str, title: str, on: date, fill: dict[str, str] | None = None
) -> None:
    """From the case's page: Record an event, choose ``title``, fill the day it happened and
    ``fill`` (the start of a label -> text, or -> "check" for a radio or checkbox), and
    Record."""
    await page.goto(f"/case/{case_ref}")
    await page.get_by_role("button", name="Record an event").click()
    await page.get_by_role("link", name=title, exact=True).click()
    await expect(page.locator("h1")).to_have_text(title)
    await fill_date(page, "on", on)
    for label, value in (fill or {}).items():
        box = page.get_by_label(label)
        await (box.check() if value == "check" else box.fill(value))
    await page.get_by_role("button", name="Record", exact=True).click()


async def table_rows(table: Locator) -> list[list[str]]:
    """A table's body as the words of each cell, row by row."""
    rows = table.locator("tbody tr")
    return [
        [" ".join(text.split()) for text in await row.locator("th, td").all_inner_texts()]
        for row in await rows.all()
    ]


async def reload_until(page: Page, selector: str, text: str, within: float = 30.0) -> None:
    """Reload until ``selector`` shows ``text``: for what the workflows do after answering
    (the plan's review workflow starts once the final plan is recorded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while text not in await page.locator(selector).inner_text():
        if loop.time() > deadline:
            raise AssertionError(f"{selector} does not show {text!r} after {within}s")
        await asyncio.sleep(0.2)
        await page.reload()
