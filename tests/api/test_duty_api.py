"""The duty-clock routes on the real dev server: one set per declared process, the roles of the
assessment routes, a refused start or event answered 400 with the rule's sentence and nothing
written, and each route documented from the declarations."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import EventType

from statutory.clock_processes import CLOCKS
from tests.api.conftest import Api, bearer, ref
from tests.workflow.helpers import STARTED
from workflows.models import duty_workflow_id

pytestmark = pytest.mark.e2e


def days_ago(n: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=n)


async def start_order(api: Api, case_ref: str, order: date, who: str = "cw101") -> httpx.Response:
    STARTED.append(duty_workflow_id("tribunal-order", case_ref, order, "assess"))
    return await api.http.post(
        "/tribunal-order",
        json={
            "variant": "assess",
            "case_ref": case_ref,
            "caseworker": "cw101",
            "team": "north",
            "dates": {"order": order.isoformat()},
        },
        headers=bearer(who),
    )


async def updates_accepted(api: Api, workflow_id: str) -> int:
    """Updates written to the clock's history (a rejected update leaves no event)."""
    history = await api.env.client.get_workflow_handle(workflow_id).fetch_history()
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return sum(e.event_type == accepted for e in history.events)


async def listed(api: Api, path: str, who: str, within: float = 20.0) -> dict[str, Any]:
    """GET ``path`` until its list names a clock: visibility lists a new clock a moment later."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        answer = await api.http.get(path, headers=bearer(who))
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        if body["clocks"] or loop.time() > deadline:
            return body
        await asyncio.sleep(0.1)


async def test_a_tribunal_order_is_started_recorded_and_read_with_refusals_writing_nothing(
    api: Api,
) -> None:
    case_ref = ref()
    order = days_ago(20)
    started = await start_order(api, case_ref, order)
    assert started.status_code == 201, started.text
    body = started.json()
    workflow_id = duty_workflow_id("tribunal-order", case_ref, order, "assess")
    assert body["workflow_id"] == workflow_id
    # reg 44(2)(b): notify within 2 weeks; (b)(ii): the plan within 14 weeks of the order.
    assert body["key_dates"]["notify_by"] == (order + timedelta(weeks=2)).isoformat()
    assert body["key_dates"]["final_plan_by"] == (order + timedelta(weeks=14)).isoformat()
    assert body["next_step"]["step"] == body["stage"] and body["ending"] is None
    again = await start_order(api, case_ref, order)
    assert again.status_code == 409 and "already started" in again.json()["detail"]

    events = f"/tribunal-order/{case_ref}/events"
    wrong_kind = await api.http.post(
        events,
        params={"id": workflow_id},
        json={"type": "action", "on": days_ago(1).isoformat(), "action": "draft-issued"},
        headers=bearer("cw101"),
    )
    assert wrong_kind.status_code == 400
    assert "does not apply" in wrong_kind.json()["detail"]
    before_order = await api.http.post(
        events,
        params={"id": workflow_id},
        json={"type": "action", "on": days_ago(30).isoformat(), "action": "notified"},
        headers=bearer("cw101"),
    )
    assert before_order.status_code == 400 and "before" in before_order.json()["detail"]
    assert await updates_accepted(api, workflow_id) == 0, "a refused event wrote history"

    theirs = await api.http.post(
        events,
        params={"id": workflow_id},
        json={"type": "action", "on": days_ago(1).isoformat(), "action": "notified"},
        headers=bearer("cw202"),
    )
    assert theirs.status_code == 403
    done = await api.http.post(
        events,
        params={"id": workflow_id},
        json={"type": "action", "on": days_ago(10).isoformat(), "action": "notified"},
        headers=bearer("cw101"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["stage"] == "order-not-to-issue"  # 10 weeks, before the 14
    assert await updates_accepted(api, workflow_id) == 1

    # Without an id, the one open order of the case (found through visibility).
    read = await listed(api, f"/tribunal-order/{case_ref}", "supervisor")
    assert [c["workflow_id"] for c in read["clocks"]] == [workflow_id]
    assert read["current"]["case"]["recorded"] == {"notified": days_ago(10).isoformat()}
    states = {s["step"]: s["state"] for s in read["current"]["steps"]}
    assert states["order-notify"] == "met"
    issued = await api.http.post(
        events,
        json={"type": "action", "on": days_ago(1).isoformat(), "action": "plan-issued"},
        headers=bearer("cw101"),
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["ending"] == "complied" and issued.json()["stage"] == "closed"
    # An ended clock takes nothing more: its rules say why.
    after = await api.http.post(
        events,
        params={"id": workflow_id},
        json={"type": "withdrawn", "on": days_ago(0).isoformat()},
        headers=bearer("cw101"),
    )
    assert after.status_code == 400 and after.json()["detail"].startswith("the case ended")


async def test_each_role_only_what_it_may_and_a_refused_start_starts_nothing(api: Api) -> None:
    case_ref = ref()
    assert (await start_order(api, case_ref, days_ago(3), who="supervisor")).status_code == 403
    assert (await start_order(api, case_ref, days_ago(3), who="cw202")).status_code == 403
    future = await start_order(api, case_ref, days_ago(-30))
    assert future.status_code == 400 and "is in the future" in future.json()["detail"]
    no_kind = await api.http.post(
        "/appeal",
        json={
            "case_ref": case_ref,
            "caseworker": "cw101",
            "team": "north",
            "dates": {"notice": days_ago(3).isoformat()},
        },
        headers=bearer("cw101"),
    )
    assert no_kind.status_code == 400
    assert "needs its kind: one of refusal-to-assess" in no_kind.json()["detail"]
    named = await api.http.post(
        "/transfer-out",
        json={
            "case_ref": case_ref,
            "caseworker": "cw101",
            "team": "north",
            "dates": {"move": days_ago(1).isoformat(), "aware": days_ago(2).isoformat()},
            "name": "someone",
        },
        headers=bearer("cw101"),
    )
    assert named.status_code == 422 and named.json()["detail"].startswith("body.name")
    nothing = await api.http.get(f"/appeal/{case_ref}", headers=bearer("supervisor"))
    assert nothing.status_code == 404
    assert (await api.http.get(f"/appeal/{case_ref}", headers=bearer("analyst"))).status_code == 403
    assert (await api.http.post("/mediation", json={}, headers=bearer("cw101"))).status_code == 404

    order = days_ago(3)
    assert (await start_order(api, case_ref, order)).status_code == 201
    theirs = await api.http.get(
        f"/tribunal-order/{case_ref}",
        params={"id": duty_workflow_id("tribunal-order", case_ref, order, "assess")},
        headers=bearer("cw202"),
    )
    assert theirs.status_code == 403


async def test_every_declared_process_has_its_routes_documented_from_its_declaration(
    api: Api,
) -> None:
    spec = (await api.http.get("/openapi.json")).json()
    for process, declared in CLOCKS.items():
        start = spec["paths"][f"/{process}"]["post"]
        for anchor in declared.anchors:
            assert f"`{anchor.name}`: {anchor.words}" in start["description"], process
        assert set(start["responses"]) >= {"201", "400", "409"}
        assert "get" in spec["paths"][f"/{process}/{{case_ref}}"]
        record = spec["paths"][f"/{process}/{{case_ref}}/events"]["post"]
        for action in declared.actions:
            assert f"`{action.name}`: {action.title}" in record["description"], process
