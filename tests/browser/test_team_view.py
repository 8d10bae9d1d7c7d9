"""A supervisor's team view in the browser: the overdue list, filtered by caseworker, and the
CSV file of that list, row for row what the screen shows (dates ISO in the file)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import expect

from ehc.text import day
from tests.browser.axe import screenshot
from tests.browser.browsing import table_rows
from tests.browser.conftest import OpenPage
from tests.browser.stack import Site, days_ago, start_case

pytestmark = pytest.mark.e2e

# The overdue list's columns on the screen.
CASE, KIND, STAGE, STEP, REGULATION, DATE, WHEN, RATING, CASEWORKER = range(9)


async def test_a_supervisor_filters_the_team_view_and_downloads_the_list_shown(
    site: Site, open_page: OpenPage
) -> None:
    # Requests received 60 days ago: the decision to assess is overdue (6 weeks, reg 4(1));
    # 35 days ago: due within the next 14 days.
    cw102 = [await start_case(site, caseworker="cw102", received=days_ago(60)) for _ in range(2)]
    cw103 = [
        await start_case(site, caseworker="cw103", received=days_ago(60)),
        await start_case(site, caseworker="cw103", received=days_ago(35)),
    ]
    south = await start_case(site, caseworker="cw201", team="south", received=days_ago(60))

    page = await open_page("sup-north")
    await page.goto("/team")
    await expect(page.locator("h1")).to_have_text("Team north")
    listed = page.locator("#overdue-list")
    everyone = await table_rows(listed)
    shown = {row[CASE] for row in everyone}
    assert set(cw102 + cw103) <= shown
    assert south not in shown  # another team's case
    assert {row[CASEWORKER] for row in everyone} >= {"cw102", "cw103"}
    await screenshot(page, "team-unfiltered")

    await page.get_by_label("Caseworker", exact=True).select_option("cw103")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page).to_have_url(re.compile(r"[?&]caseworker=cw103(&|#|$)"))
    await expect(page.get_by_label("Caseworker", exact=True)).to_have_value("cw103")
    filtered = await table_rows(listed)
    assert {row[CASEWORKER] for row in filtered} == {"cw103"}
    assert set(cw103) <= {row[CASE] for row in filtered}
    assert not set(cw102) & {row[CASE] for row in filtered}
    ratings = {row[CASE]: row[RATING] for row in filtered}
    assert ratings[cw103[0]] != ratings[cw103[1]]  # overdue and due soon, in words
    await screenshot(page, "team-filtered")

    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download this list (CSV)").click()
    download = await waiting.value
    assert re.fullmatch(r"overdue-north-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with Path(await download.path()).open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [
        [
            r["case_ref"],
            r["label"],
            r["regulation"],
            day(date.fromisoformat(r["deadline"])),
            r["caseworker"],
        ]
        for r in rows
    ] == [[s[CASE], s[STEP], s[REGULATION], s[DATE], s[CASEWORKER]] for s in filtered]
    assert {r["team"] for r in rows} == {"north"}
