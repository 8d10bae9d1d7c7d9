"""A case rebuilt from its dated history by the rules themselves, and audited as of a day.

A history is what a caseworker, a parent or an auditor can write down: the request (or the
plan's review cycle) and what happened on which day. The case is rebuilt the way the live
system builds it, with ``open_case`` (or ``first_cycle``) and ``apply``, which runs ``check``:
events in date order, and events of one day in the order the law sets them (the decision
before the requests for advice, advice before the draft, the draft before the final plan). A
history the live system would refuse is refused here, with the event it stopped at; each
step's status then comes from the status truth table (``statutory.steps``).

Two builds:

- ``audit_assessment`` / ``audit_review``: strict, as of a day. Every event is on or before
  it, and the history holds everything the rules need (a decision before the advice it
  leads to, a decision's kind).
- ``plan_assessment`` / ``plan_review``: a partial history, for its dates only. "Today" is its
  latest date, and what it leaves out is filled in the most permissive lawful way (see each
  function), so it is refused only if no complete history could be lawful. Nothing is rated.

Some facts have no day of their own in a history (an exception known only by its period, a
request for advice set aside): ``Undated`` events are recorded at the end of the history, just
before the case closes (else on the audit day). Their day changes no date or status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import pairwise
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from statutory import assessment as rules
from statutory import exceptions as exc
from statutory import review as rv
from statutory.dates import as_written
from statutory.errors import RuleViolation
from statutory.steps import StepStatus

#: An event known without its day: made once the day it is recorded on is chosen.
Undated = Callable[[date], rules.AssessmentEvent]


class HistoryRefused(RuleViolation):
    """The rules refuse an event of the history (or, ``source`` None, the request itself).

    ``source`` is the caller's own object for that event (the event, or its ``Undated``
    maker), so that the caller can say which of its inputs is at fault. ``dated_after`` are
    the sources of events the law puts before it but the history dates after it: the likely
    reason for a refusal such as "only at the awaiting-decision stage".
    """

    def __init__(
        self,
        source: object | None,
        violation: RuleViolation,
        dated_after: Sequence[object] = (),
    ) -> None:
        super().__init__(str(violation))
        self.source = source
        self.dated_after = tuple(dated_after)


def _at(day: date) -> datetime:
    """When an event of a written history counts as recorded: midday on its day."""
    return datetime.combine(day, time(12), UTC)


class _Dated(Protocol):
    @property
    def on(self) -> date: ...


D = TypeVar("D", bound=_Dated)


@dataclass(frozen=True, slots=True)
class _Step(Generic[D]):
    """One event to apply: the caller's object it came from, and its rank within its day."""

    source: object | None
    event: D
    rank: float


def _in_order(steps: Sequence[_Step[D]]) -> list[_Step[D]]:
    """Date order; within a day, the law's order; otherwise the order given (a stable sort)."""
    return sorted(steps, key=lambda s: (s.event.on, s.rank))


def _refused(ordered: list[_Step[D]], at: int, error: RuleViolation) -> HistoryRefused:
    step = ordered[at]
    dated_after = [
        s.source
        for s in ordered[at + 1 :]
        if s.rank < step.rank and s.event.on > step.event.on and s.source is not None
    ]
    return HistoryRefused(step.source, error, dated_after)


# --- the assessment ---------------------------------------------------------------------

#: Events of one day, in the order the law sets them (reg 4-13). Exceptions come after the
#: requests for advice (one may name a request, and a closure counts only if educational
#: advice was asked for in its window, reg 5(4)(a)); events that close the case come last.
_ASSESSMENT_RANK: dict[str, int] = {
    "decided-to-assess": 0,
    "decided-not-to-assess": 0,
    "caseworker-reassigned": 0,
    "advice-requested": 1,
    "exception": 2,
    "advice-received": 3,
    "advice-not-needed": 3,
    "draft-served": 4,
    "setting-consulted": 5,
    "setting-replied": 6,
    "decided-not-to-issue": 8,
    "final-issued": 8,
    "withdrawn": 8,
}
_UNDATED_RANK = 7  # after the day's other events, before the case closes
_CLOSING = (
    rules.DecidedNotToAssess,
    rules.DecidedNotToIssue,
    rules.FinalPlanIssued,
    rules.Withdrawn,
)
#: Events that only an assessment (a decision to assess) can lead to.
_NEED_DECISION = (
    rules.AdviceRequested,
    rules.AdviceReceived,
    rules.AdviceNotNeeded,
    rules.DecidedNotToIssue,
    rules.DraftServed,
    rules.SettingConsulted,
    rules.SettingReplied,
    rules.FinalPlanIssued,
)


@dataclass(frozen=True, slots=True)
class AssessmentAudit:
    """A history audited as of a day: the case the rules built, its steps, its outcome."""

    case: rules.AssessmentCase
    as_of: date
    steps: list[StepStatus]
    outcome: rules.AssessmentOutcome | None
    """None while the case is open."""


def audit_assessment(
    request: rules.AssessmentRequest,
    events: Sequence[rules.AssessmentEvent],
    as_of: date,
    *,
    undated: Sequence[Undated] = (),
) -> AssessmentAudit:
    """Rebuild the case from ``events`` through the rules and rate its steps as of ``as_of``.

    Requests for advice are numbered 1, 2, ... in the order given, as the rules number them
    in the order recorded: so they must be given in date order. Raises ``HistoryRefused``.
    """
    _advice_in_date_order(events)
    case = _build_assessment(request, [(e, e) for e in events], [(m, m) for m in undated], as_of)
    return AssessmentAudit(
        case=case,
        as_of=as_of,
        steps=rules.steps(case, as_of),
        outcome=rules.outcome(case) if case.closed else None,
    )


def plan_assessment(
    request: rules.AssessmentRequest,
    events: Sequence[rules.AssessmentEvent],
    *,
    undated: Sequence[Undated] = (),
) -> rules.AssessmentCase:
    """Check a partial history: refused only if no complete, lawful history contains it.

    Filled in: the decision to assess, if the history goes past it without one, on the day
    of the request (no date depends on it, and no later day would allow more); and a
    missed-appointment exception (reg 8(2)(c)) that names no request is taken as naming the
    first. "Today" is the latest date of the history. Raises ``HistoryRefused``.
    """
    if any(getattr(e, "advice_id", None) is not None for e in events):
        _advice_in_date_order(events)  # a number given must mean what the rules will number
    has_advice = any(isinstance(e, rules.AdviceRequested) for e in events)
    pairs: list[tuple[object | None, rules.AssessmentEvent]] = [
        (e, _name_a_request(e, has_advice)) for e in events
    ]
    decided = any(isinstance(e, rules.DecidedToAssess | rules.DecidedNotToAssess) for e in events)
    if not decided and any(isinstance(e, _NEED_DECISION) for e in events):
        pairs.insert(0, (None, rules.DecidedToAssess(on=request.received)))
    latest = max(
        [request.received]
        + [e.on for e in events]
        + [d for e in events if isinstance(e, rules.AdviceRequested) and (d := e.adviser_received)]
    )
    late = [(make, _naming(make, has_advice)) for make in undated]
    return _build_assessment(request, pairs, late, latest)


def _name_a_request(event: rules.AssessmentEvent, has_advice: bool) -> rules.AssessmentEvent:
    if (
        isinstance(event, rules.ExceptionRecorded)
        and event.reason is exc.Reason.MISSED_APPOINTMENT
        and event.advice_id is None
        and has_advice
    ):
        return event.model_copy(update={"advice_id": 1})
    return event


def _naming(make: Undated, has_advice: bool) -> Undated:
    return lambda on: _name_a_request(make(on), has_advice)


def _advice_in_date_order(events: Sequence[rules.AssessmentEvent]) -> None:
    requests = [e for e in events if isinstance(e, rules.AdviceRequested)]
    for earlier, later in pairwise(requests):
        if later.on < earlier.on:
            raise HistoryRefused(
                later,
                RuleViolation(
                    "requests for advice are numbered in the order given, so give them in "
                    f"date order ({as_written(later.on)} is given after {as_written(earlier.on)})"
                ),
            )


def _build_assessment(
    request: rules.AssessmentRequest,
    pairs: Sequence[tuple[object | None, rules.AssessmentEvent]],
    undated: Sequence[tuple[object, Undated]],
    today: date,
) -> rules.AssessmentCase:
    """Apply the history through the rules: ``pairs`` of (source, event), and ``undated``
    (source, maker) pairs."""
    try:
        case = rules.open_case(request, today)
    except RuleViolation as error:
        raise HistoryRefused(None, error) from error
    # Undated facts are recorded on the day the case closes (just before), else on ``today``.
    closing = [e for _, e in pairs if isinstance(e, _CLOSING)]
    end = min((e.on for e in closing), default=today)
    first_to_close = min((_ASSESSMENT_RANK[e.type] for e in closing if e.on == end), default=9)
    late = min(_UNDATED_RANK, first_to_close - 0.5)
    steps = [_Step(source, e, _ASSESSMENT_RANK[e.type]) for source, e in pairs]
    for source, make in undated:
        try:
            steps.append(_Step(source, make(end), late))
        except ValidationError as error:  # e.g. a period out of bounds (statutory.bounds)
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise HistoryRefused(source, RuleViolation(message)) from error
    ordered = _in_order(steps)
    for at, step in enumerate(ordered):
        try:
            case = rules.apply(case, step.event, today, _at(step.event.on))
        except RuleViolation as error:
            raise _refused(ordered, at, error) from error
    return case


# --- the annual review ------------------------------------------------------------------


class UnknownDecision(BaseModel):
    """A decision notified on ``on`` whose kind (maintain, amend, cease) the history omits."""

    model_config = ConfigDict(frozen=True)

    on: date
    type: str = "decision"


ReviewHistoryEvent = rv.ReviewEvent | UnknownDecision

#: Events of one day in the order the law sets them (regs 18-22).
_REVIEW_RANK: dict[str, int] = {
    "transfer-set": 0,
    "caseworker-reassigned": 0,
    "meeting-scheduled": 1,
    "advice-requested": 2,
    "invitations-sent": 3,
    "advice-circulated": 3,
    "advice-received": 3,
    "meeting-held": 4,
    "report-sent": 5,
    "decision": 6,
    "amendment-notice-sent": 7,
    "final-amended-issued": 8,
    "mediation-wanted": 9,
    "mediation-certificate": 10,
    "appeal-lodged": 11,
    "appeal-concluded": 12,
    "transferred-out": 13,
}


@dataclass(frozen=True, slots=True)
class ReviewAudit:
    """A review cycle's history audited as of a day."""

    cycle: rv.ReviewCycle
    as_of: date
    steps: list[StepStatus]
    outcome: rv.ReviewOutcome | None
    """None while the cycle is open (no decision yet, amending, or ceasing)."""


def audit_review(
    start: rv.ReviewCycle, events: Sequence[ReviewHistoryEvent], as_of: date
) -> ReviewAudit:
    """Rebuild a review cycle from ``events`` through the rules, rated as of ``as_of``.

    A decision to cease ends the plan once its appeal window has passed without an appeal
    (CFA s45), as live. Raises ``HistoryRefused``.
    """
    cycle = _build_review(start, [(e, e) for e in events], as_of)
    done = cycle.stage in (rv.Stage.CONCLUDED, rv.Stage.ENDED)
    return ReviewAudit(
        cycle=cycle,
        as_of=as_of,
        steps=rv.steps(cycle, as_of),
        outcome=rv.outcome(cycle) if done else None,
    )


def plan_review(start: rv.ReviewCycle, events: Sequence[ReviewHistoryEvent]) -> rv.ReviewCycle:
    """Check a partial history: refused only if no complete, lawful history contains it.

    Filled in: a decision's missing kind, as the only one its sequel allows (amend before an
    amendment notice or an amended plan, cease before mediation or an appeal, else maintain);
    and a decision with no meeting held before it gets one on its own day, the latest the
    meeting can have been (reg 20(10)). "Today" is the latest date of the history. Raises
    ``HistoryRefused``.
    """
    types = {e.type for e in events}
    if types & {"amendment-notice-sent", "final-amended-issued"}:
        kind = rv.Decision.AMEND
    elif types & {"mediation-wanted", "mediation-certificate", "appeal-lodged", "appeal-concluded"}:
        kind = rv.Decision.CEASE
    else:
        kind = rv.Decision.MAINTAIN
    pairs: list[tuple[object | None, ReviewHistoryEvent]] = [
        (e, rv.DecisionNotified(on=e.on, decision=kind) if isinstance(e, UnknownDecision) else e)
        for e in events
    ]
    decision = next((e for e in events if e.type == "decision"), None)
    if decision is not None and "meeting-held" not in types:
        pairs.append((decision, rv.MeetingHeld(on=decision.on)))
    latest = max(
        [start.anchor]
        + [e.on for e in events]
        + [e.meeting_date for e in events if isinstance(e, rv.MeetingScheduled)]
    )
    return _build_review(start, pairs, latest)


def _build_review(
    start: rv.ReviewCycle,
    pairs: Sequence[tuple[object | None, ReviewHistoryEvent]],
    today: date,
) -> rv.ReviewCycle:
    cycle = start
    ordered = _in_order([_Step(source, e, _REVIEW_RANK[e.type]) for source, e in pairs])
    for at, step in enumerate(ordered):
        event = step.event
        if isinstance(event, UnknownDecision):
            raise HistoryRefused(
                step.source,
                RuleViolation("say which decision it was: maintain, amend or cease (reg 20(10))"),
            )
        cycle = rv.expire(cycle, event.on)  # a plan ceases when its appeal window closes
        try:
            cycle = rv.apply(cycle, event, today, _at(event.on))
        except RuleViolation as error:
            raise _refused(ordered, at, error) from error
    return rv.expire(cycle, today)
