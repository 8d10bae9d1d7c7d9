"""A Tribunal order in the browser: started on a case from the declarations' form, refused
once with the rule's sentence, then recorded through to its plan (regs 44-45); the case page
with the order's clock passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from ehc.text import day
from tests.browser.axe import assert_accessible
from tests.browser.browsing import fill_date
from tests.browser.conftest import OpenPage
from tests.browser.stack import Site, days_ago, start_case

pytestmark = pytest.mark.e2e


async def test_a_caseworker_records_a_tribunal_order_and_its_plan_issued(
    site: Site, open_page: OpenPage
) -> None:
    case_ref = await start_case(site, caseworker="cw101", received=days_ago(150))
    page = await open_page("cw101", axe=True)
    order = days_ago(30)
    await page.goto(f"/case/{case_ref}/start/tribunal-order")
    await expect(page.locator("h1")).to_have_text("Record a Tribunal order or concession")
    await page.get_by_label("To amend the plan's needs or provision").check()
    await fill_date(page, "order", order)
    await page.get_by_role("button", name="Start the clock").click()
    await expect(page).to_have_url(f"{site.url}/case/{case_ref}")
    banner = page.locator(".govuk-notification-banner")
    await expect(banner).to_contain_text("Clock started")
    clock = page.locator("section[data-clock]")
    # reg 44(2)(e): an amended plan within 5 weeks of the order.
    await expect(clock).to_contain_text(f"by {day(order + timedelta(weeks=5))}")

    # A plan issued before the order is refused: the rule's sentence, the form filled again.
    await clock.get_by_role(
        "link", name=re.compile("^Final plan issued as the order requires")
    ).click()
    await fill_date(page, "on", days_ago(40))
    await page.get_by_role("button", name="Record", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_visible()
    await expect(summary).to_contain_text("before")
    await expect(page.locator("#on-day")).to_have_value(str(days_ago(40).day))

    await fill_date(page, "on", days_ago(3))
    await page.get_by_role("button", name="Record", exact=True).click()
    await expect(page).to_have_url(f"{site.url}/case/{case_ref}")
    await expect(banner).to_contain_text("Recorded: Final plan issued as the order requires")
    await expect(clock).to_contain_text(f"Ended: complied with, {day(days_ago(3))}")
    await expect(clock.locator("table")).to_contain_text("done on time")
    await assert_accessible(page, "duty-tribunal-order-complied")
