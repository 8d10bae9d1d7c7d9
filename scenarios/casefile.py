"""A simulated assessment, and the same case as the rules core sees it.

The engine keeps each open case as a small slotted object for speed, with the few dates it
reads (``statutory.assessment.assessment_dates``, computed once a day where no exception
applies). A plan issued is counted "within 20 weeks" by ``issued_in_time``, from those dates:
the same answer as ``outcome``, which hands the case to ``statutory.assessment.outcome`` as an
``AssessmentCase`` as the live engine's ledger does (tests/simulation/test_fixed_seed.py holds
the two equal case by case). ``event_log`` gives the caseworker
events that would produce the case (what the faithful engine replays, and what the tests feed
through ``statutory.assessment.apply`` to prove every simulated case is one the rules allow).

Case references are synthetic (``SIM-000001``); no names anywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from statutory import alerts, bounds
from statutory import assessment as rules
from statutory import exceptions as exc
from statutory.alerts import SentAlert
from statutory.dates import weeks_after

PSYCHOLOGY_PROVIDER = "Educational Psychology Service"
OTHER_PROVIDER = "Setting, health and social care"
CASEWORKER = "sim"
TEAM = "sim"


def _dates(
    received: date, advice_requested: date | None, spans: tuple[rules.ExceptionSpan, ...]
) -> rules.AssessmentDates:
    """``statutory.assessment.assessment_dates`` of a case whose two advice requests (reg 6(1):
    psychology, and the rest) went out on the day of the decision to assess."""
    advice = (advice_requested, advice_requested) if advice_requested else ()
    return rules.assessment_dates(received, advice_received_by_adviser=advice, exceptions=spans)


# A run dates a million steps. The dates without exceptions depend on one day: they are
# computed once a day. An exception's pause is added as ``assessment_dates`` adds it (its
# ``limit``): ``exc.operational_target`` from the due date over the periods that lift that limit.


@lru_cache(maxsize=4096)
def _due_dates(received: date) -> tuple[date, date]:
    """The days the decision to assess and the final plan are due (``assessment_dates``)."""
    dates = rules.assessment_dates(received)
    return dates.decide_to_assess.due, dates.final_plan.due


@lru_cache(maxsize=4096)
def _advice_due(requested: date) -> date:
    """The day a request for advice is due: 6 weeks (reg 8(1))."""
    bounds.check_day(requested, "the day an adviser received the request")
    return weeks_after(requested, rules.ADVICE_WEEKS)


#: Days as ordinals: the first day of a span, then the day it ends (excluded), then the first
#: day of the next span...; a last span with no end runs on.
Days = tuple[int, ...]

# Internal stages, in order.
DECISION, ADVICE, DRAFTING, FINALISING, CLOSED = range(5)

#: Exceptions found when the educational advice is requested (reg 5(4)(a)-(b)): they lift the
#: LA's limits but pause no work (``SimCase.add_closure``).
CLOSURES = frozenset({exc.Reason.SCHOOL_CLOSURE, exc.Reason.EARLY_YEARS_CLOSURE})


class Fate(NamedTuple):
    """What a request will turn out to be, whatever the council does, drawn when it arrives
    so that options compared meet the same requests (common random numbers): whether it is
    agreed for assessment and ends with a plan, and the lead times of its steps (the
    council's capacity only decides when each step's turn comes)."""

    assessed: bool
    issued: bool
    psychology: timedelta
    """From the request for psychology advice to when the psychologist can see the child."""
    other_advice: timedelta
    drafting: timedelta
    finalising: timedelta
    missed: int
    """Days a missed psychology appointment delays the advice (0: none missed, reg 8(2)(c))."""


class SimCase:
    """One simulated EHC needs assessment."""

    __slots__ = (
        "advice_targets",
        "closed_on",
        "counted",
        "decide_target",
        "decided",
        "draft",
        "ending",
        "ep_done",
        "ep_ready",
        "fate",
        "final_due",
        "final_target",
        "id",
        "oldest",
        "other_done",
        "pauses",
        "ready",
        "received",
        "spans",
        "stage",
    )

    def __init__(
        self,
        case_id: int,
        received: date,
        spans: tuple[rules.ExceptionSpan, ...],
    ) -> None:
        self.id = case_id
        self.received = received
        self.spans = spans
        self.pauses = (
            tuple(s.period for s in spans if s.lifts_la_step() and s.reason not in CLOSURES)
            if spans
            else ()
        )
        """Periods the case's work waits for (the child or the family not available)."""
        self.decide_target, self.final_target = _due_dates(received)
        self.final_due = self.final_target
        if spans:  # reg 5(4), 13(3): the LA's targets move on by each exception lifting them
            self._move_targets()
        self.advice_targets: tuple[date, date] | None = None
        self.stage = DECISION
        self.ready = received
        self.decided: date | None = None
        self.ep_ready: date | None = None
        self.ep_done: date | None = None
        self.other_done: date | None = None
        self.draft: date | None = None
        self.closed_on: date | None = None
        self.ending: rules.Ending | None = None
        self.counted: Days = ()  # the overdue days the engine's weekly count has for it
        self.oldest = 0  # the engine's order under oldest-first
        self.fate: Fate | None = None
        """What the case will be, drawn when it arrives (the engine's: ``Fate``)."""

    @property
    def dates(self) -> rules.AssessmentDates:
        """``statutory.assessment.assessment_dates`` of the case as it stands (the engine keeps
        the few it reads: ``decide_target``, ``final_due``, ``final_target``,
        ``advice_targets``)."""
        return _dates(self.received, self.decided, self.spans)

    @property
    def ref(self) -> str:
        return f"SIM-{self.id:06d}"

    def _move_targets(self) -> None:
        """The decision's and the final plan's targets, moved on by the exceptions that lift
        the LA's limits, as ``assessment_dates`` moves them."""
        lifting = [s.period for s in self.spans if s.lifts_la_step()]
        decide_due, final_due = _due_dates(self.received)
        self.decide_target = exc.operational_target(decide_due, self.received, lifting)
        self.final_target = exc.operational_target(final_due, self.received, lifting)

    def add_closure(self, span: rules.ExceptionSpan) -> None:
        """A school or early-years closure (reg 5(4)(a)-(b), 10(4)(a)-(b), 13(3)(a)-(b)),
        found when the educational advice is requested: it lifts the LA's limits, so their
        targets move on by it, but pauses no work. It does not lift an adviser's limit (reg
        8(2) has no closure), and the setting's late reply is the engine's to date."""
        assert span.reason in CLOSURES
        self.spans += (span,)
        self._move_targets()

    def request_advice(self, on: date) -> None:
        """Psychology and other advice requested on the day of the decision to assess."""
        self.decided = on
        due = _advice_due(on)
        if not self.spans:
            self.advice_targets = (due, due)
            return
        # reg 8(2): each request's target moves on by the exceptions that lift it (ids 1, 2)
        psychology, other = (
            exc.operational_target(due, on, [s.period for s in self.spans if s.lifts_advice(i)])
            for i in (1, 2)
        )
        self.advice_targets = (psychology, other)

    def paused_until(self, day: date) -> date | None:
        """Last day of an exception (reg 5(4), 10(4), 13(3)) running on ``day``, if any."""
        for p in self.pauses:
            if p.start <= day <= p.end:
                return p.end
        return None

    def next_target(self, as_of: date) -> date:
        """The earliest operational target among the case's open statutory steps."""
        if self.stage == DECISION:
            return self.decide_target
        target = self.final_target
        if self.stage == ADVICE and self.advice_targets is not None:
            if self.ep_done is None:
                target = min(target, self.advice_targets[0])
            if self.other_done is None or self.other_done > as_of:
                target = min(target, self.advice_targets[1])
        return target

    def overdue_days(self) -> Days:
        """The days ``as_of`` on which the case, as it stands, is overdue: an open case whose
        final plan's target or ``next_target(as_of)`` is before ``as_of``."""
        if self.stage == CLOSED:
            return ()
        first = self.final_target
        if self.stage == DECISION:
            first = min(first, self.decide_target)
        elif self.stage == ADVICE and self.advice_targets is not None:
            if self.ep_done is None:
                first = min(first, self.advice_targets[0])
            other = self.advice_targets[1]
            if self.other_done is None:
                first = min(first, other)
            elif other < first and self.other_done > other + timedelta(days=1):
                # the other advice's target counts only until that advice is in
                if self.other_done > first:
                    first = other
                else:
                    return (
                        other.toordinal() + 1,
                        self.other_done.toordinal(),
                        first.toordinal() + 1,
                    )
        return (first.toordinal() + 1,)

    def recorded_spans(self) -> list[rules.ExceptionSpan]:
        """Exceptions that began while the case was open (a later one was never recorded)."""
        end = self.closed_on or date.max
        return [s for s in self.spans if s.period.start <= end]

    def recorded_on(self, span: rules.ExceptionSpan) -> date:
        """The day an exception is recorded: the day it begins, or the request's day if it
        began before. A closure counts only for educational advice requested in its window
        (``statutory.exceptions.check_closure_covers_request``): it is recorded no earlier
        than the day that advice was requested."""
        if span.reason in CLOSURES and self.decided is not None:
            return max(span.period.start, self.decided)
        return max(span.period.start, self.received)


def as_rules_case(case: SimCase) -> rules.AssessmentCase:
    """The closed case in the rules core's own model (built without re-validation, for speed)."""
    request = rules.AssessmentRequest.model_construct(
        case_ref=case.ref, received=case.received, caseworker=CASEWORKER, team=TEAM
    )
    advice: list[rules.AdviceRequest] = []
    if case.decided is not None:
        # Both requests go out, and reach their advisers, the day the LA decides to assess.
        ep_done, other_done = advice_received(case)
        asked = [
            (rules.AdviceType.PSYCHOLOGICAL, PSYCHOLOGY_PROVIDER, ep_done),
            (rules.AdviceType.EDUCATIONAL, OTHER_PROVIDER, other_done),
        ]
        advice = [
            rules.AdviceRequest.model_construct(
                id=i,
                advice_type=kind,
                provider=provider,
                requested_on=case.decided,
                adviser_received=case.decided,
                received_on=received_on,
            )
            for i, (kind, provider, received_on) in enumerate(asked, start=1)
        ]
    recorded = [
        rules.RecordedException.model_construct(
            id=i,
            reason=s.reason,
            start=s.period.start,
            end=s.period.end,
            note="",
            advice_id=s.advice_id,
            recorded_on=case.recorded_on(s),
        )
        for i, s in enumerate(case.recorded_spans(), start=1)
    ]
    ending = case.ending
    closed = case.closed_on
    return rules.AssessmentCase.model_construct(
        request=request,
        caseworker=CASEWORKER,
        team=TEAM,
        stage=rules.Stage.CLOSED if ending else _OPEN_STAGE[case.stage],
        ending=ending,
        decided_to_assess_on=case.decided,
        decided_not_to_assess_on=closed if ending is rules.Ending.NOT_ASSESSED else None,
        decided_not_to_issue_on=closed if ending is rules.Ending.NOT_ISSUED else None,
        draft_served_on=case.draft,
        final_issued_on=closed if ending is rules.Ending.PLAN_ISSUED else None,
        withdrawn_on=closed if ending is rules.Ending.WITHDRAWN else None,
        advice=advice,
        consultations=[],
        exceptions=recorded,
        timeline=[],
    )


_OPEN_STAGE = {
    DECISION: rules.Stage.DECISION,
    ADVICE: rules.Stage.ASSESSMENT,
    DRAFTING: rules.Stage.ASSESSMENT,
    FINALISING: rules.Stage.DRAFT,
}


def outcome(case: SimCase) -> rules.AssessmentOutcome:
    """The statutory outcome of a closed simulated case (``statutory.assessment.outcome``)."""
    return rules.outcome(as_rules_case(case))


def issued_in_time(case: SimCase) -> tuple[bool, bool | None]:
    """``within_20_weeks`` and ``within_20_weeks_excluding_exceptions`` of the outcome of a case
    closed with a plan, as ``outcome`` gives them, from the case's own dates: the final plan is
    due 20 weeks from the request (reg 13(2)) and an exception recorded while the case was open
    that moves its operational target (reg 13(3)) leaves it out of the second figure. The
    engine counts every plan with this; a test holds it equal to ``outcome`` case by case."""
    closed = case.closed_on
    assert closed is not None
    within = closed <= case.final_due
    if case.final_target == case.final_due:  # no exception moves it: nor do those recorded
        return within, within
    lifting = [s.period for s in case.spans if s.period.start <= closed and s.lifts_la_step()]
    if lifting and exc.operational_target(case.final_due, case.received, lifting) != case.final_due:
        return within, None
    return within, within


def advice_received(case: SimCase) -> tuple[date | None, date | None]:
    """The days the psychology advice and the other advice were received, as recorded: the
    other advice is recorded with the psychology advice (before it, its day is only planned),
    or, for a withdrawn case, if it came in by the withdrawal (none is received after)."""
    if case.ending is rules.Ending.WITHDRAWN:
        closed, other = case.closed_on, case.other_done
        assert closed is not None
        return case.ep_done, other if other is not None and other <= closed else None
    return case.ep_done, case.other_done if case.ep_done is not None else None


def event_log(case: SimCase) -> list[rules.AssessmentEvent]:
    """The caseworker events of the case, in the order they would be recorded."""
    ranked: list[tuple[date, int, rules.AssessmentEvent]] = []
    if case.decided is not None:
        ranked += [
            (case.decided, 0, rules.DecidedToAssess(on=case.decided)),
            (
                case.decided,
                1,
                rules.AdviceRequested(
                    on=case.decided,
                    advice_type=rules.AdviceType.PSYCHOLOGICAL,
                    provider=PSYCHOLOGY_PROVIDER,
                ),
            ),
            (
                case.decided,
                2,
                rules.AdviceRequested(
                    on=case.decided,
                    advice_type=rules.AdviceType.EDUCATIONAL,
                    provider=OTHER_PROVIDER,
                ),
            ),
        ]
        ep_done, other_done = advice_received(case)
        for advice_id, received in ((1, ep_done), (2, other_done)):
            if received is not None:
                ranked.append((received, 4, rules.AdviceReceived(on=received, advice_id=advice_id)))
    for s in case.recorded_spans():
        on = case.recorded_on(s)
        # after the advice requests of its day: an advice exception names its request; a
        # closure needs the educational advice requested
        rank = 3 if s.advice_id is not None or s.reason in CLOSURES else 0
        event = rules.ExceptionRecorded(
            on=on, reason=s.reason, start=s.period.start, end=s.period.end, advice_id=s.advice_id
        )
        ranked.append((on, rank, event))
    if case.draft is not None:
        ranked.append((case.draft, 5, rules.DraftServed(on=case.draft)))
    closed = case.closed_on
    if closed is not None:
        match case.ending:
            case rules.Ending.NOT_ASSESSED:
                ranked.append((closed, 1, rules.DecidedNotToAssess(on=closed)))
            case rules.Ending.NOT_ISSUED:
                ranked.append((closed, 6, rules.DecidedNotToIssue(on=closed)))
            case rules.Ending.PLAN_ISSUED:
                ranked.append((closed, 6, rules.FinalPlanIssued(on=closed)))
            case rules.Ending.WITHDRAWN:  # last of its day: whatever else happened that day
                ranked.append((closed, 7, rules.Withdrawn(on=closed)))
            case _:
                pass
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [event for _, _, event in ranked]


def request_of(case: SimCase) -> rules.AssessmentRequest:
    return rules.AssessmentRequest(
        case_ref=case.ref, received=case.received, caseworker=CASEWORKER, team=TEAM
    )


def expected_alerts(case: SimCase) -> list[SentAlert]:
    """The reminders and escalations the live workflows send for ``case`` (the one planner,
    ``statutory.alerts``, walked over the case's days)."""
    return alerts.expected_alerts(request_of(case), event_log(case))


def replay(case: SimCase) -> rules.AssessmentCase:
    """Rebuild the case through ``statutory.assessment.apply``, event by event, as live."""
    request = request_of(case)
    state = rules.open_case(request, case.received)
    for event in event_log(case):
        state = rules.apply(state, event, event.on, datetime.combine(event.on, time(), UTC))
    return state
