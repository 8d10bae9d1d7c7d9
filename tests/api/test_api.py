"""The HTTP API on the real dev server: roles, one code path with the CLI, clean rejections,
and the same figures as the CLI's services."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType

from ehc.kpis import ledger_kpis, sen2, sen2_person_level
from ehc.ledger_reader import LedgerReader
from ehc.reviews import Reviews
from statutory import review as review_rules
from statutory.periods import parse_period
from statutory.sen2 import Module, module_csv
from statutory.sen2_timeliness import to_csv
from tests.api.conftest import Api, bearer, ref
from workflows.models import assessment_workflow_id

pytestmark = pytest.mark.e2e


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def days_ago(n: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=n)).isoformat()


async def start(api: Api, case_ref: str, received: str, who: str = "cw101") -> Any:
    return await api.http.post(
        "/assessments",
        json={"case_ref": case_ref, "received": received, "caseworker": who, "team": "north"},
        headers=bearer(who),
    )


async def updates_accepted(api: Api, case_ref: str) -> int:
    """Updates written to the workflow's history (a rejected update leaves no event)."""
    handle = api.env.client.get_workflow_handle(assessment_workflow_id(case_ref))
    history = await handle.fetch_history()
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return sum(e.event_type == accepted for e in history.events)


async def test_no_anonymous_access_and_each_role_only_what_it_may(api: Api) -> None:
    assert (await api.http.get("/overdue")).status_code == 401
    unknown = await api.http.get("/overdue", headers={"Authorization": "Bearer not-a-token-at-all"})
    assert unknown.status_code == 401 and unknown.json()["detail"] == "unknown bearer token"
    kpi = await api.http.get("/kpi", params={"period": "2026"}, headers=bearer("cw101"))
    assert kpi.status_code == 403
    assert kpi.json()["detail"] == "a caseworker token cannot read KPIs"
    assert (await api.http.get("/overdue", headers=bearer("analyst"))).status_code == 403
    assert (
        await api.http.get("/assessments/ANY-0001", headers=bearer("analyst"))
    ).status_code == 403
    refused = await start(api, ref(), today(), who="cw101")
    assert refused.status_code == 201
    as_supervisor = await api.http.post(
        "/assessments",
        json={"case_ref": ref(), "received": today(), "caseworker": "cw101", "team": "north"},
        headers=bearer("supervisor"),
    )
    assert as_supervisor.status_code == 403
    for_someone_else = await api.http.post(
        "/assessments",
        json={"case_ref": ref(), "received": today(), "caseworker": "cw999", "team": "north"},
        headers=bearer("cw101"),
    )
    assert for_someone_else.status_code == 403
    assert (await api.http.get("/openapi.json")).json()["components"]["securitySchemes"]


async def test_a_caseworker_starts_records_and_reads_its_case_and_rejections_write_nothing(
    api: Api,
) -> None:
    case_ref = ref()
    started = await start(api, case_ref, days_ago(10))
    assert started.status_code == 201, started.text
    assert (
        started.json()["final_plan_due"]
        == (datetime.now(UTC).date() - timedelta(days=10) + timedelta(weeks=20)).isoformat()
    )
    again = await start(api, case_ref, days_ago(10))
    assert again.status_code == 409 and "already exists" in again.json()["detail"]

    events = f"/assessments/{case_ref}/events"
    early = await api.http.post(
        events, json={"type": "final-issued", "on": today()}, headers=bearer("cw101")
    )
    assert early.status_code == 422
    assert "only be recorded when the case's stage is draft plan served" in early.json()["detail"]
    future = await api.http.post(
        events, json={"type": "decided-to-assess", "on": "2098-01-01"}, headers=bearer("cw101")
    )
    assert future.status_code == 422 and "in the future" in future.json()["detail"]
    shapeless = await api.http.post(
        events, json={"type": "decided-to-assess"}, headers=bearer("cw101")
    )
    assert shapeless.status_code == 422
    assert shapeless.json()["detail"] == "body.decided-to-assess.on: Field required"
    assert await updates_accepted(api, case_ref) == 0, "a rejected event wrote history"

    theirs = await api.http.post(
        events, json={"type": "decided-to-assess", "on": today()}, headers=bearer("cw202")
    )
    assert theirs.status_code == 403
    done = await api.http.post(
        events, json={"type": "decided-to-assess", "on": today()}, headers=bearer("cw101")
    )
    assert done.status_code == 200, done.text
    assert done.json()["stage"] == "assessment"
    assert await updates_accepted(api, case_ref) == 1

    mine = await api.http.get(f"/assessments/{case_ref}", headers=bearer("cw101"))
    assert [e["event"]["type"] for e in mine.json()["case"]["timeline"]] == ["decided-to-assess"]
    assert (
        await api.http.get(f"/assessments/{case_ref}", headers=bearer("cw202"))
    ).status_code == 403
    assert (
        await api.http.get(f"/assessments/{case_ref}", headers=bearer("supervisor"))
    ).status_code == 200
    missing = await api.http.get("/assessments/NO-SUCH-CASE", headers=bearer("supervisor"))
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no assessment with case reference NO-SUCH-CASE"
    bad_ref = await api.http.get("/assessments/jane%20smith", headers=bearer("supervisor"))
    assert bad_ref.status_code == 422


async def test_review_events_go_through_the_review_rules(api: Api) -> None:
    case_ref = ref()
    plan = review_rules.PlanRecord(
        case_ref=case_ref,
        plan_date=datetime.now(UTC).date() - timedelta(days=300),
        caseworker="cw101",
        team="north",
    )
    assert await Reviews(api.env.client, api.settings).start(plan)
    events = f"/reviews/{case_ref}/events"
    early = await api.http.post(
        events, json={"type": "report-sent", "on": today()}, headers=bearer("cw101")
    )
    assert early.status_code == 422 and "meeting has not been held" in early.json()["detail"]
    held = await api.http.post(
        events, json={"type": "meeting-held", "on": today()}, headers=bearer("cw101")
    )
    assert held.status_code == 200 and held.json()["stage"] == "awaiting-decision"
    view = await api.http.get(f"/reviews/{case_ref}", headers=bearer("supervisor"))
    assert view.json()["cycle"]["meeting_held_on"] == today()


async def test_reports_give_the_same_answers_as_the_cli_services(api: Api) -> None:
    late = ref()  # no decision after 10 weeks: overdue at reg 4(1), 5(1)
    assert (await start(api, late, days_ago(70))).status_code == 201
    theirs = ref()
    assert (await start(api, theirs, days_ago(70), who="cw202")).status_code == 201

    deadline = asyncio.get_running_loop().time() + 30
    while True:
        found = (await api.http.get("/overdue", headers=bearer("supervisor"))).json()
        refs = {line["case_ref"]: line for line in found["lines"]}
        if {late, theirs} <= set(refs) or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.25)
    line = refs[late]
    assert (line["step"], line["regulation"]) == ("decide-to-assess", "reg 4(1), 5(1)")
    assert line["days_overdue"] == 70 - 42
    assert found["freshness"].startswith("Read from the read model")
    days = [line["days_overdue"] for line in found["lines"]]
    assert days == sorted(days, reverse=True)
    own = (await api.http.get("/overdue", headers=bearer("cw101"))).json()
    assert late in {x["case_ref"] for x in own["lines"]}
    assert {x["caseworker"] for x in own["lines"]} == {"cw101"}

    year = datetime.now(UTC).date().year
    kpi = await api.http.get("/kpi", params={"period": str(year)}, headers=bearer("analyst"))
    assert kpi.status_code == 200
    ledger = LedgerReader(api.settings.resolved_database_url)
    expected = ledger_kpis(ledger, parse_period(str(year))).model_dump(mode="json")
    body = kpi.json()
    assert body["measures"] == expected["measures"]
    assert body["caseload"]["open"]["assessment"] >= 2
    bad = await api.http.get("/kpi", params={"period": "2026-13"}, headers=bearer("analyst"))
    assert bad.status_code == 422

    csv = await api.http.get(
        f"/sen2/{year}", params={"format": "csv"}, headers=bearer("supervisor")
    )
    assert csv.status_code == 200 and csv.text == to_csv(sen2(ledger, year))
    chronology = await api.http.get(f"/cases/{late}", headers=bearer("supervisor"))
    assert chronology.status_code == 200
    assert any(e["kind"] == "overdue" for e in chronology.json()["entries"])
    assert (await api.http.get(f"/cases/{late}", headers=bearer("cw202"))).status_code == 403
    ledger.close()


async def test_sen2_modules_are_the_ones_the_cli_writes(api: Api) -> None:
    waiting = ref()  # received 10 days ago, no decision yet: RequestOutcome W
    received = days_ago(10)
    assert (await start(api, waiting, received)).status_code == 201
    year = int(received[:4])
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        got = await api.http.get(
            f"/sen2/{year}", params={"module": "requests"}, headers=bearer("analyst")
        )
        assert got.status_code == 200, got.text
        rows = {r["CaseRef"]: r for r in got.json()["rows"]}
        if waiting in rows or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.25)
    assert rows[waiting] == {
        "CaseRef": waiting,
        "ReceivedDate": received,
        "RequestOutcomeDate": "",
        "RequestOutcome": "W",
    }
    ledger = LedgerReader(api.settings.resolved_database_url)
    expected = sen2_person_level(ledger, year)
    assert got.json()["rows"] == expected.modules[Module.REQUESTS]
    assert got.json()["census"] == expected.census.isoformat()
    csv = await api.http.get(
        f"/sen2/{year}",
        params={"module": "assessments", "format": "csv"},
        headers=bearer("supervisor"),
    )
    assert csv.status_code == 200
    assert csv.text == module_csv(Module.ASSESSMENTS, expected.modules[Module.ASSESSMENTS])
    ledger.close()
    wrong = await api.http.get(
        f"/sen2/{year}", params={"module": "plans"}, headers=bearer("analyst")
    )
    assert wrong.status_code == 422
    refused = await api.http.get(
        f"/sen2/{year}", params={"module": "requests"}, headers=bearer("cw101")
    )
    assert refused.status_code == 403
