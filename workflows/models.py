"""What goes into and comes out of the assessment workflow (pydantic, via the data converter)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from statutory.alerts import AlertKind, AlertPolicy
from statutory.assessment import (
    AssessmentCase,
    AssessmentEvent,
    AssessmentOutcome,
    AssessmentRequest,
)
from statutory.steps import StepStatus

ASSESSMENT_PREFIX = "assessment-"


def assessment_workflow_id(case_ref: str) -> str:
    return f"{ASSESSMENT_PREFIX}{case_ref}"


class AssessmentStart(BaseModel):
    """Start input. ``prior_events`` carries what already happened to an imported case."""

    model_config = ConfigDict(frozen=True)

    request: AssessmentRequest
    prior_events: list[AssessmentEvent] = Field(default_factory=list)
    policy: AlertPolicy = Field(default_factory=AlertPolicy)
    alert_hour_utc: int = Field(default=8, ge=0, le=23)
    """Reminders for a day go out at this hour (UTC)."""


class AlertLogEntry(BaseModel):
    key: str
    step: str
    kind: AlertKind
    level: int
    target: date
    at: datetime
    delivered: bool
    error: str | None = None


class KeyDates(BaseModel):
    received: date
    decide_to_assess_by: date
    decide_not_to_issue_by: date
    latest_draft_by: date
    final_plan_by: date
    operational_final_plan_by: date
    exceptions_apply: bool
    representations_close: date | None


class AssessmentView(BaseModel):
    """Everything about a case, as the timeline query returns it."""

    workflow_id: str
    as_of: date
    case: AssessmentCase
    key_dates: KeyDates
    steps: list[StepStatus]
    next_step: StepStatus | None
    alerts: list[AlertLogEntry]
    outcome: AssessmentOutcome | None
