"""A simulated assessment, and the same case as the rules core sees it.

The engine keeps each open case as a small slotted object for speed. When a case closes, it is
handed to ``statutory.assessment.outcome`` as an ``AssessmentCase``, so the simulator counts
"within 20 weeks" exactly as the live engine's ledger does. ``event_log`` gives the caseworker
events that would produce the case (what the faithful engine replays, and what the tests feed
through ``statutory.assessment.apply`` to prove every simulated case is one the rules allow).

Case references are synthetic (``SIM-000001``); no names anywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache

from statutory import alerts
from statutory import assessment as rules
from statutory.alerts import SentAlert

PSYCHOLOGY_PROVIDER = "Educational Psychology Service"
OTHER_PROVIDER = "Setting, health and social care"
CASEWORKER = "sim"
TEAM = "sim"


@lru_cache(maxsize=65_536)
def _plain_dates(received: date, advice_requested: date | None) -> rules.AssessmentDates:
    advice = (advice_requested, advice_requested) if advice_requested else ()
    return rules.assessment_dates(received, advice_received_by_adviser=advice)


def _dates(
    received: date, advice_requested: date | None, spans: tuple[rules.ExceptionSpan, ...]
) -> rules.AssessmentDates:
    """``statutory.assessment.assessment_dates`` of a case whose two advice requests (reg 6(1):
    psychology, and the rest) went out on the day of the decision to assess. Most cases have no
    exception, and their dates depend on two days only: those are computed once and shared
    (the result is immutable)."""
    if not spans:
        return _plain_dates(received, advice_requested)
    advice = (advice_requested, advice_requested) if advice_requested else ()
    return rules.assessment_dates(received, advice_received_by_adviser=advice, exceptions=spans)


# Internal stages, in order.
DECISION, ADVICE, DRAFTING, FINALISING, CLOSED = range(5)


class SimCase:
    """One simulated EHC needs assessment."""

    __slots__ = (
        "advice_targets",
        "closed_on",
        "dates",
        "decided",
        "draft",
        "ending",
        "ep_done",
        "ep_ready",
        "final_due",
        "final_target",
        "id",
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
        self.pauses = tuple(s.period for s in spans if s.lifts_la_step())
        self.dates = _dates(received, None, spans)
        self.final_due = self.dates.final_plan.due
        self.final_target = self.dates.final_plan.target
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

    @property
    def ref(self) -> str:
        return f"SIM-{self.id:06d}"

    def request_advice(self, on: date) -> None:
        """Psychology and other advice requested on the day of the decision to assess."""
        self.decided = on
        self.dates = _dates(self.received, on, self.spans)
        self.advice_targets = (self.dates.advice[0].target, self.dates.advice[1].target)

    def paused_until(self, day: date) -> date | None:
        """Last day of an exception (reg 5(4), 10(4), 13(3)) running on ``day``, if any."""
        for p in self.pauses:
            if p.start <= day <= p.end:
                return p.end
        return None

    def next_target(self, as_of: date) -> date:
        """The earliest operational target among the case's open statutory steps."""
        if self.stage == DECISION:
            return self.dates.decide_to_assess.target
        target = self.final_target
        if self.stage == ADVICE and self.advice_targets is not None:
            if self.ep_done is None:
                target = min(target, self.advice_targets[0])
            if self.other_done is None or self.other_done > as_of:
                target = min(target, self.advice_targets[1])
        return target

    def recorded_spans(self) -> list[rules.ExceptionSpan]:
        """Exceptions that began while the case was open (a later one was never recorded)."""
        end = self.closed_on or date.max
        return [s for s in self.spans if s.period.start <= end]


def as_rules_case(case: SimCase) -> rules.AssessmentCase:
    """The closed case in the rules core's own model (built without re-validation, for speed)."""
    request = rules.AssessmentRequest.model_construct(
        case_ref=case.ref, received=case.received, caseworker=CASEWORKER, team=TEAM
    )
    advice: list[rules.AdviceRequest] = []
    if case.decided is not None:
        # Both requests go out, and reach their advisers, the day the LA decides to assess.
        other_done = case.other_done if case.ep_done is not None else None
        asked = [
            (rules.AdviceType.PSYCHOLOGICAL, PSYCHOLOGY_PROVIDER, case.ep_done),
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
            recorded_on=max(s.period.start, case.received),
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
        withdrawn_on=None,
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
        if case.ep_done is not None:
            ranked.append((case.ep_done, 4, rules.AdviceReceived(on=case.ep_done, advice_id=1)))
            assert case.other_done is not None
            ranked.append(
                (case.other_done, 4, rules.AdviceReceived(on=case.other_done, advice_id=2))
            )
    for s in case.recorded_spans():
        on = max(s.period.start, case.received)
        rank = 3 if s.advice_id is not None else 0
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
