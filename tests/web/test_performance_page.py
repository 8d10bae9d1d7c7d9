"""The performance page (``/performance``): the KPIs of ``ehc kpi`` from a ledger we fill, the
monthly charts with the same figures as their tables, the CSV, the period picker and roles."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI

from activities.ledger import Ledger
from activities.read_model import ReadModelWriter
from ehc.kpis import ledger_kpis
from ehc.ledger_reader import LedgerReader
from ehc.read_model import ReadModel
from ehc.settings import Settings
from ehc.web.kpi_months import CHARTED, months_ending
from ehc.web.pages.performance import now_utc
from statutory.kpi import KpiReport, KpiTargets, OpenCase
from statutory.periods import Period, parse_period
from tests.reporting.rows import plan, review_outcome, step
from tests.web.caseload_rows import view
from tests.web.tables import tables, text

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
"""The page's today: 2026-Q4 (to date) by default; its twelve months run Dec 2025 to Nov 2026."""


def _fill(url: str) -> None:
    ledger = Ledger(url)
    ledger.put_steps(
        [
            step("decide-to-assess", date(2026, 10, 2), ref="EHC-3001"),
            step("decide-to-assess", date(2026, 11, 3), met=False, ref="EHC-3002"),
            step("decide-to-assess", date(2026, 10, 9), ref="EHC-3003", team="south"),
            # Held on time in October.
            step("review-meeting", date(2026, 10, 20), process="review", ref="EHC-3101",
                 category="other"),
            # Due in February, held late in April: not held in February, late in April.
            step("review-meeting", date(2026, 4, 10), process="review", met=False,
                 due=date(2026, 2, 15), ref="EHC-3102", category="other"),
        ]
    )  # fmt: skip
    for record in (
        plan(date(2025, 12, 10), in_time=False, ref="EHC-3201"),
        plan(date(2026, 3, 10), in_time=True, ref="EHC-3202"),
        plan(date(2026, 10, 5), in_time=True, ref="EHC-3203"),
        plan(date(2026, 11, 10), in_time=False, ref="EHC-3204"),
        plan(date(2026, 11, 12), in_time=True, exception=True, ref="EHC-3205"),
        plan(date(2026, 10, 15), in_time=True, ref="EHC-3206", team="south"),
        # A plan due for review in June that transferred out in July, its meeting never held.
        review_outcome(date(2026, 7, 3), decision=None, amended_in_time=None, ref="EHC-3104",
                       review_due_by="2026-06-12", ended_on="2026-07-03"),
    ):  # fmt: skip
        ledger.put_outcome(record)
    ledger.engine.dispose()
    # An open review whose 12-month date (10 Nov) has passed without its meeting.
    writer = ReadModelWriter(url)
    writer.put_many(
        [
            view("EHC-3103", kind="review", stage="awaiting-meeting", caseworker="cw101",
                 next_step="review-meeting", next_due=date(2026, 11, 10),
                 review_due=date(2026, 11, 10)),
            view("EHC-3301", stage="decision", caseworker="cw101",
                 next_step="decide-to-assess", next_due=date(2026, 12, 1)),
        ]
    )  # fmt: skip
    writer.engine.dispose()


@pytest.fixture(autouse=True)
def filled(web_settings: Settings, web_app: FastAPI) -> Iterator[None]:
    _fill(web_settings.resolved_database_url)
    web_app.dependency_overrides[now_utc] = lambda: NOW
    yield
    web_app.dependency_overrides.clear()


def expected(url: str, period: Period, team: str | None = None) -> KpiReport:
    """``ehc kpi``'s report for the period, with the open cases as the read model holds them."""
    model = ReadModel(url)
    open_now = [
        OpenCase(
            kind=c.kind,
            caseworker=c.caseworker,
            team=c.team,
            overdue=c.next_due is not None and c.next_due < NOW.date(),
            stage=c.stage,
            review_due=c.review_due,
        )
        for c in model.cases(team=team)
    ]
    model.close()
    reader = LedgerReader(url)
    try:
        return ledger_kpis(
            reader, period, team=team, targets=KpiTargets(), open_now=open_now, as_of=NOW
        )
    finally:
        reader.close()


def row_of(rows: list[list[str]], title: str) -> list[str]:
    """The KPI table's row for a measure (its first cell starts with the measure's title)."""
    return next(r for r in rows if r[0].startswith(title))


def percent_words(percent: float | None) -> str:
    return "No cases" if percent is None else f"{percent:g}%"


async def test_the_kpi_table_shows_ehc_kpi_for_this_quarter_to_date(
    analyst: httpx.AsyncClient, web_settings: Settings
) -> None:
    page = await analyst.get("/performance")
    assert page.status_code == 200
    report = expected(web_settings.resolved_database_url, parse_period("2026-Q4"))
    rows = tables(page.text)["kpi-table"]
    for m in report.measures:
        row = row_of(rows, m.title)
        assert row[1] == percent_words(m.period.percent), m.key
        assert row[2] == f"{m.period.met} of {m.period.total}", m.key
        assert row[4] == (f"{m.target:g}%" if m.target is not None else ""), m.key
    by_key = {m.key: m for m in report.measures}
    # Hand-checked: Oct-Nov plans, all teams: 3 of 4 in time; the exception case counts.
    plans = by_key["plans-20-weeks-including-exceptions"]
    assert (plans.period.met, plans.period.total, plans.exceptions) == (3, 4, 1)
    # Reviews: one held in time, one due 10 Nov still not held (from the read model).
    reviews = by_key["reviews-12-months"]
    assert (reviews.period.met, reviews.period.total, reviews.not_done) == (1, 2, 1)
    words = text(page.text)
    assert "Oct to Dec 2026 (to date), all teams" in words
    assert "1 of the 2 counted fell due in the period and had not been held" in words
    # RAG in words on a GOV.UK tag: 75% against 65% is green; 50% against 80% is red.
    assert re.search(
        r'data-figure="rag">\s*<strong class="govuk-tag govuk-tag--green">Green', page.text
    )
    reviews_row = page.text.split('data-kpi="reviews-12-months"')[1].split("</tr>")[0]
    assert "govuk-tag--red" in reviews_row and ">Red<" in reviews_row
    # England's latest figure for the headline measure, with its year.
    headline = row_of(rows, by_key["plans-20-weeks-excluding-exceptions"].title)
    assert headline[6].startswith("46.4% (2024)")
    # The open cases by kind, one or several of each.
    assert "1 assessment (none overdue), 1 plan in its review cycle (1 overdue)." in words


async def test_a_supervisor_s_page_opens_on_their_own_team(
    supervisor: httpx.AsyncClient, web_settings: Settings
) -> None:
    page = await supervisor.get("/performance")
    assert page.status_code == 200
    assert "Oct to Dec 2026 (to date), team north" in text(page.text)
    assert re.search(r'<option value="north" selected>north</option>', page.text)
    report = expected(web_settings.resolved_database_url, parse_period("2026-Q4"), "north")
    rows = tables(page.text)["kpi-table"]
    assert [r[2] for r in rows] == [f"{m.period.met} of {m.period.total}" for m in report.measures]
    # "All teams", chosen on the form, is kept: the query says no team rather than none.
    every = await supervisor.get("/performance?period=2026-Q4&team=")
    assert "Oct to Dec 2026 (to date), all teams" in text(every.text)
    assert 'href="/performance.csv?period=2026-Q4"' in every.text


@pytest.mark.parametrize("team", [None, "north"])
async def test_each_chart_is_the_last_twelve_months_with_the_same_figures_as_its_table(
    analyst: httpx.AsyncClient, web_settings: Settings, team: str | None
) -> None:
    page = await analyst.get("/performance" + (f"?team={team}" if team else ""))
    assert page.status_code == 200
    found = tables(page.text)
    months = months_ending(NOW.date())
    assert (months[0].label, months[-1].label) == ("2025-12", "2026-11")
    url = web_settings.resolved_database_url
    reports = {p.label: expected(url, p, team) for p in months}
    for key in CHARTED:
        rows = found[f"chart-{key}-table"]
        assert [r[0] for r in rows][:2] == ["Dec 2025", "Jan 2026"]
        for row, period in zip(rows, months, strict=True):
            measure = next(m for m in reports[period.label].measures if m.key == key)
            assert row[1:] == [
                str(measure.period.met),
                str(measure.period.total),
                percent_words(measure.period.percent),
            ], (key, period.label)
        svg = re.search(rf'<svg[^>]*aria-labelledby="chart-{key}-title chart-{key}-desc"[^>]*>'
                        r"(.*?)</svg>", page.text, re.S)  # fmt: skip
        assert svg is not None, key
        assert 'role="img"' in svg.group(0)
        assert re.search(rf'<title id="chart-{key}-title">[^<]+</title>', svg.group(1))
        assert re.search(rf'<desc id="chart-{key}-desc">[^<]+</desc>', svg.group(1))
        # Each month's figure is written on the chart: its percentage, or "none".
        labels = re.findall(r'<text class="value"[^>]*>([^<]+)</text>', svg.group(1))
        assert labels == [("none" if r[3] == "No cases" else r[3]) for r in rows], key
        assert re.search(r">Target \d+%</text>", svg.group(1)), "the target is named in words"
    # The review due in February and held in April: missed in February, late in April; the
    # one due in June never held (the plan moved away); the one due in November still open.
    reviews = {r[0]: r[1:] for r in found["chart-reviews-12-months-table"]}
    assert reviews["Feb 2026"] == ["0", "1", "0%"]
    assert reviews["Apr 2026"] == ["0", "1", "0%"]
    assert reviews["Jun 2026"] == ["0", "1", "0%"]
    assert reviews["Nov 2026"] == ["0", "1", "0%"]
    plans = {r[0]: r[1:] for r in found["chart-plans-20-weeks-including-exceptions-table"]}
    assert plans["Dec 2025"] == ["0", "1", "0%"] and plans["Jan 2026"] == ["0", "0", "No cases"]


async def test_a_month_a_quarter_or_a_year_and_a_team_are_chosen_on_the_form(
    supervisor: httpx.AsyncClient, web_settings: Settings
) -> None:
    url = web_settings.resolved_database_url
    page = await supervisor.get("/performance?period=2026-04&team=north")
    assert page.status_code == 200
    assert "Apr 2026, team north" in text(page.text)
    report = expected(url, parse_period("2026-04"), "north")
    rows = tables(page.text)["kpi-table"]
    assert [r[2] for r in rows] == [f"{m.period.met} of {m.period.total}" for m in report.measures]
    assert re.search(r'<option value="2026-04" selected>Apr 2026</option>', page.text)
    page = await supervisor.get("/performance?period=2026&team=south")
    rows = tables(page.text)["kpi-table"]
    assert rows[0][1:3] == ["100%", "1 of 1"], "south's one plan, in time"
    # A period older than those listed may be asked for by address, and shows chosen.
    page = await supervisor.get("/performance?period=2019-Q1")
    assert page.status_code == 200 and "Jan to Mar 2019, team north" in text(page.text)
    assert '<option value="2019-Q1" selected>' in page.text


async def test_a_bad_period_or_unknown_team_is_an_error_summary(
    supervisor: httpx.AsyncClient,
) -> None:
    page = await supervisor.get("/performance?period=2026-13")
    assert page.status_code == 400
    assert "<title>Error: " in page.text and "govuk-error-summary" in page.text
    assert 'href="#period"' in page.text and "there is no month 13" in page.text
    page = await supervisor.get("/performance?period=2026-Q2&team=nrth")
    assert page.status_code == 400
    assert 'href="#team"' in page.text and "Choose a team from the list" in page.text
    assert "kpi-table" not in page.text
    csv_page = await supervisor.get("/performance.csv?period=20260")
    assert csv_page.status_code == 400


async def test_the_csv_has_the_table_s_figures_with_iso_dates(
    supervisor: httpx.AsyncClient, web_settings: Settings
) -> None:
    page = await supervisor.get("/performance")
    assert 'href="/performance.csv?period=2026-Q4&amp;team=north"' in page.text
    # The CSV of a query with no team is every team's, whoever asks.
    answer = await supervisor.get("/performance.csv?period=2026-Q4")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="kpi-2026-Q4-all-teams.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    report = expected(web_settings.resolved_database_url, parse_period("2026-Q4"))
    measures, appeals = rows[: len(report.measures)], rows[len(report.measures) :]
    assert [r["kpi"] for r in measures] == [m.key for m in report.measures]
    # Then the appeal counts, one row an outcome: met the appeals, total the plans maintained.
    assert report.appeals is not None
    assert [r["kpi"] for r in appeals] == [f"appeals-{k}" for k in report.appeals.period.counts]
    for row in appeals:
        assert int(row["total"]) == report.appeals.plans_maintained
        assert (row["percent"], row["rag"]) == ("", "")
    for row, m in zip(measures, report.measures, strict=True):
        assert (int(row["met"]), int(row["total"])) == (m.period.met, m.period.total)
        assert row["percent"] == ("" if m.period.percent is None else str(m.period.percent))
        assert row["rag"] == (m.rag.value if m.rag else "")
        assert (row["period_start"], row["period_end"]) == ("2026-10-01", "2026-12-31")
        assert row["year_to_date_from"] == "2026-01-01"
    team = await supervisor.get("/performance.csv?period=2026&team=south")
    assert 'filename="kpi-2026-south.csv"' in team.headers["content-disposition"]
    assert {r["team"] for r in csv.DictReader(io.StringIO(team.text))} == {"south"}


@pytest.mark.parametrize("path", ["/performance", "/performance.csv"])
async def test_a_caseworker_may_not_see_the_performance_figures(
    caseworker: httpx.AsyncClient, admin: httpx.AsyncClient, anonymous: httpx.AsyncClient, path: str
) -> None:
    refused = await caseworker.get(path)
    assert refused.status_code == 403
    assert "kpi-table" not in refused.text
    assert (await admin.get(path)).status_code == 200
    away = await anonymous.get(path)
    assert away.status_code == 303 and away.headers["location"].startswith("/sign-in?next=")
