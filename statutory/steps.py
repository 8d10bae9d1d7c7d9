"""What a step of any statutory process looks like on a given day, and its RAG rating.

Shared by assessments and (later) reviews and advice requests, so that reminders,
escalations, overdue lists and KPIs all read the same shape.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

#: Days before the target at which an open step turns amber. A council policy, not law.
DEFAULT_AMBER_DAYS = 14


class StepState(StrEnum):
    OPEN = "open"
    MET = "met"  # done by its statutory date
    LATE = "late"  # done, but after its statutory date
    NOT_APPLICABLE = "not-applicable"  # the case took another path


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
    statutory: bool
    """A legal duty (escalated when missed) rather than guidance or a planning date."""
    state: StepState
    completed_on: date | None = None
    rag: Rag | None = None
    days_left: int | None = None
    """Days from ``as_of`` to ``target`` for an open step; negative when overdue."""


def rag_for(target: date, today: date, amber_days: int = DEFAULT_AMBER_DAYS) -> Rag:
    """Red once the target has passed, amber within ``amber_days`` of it, else green."""
    left = (target - today).days
    if left < 0:
        return Rag.RED
    if left <= amber_days:
        return Rag.AMBER
    return Rag.GREEN


def settle(
    *,
    step: str,
    label: str,
    regulation: str,
    due: date,
    target: date,
    exception_applies: bool,
    statutory: bool,
    completed_on: date | None,
    applicable: bool,
    today: date,
    amber_days: int = DEFAULT_AMBER_DAYS,
) -> StepStatus:
    """Build a step's status: met/late when completed, open with a RAG rating otherwise."""
    if not applicable:
        state, rag, left = StepState.NOT_APPLICABLE, None, None
    elif completed_on is not None:
        state = StepState.MET if completed_on <= due else StepState.LATE
        rag, left = Rag.COMPLETE, None
    else:
        state, rag, left = StepState.OPEN, rag_for(target, today, amber_days), (target - today).days
    return StepStatus(
        step=step,
        label=label,
        regulation=regulation,
        due=due,
        target=target,
        exception_applies=exception_applies,
        statutory=statutory,
        state=state,
        completed_on=completed_on,
        rag=rag,
        days_left=left,
    )
