"""Team (``/team``): a supervisor's overdue and at-risk steps by caseworker and stage (the
lines of ``ehc overdue --team``), caseloads against the target, advice overdue by provider,
reviews and phase transfers due, each list as CSV; who may see it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ehc.overdue import read_model_report
from ehc.read_model import ReadModel
from ehc.settings import KpiSettings, Settings
from ehc.text import day
from ehc.web.caseload import today_utc
from statutory.dates import days_left_words
from tests.web.caseload_rows import EPS, PAEDS, TODAY, write_caseload
from tests.web.tables import tables, text


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    # A target of 1 case (amber up to 2) so the three north caseloads rate red, amber, green.
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'ehc.db'}",
        kpi=KpiSettings(caseload_target=1, caseload_amber_margin=1),
    )


@pytest.fixture
def read_model(web_settings: Settings) -> Iterator[ReadModel]:
    model = ReadModel(web_settings.resolved_database_url)
    yield model
    model.close()


@pytest.fixture(autouse=True)
def known_caseload(web_settings: Settings, web_app: FastAPI) -> Iterator[None]:
    write_caseload(web_settings.resolved_database_url)
    web_app.dependency_overrides[today_utc] = lambda: TODAY
    yield
    web_app.dependency_overrides.clear()


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_overdue_and_due_soon_by_caseworker_and_by_stage(
    supervisor: httpx.AsyncClient,
) -> None:
    page = await supervisor.get("/team")
    assert page.status_code == 200
    words = text(page.text)
    assert "Team north" in words
    assert "Overdue: 4 steps on 4 cases; due in the next 14 days: 2 steps on 2 cases." in words
    found = tables(page.text)
    assert found["by-caseworker"] == [
        ["cw101", "2", "1"], ["cw102", "1", "1"], ["cw103", "1", "0"], ["Total", "4", "2"]
    ]  # fmt: skip
    assert found["by-stage"] == [
        ["Request for advice: awaiting advice", "2", "0"],
        ["Annual review: waiting for the review meeting", "1", "1"],
        ["Assessment: deciding whether to assess", "1", "0"],
        ["Assessment: draft plan served", "0", "1"],
        ["Total", "4", "2"],
    ]
    # Another team's case and a closed case are not counted.
    assert "EHC-2001" not in page.text and "EHC-1005" not in page.text


async def test_the_overdue_list_is_the_read_models_overdue_lines(
    supervisor: httpx.AsyncClient, read_model: ReadModel
) -> None:
    """Overdue only: the lines ``ehc overdue --team north`` prints, in its order, and the CSV
    with its columns and values."""
    # What ``ehc overdue --team north`` reports, read as the command reads it.
    report = await read_model_report(
        read_model, now=datetime.combine(TODAY, time(9), UTC), team="north"
    )
    lines = report.lines
    assert lines == read_model.overdue(today=TODAY, team="north")
    assert len(lines) == 4
    page = await supervisor.get("/team?team=north&within=0")
    listed = tables(page.text)["overdue-list"]
    assert [(r[0], r[5], r[6], r[8]) for r in listed] == [
        (x.case_ref, day(x.deadline), days_left_words(-x.days_overdue), x.caseworker) for x in lines
    ]
    assert {r[7] for r in listed} == {"Red: overdue"}
    assert "Overdue: 4 steps on 4 cases." in text(page.text)

    rows = csv_rows(await supervisor.get("/team/overdue.csv?team=north&within=0"))
    assert rows == [{k: str(v) for k, v in x.model_dump(mode="json").items()} for x in lines]


async def test_the_list_with_due_soon_matches_within_14_days(
    supervisor: httpx.AsyncClient, read_model: ReadModel
) -> None:
    lines = read_model.overdue(today=TODAY, team="north", within_days=14)
    page = await supervisor.get("/team")
    listed = tables(page.text)["overdue-list"]
    assert [r[0] for r in listed] == [x.case_ref for x in lines]
    assert [r[7] for r in listed[-2:]] == ["Amber: due soon", "Amber: due soon"]
    assert [r[6] for r in listed[-2:]] == ["due today", "due in 10 days"]
    rows = csv_rows(await supervisor.get("/team/overdue.csv"))
    assert [r["case_ref"] for r in rows] == [x.case_ref for x in lines]
    assert rows[-1]["deadline"] == "2026-12-11"


async def test_filters_narrow_the_counts_and_the_list(
    supervisor: httpx.AsyncClient, read_model: ReadModel
) -> None:
    page = await supervisor.get("/team?caseworker=cw101&stage=&kind=")
    found = tables(page.text)
    assert found["by-caseworker"] == [["cw101", "2", "1"], ["Total", "2", "1"]]
    assert {r[8] for r in found["overdue-list"]} == {"cw101"}

    advice = tables((await supervisor.get("/team?kind=advice&stage=awaiting-advice")).text)
    assert [r[0] for r in advice["overdue-list"]] == ["EHC-1007", "EHC-1002"]
    assert advice["by-stage"][0] == ["Request for advice: awaiting advice", "2", "0"]

    rows = csv_rows(await supervisor.get("/team/overdue.csv?kind=review&within=14"))
    expected = read_model.overdue(today=TODAY, team="north", within_days=14, kinds=("review",))
    assert [r["case_ref"] for r in rows] == [x.case_ref for x in expected] == [
        "EHC-1008", "EHC-1003"
    ]  # fmt: skip


async def test_caseload_per_caseworker_against_the_target(supervisor: httpx.AsyncClient) -> None:
    found = tables((await supervisor.get("/team")).text)
    assert found["caseload-table"] == [
        ["cw101", "2", "2", "4", "Red: well over target"],
        ["cw102", "2", "0", "2", "Amber: over target"],
        ["cw103", "0", "1", "1", "Green: within target"],
    ]
    rows = csv_rows(await supervisor.get("/team/caseload.csv"))
    assert rows[0] == {
        "caseworker": "cw101", "assessments": "2", "reviews": "2", "open_cases": "4", "rag": "red"
    }  # fmt: skip


async def test_advice_overdue_by_provider(supervisor: httpx.AsyncClient) -> None:
    found = tables((await supervisor.get("/team")).text)
    assert found["providers"] == [[PAEDS, "1", "9"], [EPS, "1", "2"]]
    assert [r[0] for r in found["advice-list"]] == ["EHC-1007", "EHC-1002"]
    rows = csv_rows(await supervisor.get("/team/advice.csv"))
    assert [(r["case_ref"], r["provider"], r["deadline"], r["days_overdue"]) for r in rows] == [
        ("EHC-1007", PAEDS, "2026-11-22", "9"), ("EHC-1002", EPS, "2026-11-29", "2")
    ]  # fmt: skip


async def test_reviews_due_in_three_months_and_phase_transfers(
    supervisor: httpx.AsyncClient,
) -> None:
    found = tables((await supervisor.get("/team")).text)
    # EHC-1004's review is due in 100 days: beyond 3 months.
    assert found["reviews-table"] == [
        ["EHC-1008", "28 Nov 2026", "3 days overdue", "Red: overdue", "cw103"],
        ["EHC-1003", "11 Dec 2026", "due in 10 days", "Amber: due soon", "cw101"],
    ]
    assert found["transfer-deadlines"] == [["15 Feb 2027", "1"], ["31 Mar 2027", "1"]]
    assert [r[:4] for r in found["transfers-table"]] == [
        ["EHC-1003", "15 Feb 2027", "15 February (reg 18)", "23 Nov 2026"],
        ["EHC-1004", "31 Mar 2027", "31 March (reg 18)", "6 Jan 2027"],
    ]
    reviews = csv_rows(await supervisor.get("/team/reviews.csv?team=north"))
    assert [(r["case_ref"], r["review_due"], r["days_left"]) for r in reviews] == [
        ("EHC-1008", "2026-11-28", "-3"), ("EHC-1003", "2026-12-11", "10")
    ]  # fmt: skip
    transfers = csv_rows(await supervisor.get("/team/transfers.csv"))
    assert [(r["case_ref"], r["plan_finalised_by"], r["latest_meeting"]) for r in transfers] == [
        ("EHC-1003", "2027-02-15", "2026-11-23"), ("EHC-1004", "2027-03-31", "2027-01-06")
    ]  # fmt: skip


async def test_a_supervisor_may_choose_another_team_and_an_admin_sees_all(
    supervisor: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    south = await supervisor.get("/team?team=south")
    assert "Team south" in south.text
    assert [r[0] for r in tables(south.text)["overdue-list"]] == ["EHC-2001"]
    everyone = await admin.get("/team")
    assert "All teams" in text(everyone.text)
    assert "EHC-2001" in everyone.text and "EHC-1001" in everyone.text
    rows = csv_rows(await admin.get("/team/overdue.csv"))
    assert {r["team"] for r in rows} == {"north", "south"}


async def test_an_unknown_team_or_filter_is_refused_with_an_error_summary(
    supervisor: httpx.AsyncClient,
) -> None:
    page = await supervisor.get("/team?team=nrth")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert "no case names team nrth" in page.text
    assert "<title>Error: Team – " in page.text
    named = await supervisor.get("/team?team=Jane%20Smith")
    assert named.status_code == 400
    assert "that is not a team id" in named.text and "Jane Smith" not in named.text
    assert "overdue-list" not in page.text
    bad_stage = await supervisor.get("/team?kind=assessment&stage=amending")
    assert bad_stage.status_code == 400
    assert (await supervisor.get("/team/reviews.csv?team=nrth")).status_code == 400
    assert (await supervisor.get("/team/overdue.csv?within=soon")).status_code == 400


async def test_only_supervisors_and_admins_see_the_team_page(
    caseworker: httpx.AsyncClient, analyst: httpx.AsyncClient
) -> None:
    for path in ("/team", "/team/overdue.csv", "/team/reviews.csv"):
        assert (await caseworker.get(path)).status_code == 403
        assert (await analyst.get(path)).status_code == 403
