"""What the reporting ledger records: each completed step and each outcome.

Temporal is not a reporting database and yearly KPIs outlive workflow retention, so every
workflow reports what it completed, once, to a ledger (written by an activity). These records
are plain data; the KPIs are computed from them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from statutory.steps import StepState, StepStatus


class _Record(BaseModel):
    """What every ledger record starts with: the key it is written once under, and the case."""

    model_config = ConfigDict(frozen=True)

    key: str
    """Idempotency key: the workflow id and what is recorded (each record says)."""
    workflow_id: str
    case_ref: str


class StepRecord(_Record):
    """A step that was done (on time or late); keyed by workflow id, cycle and step."""

    process: str
    """assessment, review or advice."""
    cycle: int
    """The review cycle (1, 2, ...); 0 for assessments and advice."""
    step: str
    regulation: str
    due: date
    target: date
    completed_on: date
    met: bool
    """Done by its statutory date."""
    exception_applies: bool
    statutory: bool
    caseworker: str
    team: str
    detail: dict[str, str] = {}
    """Process-specific labels for reports, e.g. advice type and provider."""


class OutcomeRecord(_Record):
    """How a process (an assessment, a review cycle, an advice request) ended; keyed by
    workflow id, cycle and ``outcome``."""

    process: str
    cycle: int
    ended_on: date
    caseworker: str
    team: str
    outcome: dict[str, Any]
    """The process's outcome model, as JSON-ready data."""


class RequestRecord(_Record):
    """A request for an EHC needs assessment, as received (CFA s36(1); counted by SEN2);
    keyed by the workflow id and ``request``."""

    received: date
    """The day the local authority received the request: the clock's week 0."""
    caseworker: str
    team: str


def request_record(
    *, workflow_id: str, case_ref: str, received: date, caseworker: str, team: str
) -> RequestRecord:
    """The ledger record of a request, keyed so that it is written once per workflow."""
    return RequestRecord(
        key=f"{workflow_id}:request",
        workflow_id=workflow_id,
        case_ref=case_ref,
        received=received,
        caseworker=caseworker,
        team=team,
    )


def completed_steps(
    steps: list[StepStatus],
    *,
    workflow_id: str,
    case_ref: str,
    process: str,
    cycle: int,
    caseworker: str,
    team: str,
    details: dict[str, dict[str, str]] | None = None,
) -> list[StepRecord]:
    """Ledger records for the steps that are done."""
    out = []
    for s in steps:
        if not s.state.is_done or s.completed_on is None:
            continue
        out.append(
            StepRecord(
                key=f"{workflow_id}:{cycle}:{s.step}",
                workflow_id=workflow_id,
                case_ref=case_ref,
                process=process,
                cycle=cycle,
                step=s.step,
                regulation=s.regulation,
                due=s.due,
                target=s.target,
                completed_on=s.completed_on,
                met=s.state is StepState.MET,
                exception_applies=s.exception_applies,
                statutory=s.statutory,
                caseworker=caseworker,
                team=team,
                detail=(details or {}).get(s.step, {}),
            )
        )
    return out
