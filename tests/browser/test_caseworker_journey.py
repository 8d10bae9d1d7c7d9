"""A caseworker's day in the browser: sign in, start an assessment from the form, record its
events through to the final plan, and meet the rules' refusal on the way (reg 13(2))."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from ehc.text import day
from statutory import assessment as rules
from tests.browser.axe import screenshot
from tests.browser.browsing import fill_date, record_event, reload_until, sign_in
from tests.browser.conftest import OpenPage
from tests.browser.stack import Site, days_ago

pytestmark = pytest.mark.e2e


async def test_a_caseworker_starts_an_assessment_and_records_it_through_to_the_final_plan(
    site: Site, open_page: OpenPage
) -> None:
    page = await open_page()
    # Not signed in: the page asked for is opened after signing in.
    await page.goto("/case/new")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=(/|%2F)case(/|%2F)new$"))
    await sign_in(page, "cw101")
    await expect(page).to_have_url(f"{site.url}/case/new")

    case_ref = site.new_ref()
    received = days_ago(100)
    await page.get_by_label("Case reference", exact=True).fill(case_ref)
    await fill_date(page, "received", received)
    await expect(page.get_by_label("Caseworker's staff id")).to_have_value("cw101")
    await page.get_by_role("button", name="Start the assessment").click()

    await expect(page).to_have_url(f"{site.url}/case/{case_ref}")
    banner = page.locator(".govuk-notification-banner")
    await expect(banner).to_contain_text("Assessment started")
    final_due = rules.assessment_dates(received).final_plan.due
    await expect(banner).to_contain_text(f"The final plan is due by {day(final_due)}")
    await expect(page.locator("[data-next]")).to_contain_text("Decide whether to assess")

    # The rules refuse a final plan before the draft: the error summary says why, takes the
    # focus, and its link goes to the field; nothing is recorded.
    await record_event(page, case_ref, "Final plan issued", days_ago(5))
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_visible()
    await expect(page).to_have_title(re.compile(r"^Error: Final plan issued"))
    await expect(summary.locator(".govuk-error-summary__title")).to_have_text("There is a problem")
    # The rule's sentence (reg 13(2) comes after the draft of reg 13(1)), in whatever words.
    await expect(summary.locator(".govuk-error-summary__list")).to_contain_text(
        re.compile(r"\bdraft\b", re.IGNORECASE)
    )
    await expect(summary).to_be_focused()
    await expect(page.locator("#on-day")).to_have_value(str(days_ago(5).day))  # filled again
    await screenshot(page, "journey-refused-event")
    link = summary.locator(".govuk-error-summary__list a").first
    await expect(link).to_have_attribute("href", "#on-day")
    await link.click()
    await expect(page.locator("#on-day")).to_be_focused()
    await page.goto(f"/case/{case_ref}")
    await expect(page.locator("[data-next]")).to_contain_text("Decide whether to assess")
    await expect(page.locator("table[data-section]").first).not_to_contain_text("Final plan issued")

    steps = [
        ("Decided to assess", 90, {}),
        (
            "Advice requested",
            80,
            {"Educational": "check", "Who is asked for it": "Current school"},
        ),
        ("Advice received", 50, {"The number of the request for advice": "1"}),
        ("Draft plan served", 30, {}),
        ("Final plan issued", 10, {}),
    ]
    for title, ago, fields in steps:
        await record_event(page, case_ref, title, days_ago(ago), fields)
        await expect(page).to_have_url(f"{site.url}/case/{case_ref}")
        await expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"Recorded: {title}"
        )

    # The plan's annual review clock starts with the final plan (CFA s44(1)).
    await reload_until(page, "[data-next]", "Review the plan")
    await expect(page.locator("table[data-section]").first).to_contain_text("Final plan issued")
    await expect(page.locator("#advice")).to_contain_text("Educational advice from Current school")
    await screenshot(page, "journey-final-plan-issued")
