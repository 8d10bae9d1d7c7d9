"""My cases (``/my-cases``): a caseworker's open cases in three sections, read from the read
model, with RAG ratings in words, filters and counts; who may see whose."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from ehc.settings import Settings
from ehc.web.caseload import today_utc
from tests.web.caseload_rows import TODAY, write_caseload
from tests.web.tables import tables, text


@pytest.fixture(autouse=True)
def known_caseload(web_settings: Settings, web_app: FastAPI) -> Iterator[None]:
    write_caseload(web_settings.resolved_database_url)
    web_app.dependency_overrides[today_utc] = lambda: TODAY
    yield
    web_app.dependency_overrides.clear()


async def test_a_caseworker_sees_their_open_cases_overdue_then_due_soon_then_the_rest(
    caseworker: httpx.AsyncClient,
) -> None:
    page = await caseworker.get("/my-cases")
    assert page.status_code == 200
    found = tables(page.text)
    # The assessment on track with a late request for advice is overdue, the advice under it.
    assert [row[0] for row in found["overdue"]] == ["EHC-1001", "EHC-1002", "EHC-1002"]
    assert found["overdue"][0] == [
        "EHC-1001", "Assessment", "deciding whether to assess",
        "Decide whether to assess, and notify", "26 Nov 2026", "reg 4(1), 5(1)",
        "5 days overdue", "Red: overdue",
    ]  # fmt: skip
    assessment, advice = found["overdue"][1], found["overdue"][2]
    assert assessment[1] == "Assessment" and assessment[-1] == "Green: on track"
    assert advice[1:3] == ["Request for advice", "awaiting advice"]
    assert advice[3] == "Psychological advice from Educational Psychology Service"
    assert advice[6:] == ["2 days overdue", "Red: overdue"]
    assert found["due-soon"] == [
        [
            "EHC-1003", "Annual review", "waiting for the review meeting",
            "Review the plan (within 12 months)", "11 Dec 2026", "CFA s44(1), reg 18",
            "due in 10 days", "Amber: due soon",
        ]
    ]  # fmt: skip
    assert [(row[0], row[6], row[7]) for row in found["later"]] == [
        ("EHC-1004", "due in 60 days", "Green: on track")
    ]
    words = text(page.text)
    assert "Overdue: 2 cases" in words
    assert "Due in the next 14 days: 1 case" in words
    assert "Due later: 1 case" in words
    # Closed cases, and other caseworkers' cases, are not listed.
    assert "EHC-1005" not in page.text and "EHC-1006" not in page.text
    assert 'href="/case/EHC-1001"' in page.text


async def test_filters_by_kind_and_stage(caseworker: httpx.AsyncClient) -> None:
    reviews = tables((await caseworker.get("/my-cases?kind=review")).text)
    assert reviews.get("overdue") is None
    assert [row[0] for row in reviews["due-soon"] + reviews["later"]] == ["EHC-1003", "EHC-1004"]

    advice = await caseworker.get("/my-cases?kind=&stage=awaiting-advice")
    found = tables(advice.text)
    assert [row[1] for row in found["overdue"]] == ["Request for advice"]
    assert "Overdue: 1 case" in text(advice.text)
    assert "Due later: 0 cases" in text(advice.text)
    assert '<option value="awaiting-advice" selected>' in advice.text


async def test_a_stage_the_kind_does_not_have_is_refused_with_an_error_summary(
    caseworker: httpx.AsyncClient,
) -> None:
    page = await caseworker.get("/my-cases?kind=advice&stage=amending")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert "requests for advice do not have that stage" in page.text
    assert "<title>Error: My cases" in page.text
    assert tables(page.text) == {}


async def test_a_supervisor_may_look_at_a_caseworkers_cases(
    supervisor: httpx.AsyncClient,
) -> None:
    page = await supervisor.get("/my-cases?caseworker=cw102")
    assert page.status_code == 200
    assert "Cases of cw102" in page.text
    found = tables(page.text)
    assert [row[0] for row in found["overdue"]] == ["EHC-1007", "EHC-1007"]
    assert [row[0] for row in found["due-soon"]] == ["EHC-1006"]
    assert found["due-soon"][0][6] == "due today"

    unknown = await supervisor.get("/my-cases?caseworker=cw999")
    assert unknown.status_code == 400
    assert "no case names caseworker cw999" in unknown.text
    named = await supervisor.get("/my-cases?caseworker=Jane%20Smith")
    assert named.status_code == 400
    assert "that is not a caseworker id" in named.text
    assert "jane smith" not in named.text.lower()


async def test_a_caseworker_sees_no_one_elses_cases_and_an_analyst_none(
    caseworker: httpx.AsyncClient, analyst: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    assert (await caseworker.get("/my-cases?caseworker=cw102")).status_code == 403
    assert (await caseworker.get("/my-cases?caseworker=cw101")).status_code == 200
    assert (await analyst.get("/my-cases")).status_code == 403
    signed_out = await anonymous.get("/my-cases")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/sign-in?next=/my-cases")
