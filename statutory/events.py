"""What the events of an assessment and of an annual review share.

Every event happened on a day a case can have (``statutory.bounds``). Before its own rule, each
passes the checks common to both processes: not before the case (or cycle) began, not in the
future, and not once the case is closed or the plan has ended. A change of caseworker has the
same shape, rule and effect in every process (its ``apply_to`` is here); an exception to a time
limit, and advice received, have the same fields in every process (each checks and keeps them
its own way). Every process's ``apply`` records an event the same way (``recorded``).

Each event's own rule (``check``) and its effect (``apply_to``) are methods of its class in
``statutory.assessment`` and ``statutory.review``, on the state each process keeps (the
assessment's case, the review's cycle). Field docstrings are the fields' descriptions: the
API documents them, and ``ehc ... record --help`` is made from them.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Literal, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from statutory import bounds
from statutory import exceptions as exc
from statutory.dates import as_written
from statutory.errors import RuleViolation
from statutory.identifiers import StaffId, TeamId


class Event(BaseModel):
    """Something that happened to a case, on a day."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    title: ClassVar[str]
    """What a person calls this kind of event ("Final plan issued"): a form's heading, a
    timeline's line, the name a refusal gives it."""

    on: bounds.CaseDay
    """The day it happened."""

    def check(self, state: Any, today: date) -> None:
        """Raise ``RuleViolation`` if this cannot happen to ``state`` (the process's case or
        cycle) as it stands ``today``.

        Called by the process's ``check`` once the checks every event passes have passed;
        changes nothing.
        """
        raise NotImplementedError

    def apply_to(self, state: Any) -> None:
        """Record this on ``state``: the copy the process's ``apply`` makes, never one in use."""
        raise NotImplementedError


class Kept(Protocol):
    """The state a process keeps (the assessment's case, the review's cycle), with the
    timeline of what was recorded on it."""

    timeline: list[Any]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (``pydantic.BaseModel.model_copy``)."""
        ...


K = TypeVar("K", bound=Kept)


def recorded(state: K, event: Event, entry: Any) -> K:
    """A copy of ``state`` with ``event`` applied and ``entry`` (the event as the timeline
    keeps it) at the end of its timeline; ``state`` itself never changes. The process's
    ``apply`` checks the event first."""
    new = state.model_copy(deep=True)
    event.apply_to(new)
    new.timeline.append(entry)
    return new


def by_type(events: Any) -> dict[str, type[Event]]:
    """The event classes of a process, by their ``type``, in the order its union of events
    (``Annotated[A | B | ..., Field(discriminator="type")]``) names them."""
    classes: tuple[type[Event], ...] = typing.get_args(typing.get_args(events)[0])
    return {cls.model_fields["type"].default: cls for cls in classes}


# --- checks every event passes, and the pieces of each event's own rule ----------------------


def require(condition: bool, message: str) -> None:
    if not condition:
        raise RuleViolation(message)


def not_before(day: date, earlier: date | None, what: str) -> None:
    if earlier is not None and day < earlier:
        raise RuleViolation(f"the date {as_written(day)} is before {what} ({as_written(earlier)})")


def not_in_future(day: date, today: date) -> None:
    """Nothing is recorded before it happens."""
    require(
        day <= today, f"the date {as_written(day)} is in the future (today is {as_written(today)})"
    )


def still_open(ended: bool, how: str) -> None:
    """A closed case (or an ended plan) takes no more events; ``how`` says how it ended."""
    require(not ended, f"{how}; nothing more can be recorded")


S = TypeVar("S", bound=StrEnum)


def at_stage(
    current: S, allowed: tuple[S, ...], event: Event, holder: str, words: Mapping[S, str]
) -> None:
    """The event belongs to one of the ``allowed`` stages of the case (``holder``: "case",
    "review"); the refusal names the event and the stages in ``words``, as people say them."""
    if current not in allowed:
        stages = [words[s] for s in allowed]
        either = ", ".join(stages[:-1]) + " or " + stages[-1] if len(stages) > 1 else stages[0]
        raise RuleViolation(
            f"{event.title} can only be recorded when the {holder}'s stage is {either}; "
            f"this {holder}'s stage is {words[current]}"
        )


# --- a change of caseworker -----------------------------------------------------------------


class Held(Protocol):
    """A case, or a plan's review cycle: who has it."""

    caseworker: str
    team: str


class CaseworkerReassigned(Event):
    """The case moves to another caseworker (and perhaps another team)."""

    title = "Case moved to another caseworker"
    type: Literal["caseworker-reassigned"] = "caseworker-reassigned"
    caseworker: StaffId
    """The new caseworker's staff id (not a name)."""
    team: TeamId | None = None
    """The new team, if it changes too."""

    def check_moves(self, held: Held, what: str) -> None:
        """A reassignment changes who has ``what`` ("the case", "the plan")."""
        require(
            (self.caseworker, self.team or held.team) != (held.caseworker, held.team),
            f"{what} is already with {self.caseworker} in team {held.team}",
        )

    def apply_to(self, held: Held) -> None:
        """The same in every process: the new caseworker has it (in the new team, if any)."""
        held.caseworker = self.caseworker
        held.team = self.team or held.team


# --- an exception to a time limit -----------------------------------------------------------


class ExceptionRecorded(Event):
    """An exception to the process's limits; ``start``..``end`` its period. Each process's
    subclass checks it against the exceptions its regulations allow, and keeps it."""

    title = "Exception to a time limit"
    type: Literal["exception"] = "exception"
    reason: exc.Reason
    """The exception that applies (each process's regulation lists its own)."""
    start: bounds.CaseDay
    """The first day it applies."""
    end: bounds.CaseDay
    """The last day it applies."""
    note: str = Field(default="", max_length=500)
    """What happened, in a few words (no names)."""

    @model_validator(mode="after")
    def _ends_within_reach(self) -> Self:
        bounds.check_ahead(self.end, self.on, "the exception's last day")
        return self


# --- advice received ---------------------------------------------------------------------------


class AdviceReceived(Event):
    """Advice came back: which request for advice it answers. Each process's subclass finds
    the request in what it keeps, and records it received."""

    title = "Advice received"
    type: Literal["advice-received"] = "advice-received"
    advice_id: int = Field(ge=1, le=bounds.MAX_NUMBER)
    """The number of the request for advice (1 for the first)."""
