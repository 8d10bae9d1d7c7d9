"""No task needs JavaScript: in a browser with it switched off a caseworker signs in, meets a
refusal whose error summary still links to the field, records an event, and signs out."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.axe import screenshot
from tests.browser.browsing import record_event
from tests.browser.conftest import OpenPage
from tests.browser.stack import Site, days_ago, start_case

pytestmark = pytest.mark.e2e


async def test_a_caseworker_records_an_event_without_javascript(
    site: Site, open_page: OpenPage
) -> None:
    case_ref = await start_case(site, caseworker="cw101", received=days_ago(30))
    page = await open_page("cw101", javascript=False)
    # GOV.UK Frontend's template marks the body when a script runs: none does here.
    await expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))

    # A day that does not exist: the summary's link is a plain link to the day box.
    await page.goto(f"/case/{case_ref}/record/decided-to-assess")
    await page.locator("#on-day").fill("31")
    await page.locator("#on-month").fill("2")
    await page.get_by_role("button", name="Record", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("The day it happened must be a real date")
    await expect(page.locator("#on-error")).to_contain_text("must be a real date")
    await screenshot(page, "no-javascript-refused")
    await summary.get_by_role("link").first.click()
    await expect(page).to_have_url(re.compile(r"#on-day$"))
    await expect(page.locator("#on-day:target")).to_have_count(1)

    await record_event(page, case_ref, "Decided to assess", days_ago(20))
    await expect(page).to_have_url(f"{site.url}/case/{case_ref}")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Recorded: Decided to assess"
    )
    await expect(page.locator("[data-next]")).not_to_contain_text("Decide whether to assess")
    await screenshot(page, "no-javascript-recorded")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{site.url}/signed-out")
    await page.goto("/my-cases")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next="))
