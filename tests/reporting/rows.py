"""Hand-made ledger rows for table tests of the pure KPI and SEN2 functions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from statutory.ledger import OutcomeRecord, RequestRecord, StepRecord


def step(
    name: str,
    done: date,
    *,
    met: bool = True,
    ref: str = "K-0001",
    process: str = "assessment",
    cycle: int = 0,
    team: str = "north",
    caseworker: str = "cw1",
    exception: bool = False,
    due: date | None = None,
    regulation: str = "",
    **detail: str,
) -> StepRecord:
    workflow_id = f"{process}-{ref}"
    return StepRecord(
        key=f"{workflow_id}:{cycle}:{name}",
        workflow_id=workflow_id,
        case_ref=ref,
        process=process,
        cycle=cycle,
        step=name,
        regulation=regulation,
        due=due or (done if met else done - timedelta(days=1)),
        target=due or done,
        completed_on=done,
        met=met,
        exception_applies=exception,
        statutory=True,
        caseworker=caseworker,
        team=team,
        detail=detail,
    )


def plan(
    issued: date,
    *,
    in_time: bool,
    exception: bool = False,
    ref: str = "K-0001",
    team: str = "north",
    ending: str = "plan-issued",
    received: date | None = None,
    advice_not_needed: dict[str, int] | None = None,
) -> OutcomeRecord:
    outcome: dict[str, Any] = {
        "advice_not_needed": advice_not_needed or {},
        "ending": ending,
        "ended_on": issued.isoformat(),
        "final_plan_due": ((received or issued) + timedelta(weeks=20)).isoformat(),
        "exceptions_apply": exception,
        "within_20_weeks": in_time if ending == "plan-issued" else None,
        "within_20_weeks_excluding_exceptions": (
            None if exception or ending != "plan-issued" else in_time
        ),
    }
    return OutcomeRecord(
        key=f"assessment-{ref}:0:outcome",
        workflow_id=f"assessment-{ref}",
        case_ref=ref,
        process="assessment",
        cycle=0,
        ended_on=issued,
        caseworker="cw1",
        team=team,
        outcome=outcome,
    )


def review_outcome(
    ended: date,
    *,
    decision: str | None,
    amended_in_time: bool | None,
    ref: str = "K-0001",
    cycle: int = 1,
    **outcome: Any,
) -> OutcomeRecord:
    return OutcomeRecord(
        key=f"review-{ref}:{cycle}:outcome",
        workflow_id=f"review-{ref}",
        case_ref=ref,
        process="review",
        cycle=cycle,
        ended_on=ended,
        caseworker="cw1",
        team="north",
        outcome={
            "decision": decision,
            "amended_within_12_weeks": amended_in_time,
            "category": "other",
            **outcome,
        },
    )


def request(received: date, ref: str) -> RequestRecord:
    return RequestRecord(
        key=f"assessment-{ref}:request",
        workflow_id=f"assessment-{ref}",
        case_ref=ref,
        received=received,
        caseworker="cw1",
        team="north",
    )
