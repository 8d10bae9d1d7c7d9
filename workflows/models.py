"""What goes into and comes out of the assessment workflow (pydantic, via the data converter)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from statutory import clocks
from statutory import review as review_rules
from statutory.advice import AdviceRequestState
from statutory.alerts import ADVICE_POLICY, DEFAULT_ALERT_HOUR, AlertHour, AlertKind, AlertPolicy
from statutory.assessment import (
    AssessmentCase,
    AssessmentDates,
    AssessmentEvent,
    AssessmentOutcome,
    AssessmentRequest,
)
from statutory.steps import StepStatus

ASSESSMENT_PREFIX = "assessment-"
REVIEW_PREFIX = "review-"


def assessment_workflow_id(case_ref: str) -> str:
    return f"{ASSESSMENT_PREFIX}{case_ref}"


def advice_workflow_id(case_ref: str, advice_type: str, advice_id: int) -> str:
    """``advice-<case ref>-<type>-<n>`` (docs/ARCHITECTURE.md, workflow ids)."""
    return f"advice-{case_ref}-{advice_type}-{advice_id}"


def review_workflow_id(case_ref: str) -> str:
    """One review workflow per plan; each cycle is a continue-as-new run of it."""
    return f"{REVIEW_PREFIX}{case_ref}"


class AssessmentStart(BaseModel):
    """Start input. ``prior_events`` carries what already happened to an imported case."""

    model_config = ConfigDict(frozen=True)

    request: AssessmentRequest
    prior_events: list[AssessmentEvent] = Field(default_factory=list)
    policy: AlertPolicy = Field(default_factory=AlertPolicy)
    alert_hour_utc: AlertHour = DEFAULT_ALERT_HOUR
    """Reminders for a day go out at this hour (UTC)."""
    review_policy: review_rules.ReviewPolicy = Field(default_factory=review_rules.ReviewPolicy)
    """For the plan's review workflow, started when the final plan is issued."""
    advice_policy: AlertPolicy = Field(default_factory=lambda: ADVICE_POLICY)
    """Alerts of each advice request's own clock."""
    quiet_until: date | None = None
    """Escalations wait until this day: the settling period of a case entered with a past
    (``statutory.alerts.settling_end``), so its history can be recorded first."""


class AlertLogEntry(BaseModel):
    key: str
    step: str
    kind: AlertKind
    level: int
    target: date
    at: datetime
    delivered: bool
    error: str | None = None


class AdviceStart(BaseModel):
    """Start input of an advice request's workflow."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    caseworker: str
    team: str
    request: AdviceRequestState
    policy: AlertPolicy = Field(default_factory=AlertPolicy)
    alert_hour_utc: AlertHour = DEFAULT_ALERT_HOUR
    quiet_until: date | None = None
    """The parent case's settling period (``AssessmentStart.quiet_until``)."""


class AdviceView(BaseModel):
    workflow_id: str
    case_ref: str
    request: AdviceRequestState
    step: StepStatus
    alerts: list[AlertLogEntry]


class KeyDates(BaseModel):
    received: date
    decide_to_assess_by: date
    decide_not_to_issue_by: date
    latest_draft_by: date
    final_plan_by: date
    operational_final_plan_by: date
    exceptions_apply: bool
    representations_close: date | None

    @classmethod
    def of(cls, d: AssessmentDates) -> KeyDates:
        return cls(
            received=d.received,
            decide_to_assess_by=d.decide_to_assess.due,
            decide_not_to_issue_by=d.decide_not_to_issue.due,
            latest_draft_by=d.latest_draft,
            final_plan_by=d.final_plan.due,
            operational_final_plan_by=d.final_plan.target,
            exceptions_apply=d.final_plan.exception_applies,
            representations_close=d.representations_close,
        )


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
    advice: list[AdviceView] = Field(default_factory=list)
    """Each advice request's own clock (filled in by the client from the child workflows)."""


#: How many concluded cycles a review workflow carries forward for its timeline.
PREVIOUS_CYCLES_KEPT = 5


class ReviewStart(BaseModel):
    """Start (or continue-as-new) input of a plan's review workflow: the current cycle."""

    model_config = ConfigDict(frozen=True)

    cycle: review_rules.ReviewCycle
    prior_events: list[review_rules.ReviewEvent] = Field(default_factory=list)
    policy: AlertPolicy = Field(default_factory=AlertPolicy)
    alert_hour_utc: AlertHour = DEFAULT_ALERT_HOUR
    previous: list[review_rules.ReviewOutcome] = Field(default_factory=list)
    advice_policy: AlertPolicy = Field(default_factory=lambda: ADVICE_POLICY)
    quiet_until: date | None = None
    """The settling period of an imported plan (``AssessmentStart.quiet_until``)."""


class ReviewView(BaseModel):
    """A plan's current review cycle, as the timeline query returns it."""

    workflow_id: str
    as_of: date
    cycle: review_rules.ReviewCycle
    stage: review_rules.Stage
    key_dates: review_rules.ReviewDates
    transfer_in_this_cycle: bool
    steps: list[StepStatus]
    next_step: StepStatus | None
    alerts: list[AlertLogEntry]
    previous: list[review_rules.ReviewOutcome]


def duty_workflow_id(process: str, case_ref: str, opened_on: date, variant: str | None) -> str:
    """``<process>-<case ref>-[<kind>-]<opened>``: a case may have several appeals or orders
    over its life, never two of one kind opened on one day."""
    kind = f"{variant}-" if variant else ""
    return f"{process}-{case_ref}-{kind}{opened_on.isoformat()}"


class DutyStart(BaseModel):
    """Start input of a duty-clock workflow (re-assessment, Tribunal order, transfer, appeal)."""

    model_config = ConfigDict(frozen=True)

    start: clocks.ClockStart
    prior_events: list[clocks.ClockEvent] = Field(default_factory=list)
    policy: AlertPolicy = Field(default_factory=AlertPolicy)
    alert_hour_utc: AlertHour = DEFAULT_ALERT_HOUR
    advice_policy: AlertPolicy = Field(default_factory=lambda: ADVICE_POLICY)
    quiet_until: date | None = None
    """The settling period of a case entered with past dates (``AssessmentStart``)."""


class DutyView(BaseModel):
    """A duty-clock case, as its timeline query returns it."""

    workflow_id: str
    as_of: date
    case: clocks.ClockCase
    key_dates: dict[str, date]
    """Every date the law fixes for it (the calculator's names: ``final_plan_by``)."""
    steps: list[StepStatus]
    next_step: StepStatus | None
    alerts: list[AlertLogEntry]
    outcome: clocks.ClockOutcome | None
    advice: list[AdviceView] = Field(default_factory=list)
