"""What a case workflow writes to the read model: one view of the case and each of its steps.

Screens and reports read the reporting database, not Temporal visibility (slow at tens of
thousands of cases, eventually consistent). Each case workflow builds its ``CaseView`` as it
wakes and, when the view has changed, hands it to the ``publish_view`` activity
(``activities.read_model``). Declared here because the workflow and the activity both speak
it and neither imports the other.

A view carries its ``version`` (the workflow's history length when it was built) and its
``cycle`` (a review's cycle, 0 otherwise: each cycle is a new run whose history starts again),
so the writer keeps the newest of two views however late the older one arrives. Statuses are
the status truth table's (``statutory.steps``) on the day the view was built; whether an open
step is overdue is judged again from its dates when it is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from statutory.process import StepId, StepKind
from statutory.steps import StepState, StepStatus

#: What makes a view newer than another; left out when deciding whether a view changed.
ORDERING = frozenset({"version", "updated_at"})


class StepView(BaseModel):
    """One step of a case as its workflow last saw it."""

    model_config = ConfigDict(frozen=True)

    step: str
    label: str
    regulation: str
    statutory: bool
    """A legal duty (escalated when missed) rather than guidance or a planning date."""
    step_kind: StepKind
    due: date
    """The statutory date (never moved by an exception)."""
    operational_due: date
    """The operational target: ``due`` paused by any exception."""
    done_on: date | None
    status: StepState

    @classmethod
    def of(cls, step: StepStatus) -> StepView:
        return cls(
            step=step.step,
            label=step.label,
            regulation=step.regulation,
            statutory=step.statutory,
            step_kind=step.kind,
            due=step.due,
            operational_due=step.target,
            done_on=step.completed_on,
            status=step.state,
        )


class CaseView(BaseModel):
    """One case workflow (an assessment, a plan's review, a request for advice) as it stands."""

    model_config = ConfigDict(frozen=True)

    workflow_id: str
    case_ref: str
    kind: str
    """assessment, review or advice."""
    cycle: int = 0
    """The review cycle (each is a run of its own); 0 for assessments and advice."""
    stage: str
    caseworker: str
    team: str
    is_open: bool
    """The workflow still keeps the case (a review stays open from one cycle to the next)."""
    next_step: str | None = None
    """The step the case publishes as its next deadline, named as visibility names it
    (``EhcNextStep``: an advice workflow's is ``advice:<type>``)."""
    next_label: str | None = None
    next_regulation: str | None = None
    next_statutory: bool = False
    next_due: date | None = None
    """The next step's operational target (``EhcNextDeadline``'s day)."""
    provider: str | None = None
    """A request for advice: the provider asked (service or person); otherwise None."""
    phase_transfer_due: date | None = None
    """A review cycle with a phase transfer: the day the plan must be finalised (reg 18)."""
    review_due: date | None = None
    """A review: the day the review meeting is due (CFA s44(1))."""
    final_plan_due: date | None = None
    """An assessment: the day the final plan is due (reg 13(2))."""
    steps: tuple[StepView, ...] = ()
    version: int
    """The workflow's history length when the view was built: a later view has a larger one."""
    updated_at: datetime
    """The workflow's time when the view was built."""

    def same_case_as(self, other: CaseView | None) -> bool:
        """Whether ``other`` says the same about the case (its version and time aside)."""
        return other is not None and self.model_dump(exclude=set(ORDERING)) == other.model_dump(
            exclude=set(ORDERING)
        )


def case_view(
    *,
    workflow_id: str,
    case_ref: str,
    kind: str,
    cycle: int,
    stage: str,
    caseworker: str,
    team: str,
    is_open: bool,
    steps: Sequence[StepStatus],
    next_step: StepStatus | None,
    next_name: str | None,
    provider: str | None = None,
    review_due: date | None = None,
    final_plan_due: date | None = None,
    version: int,
    updated_at: datetime,
) -> CaseView:
    """A case's view from its steps and its published next step (``next_name``: the name it
    is listed under). The phase transfer's date is its step's (present only in a cycle that
    has one)."""
    transfer = next((s for s in steps if s.step == StepId.PHASE_TRANSFER.value), None)
    by_name = {s.step: s for s in reversed(steps)}  # each step once (the first, if named twice)
    return CaseView(
        workflow_id=workflow_id,
        case_ref=case_ref,
        kind=kind,
        cycle=cycle,
        stage=stage,
        caseworker=caseworker,
        team=team,
        is_open=is_open,
        next_step=next_name if next_step else None,
        next_label=next_step.label if next_step else None,
        next_regulation=next_step.regulation if next_step else None,
        next_statutory=next_step.statutory if next_step else False,
        next_due=next_step.target if next_step else None,
        provider=provider,
        phase_transfer_due=transfer.due if transfer else None,
        review_due=review_due,
        final_plan_due=final_plan_due,
        steps=tuple(StepView.of(s) for s in steps if by_name[s.step] is s),
        version=version,
        updated_at=updated_at,
    )


class ListedCase(Protocol):
    """An open case as a list of what is due reads it: a row of the read model
    (``ehc.read_model.CaseViewRow``) or a case as visibility lists it (``ehc.cases.CaseSummary``).
    Declared here because the weekly digest's activity and the overdue lines both read it."""

    @property
    def case_ref(self) -> str: ...

    @property
    def next_step(self) -> str | None: ...

    @property
    def next_deadline(self) -> date | None:
        """The next step's operational target (``CaseView.next_due``)."""

    @property
    def caseworker(self) -> str: ...

    @property
    def team(self) -> str: ...
