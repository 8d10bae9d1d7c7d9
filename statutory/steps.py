"""What a step of any statutory process looks like on a given day: its status and RAG rating.

The status truth table (docs/LAW.md, "Step statuses") is written once, in ``step_state``;
every view (show, case, overdue, digest, KPIs, API, simulator) reads statuses from here.

| the step is...                              | on or before ``due`` | after ``due``, exception lifts it | after ``due``, no exception |
|---------------------------------------------|----------------------|-----------------------------------|-----------------------------|
| done                                        | met                  | excepted                          | late                        |
| not done, today on or before the target     | open                 | open                              | -                           |
| not done, today after the target            | overdue              | overdue                           | overdue                     |
| not required by the law in this case        | not-applicable (whatever the dates)                                               |
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field

from statutory.process import StepDef, StepKind

#: Days before the target at which an open step turns amber. A council policy, not law.
DEFAULT_AMBER_DAYS = 14


class StepState(StrEnum):
    OPEN = "open"  # not done, its (operational) target not yet passed
    OVERDUE = "overdue"  # not done, its target has passed
    MET = "met"  # done on or before its statutory date
    EXCEPTED = "excepted"  # done after its statutory date, but an exception lifts that limit
    LATE = "late"  # done after its statutory date, no exception
    NOT_APPLICABLE = "not-applicable"  # the law does not require it in this case

    @property
    def is_open(self) -> bool:
        """Still to do (open or overdue)."""
        return self in (StepState.OPEN, StepState.OVERDUE)

    @property
    def is_done(self) -> bool:
        return self in (StepState.MET, StepState.EXCEPTED, StepState.LATE)


#: How each status reads to a person (chronologies, web pages, digests).
STATE_WORDS: dict[StepState, str] = {
    StepState.OPEN: "due",
    StepState.OVERDUE: "overdue",
    StepState.MET: "done on time",
    StepState.EXCEPTED: "done after the limit, which an exception lifted",
    StepState.LATE: "done late",
    StepState.NOT_APPLICABLE: "not required",
}


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    COMPLETE = "complete"


class StepStatus(BaseModel):
    """One statutory or planning step of a case, as it stands on ``as_of``."""

    model_config = ConfigDict(frozen=True)

    step: str
    label: str
    regulation: str
    due: date
    """The statutory date (never moved by an exception)."""
    target: date
    """The operational target: ``due`` plus any exception pause."""
    exception_applies: bool
    kind: StepKind
    state: StepState
    completed_on: date | None = None
    rag: Rag | None = None
    days_left: int | None = None
    """Days from ``as_of`` to ``target`` for an open step; negative when overdue."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def statutory(self) -> bool:
        """A legal duty (escalated when missed) rather than guidance or a planning date."""
        return self.kind is StepKind.DUTY

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    @property
    def missed(self) -> bool:
        """A duty done late or overdue (what a supervisor must hear about); a limit that binds
        only a refusal is missed only by a late refusal."""
        if self.kind is StepKind.REFUSAL_LIMIT:
            return self.state is StepState.LATE
        return self.statutory and self.state in (StepState.LATE, StepState.OVERDUE)


def rag_for(target: date, today: date, amber_days: int = DEFAULT_AMBER_DAYS) -> Rag:
    """Red once the target has passed, amber within ``amber_days`` of it, else green."""
    left = (target - today).days
    if left < 0:
        return Rag.RED
    if left <= amber_days:
        return Rag.AMBER
    return Rag.GREEN


def step_state(
    *,
    due: date,
    target: date,
    exception_applies: bool,
    completed_on: date | None,
    applicable: bool,
    today: date,
) -> StepState:
    """The status truth table: the one place a step's status is decided."""
    if not applicable:
        return StepState.NOT_APPLICABLE
    if completed_on is not None:
        if completed_on <= due:
            return StepState.MET
        return StepState.EXCEPTED if exception_applies else StepState.LATE
    return StepState.OVERDUE if today > target else StepState.OPEN


def status_of(
    defn: StepDef,
    *,
    number: int | None = None,
    label: str | None = None,
    due: date,
    target: date | None = None,
    exception_applies: bool = False,
    completed_on: date | None,
    applicable: bool = True,
    today: date,
    amber_days: int = DEFAULT_AMBER_DAYS,
) -> StepStatus:
    """A declared step's status on a case: its name, label, regulation and kind from the
    declaration (``label`` names the case's own adviser or setting), its dates from the case."""
    return settle(
        step=defn.name(number),
        label=label or defn.label,
        regulation=defn.regulation,
        kind=defn.kind,
        due=due,
        target=due if target is None else target,
        exception_applies=exception_applies,
        completed_on=completed_on,
        applicable=applicable,
        today=today,
        amber_days=amber_days,
    )


def settle(
    *,
    step: str,
    label: str,
    regulation: str,
    due: date,
    target: date,
    exception_applies: bool,
    kind: StepKind,
    completed_on: date | None,
    applicable: bool,
    today: date,
    amber_days: int = DEFAULT_AMBER_DAYS,
) -> StepStatus:
    """Build a step's status (``step_state``) with a RAG rating while it is open."""
    state = step_state(
        due=due,
        target=target,
        exception_applies=exception_applies,
        completed_on=completed_on,
        applicable=applicable,
        today=today,
    )
    rag: Rag | None = None
    left: int | None = None
    if state.is_done:
        rag = Rag.COMPLETE
    elif state.is_open:
        rag, left = rag_for(target, today, amber_days), (target - today).days
    return StepStatus(
        step=step,
        label=label,
        regulation=regulation,
        due=due,
        target=target,
        exception_applies=exception_applies,
        kind=kind,
        state=state,
        completed_on=completed_on,
        rag=rag,
        days_left=left,
    )


def next_deadline(open_steps: Iterable[StepStatus]) -> StepStatus | None:
    """The open statutory step with the earliest operational target (overdue ones first): what
    an assessment or a review cycle must do next."""
    statutory = [s for s in open_steps if s.state.is_open and s.statutory]
    return min(statutory, key=lambda s: (s.target, s.step), default=None)
