"""Every event type, with extreme values, through the API to real workflows: each is refused
with one line (or, if the rules allow it, recorded), and the case still answers afterwards.

This is the reproduction of issue 11: an exception ending 9999-12-31 was accepted, the
workflow task then overflowed on every attempt, and the case answered every read and event
with "Workflow Task in failed state" for good.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType

from ehc.reviews import Reviews
from statutory import assessment as arules
from statutory import review as rrules
from tests.api.conftest import Api, bearer, ref
from workflows.models import assessment_workflow_id, review_workflow_id

pytestmark = pytest.mark.e2e

TODAY = datetime.now(UTC).date()
#: Dates no case can have, written as a client could send them.
DATES = ["9999-12-31", "0001-01-01", "2014-08-31", "2099-12-31", "2100-01-01", "99999-01-01"]
HUGE = "x" * 100_000  # more than the body limit: 413
LONG = "x" * 5_000  # within the body limit, longer than any field takes: 422
INTS = [-1, 0, 10**30, 2**63]


def _assessment_events() -> dict[str, dict[str, Any]]:
    on = TODAY.isoformat()
    return {
        "decided-to-assess": {},
        "decided-not-to-assess": {},
        "advice-requested": {
            "advice_type": "medical",
            "provider": "Clinic",
            "adviser_received": on,
        },
        "advice-received": {"advice_id": 1},
        "advice-not-needed": {"advice_id": 1, "reason": "request-withdrawn"},
        "decided-not-to-issue": {},
        "draft-served": {},
        "setting-consulted": {"setting": "School"},
        "setting-replied": {"consultation_id": 1},
        "final-issued": {},
        "exception": {"reason": "personal-circumstances", "start": on, "end": on, "note": "n"},
        "withdrawn": {"reason": "r"},
        "caseworker-reassigned": {"caseworker": "cw101", "team": "south"},
    }


def _review_events() -> dict[str, dict[str, Any]]:
    on = TODAY.isoformat()
    transfer = {"kind": "post16-post16", "year": TODAY.year + 1, "move_date": on}
    return {
        "meeting-scheduled": {"meeting_date": on},
        "invitations-sent": {},
        "advice-circulated": {},
        "meeting-held": {},
        "report-sent": {},
        "decision": {"decision": "amend"},
        "amendment-notice-sent": {},
        "final-amended-issued": {},
        "mediation-wanted": {},
        "mediation-certificate": {},
        "appeal-lodged": {},
        "appeal-concluded": {"plan_continues": True},
        "transferred-out": {"reason": "moved away"},
        "transfer-set": {"transfer": transfer},
        "advice-requested": {"advice_type": "health", "provider": "Clinic"},
        "advice-received": {"advice_id": 1},
        "caseworker-reassigned": {"caseworker": "cw101", "team": "south"},
    }


def _extremes(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return INTS
    if isinstance(value, dict):
        return [{**value, key: bad} for key, v in value.items() for bad in _extremes(v)]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return DATES
    if isinstance(value, str):
        return [HUGE, LONG]
    return []


def bodies(events: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each event with one field at a time set to each extreme value, and a field it does not
    take; ``on`` is bent for every event."""
    out = []
    for kind, fields in events.items():
        base = {"type": kind, "on": TODAY.isoformat(), **fields}
        for key, value in base.items():
            if key != "type":
                out += [{**base, key: bad} for bad in _extremes(value)]
        out.append({**base, "name": "Jane Smith"})
    return out


def far_but_allowed() -> list[dict[str, Any]]:
    """Dates at the edge of what the rules accept: recorded, and the case must go on."""
    three_years = date(TODAY.year + 3, TODAY.month, min(TODAY.day, 28)).isoformat()
    on = TODAY.isoformat()
    return [
        {"type": "exception", "reason": "personal-circumstances", "on": on, "start": on}
        | {"end": three_years},
        {"type": "exception", "reason": "personal-circumstances", "on": on}
        | {"start": (TODAY - timedelta(days=3 * 365 - 30)).isoformat(), "end": on},
    ]


async def task_failures(api: Api, workflow_id: str) -> int:
    history = await api.env.client.get_workflow_handle(workflow_id).fetch_history()
    failed = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    return sum(e.event_type == failed for e in history.events)


def assert_refused(response: Any, body: dict[str, Any]) -> None:
    assert response.status_code in (413, 422), (body, response.status_code, response.text)
    detail = response.json()["detail"]
    assert "\n" not in detail and "xxxxx" not in detail and "Jane" not in detail, detail


async def test_an_assessment_survives_every_event_with_extreme_values(api: Api) -> None:
    case_ref = ref()
    started = await api.http.post(
        "/assessments",
        json={
            "case_ref": case_ref,
            "received": (TODAY - timedelta(days=30)).isoformat(),
            "caseworker": "cw101",
            "team": "north",
        },
        headers=bearer("cw101"),
    )
    assert started.status_code == 201, started.text
    events = f"/assessments/{case_ref}/events"
    sent = bodies(_assessment_events())
    assert {b["type"] for b in sent} == set(arules.EVENT_TYPES)
    for body in sent:
        assert_refused(await api.http.post(events, json=body, headers=bearer("cw101")), body)
    for body in far_but_allowed():
        recorded = await api.http.post(events, json=body, headers=bearer("cw101"))
        assert recorded.status_code == 200, (body, recorded.text)

    read = await api.http.get(f"/assessments/{case_ref}", headers=bearer("cw101"))
    assert read.status_code == 200, read.text
    decided = await api.http.post(
        events, json={"type": "decided-to-assess", "on": TODAY.isoformat()}, headers=bearer("cw101")
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["stage"] == "assessment"
    assert await task_failures(api, assessment_workflow_id(case_ref)) == 0


async def test_a_review_survives_every_event_with_extreme_values(api: Api) -> None:
    case_ref = ref()
    plan = rrules.PlanRecord(
        case_ref=case_ref, plan_date=TODAY - timedelta(days=300), caseworker="cw101", team="north"
    )
    assert await Reviews(api.env.client, api.settings).start(plan)
    events = f"/reviews/{case_ref}/events"
    sent = bodies(_review_events())
    assert {b["type"] for b in sent} == set(rrules.EVENT_TYPES)
    for body in sent:
        assert_refused(await api.http.post(events, json=body, headers=bearer("cw101")), body)
    latest = date(TODAY.year + 3, TODAY.month, min(TODAY.day, 28)).isoformat()
    booked = await api.http.post(
        events,
        json={"type": "meeting-scheduled", "on": TODAY.isoformat(), "meeting_date": latest},
        headers=bearer("cw101"),
    )
    assert booked.status_code == 200, booked.text

    read = await api.http.get(f"/reviews/{case_ref}", headers=bearer("cw101"))
    assert read.status_code == 200, read.text
    held = await api.http.post(
        events, json={"type": "meeting-held", "on": TODAY.isoformat()}, headers=bearer("cw101")
    )
    assert held.status_code == 200, held.text
    assert held.json()["stage"] == "awaiting-decision"
    assert await task_failures(api, review_workflow_id(case_ref)) == 0
