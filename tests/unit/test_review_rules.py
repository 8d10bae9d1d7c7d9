"""The annual review of an EHC plan: docs/LAW.md, annual reviews, phase transfers, ceasing.

One cycle's dates (CFA s44; regs 18-22), the order events may be recorded in, the cease path,
the steps and their RAG, the outcome councils report and the hand-over to the next cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from statutory.dates import months_after, months_before
from statutory.errors import RuleViolation
from statutory.review import (
    AdviceCirculated,
    AmendmentNoticeSent,
    AnchorMode,
    AppealConcluded,
    AppealLodged,
    CaseworkerReassigned,
    Category,
    Decision,
    DecisionNotified,
    FinalAmendedPlanIssued,
    InvitationsSent,
    MediationCertificateIssued,
    MediationWanted,
    MeetingHeld,
    MeetingScheduled,
    PhaseTransfer,
    PlanEnding,
    PlanRecord,
    ReportSent,
    ReviewCycle,
    ReviewEvent,
    ReviewPolicy,
    Stage,
    TransferKind,
    TransferredOut,
    TransferSet,
    apply,
    category,
    check,
    conclusion_day,
    expire,
    first_cycle,
    latest_meeting_for,
    latest_notice_for,
    next_cycle,
    next_deadline,
    outcome,
    review_dates,
    review_due,
    steps,
    transfer_deadline,
    transfer_in_cycle,
    under_five_review,
)
from statutory.steps import Rag, StepState, StepStatus

PLAN_DATE = date(2023, 11, 25)
ANCHOR = date(2024, 11, 25)  # the last review: this cycle's 12 months run from here
DUE = date(2025, 11, 25)
MEETING = date(2025, 11, 1)  # IPSEA: meeting 1 Nov, decision sent 25 Nov
DECIDED = date(2025, 11, 25)
TODAY = date(2027, 6, 1)
STAMP = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)

FAST = settings(max_examples=150, deadline=None)


def plus(day: date, days: int) -> date:
    return day + timedelta(days=days)


def transfer(kind: str, year: int = 2025, move: date | None = None) -> PhaseTransfer:
    return PhaseTransfer(kind=TransferKind(kind), year=year, move_date=move)


def new_cycle(
    *,
    anchor: date | None = ANCHOR,
    phase: PhaseTransfer | None = None,
    dob: date | None = None,
    policy: ReviewPolicy | None = None,
    plan_date: date = PLAN_DATE,
) -> ReviewCycle:
    plan = PlanRecord(
        case_ref="EHC-2023-0147",
        plan_date=plan_date,
        caseworker="cw017",
        team="north",
        date_of_birth=dob,
    )
    return first_cycle(plan, last_review=anchor, transfer=phase, policy=policy)


def run(
    events: Sequence[ReviewEvent], cycle: ReviewCycle | None = None, today: date = TODAY
) -> ReviewCycle:
    cycle = cycle or new_cycle()
    for event in events:
        cycle = apply(cycle, event, today, STAMP)
    return cycle


def by_step(cycle: ReviewCycle, today: date = TODAY) -> dict[str, StepStatus]:
    return {s.step: s for s in steps(cycle, today)}


def held(meeting: date = MEETING) -> list[ReviewEvent]:
    return [MeetingScheduled(on=plus(meeting, -40), meeting_date=meeting), MeetingHeld(on=meeting)]


def decided(kind: Decision, on: date = DECIDED, meeting: date = MEETING) -> list[ReviewEvent]:
    return [*held(meeting), DecisionNotified(on=on, decision=kind)]


def amended(
    final: date, notice: date = DECIDED, meeting: date = MEETING, **kw: bool
) -> list[ReviewEvent]:
    return [
        *decided(Decision.AMEND, on=notice, meeting=meeting),
        AmendmentNoticeSent(on=notice),
        FinalAmendedPlanIssued(on=final, **kw),
    ]


# --- the 12 months (CFA s44(1), reg 18) -------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "due"),
    [
        (date(2024, 2, 29), date(2025, 2, 28)),  # 29 Feb -> 28 Feb
        (date(2023, 2, 28), date(2024, 2, 28)),  # not 29 Feb in a leap year
        (date(2024, 11, 25), date(2025, 11, 25)),
        (date(2025, 1, 31), date(2026, 1, 31)),
        (date(2025, 12, 31), date(2026, 12, 31)),
        (date(2024, 3, 1), date(2025, 3, 1)),
    ],
)
def test_review_due_12_months_from_plan_or_last_review(anchor: date, due: date) -> None:
    assert review_due(anchor) == due
    assert review_dates(anchor).review_due_by == due
    # First cycle: from the plan date; later: from the last review.
    from_plan = new_cycle(anchor=None, plan_date=anchor)
    assert (from_plan.anchor, from_plan.dates().review_due_by) == (anchor, due)
    from_review = new_cycle(anchor=anchor, plan_date=date(2020, 1, 1))
    assert (from_review.anchor, from_review.dates().review_due_by) == (anchor, due)


def test_first_cycle_rejects_a_last_review_before_the_plan() -> None:
    with pytest.raises(RuleViolation, match="before the plan was made"):
        new_cycle(anchor=plus(PLAN_DATE, -1))
    same_day = new_cycle(anchor=PLAN_DATE)
    assert (same_day.anchor, same_day.cycle, same_day.stage) == (
        PLAN_DATE,
        1,
        Stage.AWAITING_MEETING,
    )


def test_date_of_birth_after_the_plan_is_rejected() -> None:
    with pytest.raises(ValidationError, match="date of birth is after"):
        new_cycle(dob=plus(PLAN_DATE, 1))


def test_ipsea_example_next_review_from_the_decision() -> None:
    """IPSEA: meeting 1 Nov, decision sent 25 Nov -> next review due by 25 Nov next year."""
    d = review_dates(ANCHOR, meeting=MEETING, decision=DECIDED)
    assert d.next_review_due_by == date(2026, 11, 25)
    by_meeting = review_dates(
        ANCHOR, meeting=MEETING, decision=DECIDED, anchor_mode=AnchorMode.MEETING
    )
    assert by_meeting.next_review_due_by == date(2026, 11, 1)
    # Not yet knowable: no decision (decision mode), no meeting (meeting mode).
    assert review_dates(ANCHOR, meeting=MEETING).next_review_due_by is None
    assert (
        review_dates(ANCHOR, decision=DECIDED, anchor_mode=AnchorMode.MEETING).next_review_due_by
        is None
    )


@pytest.mark.parametrize(
    ("field", "expected", "source"),
    [
        ("invitations_by", date(2025, 10, 18), "reg 20(3): at least 2 weeks before"),
        ("advice_circulated_by", date(2025, 10, 18), "reg 20(4): at least 2 weeks before"),
        ("report_by", date(2025, 11, 15), "reg 20(7): within 2 weeks"),
        ("decision_by", date(2025, 11, 29), "reg 20(10): within 4 weeks"),
        ("amendment_notice_by", date(2025, 11, 29), "Devon [2022]: with the decision"),
        ("final_amended_plan_by", date(2026, 1, 24), "no notice yet: meeting + 12 weeks"),
        ("amended_within_12_weeks_by", date(2026, 1, 24), "the KPI: meeting + 84 days"),
        ("representations_close", None, "no notice yet"),
        ("review_due_by", date(2025, 11, 25), "CFA s44(1)"),
    ],
)
def test_review_meeting_dates(field: str, expected: date | None, source: str) -> None:
    d = review_dates(ANCHOR, meeting=MEETING)
    assert getattr(d, field) == expected, source


@pytest.mark.parametrize(
    ("notice", "representations_close", "final_by"),
    [
        # reg 22(2): 15 days beginning with the notice (notice + 14); reg 22(3): + 8 weeks.
        (date(2025, 11, 25), date(2025, 12, 9), date(2026, 1, 20)),
        (date(2025, 11, 29), date(2025, 12, 13), date(2026, 1, 24)),
        # A late notice moves the final plan, never the 12-week KPI.
        (date(2026, 1, 10), date(2026, 1, 24), date(2026, 3, 7)),
        (date(2024, 2, 20), date(2024, 3, 5), date(2024, 4, 16)),  # across 29 Feb 2024
    ],
)
def test_amendment_notice_dates(notice: date, representations_close: date, final_by: date) -> None:
    meeting = min(MEETING, notice)
    d = review_dates(date(2023, 1, 1), meeting=meeting, amendment_notice=notice)
    assert d.representations_close == representations_close
    assert (d.representations_close - notice).days == 14
    assert d.final_amended_plan_by == final_by
    assert (d.final_amended_plan_by - notice).days == 56
    assert d.amended_within_12_weeks_by == plus(meeting, 84)


def test_nothing_is_dated_from_a_meeting_that_is_not_known() -> None:
    d = review_dates(ANCHOR)
    for field in (
        "invitations_by",
        "advice_circulated_by",
        "report_by",
        "decision_by",
        "amendment_notice_by",
        "representations_close",
        "final_amended_plan_by",
        "amended_within_12_weeks_by",
        "next_review_due_by",
        "under_five_review_by",
        "phase_transfer_deadline",
        "latest_meeting_for_phase_transfer",
        "latest_amendment_notice_for_phase_transfer",
    ):
        assert getattr(d, field) is None, field
    assert d.category is Category.OTHER


@FAST
@given(
    anchor=st.dates(min_value=date(2015, 1, 1), max_value=date(2090, 1, 1)),
    to_meeting=st.integers(0, 500),
    to_decision=st.integers(0, 90),
    to_notice=st.integers(0, 90),
)
def test_review_dates_follow_the_counting_conventions(
    anchor: date, to_meeting: int, to_decision: int, to_notice: int
) -> None:
    meeting = plus(anchor, to_meeting)
    decision = plus(meeting, to_decision)
    notice = plus(meeting, to_notice)
    d = review_dates(anchor, meeting=meeting, decision=decision, amendment_notice=notice)
    assert 365 <= (d.review_due_by - anchor).days <= 366
    assert d.review_due_by.day <= anchor.day
    assert (meeting - d.invitations_by).days == 14  # type: ignore[operator]
    assert d.advice_circulated_by == d.invitations_by
    assert (d.report_by - meeting).days == 14  # type: ignore[operator]
    assert (d.decision_by - meeting).days == 28  # type: ignore[operator]
    assert (d.representations_close - notice).days == 14  # type: ignore[operator]
    assert (d.final_amended_plan_by - notice).days == 56  # type: ignore[operator]
    assert (d.amended_within_12_weeks_by - meeting).days == 84  # type: ignore[operator]
    assert d.next_review_due_by == review_due(decision)


# --- phase transfers (reg 18) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "year", "move", "deadline", "latest_meeting", "latest_notice", "cat"),
    [
        ("early-years-school", 2025, None, date(2025, 2, 15), date(2024, 11, 23), date(2024, 12, 21), Category.OTHER),
        ("infant-junior", 2025, None, date(2025, 2, 15), date(2024, 11, 23), date(2024, 12, 21), Category.OTHER),
        ("primary-secondary", 2025, None, date(2025, 2, 15), date(2024, 11, 23), date(2024, 12, 21), Category.SECONDARY_TRANSFER),
        ("middle-secondary", 2025, None, date(2025, 2, 15), date(2024, 11, 23), date(2024, 12, 21), Category.SECONDARY_TRANSFER),
        ("primary-secondary", 2024, None, date(2024, 2, 15), date(2023, 11, 23), date(2023, 12, 21), Category.SECONDARY_TRANSFER),
        ("secondary-post16", 2025, None, date(2025, 3, 31), date(2025, 1, 6), date(2025, 2, 3), Category.POST16_TRANSFER),
        ("secondary-post16", 2024, None, date(2024, 3, 31), date(2024, 1, 7), date(2024, 2, 4), Category.POST16_TRANSFER),
        # post16-post16: at least 5 months before the move, clamped to the month's last day.
        ("post16-post16", 2025, date(2025, 9, 1), date(2025, 4, 1), date(2025, 1, 7), date(2025, 2, 4), Category.POST16_TRANSFER),
        ("post16-post16", 2025, date(2025, 7, 31), date(2025, 2, 28), date(2024, 12, 6), date(2025, 1, 3), Category.POST16_TRANSFER),
        ("post16-post16", 2024, date(2024, 7, 31), date(2024, 2, 29), date(2023, 12, 7), date(2024, 1, 4), Category.POST16_TRANSFER),
        ("post16-post16", 2025, date(2025, 7, 29), date(2025, 2, 28), date(2024, 12, 6), date(2025, 1, 3), Category.POST16_TRANSFER),
        ("post16-post16", 2025, date(2025, 8, 31), date(2025, 3, 31), date(2025, 1, 6), date(2025, 2, 3), Category.POST16_TRANSFER),
        ("post16-post16", 2026, date(2026, 1, 31), date(2025, 8, 31), date(2025, 6, 8), date(2025, 7, 6), Category.POST16_TRANSFER),
    ],
)  # fmt: skip
def test_phase_transfer_deadlines(
    kind: str,
    year: int,
    move: date | None,
    deadline: date,
    latest_meeting: date,
    latest_notice: date,
    cat: Category,
) -> None:
    phase = transfer(kind, year, move)
    assert transfer_deadline(phase) == deadline
    assert latest_meeting_for(deadline) == latest_meeting == plus(deadline, -84)
    assert latest_notice_for(deadline) == latest_notice == plus(deadline, -56)
    assert category(phase) is cat
    if move is not None:  # at least 5 months: deadline + 5 months is not after the move
        assert months_after(deadline, 5) <= move
        assert months_after(plus(deadline, 1), 5) > move
    d = review_dates(date(2023, 6, 1), transfer=phase)
    assert (
        d.phase_transfer_deadline,
        d.latest_meeting_for_phase_transfer,
        d.latest_amendment_notice_for_phase_transfer,
    ) == (deadline, latest_meeting, latest_notice)


def test_statute_example_latest_meeting_for_15_february() -> None:
    """docs/LAW.md: 15 Feb - 12 weeks (84 days), e.g. 23 Nov 2024 for 15 Feb 2025."""
    assert latest_meeting_for(date(2025, 2, 15)) == date(2024, 11, 23)


def test_post16_move_needs_its_date_and_years_are_bounded() -> None:
    with pytest.raises(ValidationError, match="needs the move date"):
        PhaseTransfer(kind=TransferKind.POST16_POST16, year=2025)
    for year in (2013, 2101):
        with pytest.raises(ValidationError):
            PhaseTransfer(kind=TransferKind.PRIMARY_SECONDARY, year=year)
    assert category(None) is Category.OTHER


@pytest.mark.parametrize(
    ("review_due", "phase", "expected"),
    [
        # The next cycle would be due on 15 Feb 2026: this is the last review before it.
        (date(2025, 2, 15), transfer("primary-secondary", 2026), True),
        (date(2025, 2, 14), transfer("primary-secondary", 2026), False),
        (date(2025, 3, 31), transfer("secondary-post16", 2026), True),
        (date(2025, 3, 30), transfer("secondary-post16", 2026), False),
        (date(2025, 2, 28), transfer("post16-post16", 2026, date(2026, 7, 31)), True),
        (date(2025, 2, 27), transfer("post16-post16", 2026, date(2026, 7, 31)), False),
        # A deadline that has already passed is this cycle's problem.
        (date(2025, 6, 1), transfer("primary-secondary", 2024), True),
        (date(2025, 6, 1), transfer("primary-secondary", 2025), True),
        (date(2025, 6, 1), transfer("primary-secondary", 2030), False),
        (date(2025, 6, 1), None, False),
    ],
)
def test_transfer_in_cycle_boundary(
    review_due: date, phase: PhaseTransfer | None, expected: bool
) -> None:
    assert transfer_in_cycle(phase, review_due) is expected
    anchor = months_before(review_due, 12)
    assert new_cycle(anchor=anchor, plan_date=anchor, phase=phase).transfer_applies() is expected


def test_outcome_category_counts_only_a_transfer_in_this_cycle() -> None:
    far = transfer("primary-secondary", 2030)
    near = transfer("primary-secondary", 2026)
    assert not transfer_in_cycle(far, review_due(ANCHOR))
    assert outcome(new_cycle(phase=far)).category is Category.OTHER
    assert outcome(new_cycle(phase=near)).category is Category.SECONDARY_TRANSFER
    assert review_dates(ANCHOR, transfer=near).category is Category.SECONDARY_TRANSFER


def test_review_dates_category_counts_only_a_transfer_in_this_cycle() -> None:
    far = transfer("primary-secondary", 2030)
    assert review_dates(ANCHOR, transfer=far).category is Category.OTHER


def test_missed_latest_meeting_for_a_transfer_is_red_and_still_open() -> None:
    cycle = new_cycle(anchor=date(2024, 3, 1), phase=transfer("primary-secondary", 2025))
    assert cycle.transfer_applies()
    today = date(2024, 12, 1)  # latest meeting was 23 Nov 2024
    s = by_step(cycle, today)
    meeting = s["transfer-meeting"]
    assert (meeting.state, meeting.rag, meeting.due) == (
        StepState.OVERDUE,
        Rag.RED,
        date(2024, 11, 23),
    )
    assert meeting.days_left == -8
    assert not meeting.statutory
    assert s["phase-transfer"].state is StepState.OPEN and s["phase-transfer"].statutory
    assert s["phase-transfer"].due == date(2025, 2, 15)
    assert s["review-meeting"].state is StepState.OPEN  # still due 1 Mar 2025
    # Arranging is planned back from the earliest meeting date: 23 Nov - 6 weeks.
    assert s["arrange-meeting"].due == date(2024, 10, 12)
    # Holding the meeting closes it, late.
    done = by_step(run([MeetingHeld(on=date(2024, 12, 2))], cycle, today=date(2024, 12, 2)))
    assert done["transfer-meeting"].state is StepState.LATE


def test_a_transfer_for_a_later_cycle_has_no_steps_in_this_one() -> None:
    cycle = new_cycle(phase=transfer("primary-secondary", 2030))
    s = by_step(cycle, date(2025, 1, 1))
    assert "transfer-meeting" not in s and "phase-transfer" not in s
    assert s["arrange-meeting"].due == plus(DUE, -42)
    assert outcome(cycle).phase_transfer is None


def test_next_cycle_clears_a_handled_transfer_and_keeps_a_later_one() -> None:
    now = transfer("primary-secondary", 2026)  # 15 Feb 2026 <= 25 Nov 2026
    later = transfer("secondary-post16", 2031)
    events = decided(Decision.MAINTAIN)
    handled = next_cycle(run(events, new_cycle(phase=now)))
    kept = next_cycle(run(events, new_cycle(phase=later)))
    assert handled.transfer is None
    assert kept.transfer == later
    # A transfer recorded during the cycle counts too.
    set_now = next_cycle(run([TransferSet(on=MEETING, transfer=now), *events]))
    assert set_now.transfer is None


# --- under-5s (CoP 9.178) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "months", "expected"),
    [
        (date(2022, 5, 1), 6, date(2025, 5, 25)),
        (date(2022, 5, 1), 3, date(2025, 2, 25)),
        (date(2022, 5, 1), 4, date(2025, 3, 25)),
        (date(2019, 11, 26), 6, date(2025, 5, 25)),  # 5 tomorrow: still under 5 at the anchor
        (date(2019, 11, 25), 6, None),  # 5 on the anchor day
        (date(2015, 1, 1), 6, None),
        (None, 6, None),
    ],
)
def test_under_five_review(dob: date | None, months: int, expected: date | None) -> None:
    assert under_five_review(ANCHOR, dob, months) == expected
    cycle = new_cycle(
        dob=dob, plan_date=date(2022, 6, 1), policy=ReviewPolicy(under_five_months=months)
    )
    assert cycle.dates().under_five_review_by == expected
    assert cycle.dates().review_due_by == DUE  # the statutory 12 months still apply
    s = by_step(cycle, date(2025, 1, 1))
    if expected is None:
        assert "under-five-review" not in s
    else:
        assert (s["under-five-review"].due, s["under-five-review"].statutory) == (expected, False)
        assert s["arrange-meeting"].due == plus(expected, -42)


def test_under_five_default_is_six_months() -> None:
    assert under_five_review(ANCHOR, date(2022, 5, 1)) == date(2025, 5, 25)
    assert ReviewPolicy().under_five_months == 6


@pytest.mark.parametrize("months", [2, 7])
def test_under_five_policy_is_three_to_six_months(months: int) -> None:
    with pytest.raises(ValidationError):
        ReviewPolicy(under_five_months=months)


# --- event order (check / apply) --------------------------------------------------------------


def test_amend_cycle_runs_through_every_stage() -> None:
    cycle = new_cycle()
    stages = [cycle.stage]
    events: list[ReviewEvent] = [
        MeetingScheduled(on=date(2025, 9, 1), meeting_date=MEETING),
        InvitationsSent(on=date(2025, 10, 10)),
        AdviceCirculated(on=date(2025, 10, 18)),
        MeetingHeld(on=MEETING),
        ReportSent(on=date(2025, 11, 15)),
        DecisionNotified(on=DECIDED, decision=Decision.AMEND),
        AmendmentNoticeSent(on=DECIDED),
        FinalAmendedPlanIssued(on=date(2025, 12, 10)),
    ]
    for event in events:
        cycle = apply(cycle, event, TODAY, STAMP)
        stages.append(cycle.stage)
    assert stages == [
        Stage.AWAITING_MEETING,
        Stage.AWAITING_MEETING,
        Stage.AWAITING_MEETING,
        Stage.AWAITING_MEETING,
        Stage.AWAITING_DECISION,
        Stage.AWAITING_DECISION,
        Stage.AMENDING,
        Stage.AMENDING,
        Stage.CONCLUDED,
    ]
    assert [e.event.type for e in cycle.timeline] == [
        "meeting-scheduled",
        "invitations-sent",
        "advice-circulated",
        "meeting-held",
        "report-sent",
        "decision",
        "amendment-notice-sent",
        "final-amended-issued",
    ]
    assert (cycle.meeting_scheduled_for, cycle.meeting_held_on, cycle.final_amended_on) == (
        MEETING,
        MEETING,
        date(2025, 12, 10),
    )


CEASED = decided(Decision.CEASE)
WINDOW = date(2026, 1, 25)  # 2 months from the 25 Nov 2025 decision


@pytest.mark.parametrize(
    ("name", "before", "event", "message"),
    [
        ("invitations unscheduled", [], InvitationsSent(on=date(2025, 10, 1)), "schedule the meeting first"),
        ("advice unscheduled", [], AdviceCirculated(on=date(2025, 10, 1)), "schedule the meeting first"),
        ("invitations after meeting", held(), InvitationsSent(on=MEETING), "stage is waiting for the review meeting;"),
        ("report before meeting", [MeetingScheduled(on=date(2025, 9, 1), meeting_date=MEETING)], ReportSent(on=date(2025, 10, 1)), "meeting has not been held"),
        ("report dated before meeting", held(), ReportSent(on=plus(MEETING, -1)), "before the meeting"),
        ("report twice", [*held(), ReportSent(on=MEETING)], ReportSent(on=plus(MEETING, 1)), "already sent"),
        ("decision before meeting", [], DecisionNotified(on=date(2025, 10, 1), decision=Decision.MAINTAIN), "stage is deciding after the review meeting;"),
        ("decision dated before meeting", held(), DecisionNotified(on=plus(MEETING, -1), decision=Decision.MAINTAIN), "before the meeting"),
        ("second decision", decided(Decision.AMEND), DecisionNotified(on=DECIDED, decision=Decision.CEASE), "stage is deciding after the review meeting;"),
        ("notice before decision", held(), AmendmentNoticeSent(on=DECIDED), "stage is amending the plan;"),
        ("notice after maintain", decided(Decision.MAINTAIN), AmendmentNoticeSent(on=DECIDED), "stage is amending the plan;"),
        ("notice after cease", CEASED, AmendmentNoticeSent(on=DECIDED), "stage is amending the plan;"),
        ("notice twice", [*decided(Decision.AMEND), AmendmentNoticeSent(on=DECIDED)], AmendmentNoticeSent(on=DECIDED), "already sent"),
        ("final without notice", decided(Decision.AMEND), FinalAmendedPlanIssued(on=date(2026, 1, 1)), "send the amendment notice first"),
        ("final on day 15 of representations", [*decided(Decision.AMEND), AmendmentNoticeSent(on=DECIDED)], FinalAmendedPlanIssued(on=date(2025, 12, 9)), "15 days for representations"),
        ("final on the notice day", [*decided(Decision.AMEND), AmendmentNoticeSent(on=DECIDED)], FinalAmendedPlanIssued(on=DECIDED), "15 days for representations"),
        ("final after maintain", decided(Decision.MAINTAIN), FinalAmendedPlanIssued(on=date(2026, 1, 1)), "stage is amending the plan;"),
        ("appeal after maintain", decided(Decision.MAINTAIN), AppealLodged(on=plus(DECIDED, 1)), "stage is ceasing to maintain the plan;"),
        ("appeal after amend", decided(Decision.AMEND), AppealLodged(on=plus(DECIDED, 1)), "stage is ceasing to maintain the plan;"),
        ("appeal before any decision", held(), AppealLodged(on=plus(MEETING, 1)), "stage is ceasing to maintain the plan;"),
        ("appeal out of time", CEASED, AppealLodged(on=plus(WINDOW, 1)), "appeal window closed on 25 Jan 2026"),
        ("appeal twice", [*CEASED, AppealLodged(on=WINDOW)], AppealLodged(on=WINDOW), "already recorded"),
        ("mediation after maintain", decided(Decision.MAINTAIN), MediationWanted(on=plus(DECIDED, 1)), "stage is ceasing to maintain the plan;"),
        ("mediation before the decision", CEASED, MediationWanted(on=plus(DECIDED, -1)), "before the decision to cease"),
        ("mediation out of time", CEASED, MediationWanted(on=plus(WINDOW, 1)), r"appeal window closed on 25 Jan 2026 \(2 months from the decision\)"),
        ("mediation twice", [*CEASED, MediationWanted(on=DECIDED)], MediationWanted(on=WINDOW), "mediation is already recorded"),
        ("mediation after the certificate", [*CEASED, MediationCertificateIssued(on=DECIDED)], MediationWanted(on=WINDOW), "certificate is already recorded"),
        ("mediation after an appeal", [*CEASED, AppealLodged(on=DECIDED)], MediationWanted(on=WINDOW), "an appeal is already recorded"),
        ("certificate before mediation was asked for", [*CEASED, MediationWanted(on=plus(DECIDED, 10))], MediationCertificateIssued(on=plus(DECIDED, 9)), "before the family asked for mediation"),
        ("certificate twice", [*CEASED, MediationCertificateIssued(on=DECIDED)], MediationCertificateIssued(on=WINDOW), "certificate is already recorded"),
        ("certificate out of time", CEASED, MediationCertificateIssued(on=plus(WINDOW, 1)), "appeal window closed on 25 Jan 2026"),
        ("appeal a month after a late certificate", [*CEASED, MediationWanted(on=plus(WINDOW, -5)), MediationCertificateIssued(on=date(2026, 2, 20))], AppealLodged(on=date(2026, 3, 21)), r"appeal window closed on 20 Mar 2026 \(1 month from the mediation certificate\)"),
        ("appeal concluded without appeal", CEASED, AppealConcluded(on=WINDOW, plan_continues=True), "no appeal is recorded"),
        ("appeal concluded before lodged", [*CEASED, AppealLodged(on=WINDOW)], AppealConcluded(on=plus(WINDOW, -1), plan_continues=True), "before the appeal was lodged"),
        ("after transferred out", [TransferredOut(on=date(2025, 3, 1), reason="moved to another LA")], MeetingHeld(on=MEETING), "the plan was transferred out; nothing more can be recorded"),
        ("after ceasing on appeal", [*CEASED, AppealLodged(on=WINDOW), AppealConcluded(on=date(2026, 6, 1), plan_continues=False)], TransferSet(on=date(2026, 6, 2), transfer=None), "the plan ceased; nothing more can be recorded"),
        ("future date", [], MeetingHeld(on=plus(TODAY, 1)), "in the future"),
        ("future scheduling", [], MeetingScheduled(on=plus(TODAY, 1), meeting_date=plus(TODAY, 30)), "in the future"),
        ("before the anchor", [], MeetingHeld(on=plus(ANCHOR, -1)), "before this review cycle began"),
        ("meeting set for before arranging", [], MeetingScheduled(on=date(2025, 10, 1), meeting_date=date(2025, 9, 30)), "before the day it was arranged"),
        ("second meeting held", held(), MeetingHeld(on=plus(MEETING, 1)), "stage is waiting for the review meeting;"),
        ("transfer set after conclusion", decided(Decision.MAINTAIN), TransferSet(on=plus(DECIDED, 1), transfer=None), "stage"),
        ("reassign to the same person", [], CaseworkerReassigned(on=ANCHOR, caseworker="cw017"), "already with cw017"),
        ("transferred out after conclusion", decided(Decision.MAINTAIN), TransferredOut(on=plus(DECIDED, 1), reason="moved"), "stage"),
    ],
)  # fmt: skip
def test_events_out_of_order_are_rejected(
    name: str, before: list[ReviewEvent], event: ReviewEvent, message: str
) -> None:
    cycle = run(before)
    snapshot = cycle.model_dump()
    with pytest.raises(RuleViolation, match=message):
        check(cycle, event, TODAY)
    with pytest.raises(RuleViolation, match=message):
        apply(cycle, event, TODAY, STAMP)
    assert cycle.model_dump() == snapshot, "a rejected event must change nothing"


@pytest.mark.parametrize(
    ("name", "before", "event"),
    [
        ("invitations once scheduled", [MeetingScheduled(on=date(2025, 9, 1), meeting_date=MEETING)], InvitationsSent(on=date(2025, 9, 2))),
        ("advice once scheduled", [MeetingScheduled(on=date(2025, 9, 1), meeting_date=MEETING)], AdviceCirculated(on=date(2025, 9, 2))),
        ("meeting on the anchor day", [], MeetingHeld(on=ANCHOR)),
        ("meeting today", [], MeetingHeld(on=TODAY)),
        ("scheduled for the same day", [], MeetingScheduled(on=MEETING, meeting_date=MEETING)),
        ("meeting without scheduling first", [], MeetingHeld(on=MEETING)),
        ("rescheduled", [MeetingScheduled(on=date(2025, 9, 1), meeting_date=MEETING)], MeetingScheduled(on=date(2025, 9, 5), meeting_date=date(2025, 11, 8))),
        ("report on the meeting day", held(), ReportSent(on=MEETING)),
        ("report after the decision", decided(Decision.MAINTAIN), ReportSent(on=plus(DECIDED, 1))),
        ("decision on the meeting day", held(), DecisionNotified(on=MEETING, decision=Decision.AMEND)),
        ("final on day 16", [*decided(Decision.AMEND), AmendmentNoticeSent(on=DECIDED)], FinalAmendedPlanIssued(on=date(2025, 12, 10))),
        ("final early with representations", [*decided(Decision.AMEND), AmendmentNoticeSent(on=DECIDED)], FinalAmendedPlanIssued(on=date(2025, 12, 1), representations_received=True)),
        ("appeal on the decision day", CEASED, AppealLodged(on=DECIDED)),
        ("appeal on the last day", CEASED, AppealLodged(on=WINDOW)),
        ("transfer set while ceasing", CEASED, TransferSet(on=DECIDED, transfer=transfer("secondary-post16", 2026))),
        ("reassign to another team", [], CaseworkerReassigned(on=ANCHOR, caseworker="cw017", team="south")),
    ],
)  # fmt: skip
def test_events_in_order_are_accepted(
    name: str, before: list[ReviewEvent], event: ReviewEvent
) -> None:
    cycle = run(before)
    snapshot = cycle.model_dump()
    check(cycle, event, TODAY)
    assert cycle.model_dump() == snapshot, "check() must never change the cycle"
    after = apply(cycle, event, TODAY, STAMP)
    assert after is not cycle
    assert len(after.timeline) == len(cycle.timeline) + 1
    assert after.timeline[-1].event == event
    assert after.timeline[-1].recorded_at == STAMP
    assert cycle.model_dump() == snapshot, "apply() returns a new cycle"


@pytest.mark.parametrize(
    ("name", "before", "event"),
    [
        # docs/LAW.md: the amendment notice goes out *with* the 4-week decision (Devon [2022]).
        ("amendment notice dated before the amend decision", decided(Decision.AMEND), AmendmentNoticeSent(on=plus(DECIDED, -10))),
        # reg 22(3): the final plan is issued *within 8 weeks of* the notice, after representations.
        ("final amended plan dated before the notice", [*decided(Decision.AMEND), AmendmentNoticeSent(on=DECIDED)], FinalAmendedPlanIssued(on=plus(DECIDED, -5), representations_received=True)),
        # Appeal "within 2 months of the decision": only a decision already notified can be appealed.
        ("appeal dated before the cease decision", CEASED, AppealLodged(on=plus(DECIDED, -10))),
        # Invitations (reg 20(3)) are to a meeting that has been arranged.
        ("invitations dated before the meeting was arranged", [MeetingScheduled(on=date(2025, 10, 1), meeting_date=MEETING)], InvitationsSent(on=date(2025, 9, 1))),
        ("meeting held before it was arranged", [MeetingScheduled(on=date(2025, 10, 1), meeting_date=MEETING)], MeetingHeld(on=date(2025, 9, 1))),
    ],
)  # fmt: skip
def test_events_dated_before_the_event_they_follow_are_rejected(
    name: str, before: list[ReviewEvent], event: ReviewEvent
) -> None:
    with pytest.raises(RuleViolation):
        check(run(before), event, TODAY)


def test_transfer_set_and_reassignment_change_the_cycle() -> None:
    phase = transfer("secondary-post16", 2026)
    cycle = run(
        [
            TransferSet(on=ANCHOR, transfer=phase),
            CaseworkerReassigned(on=ANCHOR, caseworker="CW020", team="south"),
        ]
    )
    assert (cycle.transfer, cycle.caseworker, cycle.team) == (phase, "cw020", "south")
    cleared = run([TransferSet(on=ANCHOR, transfer=None)], cycle)
    assert cleared.transfer is None
    kept_team = run([CaseworkerReassigned(on=ANCHOR, caseworker="cw030")], cycle)
    assert (kept_team.caseworker, kept_team.team) == ("cw030", "south")


def test_transferred_out_ends_the_plan() -> None:
    cycle = run([TransferredOut(on=date(2025, 3, 1), reason="moved to another LA")])
    assert (cycle.stage, cycle.ended, cycle.ended_on, cycle.end_reason) == (
        Stage.ENDED,
        PlanEnding.TRANSFERRED_OUT,
        date(2025, 3, 1),
        "moved to another LA",
    )
    s = by_step(cycle)
    assert s["review-meeting"].state is StepState.NOT_APPLICABLE
    assert next_deadline(steps(cycle, TODAY)) is None


# --- ceasing a plan (CFA s45; regs 29-31) -----------------------------------------------------


def test_cease_without_appeal_ends_after_the_appeal_window() -> None:
    cycle = run(CEASED)
    assert cycle.stage is Stage.CEASING
    assert cycle.appeal_window_ends() == WINDOW
    # In force through the last day of the window, and on it.
    for today in (DECIDED, plus(WINDOW, -1), WINDOW):
        still = expire(cycle, today)
        assert (still.stage, still.ended) == (Stage.CEASING, None)
    assert cycle.ended is None
    ceased = expire(cycle, plus(WINDOW, 1))
    assert (ceased.stage, ceased.ended, ceased.ended_on) == (Stage.ENDED, PlanEnding.CEASED, WINDOW)
    assert cycle.stage is Stage.CEASING, "expire() returns a new cycle"
    with pytest.raises(RuleViolation, match="the plan ceased; nothing more can be recorded"):
        check(ceased, AppealLodged(on=plus(WINDOW, 1)), TODAY)
    assert outcome(ceased).plan_ended is PlanEnding.CEASED
    assert outcome(ceased).next_anchor is None
    with pytest.raises(RuleViolation, match="not concluded"):
        next_cycle(ceased)


@pytest.mark.parametrize(
    ("decision", "window"),
    [
        (date(2025, 11, 25), date(2026, 1, 25)),
        (date(2025, 12, 31), date(2026, 2, 28)),  # 2 months from 31 Dec: clamped
        (date(2023, 12, 30), date(2024, 2, 29)),
    ],
)
def test_appeal_window_is_two_months_from_the_decision(decision: date, window: date) -> None:
    cycle = run(
        decided(Decision.CEASE, on=decision, meeting=plus(decision, -20)),
        new_cycle(anchor=date(2023, 1, 1), plan_date=date(2022, 1, 1)),
    )
    assert cycle.appeal_window_ends() == window
    assert expire(cycle, window).ended is None
    assert expire(cycle, plus(window, 1)).ended_on == window
    s = by_step(cycle, decision)["cease-appeal-window"]
    assert (s.due, s.statutory, s.state) == (window, False, StepState.OPEN)


def test_appeal_holds_the_plan_until_it_concludes() -> None:
    appealed = run([*CEASED, AppealLodged(on=date(2026, 1, 10))])
    years_later = expire(appealed, date(2030, 1, 1))
    assert (years_later.stage, years_later.ended) == (Stage.CEASING, None)
    assert "cease-appeal-window" not in by_step(appealed)

    continues = run([AppealConcluded(on=date(2026, 5, 1), plan_continues=True)], appealed)
    assert (continues.stage, continues.ended, continues.plan_continues_after_appeal) == (
        Stage.CONCLUDED,
        None,
        True,
    )
    assert outcome(continues).next_anchor == DECIDED
    assert next_cycle(continues).anchor == DECIDED

    ceases = run([AppealConcluded(on=date(2026, 5, 1), plan_continues=False)], appealed)
    assert (ceases.stage, ceases.ended, ceases.ended_on) == (
        Stage.ENDED,
        PlanEnding.CEASED,
        date(2026, 5, 1),
    )


def test_a_late_mediation_certificate_moves_the_appeal_window() -> None:
    """Tribunal rules r20(1): 2 months from the decision, or 1 month from the mediation
    certificate if that is later; the plan stays in force until then (CFA s45)."""
    asked = run([*CEASED, MediationWanted(on=date(2026, 1, 20))])
    assert asked.appeal_window_ends() is None, "the certificate, still to come, sets the day"
    assert expire(asked, date(2026, 6, 1)).ended is None, "no plan ceases while mediation runs"
    assert "cease-appeal-window" not in by_step(asked, date(2026, 2, 1))

    certified = run([MediationCertificateIssued(on=date(2026, 2, 20))], asked)
    assert certified.appeal_window_ends() == date(2026, 3, 20)
    s = by_step(certified, date(2026, 3, 1))["cease-appeal-window"]
    assert (s.due, s.state) == (date(2026, 3, 20), StepState.OPEN)
    assert expire(certified, date(2026, 3, 20)).ended is None
    ceased = expire(certified, date(2026, 3, 21))
    assert (ceased.ended, ceased.ended_on) == (PlanEnding.CEASED, date(2026, 3, 20))
    appealed = run([AppealLodged(on=date(2026, 3, 20))], certified)
    assert expire(appealed, date(2030, 1, 1)).ended is None


def test_an_early_certificate_leaves_two_months() -> None:
    """A family who declined mediation at once: 1 month from the certificate ends before the
    2 months from the decision, which stand."""
    certified = run([*CEASED, MediationCertificateIssued(on=plus(DECIDED, 5))])
    assert certified.appeal_window_ends() == WINDOW
    assert expire(certified, plus(WINDOW, 1)).ended_on == WINDOW


@pytest.mark.parametrize(
    "events",
    [[], held(), decided(Decision.MAINTAIN), decided(Decision.AMEND)],
    ids=["awaiting-meeting", "awaiting-decision", "maintained", "amending"],
)
def test_expire_leaves_other_cycles_alone(events: list[ReviewEvent]) -> None:
    cycle = run(events)
    assert expire(cycle, date(2040, 1, 1)) == cycle


# --- outcome ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting", "within"),
    [(DUE, True), (plus(DUE, 1), False), (plus(DUE, -1), True), (ANCHOR, True)],
)
def test_reviewed_within_12_months(meeting: date, within: bool) -> None:
    o = outcome(run([MeetingHeld(on=meeting)]))
    assert o.reviewed_within_12_months is within
    assert o.review_due_by == DUE
    assert o.decision_within_4_weeks is None
    assert outcome(new_cycle()).reviewed_within_12_months is None


@pytest.mark.parametrize(("days", "within"), [(0, True), (28, True), (29, False)])
def test_decision_within_4_weeks(days: int, within: bool) -> None:
    o = outcome(run(decided(Decision.MAINTAIN, on=plus(MEETING, days))))
    assert o.decision_within_4_weeks is within
    assert o.amended_within_12_weeks is None  # maintain: not an amendment
    assert o.decision is Decision.MAINTAIN


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (amended(plus(MEETING, 84)), True),
        (amended(plus(MEETING, 85)), False),
        (amended(date(2025, 12, 10)), True),
        (decided(Decision.AMEND), False),  # not yet issued
        (decided(Decision.MAINTAIN), None),
        (decided(Decision.CEASE), None),
        (held(), None),
    ],
    ids=["day-84", "day-85", "early", "not-issued", "maintain", "cease", "no-decision"],
)
def test_amended_within_12_weeks(events: list[ReviewEvent], expected: bool | None) -> None:
    assert outcome(run(events)).amended_within_12_weeks is expected


PRIMARY_2026 = transfer("primary-secondary", 2026)  # 15 Feb 2026, in this cycle


@pytest.mark.parametrize(
    ("phase", "events", "expected"),
    [
        (PRIMARY_2026, decided(Decision.MAINTAIN), True),
        (PRIMARY_2026, decided(Decision.MAINTAIN, on=date(2026, 2, 15), meeting=date(2026, 2, 1)), True),
        (PRIMARY_2026, decided(Decision.MAINTAIN, on=date(2026, 2, 16), meeting=date(2026, 2, 1)), False),
        (PRIMARY_2026, amended(date(2026, 2, 15)), True),
        (PRIMARY_2026, amended(date(2026, 2, 16)), False),
        (PRIMARY_2026, decided(Decision.AMEND), False),
        (PRIMARY_2026, [], False),
        (None, decided(Decision.MAINTAIN), None),
        (transfer("primary-secondary", 2030), decided(Decision.MAINTAIN), None),
    ],
    ids=["maintained", "maintained-on-day", "maintained-late", "amended-on-day", "amended-late", "not-issued", "no-review", "no-transfer", "later-transfer"],
)  # fmt: skip
def test_phase_transfer_finalised_in_time(
    phase: PhaseTransfer | None, events: list[ReviewEvent], expected: bool | None
) -> None:
    o = outcome(run(events, new_cycle(phase=phase)))
    assert o.phase_transfer_finalised_in_time is expected
    in_cycle = expected is not None
    assert o.phase_transfer == (TransferKind.PRIMARY_SECONDARY if in_cycle else None)
    assert o.category is (Category.SECONDARY_TRANSFER if in_cycle else Category.OTHER)


def test_a_cease_decision_takes_the_phase_transfer_step_off() -> None:
    cycle = expire(run(CEASED, new_cycle(phase=PRIMARY_2026)), plus(WINDOW, 1))
    assert cycle.stage is Stage.ENDED
    assert by_step(cycle)["phase-transfer"].state is StepState.NOT_APPLICABLE


def test_ceased_plan_has_no_phase_transfer_to_finalise() -> None:
    cycle = expire(run(CEASED, new_cycle(phase=PRIMARY_2026)), plus(WINDOW, 1))
    assert outcome(cycle).phase_transfer_finalised_in_time is None


@pytest.mark.parametrize(
    ("mode", "next_anchor"),
    [(AnchorMode.DECISION, DECIDED), (AnchorMode.MEETING, MEETING)],
)
def test_next_anchor_and_next_cycle_follow_the_anchor_mode(
    mode: AnchorMode, next_anchor: date
) -> None:
    policy = ReviewPolicy(anchor_mode=mode, under_five_months=4)
    cycle = run(
        [CaseworkerReassigned(on=ANCHOR, caseworker="cw099"), *decided(Decision.MAINTAIN)],
        new_cycle(policy=policy),
    )
    assert cycle.stage is Stage.CONCLUDED
    assert conclusion_day(cycle) == next_anchor
    o = outcome(cycle)
    assert (o.next_anchor, o.cycle, o.anchor, o.case_ref) == (
        next_anchor,
        1,
        ANCHOR,
        "EHC-2023-0147",
    )
    following = next_cycle(cycle)
    assert (following.cycle, following.anchor, following.stage) == (
        2,
        next_anchor,
        Stage.AWAITING_MEETING,
    )
    assert following.dates().review_due_by == review_due(next_anchor)
    assert (following.caseworker, following.team, following.policy) == ("cw099", "north", policy)
    assert following.timeline == [] and following.meeting_held_on is None
    assert following.decision is None and following.plan == cycle.plan
    third = next_cycle(
        run(decided(Decision.MAINTAIN, on=date(2026, 11, 1), meeting=date(2026, 10, 1)), following)
    )
    assert third.cycle == 3


def test_amend_cycle_concludes_on_the_decision_not_the_final_plan() -> None:
    cycle = run(amended(date(2026, 1, 10)))
    assert cycle.stage is Stage.CONCLUDED
    assert outcome(cycle).next_anchor == DECIDED
    assert next_cycle(cycle).anchor == DECIDED


@pytest.mark.parametrize(
    "events",
    [[], held(), decided(Decision.AMEND), CEASED],
    ids=["awaiting-meeting", "awaiting-decision", "amending", "ceasing"],
)
def test_next_cycle_needs_a_concluded_cycle(events: list[ReviewEvent]) -> None:
    cycle = run(events)
    assert outcome(cycle).next_anchor is None
    with pytest.raises(RuleViolation, match="not concluded"):
        next_cycle(cycle)


# --- steps ------------------------------------------------------------------------------------

PLANNING = {"arrange-meeting", "transfer-meeting", "under-five-review", "cease-appeal-window"}


def test_statutory_and_planning_steps() -> None:
    cycle = run(
        [
            MeetingScheduled(on=date(2024, 10, 1), meeting_date=date(2024, 11, 20)),
            MeetingHeld(on=date(2024, 11, 20)),
            DecisionNotified(on=date(2024, 12, 10), decision=Decision.AMEND),
        ],
        new_cycle(
            anchor=date(2024, 3, 1),
            phase=transfer("primary-secondary", 2025),
            dob=date(2020, 6, 1),
            plan_date=date(2022, 1, 1),
        ),
    )
    s = by_step(cycle, date(2024, 12, 10))
    assert set(s) == {
        "arrange-meeting",
        "invitations",
        "advice-circulated",
        "under-five-review",
        "transfer-meeting",
        "review-meeting",
        "report",
        "decision",
        "amendment-notice",
        "final-amended-plan",
        "phase-transfer",
    }
    for name, status in s.items():
        assert status.statutory is (name not in PLANNING), name
    due = {name: status.due for name, status in s.items()}
    assert due == {
        "arrange-meeting": date(2024, 7, 21),  # under-5 review 1 Sep 2024 - 6 weeks
        "invitations": date(2024, 11, 6),
        "advice-circulated": date(2024, 11, 6),
        "under-five-review": date(2024, 9, 1),
        "transfer-meeting": date(2024, 11, 23),
        "review-meeting": date(2025, 3, 1),
        "report": date(2024, 12, 4),
        "decision": date(2024, 12, 18),
        "amendment-notice": date(2024, 12, 18),
        "final-amended-plan": date(2025, 2, 12),  # no notice yet: meeting + 12 weeks
        "phase-transfer": date(2025, 2, 15),
    }
    regulation = {name: status.regulation for name, status in s.items()}
    assert regulation["invitations"] == "reg 20(3)"
    assert regulation["advice-circulated"] == "reg 20(4)"
    assert regulation["report"] == "reg 20(7)"
    assert regulation["decision"] == "reg 20(10)"
    assert regulation["final-amended-plan"] == "reg 22(3)"
    assert regulation["phase-transfer"] == "reg 18"
    states = {name: status.state for name, status in s.items()}
    assert states["under-five-review"] is StepState.LATE  # held 20 Nov, due 1 Sep
    assert states["transfer-meeting"] is StepState.MET
    assert states["decision"] is StepState.MET
    assert states["report"] is StepState.OVERDUE  # not sent, 4 Dec passed
    assert s["report"].rag is Rag.RED
    # Invitations and advice were never recorded: once the meeting is held they drop out.
    assert states["invitations"] is StepState.NOT_APPLICABLE
    # The earliest open statutory step, not the (earlier) planning ones.
    nxt = next_deadline(list(s.values()))
    assert nxt is not None and nxt.step == "report"


def test_next_deadline_is_the_earliest_open_statutory_step() -> None:
    cycle = new_cycle()
    today = date(2025, 10, 1)
    first = steps(cycle, today)
    # arrange-meeting (planning) is due first and is open, but only statutory steps count.
    assert {s.step: s.state for s in first}["arrange-meeting"] is StepState.OPEN
    nxt = next_deadline(first)
    assert nxt is not None and (nxt.step, nxt.due) == ("review-meeting", DUE)

    scheduled = run([MeetingScheduled(on=date(2025, 9, 1), meeting_date=MEETING)], cycle)
    nxt = next_deadline(steps(scheduled, today))
    assert nxt is not None and (nxt.step, nxt.due) == ("advice-circulated", date(2025, 10, 18))
    assert nxt.rag is Rag.GREEN and nxt.days_left == 17

    invited = run(
        [InvitationsSent(on=date(2025, 10, 1)), AdviceCirculated(on=date(2025, 10, 1))], scheduled
    )
    s = by_step(invited, today)
    assert (s["invitations"].state, s["advice-circulated"].state) == (StepState.MET, StepState.MET)
    assert s["arrange-meeting"].state is StepState.MET
    nxt = next_deadline(list(s.values()))
    assert nxt is not None and nxt.step == "review-meeting"

    after = run([MeetingHeld(on=MEETING)], invited)
    nxt = next_deadline(steps(after, MEETING))
    assert nxt is not None and (nxt.step, nxt.due) == ("report", date(2025, 11, 15))

    done = run(
        [ReportSent(on=MEETING), DecisionNotified(on=DECIDED, decision=Decision.MAINTAIN)], after
    )
    assert next_deadline(steps(done, DECIDED)) is None


@pytest.mark.parametrize(
    ("sent", "state"),
    [(date(2025, 10, 18), StepState.MET), (date(2025, 10, 19), StepState.LATE)],
)
def test_invitations_two_weeks_before_met_or_late(sent: date, state: StepState) -> None:
    cycle = run(
        [
            MeetingScheduled(on=date(2025, 9, 1), meeting_date=MEETING),
            InvitationsSent(on=sent),
            AdviceCirculated(on=sent),
            MeetingHeld(on=MEETING),
        ]
    )
    s = by_step(cycle, MEETING)
    assert (s["invitations"].state, s["advice-circulated"].state) == (state, state)
    assert s["review-meeting"].state is StepState.MET


def test_amendment_steps_follow_the_notice() -> None:
    cycle = run([*decided(Decision.AMEND), AmendmentNoticeSent(on=date(2025, 12, 5))])
    s = by_step(cycle, date(2025, 12, 5))
    assert s["amendment-notice"].state is StepState.LATE  # due with the decision, 29 Nov
    assert s["final-amended-plan"].due == date(2026, 1, 30)  # notice + 8 weeks
    assert s["final-amended-plan"].state is StepState.OPEN
    assert "phase-transfer" not in s and "cease-appeal-window" not in s
    final = run([FinalAmendedPlanIssued(on=date(2026, 1, 30))], cycle)
    assert by_step(final)["final-amended-plan"].state is StepState.MET
    assert outcome(final).amended_within_12_weeks is False  # meeting + 84 = 24 Jan 2026
