"""Every page, as each role sees it, with and without an error summary, passes axe-core's
WCAG 2.2 AA rules with no violation; a screenshot of each is kept under screenshots/."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import OpenPage
from tests.browser.stack import Site

pytestmark = pytest.mark.e2e

Action = Callable[[Page], Awaitable[None]]


async def submit(page: Page, button: str) -> None:
    await page.get_by_role("button", name=button, exact=True).click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()


async def sign_in_unchosen(page: Page) -> None:
    await submit(page, "Sign in")


async def start_empty(page: Page) -> None:
    await page.get_by_label("Caseworker's staff id").fill("")
    await submit(page, "Start the assessment")


async def record_without_a_day(page: Page) -> None:
    for box in ("day", "month", "year"):
        await page.locator(f"#on-{box}").fill("")
    await submit(page, "Record")


@dataclass(frozen=True)
class Visit:
    """A page to check: ``name`` (its screenshot), who looks at it, where, and what they
    do there first."""

    name: str
    staff_id: str | None
    path: str
    """``{case}``: a case of cw101 at the advice stage."""
    then: Action | None = None


VISITS = [
    Visit("home", None, "/"),
    Visit("sign-in", None, "/sign-in"),
    Visit("sign-in-error", None, "/sign-in", sign_in_unchosen),
    Visit("home-caseworker", "cw101", "/"),
    Visit("my-cases", "cw101", "/my-cases"),
    Visit("my-cases-supervisor", "sup-north", "/my-cases?caseworker=cw101"),
    Visit("team", "sup-north", "/team"),
    Visit("team-error", "sup-north", "/team?within=soon"),
    Visit("team-admin", "send-admin", "/team"),
    Visit("find-case", "cw101", "/case"),
    Visit("case", "cw101", "/case/{case}"),
    Visit("case-supervisor", "sup-north", "/case/{case}"),
    Visit("start-assessment", "cw101", "/case/new"),
    Visit("start-assessment-error", "cw101", "/case/new", start_empty),
    Visit("record-events", "cw101", "/case/{case}/record"),
    Visit("record-advice-requested", "cw101", "/case/{case}/record/advice-requested"),
    Visit("record-exception", "cw101", "/case/{case}/record/exception"),
    Visit("record-error", "cw101", "/case/{case}/record/advice-received", record_without_a_day),
    Visit("performance", "sup-north", "/performance"),
    Visit("performance-analyst", "send-analyst", "/performance"),
    Visit("scenarios", "send-analyst", "/scenarios"),
    Visit("not-found", "cw101", "/case/EHC-0000-0001"),
    Visit("forbidden", "cw101", "/team"),
    Visit("signed-out", None, "/signed-out"),
]


@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.name)
async def test_the_page_has_no_accessibility_violation(
    visit: Visit, open_page: OpenPage, case_in_advice: str
) -> None:
    page = await open_page(visit.staff_id, axe=True)
    await page.goto(visit.path.format(case=case_in_advice))
    await expect(page.locator("h1")).to_have_count(1)
    if visit.then is not None:
        await visit.then(page)
    await assert_accessible(page, visit.name)


async def test_an_analyst_runs_a_scenario_and_its_pages_have_no_accessibility_violation(
    site: Site, open_page: OpenPage
) -> None:
    page = await open_page("send-analyst", axe=True)
    await page.goto("/scenarios")
    await page.get_by_label("County psychology backlog: locums take capacity to 38 a week").check()
    await page.get_by_label("Replications").fill("1")
    await page.get_by_role("button", name="Start the run").click()
    await expect(page).to_have_url(re.compile(r"/scenarios/runs/[0-9a-f]{16}$"))
    if await page.locator("#progress").is_visible():
        await assert_accessible(page, "scenario-run-in-progress")
    # The page follows the run's progress and offers its results once it has finished.
    results = page.get_by_role("status").get_by_role("link", name="show the results")
    await expect(results).to_be_visible(timeout=120_000)
    await results.click()
    await expect(page.locator("#summary")).to_be_visible()
    await assert_accessible(page, "scenario-run")
    # Its report for a board paper opens in the tab, styled and drawn under its sandboxed
    # policy, and itself passes the same rules.
    await page.get_by_role("link", name="Report for a board paper (HTML)").click()
    await expect(page).to_have_url(re.compile(r"/scenarios/runs/[0-9a-f]{16}/report.html$"))
    await expect(page.locator("svg[role=img]")).to_have_count(3)
    body_font = await page.locator("body").evaluate("b => getComputedStyle(b).fontFamily")
    assert "Times" not in body_font, "the report's own styles apply under its policy"
    report = await page.content()
    await page.goto("about:blank")  # axe is injected as a script: the sandbox would refuse it
    await page.set_content(report)
    await expect(page.locator("svg[role=img]")).to_have_count(3)
    await assert_accessible(page, "scenario-report")
    await page.goto("/scenarios")
    await assert_accessible(page, "scenarios-with-a-run")
    await page.goto("/scenarios/compare")
    await assert_accessible(page, "scenarios-compare")
