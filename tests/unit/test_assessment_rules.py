"""The EHC needs assessment: docs/LAW.md's assessment table, event order, outcome, RAG."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import TypeAdapter

from statutory import assessment as rules
from statutory.assessment import (
    AdviceNotNeeded,
    AdviceNotNeededReason,
    AdviceReceived,
    AdviceRequested,
    AdviceType,
    AssessmentCase,
    AssessmentEvent,
    AssessmentRequest,
    CaseworkerReassigned,
    DecidedNotToAssess,
    DecidedNotToIssue,
    DecidedToAssess,
    DraftServed,
    Ending,
    ExceptionRecorded,
    ExceptionSpan,
    FinalPlanIssued,
    SettingConsulted,
    SettingReplied,
    Stage,
    Withdrawn,
    apply,
    assessment_dates,
    check,
    next_deadline,
    open_case,
    outcome,
    steps,
)
from statutory.dates import as_written
from statutory.errors import RuleViolation
from statutory.exceptions import Period, Reason
from statutory.steps import Rag, StepState, StepStatus

R = date(2025, 5, 21)  # the Ombudsman's Leeds example: request received 21 May 2025
TODAY = date(2026, 6, 1)
STAMP = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def day(n: int) -> date:
    """Day ``n`` of the clock (the day of receipt is day 0)."""
    return R + timedelta(days=n)


def new_case(received: date = R, today: date = TODAY) -> AssessmentCase:
    request = AssessmentRequest(
        case_ref="EHC-2025-0147", received=received, caseworker="cw017", team="north"
    )
    return open_case(request, today)


def run(
    events: Sequence[AssessmentEvent],
    case: AssessmentCase | None = None,
    today: date = TODAY,
) -> AssessmentCase:
    case = case or new_case(today=today)
    for event in events:
        case = apply(case, event, today, STAMP)
    return case


def by_step(case: AssessmentCase, today: date = TODAY) -> dict[str, StepStatus]:
    return {s.step: s for s in steps(case, today)}


def assessing(decided: int = 30) -> list[AssessmentEvent]:
    return [DecidedToAssess(on=day(decided))]


def educational(on: int, adviser_received: int | None = None) -> AdviceRequested:
    return AdviceRequested(
        on=day(on),
        advice_type=AdviceType.EDUCATIONAL,
        provider="Oak Primary",
        adviser_received=None if adviser_received is None else day(adviser_received),
    )


def psych(on: int) -> AdviceRequested:
    return AdviceRequested(on=day(on), advice_type=AdviceType.PSYCHOLOGICAL, provider="EPS")


def drafted(served: int = 100) -> list[AssessmentEvent]:
    return [
        *assessing(),
        educational(35),
        AdviceReceived(on=day(70), advice_id=1),
        DraftServed(on=day(served)),
    ]


# --- docs/LAW.md assessment table, one row at a time --------------------------------------


def test_row_decide_whether_to_assess_6_weeks() -> None:
    """reg 4(1), 5(1): 6 weeks from receipt."""
    d = assessment_dates(R)
    assert d.decide_to_assess.due == date(2025, 7, 2) == day(42)
    assert d.decide_to_assess.target == d.decide_to_assess.due
    assert not d.decide_to_assess.exception_applies
    s = by_step(new_case(), today=day(10))["decide-to-assess"]
    assert (s.regulation, s.statutory, s.due, s.state) == (
        "reg 4(1), 5(1)",
        True,
        day(42),
        StepState.OPEN,
    )
    # Met on day 42, late on day 43.
    met = by_step(run([DecidedToAssess(on=day(42))]))["decide-to-assess"]
    late = by_step(run([DecidedToAssess(on=day(43))]))["decide-to-assess"]
    assert (met.state, met.completed_on) == (StepState.MET, day(42))
    assert late.state is StepState.LATE
    # A decision not to assess also settles the step.
    refused = by_step(run([DecidedNotToAssess(on=day(40))]))["decide-to-assess"]
    assert refused.state is StepState.MET


def test_row_professional_advice_6_weeks_from_advisers_receipt() -> None:
    """reg 8(1): 6 weeks from the day the adviser receives the request, not the LA's send."""
    d = assessment_dates(R, advice_received_by_adviser=[day(35), day(38)])
    assert [a.due for a in d.advice] == [day(35 + 42), day(38 + 42)]
    case = run([*assessing(), educational(35, adviser_received=38), psych(36)])
    assert [a.adviser_received for a in case.advice] == [day(38), day(36)]
    s = by_step(case, today=day(40))
    assert s["advice-1"].due == day(38 + 42)
    assert s["advice-2"].due == day(36 + 42)
    assert s["advice-1"].regulation == "reg 8(1)"
    assert s["advice-1"].statutory is True
    assert s["advice-1"].label == "Educational advice from Oak Primary"
    done = run([AdviceReceived(on=day(80), advice_id=1)], case)
    assert by_step(done)["advice-1"].state is StepState.MET
    late = run([AdviceReceived(on=day(81), advice_id=1)], case)
    assert by_step(late)["advice-1"].state is StepState.LATE


def test_row_decide_not_to_issue_16_weeks() -> None:
    """reg 10(1): a refusal to issue is notified within 16 weeks."""
    d = assessment_dates(R)
    assert d.decide_not_to_issue.due == date(2025, 9, 10) == day(112)
    case = run([*assessing(), DecidedNotToIssue(on=day(112))])
    s = by_step(case)["decide-not-to-issue"]
    assert (s.regulation, s.state) == ("reg 10(1)", StepState.MET)
    late = run([*assessing(), DecidedNotToIssue(on=day(113))])
    assert by_step(late)["decide-not-to-issue"].state is StepState.LATE
    assert outcome(case).refusal_within_16_weeks is True
    assert outcome(late).refusal_within_16_weeks is False
    # Serving a draft is the decision to issue: the 16-week limit on a refusal no longer applies.
    served = run(drafted(120))
    assert by_step(served)["decide-not-to-issue"].state is StepState.NOT_APPLICABLE


def test_row_draft_representations_15_days_beginning_with_service() -> None:
    """reg 13(1): at least 15 days, counting the day of service: served + 14."""
    d = assessment_dates(R, draft_served=date(2025, 9, 1))
    assert d.representations_close == date(2025, 9, 15)
    assert assessment_dates(R).representations_close is None
    # The latest draft still leaves the full 15 days before week 20.
    assert d.latest_draft == day(140 - 15)
    latest = assessment_dates(R, draft_served=d.latest_draft)
    assert latest.representations_close == d.final_plan.due - timedelta(days=1)
    s = by_step(run(drafted(100)))["draft-served"]
    assert (s.due, s.statutory, s.state) == (day(125), False, StepState.MET)
    assert by_step(run(drafted(126)))["draft-served"].state is StepState.LATE


def test_row_setting_consulted_reply_within_15_days_is_guidance() -> None:
    """CFA s39(2); CoP 9.83: the setting should reply within 15 days (not a legal limit)."""
    case = run([*drafted(100), SettingConsulted(on=day(101), setting="Oak Primary")])
    s = by_step(case, today=day(105))["setting-reply-1"]
    assert s.due == day(101 + 14)
    assert s.statutory is False
    assert s.regulation == "CFA s39(2); CoP 9.83 (guidance)"
    assert s.state is StepState.OPEN
    replied = run([SettingReplied(on=day(110), consultation_id=1)], case)
    assert by_step(replied)["setting-reply-1"].state is StepState.MET


def test_row_final_plan_20_weeks() -> None:
    """reg 13(2): the final plan within 20 weeks of receipt."""
    d = assessment_dates(R)
    assert d.final_plan.due == date(2025, 10, 8) == day(140)
    s = by_step(new_case(), today=day(10))["final-plan"]
    assert (s.regulation, s.statutory, s.due) == ("reg 13(2)", True, day(140))


def test_steps_come_in_statutory_order() -> None:
    case = run([*drafted(100), SettingConsulted(on=day(101), setting="Oak Primary")])
    assert [s.step for s in steps(case, TODAY)] == [
        "decide-to-assess",
        "advice-1",
        "decide-not-to-issue",
        "draft-served",
        "setting-reply-1",
        "final-plan",
    ]


# --- exceptions in the dates ------------------------------------------------------------------


def test_exception_moves_the_target_never_the_statutory_date() -> None:
    absence = ExceptionSpan(Reason.ABSENCE_FROM_AREA, Period(date(2025, 6, 1), date(2025, 7, 15)))
    d = assessment_dates(R, advice_received_by_adviser=[day(50)], exceptions=[absence])
    for lim in (d.decide_to_assess, d.decide_not_to_issue, d.final_plan):
        assert lim.target == lim.due + timedelta(days=45)
        assert lim.exception_applies
    assert d.final_plan.due == date(2025, 10, 8)
    # Advice requested on 10 July (day 50): only 10..15 July (6 days) count for it.
    assert d.advice[0].due == day(92)
    assert d.advice[0].target == day(98)


def test_missed_appointment_lifts_only_the_advice_limit() -> None:
    missed = ExceptionSpan(
        Reason.MISSED_APPOINTMENT, Period(date(2025, 7, 14), date(2025, 7, 20)), advice_id=2
    )
    d = assessment_dates(R, advice_received_by_adviser=[day(40), day(45)], exceptions=[missed])
    assert not d.final_plan.exception_applies
    assert not d.decide_not_to_issue.exception_applies
    assert not d.advice[0].exception_applies  # another adviser's limit
    assert d.advice[1].target == d.advice[1].due + timedelta(days=7)


def test_school_closure_does_not_lift_advice() -> None:
    closure = ExceptionSpan(Reason.SCHOOL_CLOSURE, Period(date(2025, 7, 21), date(2025, 8, 31)))
    d = assessment_dates(R, advice_received_by_adviser=[day(50)], exceptions=[closure])
    assert not d.advice[0].exception_applies  # reg 8(2) has no closure exception
    assert d.final_plan.target == d.final_plan.due + timedelta(days=42)


def test_two_exceptions_on_one_case() -> None:
    # Regression: two periods must merge and chain (Period had no ordering for merged()).
    first = ExceptionSpan(Reason.PERSONAL_CIRCUMSTANCES, Period(day(10), day(19)))
    second = ExceptionSpan(Reason.PERSONAL_CIRCUMSTANCES, Period(day(15), day(24)))
    d = assessment_dates(R, exceptions=[second, first])
    assert d.final_plan.target == day(140 + 15)


def test_exception_limited_to_one_advice_request_does_not_lift_the_final_plan() -> None:
    personal = ExceptionSpan(
        Reason.PERSONAL_CIRCUMSTANCES, Period(date(2025, 7, 14), date(2025, 7, 20)), advice_id=1
    )
    d = assessment_dates(R, advice_received_by_adviser=[day(40)], exceptions=[personal])
    assert d.advice[0].exception_applies
    assert not d.final_plan.exception_applies
    assert not d.decide_not_to_issue.exception_applies
    # Recorded without an advice id, the same exception lifts the LA's limits too.
    general = ExceptionSpan(personal.reason, personal.period)
    d = assessment_dates(R, advice_received_by_adviser=[day(40)], exceptions=[general])
    assert d.advice[0].exception_applies
    assert d.final_plan.target == d.final_plan.due + timedelta(days=7)


def test_case_with_an_advice_only_exception_stays_in_the_headline_figure() -> None:
    personal = ExceptionRecorded(
        on=day(60),
        reason=Reason.PERSONAL_CIRCUMSTANCES,
        start=day(50),
        end=day(56),
        advice_id=1,
    )
    o = outcome(issued_on(141, [personal]))
    assert o.exceptions_apply is False
    assert o.within_20_weeks_excluding_exceptions is False


# --- event order ------------------------------------------------------------------------------


def rejects(case: AssessmentCase, event: AssessmentEvent, match: str, today: date = TODAY) -> None:
    before = case.model_dump()
    with pytest.raises(RuleViolation, match=match):
        check(case, event, today)
    with pytest.raises(RuleViolation, match=match):
        apply(case, event, today, STAMP)
    assert case.model_dump() == before


def test_open_case_rejects_a_request_from_the_future() -> None:
    with pytest.raises(RuleViolation, match="future"):
        new_case(received=date(2026, 6, 2), today=date(2026, 6, 1))
    assert new_case(received=date(2026, 6, 1), today=date(2026, 6, 1)).stage is Stage.DECISION


def test_final_plan_before_draft_is_rejected() -> None:
    rejects(
        run([*assessing(), educational(35)]),
        FinalPlanIssued(on=day(120)),
        "stage is draft plan served;",
    )
    rejects(new_case(), FinalPlanIssued(on=day(120)), "stage is draft plan served;")


def test_date_before_request_is_rejected() -> None:
    rejects(new_case(), DecidedToAssess(on=day(-1)), "before the request was received")
    rejects(new_case(), Withdrawn(on=day(-1)), "before the request was received")
    run([DecidedToAssess(on=day(0))])  # the day of receipt itself is fine


def test_future_date_is_rejected() -> None:
    today = day(50)
    case = new_case(today=today)
    rejects(case, DecidedToAssess(on=day(51)), "in the future", today=today)
    assert apply(case, DecidedToAssess(on=today), today, STAMP).stage is Stage.ASSESSMENT
    case = run(assessing(30), today=today)
    rejects(case, educational(40, adviser_received=51), "future", today=today)


def test_advice_request_before_the_decision_or_adviser_before_send_is_rejected() -> None:
    case = run(assessing(30))
    rejects(case, educational(29), "before the decision to assess")
    rejects(case, educational(35, adviser_received=34), "before the request for advice was sent")
    rejects(new_case(), educational(5), "stage is assessing;")


def test_advice_received_for_unknown_id_is_rejected() -> None:
    case = run([*assessing(), educational(35)])
    rejects(case, AdviceReceived(on=day(60), advice_id=2), "no advice request 2")
    rejects(run(assessing()), AdviceReceived(on=day(60), advice_id=1), "none yet")


def test_advice_received_twice_or_before_request_is_rejected() -> None:
    case = run([*assessing(), educational(35), AdviceReceived(on=day(60), advice_id=1)])
    rejects(case, AdviceReceived(on=day(61), advice_id=1), "already recorded")
    rejects(
        run([*assessing(), educational(35)]),
        AdviceReceived(on=day(34), advice_id=1),
        "the adviser received request 1",
    )


def test_advice_can_arrive_after_the_draft() -> None:
    case = run([*assessing(), educational(35), DraftServed(on=day(100))])
    case = run([AdviceReceived(on=day(105), advice_id=1)], case)
    assert case.advice[0].received_on == day(105)


def test_final_plan_within_the_15_day_representation_window() -> None:
    case = run(drafted(100))  # representations close on day 114
    rejects(case, FinalPlanIssued(on=day(114)), r"reg 13\(1\)")
    rejects(case, FinalPlanIssued(on=day(100)), "representations")
    closes = as_written(day(114))  # "12 Sep 2025": a date as people write it
    rejects(case, FinalPlanIssued(on=day(100)), f"draft run to {closes} \\(reg 13\\(1\\)\\)")
    # After the window, or earlier once representations were received.
    assert run([FinalPlanIssued(on=day(115))], case).ending is Ending.PLAN_ISSUED
    early = run([FinalPlanIssued(on=day(110), representations_received=True)], case)
    assert early.final_issued_on == day(110)


def test_events_after_closure_are_rejected() -> None:
    closed = [
        run([DecidedNotToAssess(on=day(40))]),
        run([*assessing(), DecidedNotToIssue(on=day(100))]),
        run([*drafted(100), FinalPlanIssued(on=day(120))]),
        run([Withdrawn(on=day(20))]),
    ]
    for case in closed:
        assert case.closed
        rejects(case, Withdrawn(on=day(130)), "closed")
        rejects(case, CaseworkerReassigned(on=day(130), caseworker="jbloggs"), "closed")
        rejects(
            case,
            ExceptionRecorded(
                on=day(130), reason=Reason.PERSONAL_CIRCUMSTANCES, start=day(10), end=day(20)
            ),
            "closed",
        )


def test_wrong_stage_is_rejected() -> None:
    assessing_case = run(assessing())
    rejects(assessing_case, DecidedToAssess(on=day(31)), "stage is deciding whether to assess;")
    rejects(assessing_case, DecidedNotToAssess(on=day(31)), "stage is deciding whether to assess;")
    rejects(
        assessing_case, SettingConsulted(on=day(40), setting="Oak"), "stage is draft plan served;"
    )
    rejects(new_case(), DraftServed(on=day(40)), "stage is assessing;")
    rejects(new_case(), DecidedNotToIssue(on=day(40)), "stage is assessing;")
    draft = run(drafted(100))
    rejects(draft, DraftServed(on=day(101)), "stage is assessing;")
    rejects(draft, educational(101), "stage is assessing;")


def test_a_stage_refusal_names_the_event_and_the_stages_as_people_say_them() -> None:
    with pytest.raises(RuleViolation) as refused:
        check(new_case(), AdviceReceived(on=day(5), advice_id=1), TODAY)
    assert str(refused.value) == (
        "Advice received can only be recorded when the case's stage is assessing or draft plan "
        "served; this case's stage is deciding whether to assess"
    )


def test_draft_before_the_last_advice_request_is_rejected() -> None:
    case = run([*assessing(), educational(35), psych(60)])
    rejects(case, DraftServed(on=day(59)), "last request for advice")
    rejects(case, DecidedNotToIssue(on=day(59)), "last request for advice")


def test_setting_reply_rules() -> None:
    case = run([*drafted(100), SettingConsulted(on=day(101), setting="Oak")])
    rejects(case, SettingReplied(on=day(105), consultation_id=2), "no setting consultation 2")
    rejects(case, SettingReplied(on=day(100), consultation_id=1), "setting was consulted")
    rejects(run(drafted(100)), SettingConsulted(on=day(99), setting="Oak"), "draft plan was served")
    replied = run([SettingReplied(on=day(105), consultation_id=1)], case)
    rejects(replied, SettingReplied(on=day(106), consultation_id=1), "already has a reply")


def test_missed_appointment_without_advice_id_is_rejected() -> None:
    case = run([*assessing(), educational(35)])
    event = ExceptionRecorded(
        on=day(50), reason=Reason.MISSED_APPOINTMENT, start=day(45), end=day(46)
    )
    rejects(case, event, "advice id")
    ok = run([event.model_copy(update={"advice_id": 1})], case)
    assert ok.exceptions[0].advice_id == 1


def test_advice_exception_rules() -> None:
    case = run([*assessing(), educational(35)])
    closure = ExceptionRecorded(
        on=day(50), reason=Reason.SCHOOL_CLOSURE, start=day(40), end=day(80), advice_id=1
    )
    rejects(case, closure, r"not an exception to the advice limit \(reg 8\(2\)\)")
    unknown = ExceptionRecorded(
        on=day(50), reason=Reason.PERSONAL_CIRCUMSTANCES, start=day(40), end=day(41), advice_id=3
    )
    rejects(case, unknown, "no advice request 3")


def test_exception_period_rules_on_the_case() -> None:
    case = new_case()
    short = ExceptionRecorded(
        on=day(10), reason=Reason.ABSENCE_FROM_AREA, start=day(5), end=day(31)
    )
    rejects(case, short, "4 continuous weeks")
    before = ExceptionRecorded(
        on=day(10), reason=Reason.PERSONAL_CIRCUMSTANCES, start=day(-40), end=day(-1)
    )
    rejects(case, before, "before the request was received")
    covid = ExceptionRecorded(
        on=day(10), reason=Reason.CORONAVIRUS, start=day(0), end=day(20)
    )  # 2025: outside reg 2A
    rejects(case, covid, "reg 2A")
    # An exception that began before the request but runs into the clock is fine.
    straddle = before.model_copy(update={"end": day(5)})
    assert run([straddle]).exceptions[0].start == day(-40)


def test_school_closure_needs_an_educational_request_in_its_window() -> None:
    # Closure 21 Jul..31 Aug 2025 (days 61..102); window 14 Jul..25 Aug (days 54..96).
    closure = ExceptionRecorded(
        on=day(70),
        reason=Reason.SCHOOL_CLOSURE,
        start=date(2025, 7, 21),
        end=date(2025, 8, 31),
    )
    assert (day(61), day(102)) == (closure.start, closure.end)
    # No advice requested at all.
    rejects(run(assessing()), closure, "educational advice was requested between")
    # Educational advice requested the day before the window opens.
    rejects(run([*assessing(), educational(53)]), closure, "14 Jul 2025 and 25 Aug 2025")
    # Psychological advice in the window does not count.
    rejects(run([*assessing(), psych(55)]), closure, "educational advice")
    # Educational advice requested on the first day of the window: accepted.
    ok = run([*assessing(), educational(54), closure])
    assert ok.exceptions[0].reason is Reason.SCHOOL_CLOSURE
    d = ok.dates()
    assert d.final_plan.target == d.final_plan.due + timedelta(days=42)
    # Early-years closures follow the same rule.
    ey = closure.model_copy(update={"reason": Reason.EARLY_YEARS_CLOSURE})
    rejects(run([*assessing(), psych(55)]), ey, "early-years-closure")


def test_reassign_to_same_caseworker_is_rejected() -> None:
    case = new_case()
    rejects(case, CaseworkerReassigned(on=day(5), caseworker="cw017"), "already with cw017")
    rejects(case, CaseworkerReassigned(on=day(5), caseworker="cw017", team="north"), "already with")
    moved = run([CaseworkerReassigned(on=day(5), caseworker="jbloggs")])
    assert (moved.caseworker, moved.team) == ("jbloggs", "north")
    team_only = run([CaseworkerReassigned(on=day(5), caseworker="cw017", team="south")])
    assert (team_only.caseworker, team_only.team) == ("cw017", "south")


def test_check_never_mutates_and_apply_returns_a_new_case() -> None:
    case = run([*assessing(), educational(35)])
    snapshot = case.model_dump()
    good = [
        AdviceReceived(on=day(60), advice_id=1),
        DraftServed(on=day(100)),
        ExceptionRecorded(
            on=day(50), reason=Reason.PERSONAL_CIRCUMSTANCES, start=day(40), end=day(45)
        ),
        CaseworkerReassigned(on=day(50), caseworker="jbloggs", team="south"),
        Withdrawn(on=day(50)),
    ]
    for event in good:
        check(case, event, TODAY)
        assert case.model_dump() == snapshot
        new = apply(case, event, TODAY, STAMP)
        assert new is not case
        assert case.model_dump() == snapshot
        assert new.timeline[-1].event == event
        assert len(new.timeline) == len(case.timeline) + 1
    applied = apply(case, AdviceReceived(on=day(60), advice_id=1), TODAY, STAMP)
    assert applied.advice[0].received_on == day(60)
    assert case.advice[0].received_on is None


def test_apply_builds_the_case() -> None:
    case = run(
        [
            DecidedToAssess(on=day(30)),
            educational(35),
            psych(36),
            AdviceReceived(on=day(70), advice_id=2),
            AdviceReceived(on=day(75), advice_id=1),
            DraftServed(on=day(100)),
            SettingConsulted(on=day(101), setting="Oak Primary"),
            SettingReplied(on=day(110), consultation_id=1),
            FinalPlanIssued(on=day(120)),
        ]
    )
    assert case.stage is Stage.CLOSED and case.ending is Ending.PLAN_ISSUED
    assert case.decided_to_assess_on == day(30)
    assert [a.id for a in case.advice] == [1, 2]
    assert case.advice[1].received_on == day(70)
    assert case.consultations[0].replied_on == day(110)
    assert case.closed_on == day(120)
    assert len(case.timeline) == 9


def test_events_round_trip_through_the_discriminated_union() -> None:
    adapter = TypeAdapter(AssessmentEvent)
    event = adapter.validate_python(
        {
            "type": "exception",
            "on": "2025-06-01",
            "reason": "absence-from-area",
            "start": "2025-06-01",
            "end": "2025-07-01",
        }
    )
    assert isinstance(event, ExceptionRecorded)
    assert event.reason is Reason.ABSENCE_FROM_AREA
    assert set(rules.EVENT_TYPES) >= {"decided-to-assess", "final-issued", "exception"}


# --- outcome ---------------------------------------------------------------------------------


def issued_on(n: int, extra: Sequence[AssessmentEvent] = ()) -> AssessmentCase:
    return run(
        [
            *assessing(),
            educational(35),
            AdviceReceived(on=day(80), advice_id=1),
            *extra,
            DraftServed(on=day(100)),
            FinalPlanIssued(on=day(n)),
        ]
    )


def test_plan_issued_on_day_140_is_within_20_weeks() -> None:
    o = outcome(issued_on(140))
    assert o.ending is Ending.PLAN_ISSUED
    assert o.final_plan_due == date(2025, 10, 8)
    assert o.within_20_weeks is True
    assert o.within_20_weeks_excluding_exceptions is True
    assert o.within_operational_target is True
    assert o.exceptions_apply is False
    assert o.weeks_taken == 20.0
    assert o.ended_on == day(140)
    assert o.decided_to_assess_within_6_weeks is True
    assert o.refusal_within_16_weeks is None


def test_plan_issued_on_day_141_is_not_within_20_weeks() -> None:
    o = outcome(issued_on(141))
    assert o.within_20_weeks is False
    assert o.within_20_weeks_excluding_exceptions is False
    assert o.within_operational_target is False
    assert o.weeks_taken == 20.1


def test_exception_case_is_left_out_of_the_headline_figure() -> None:
    absence = ExceptionRecorded(
        on=day(60), reason=Reason.ABSENCE_FROM_AREA, start=day(40), end=day(69)
    )  # 30 days
    late = outcome(issued_on(150, [absence]))
    assert late.exceptions_apply is True
    assert late.within_20_weeks is False  # counted late when every case is included
    assert late.within_20_weeks_excluding_exceptions is None
    assert late.within_operational_target is True  # target day 170
    beyond = outcome(issued_on(171, [absence]))
    assert beyond.within_operational_target is False
    on_time = outcome(issued_on(140, [absence]))
    assert on_time.within_20_weeks is True
    assert on_time.within_20_weeks_excluding_exceptions is None


def test_exception_after_the_deadline_does_not_make_an_exception_case() -> None:
    # Absence starting after week 20 cannot have caused the miss.
    absence = ExceptionRecorded(
        on=day(145), reason=Reason.ABSENCE_FROM_AREA, start=day(141), end=day(175)
    )
    case = run(
        [
            *assessing(),
            educational(35),
            AdviceReceived(on=day(80), advice_id=1),
            DraftServed(on=day(100)),
            absence,
            FinalPlanIssued(on=day(150)),
        ]
    )
    o = outcome(case)
    assert o.exceptions_apply is False
    assert o.within_20_weeks_excluding_exceptions is False


def test_not_assessed_outcome() -> None:
    o = outcome(run([DecidedNotToAssess(on=day(43))]))
    assert o.ending is Ending.NOT_ASSESSED
    assert o.ended_on == day(43)
    assert o.within_20_weeks is None
    assert o.within_20_weeks_excluding_exceptions is None
    assert o.within_operational_target is None
    assert o.decided_to_assess_within_6_weeks is False
    assert o.refusal_within_16_weeks is None
    assert o.weeks_taken == 6.1


def test_withdrawn_outcome() -> None:
    o = outcome(run([*assessing(20), Withdrawn(on=day(70))]))
    assert o.ending is Ending.WITHDRAWN
    assert o.ended_on == day(70)
    assert o.within_20_weeks is None
    assert o.decided_to_assess_within_6_weeks is True
    assert o.weeks_taken == 10.0
    early = outcome(run([Withdrawn(on=day(7))]))
    assert early.decided_to_assess_within_6_weeks is None


def test_outcome_of_an_open_case_is_refused() -> None:
    with pytest.raises(RuleViolation, match="still open"):
        outcome(run(drafted(100)))


def test_steps_after_early_endings_are_not_applicable() -> None:
    s = by_step(run([DecidedNotToAssess(on=day(40))]))
    assert s["decide-not-to-issue"].state is StepState.NOT_APPLICABLE
    assert s["final-plan"].state is StepState.NOT_APPLICABLE
    assert s["draft-served"].state is StepState.NOT_APPLICABLE
    w = by_step(run([Withdrawn(on=day(10))]))
    assert all(x.state is StepState.NOT_APPLICABLE for x in w.values())
    ni = by_step(run([*assessing(), educational(35), DecidedNotToIssue(on=day(100))]))
    assert ni["advice-1"].state is StepState.NOT_APPLICABLE  # never returned
    assert ni["final-plan"].state is StepState.NOT_APPLICABLE
    assert ni["decide-not-to-issue"].state is StepState.MET


# --- RAG and next deadline -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "rag", "left"),
    [
        (day(0), Rag.GREEN, 42),
        (day(27), Rag.GREEN, 15),
        (day(28), Rag.AMBER, 14),  # amber within 14 days of the target
        (day(42), Rag.AMBER, 0),  # the due day itself is not yet overdue
        (day(43), Rag.RED, -1),
        (day(100), Rag.RED, -58),
    ],
)
def test_rag_of_an_open_step(today: date, rag: Rag, left: int) -> None:
    s = by_step(new_case(), today)["decide-to-assess"]
    state = StepState.OPEN if left >= 0 else StepState.OVERDUE
    assert (s.state, s.rag, s.days_left) == (state, rag, left)


def test_rag_uses_the_operational_target_and_amber_days() -> None:
    absence = ExceptionRecorded(
        on=day(20), reason=Reason.ABSENCE_FROM_AREA, start=day(10), end=day(39)
    )  # 30 days: target day 72
    case = run([absence], today=day(50))
    s = by_step(case, day(50))["decide-to-assess"]
    assert (s.due, s.target, s.exception_applies) == (day(42), day(72), True)
    assert (s.rag, s.days_left) == (Rag.GREEN, 22)
    wide = {x.step: x for x in steps(case, day(50), amber_days=30)}
    assert wide["decide-to-assess"].rag is Rag.AMBER


def test_completed_steps_are_rated_complete() -> None:
    s = by_step(run(assessing(30)))["decide-to-assess"]
    assert (s.rag, s.days_left) == (Rag.COMPLETE, None)


def test_next_deadline_is_the_earliest_open_statutory_step() -> None:
    # Decision stage: decide-to-assess (day 42) comes first.
    first = next_deadline(steps(new_case(), day(1)))
    assert first is not None and first.step == "decide-to-assess"
    # Advice asked late (adviser receives on day 100, due 142): week 20 (day 140) is earlier,
    # and the non-statutory decide-not-to-issue (112) and draft (125) dates are skipped.
    case = run([*assessing(30), educational(100)])
    nd = next_deadline(steps(case, day(101)))
    assert nd is not None and (nd.step, nd.target) == ("final-plan", day(140))
    # Advice asked on day 35 is due on day 77, before week 20.
    case = run([*assessing(30), educational(35), psych(50)])
    nd = next_deadline(steps(case, day(60)))
    assert nd is not None and (nd.step, nd.target) == ("advice-1", day(77))
    # Once advice 1 is in, advice 2 (day 92) is next.
    done = run([AdviceReceived(on=day(60), advice_id=1)], case)
    nd = next_deadline(steps(done, day(60)))
    assert nd is not None and nd.step == "advice-2"
    # Overdue steps come first.
    nd = next_deadline(steps(case, day(200)))
    assert nd is not None and nd.step == "advice-1" and nd.rag is Rag.RED


def test_no_next_deadline_on_a_closed_case() -> None:
    assert next_deadline(steps(issued_on(140), TODAY)) is None
    assert next_deadline([]) is None


# --- a final plan needs its advice (reg 6(1), 6(4)) --------------------------------------------


def outstanding_at_draft() -> AssessmentCase:
    return run([*assessing(), educational(35), psych(36), DraftServed(on=day(100))])


def test_final_plan_is_refused_while_advice_is_outstanding() -> None:
    case = outstanding_at_draft()
    rejects(
        case,
        FinalPlanIssued(on=day(120)),
        r"advice 1 \(educational from Oak Primary\); advice 2 \(psychological from EPS\) "
        r"are still outstanding",
    )


@pytest.mark.parametrize("reason", list(AdviceNotNeededReason))
def test_final_plan_once_the_outstanding_advice_is_received_or_set_aside(
    reason: AdviceNotNeededReason,
) -> None:
    case = run(
        [
            AdviceReceived(on=day(101), advice_id=1),
            AdviceNotNeeded(on=day(102), advice_id=2, reason=reason),
            FinalPlanIssued(on=day(120)),
        ],
        outstanding_at_draft(),
    )
    o = outcome(case)
    assert o.ending is Ending.PLAN_ISSUED and o.within_20_weeks is True
    assert o.advice_not_needed == {reason.value: 1}
    # The set-aside request is not required any more: neither met nor missed.
    assert by_step(case)["advice-2"].state is StepState.NOT_APPLICABLE


def test_advice_set_aside_cannot_then_be_received_or_set_aside_again() -> None:
    case = run(
        [AdviceNotNeeded(on=day(90), advice_id=1, reason=AdviceNotNeededReason.REQUEST_WITHDRAWN)],
        run([*assessing(), educational(35)]),
    )
    rejects(case, AdviceReceived(on=day(95), advice_id=1), "not needed")
    rejects(
        case,
        AdviceNotNeeded(
            on=day(95), advice_id=1, reason=AdviceNotNeededReason.EARLIER_ADVICE_SUFFICIENT
        ),
        "already recorded as not needed",
    )
    received = run([*assessing(), educational(35), AdviceReceived(on=day(60), advice_id=1)])
    rejects(
        received,
        AdviceNotNeeded(on=day(95), advice_id=1, reason=AdviceNotNeededReason.REQUEST_WITHDRAWN),
        "already received",
    )


# --- the status truth table, on one case's steps --------------------------------------------


def test_decide_not_to_issue_is_not_applicable_once_a_plan_is_issued() -> None:
    """reg 10(1) binds only a refusal: a plan issued after week 16 leaves nothing late."""
    case = run(
        [
            *assessing(),
            educational(35),
            AdviceReceived(on=day(70), advice_id=1),
            DraftServed(on=day(115)),  # after week 16: the decision to issue
            FinalPlanIssued(on=day(135)),
        ]
    )
    s = by_step(case)
    assert s["decide-not-to-issue"].state is StepState.NOT_APPLICABLE
    assert not any(x.missed for x in s.values())


def test_advice_done_after_its_date_within_an_exception_is_excepted_not_late() -> None:
    absence = ExceptionRecorded(
        on=day(50), reason=Reason.ABSENCE_FROM_AREA, start=day(40), end=day(80)
    )
    case = run([*assessing(), educational(35), absence, AdviceReceived(on=day(90), advice_id=1)])
    advice = by_step(case)["advice-1"]
    assert advice.due == day(77) and advice.completed_on == day(90)
    assert advice.state is StepState.EXCEPTED and not advice.missed


def test_open_step_turns_overdue_the_day_after_its_target() -> None:
    assert by_step(new_case(), day(42))["decide-to-assess"].state is StepState.OPEN
    late = by_step(new_case(), day(43))["decide-to-assess"]
    assert late.state is StepState.OVERDUE and late.missed


def test_everything_after_a_decision_not_to_assess_is_not_applicable() -> None:
    s = by_step(run([DecidedNotToAssess(on=day(40))]))
    assert s["decide-to-assess"].state is StepState.MET
    rest = [x.state for name, x in s.items() if name != "decide-to-assess"]
    assert rest and set(rest) == {StepState.NOT_APPLICABLE}


def test_advice_outstanding_at_withdrawal_is_not_applicable() -> None:
    case = run([*assessing(), educational(35), Withdrawn(on=day(60))])
    assert by_step(case)["advice-1"].state is StepState.NOT_APPLICABLE
