"""The duty clocks (statutory.clocks over statutory.clock_processes), from the statute.

First every limit with worked dates, as the calculator gives them (re-assessment regs 25, 27;
Tribunal orders and concessions regs 44, 45; transfers reg 15; appeals Tribunal rules r20 and
the mediation regulations); then the engine's rules: what opens a case, which actions and
exceptions it refuses, each step's status through the truth table, the appeal window lapsing,
the follow-on processes an action opens, and the outcome.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statutory import clocks
from statutory.clock_processes import CLOCKS
from statutory.dates import months_after
from statutory.errors import RuleViolation
from statutory.exceptions import Reason
from statutory.steps import StepState
from statutory.working_days import is_working_day

D = date
REF, STAFF, TEAM = "EHC-2026-0147", "cw101", "north"


def calc(process: str, variant: str | None = None, **dates: date) -> dict[str, date]:
    """The calculator; legal dates named with ``_`` for ``-`` (``last_review``)."""
    return clocks.calculate(process, variant, {k.replace("_", "-"): v for k, v in dates.items()})


# --- re-assessment: reg 25(1), reg 27(2) -----------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "decide_by"),
    [
        (D(2026, 1, 5), D(2026, 1, 20)),  # "within 15 days of receiving": request + 15
        (D(2026, 12, 31), D(2027, 1, 15)),  # across the year; no bank-holiday shift
        (D(2028, 2, 14), D(2028, 2, 29)),  # onto a leap day
        (D(2026, 12, 19), D(2027, 1, 3)),  # a Sunday stays a Sunday
    ],
)
def test_reg_25_1_decision_is_due_15_days_after_the_request(
    requested: date, decide_by: date
) -> None:
    assert calc("reassessment", requested=requested) == {"decide_by": decide_by}


@pytest.mark.parametrize(
    ("decided", "final_plan_by"),
    [
        (D(2026, 1, 19), D(2026, 4, 27)),  # 14 weeks = 98 days
        (D(2027, 11, 22), D(2028, 2, 28)),
        (D(2027, 11, 23), D(2028, 2, 29)),
    ],
)
def test_reg_27_2_plan_is_due_14_weeks_after_the_decision(
    decided: date, final_plan_by: date
) -> None:
    # A council re-assessing of its own accord (CFA s44(3)) has no request: the decision alone.
    assert calc("reassessment", decided=decided) == {"final_plan_by": final_plan_by}
    both = calc("reassessment", requested=decided - timedelta(days=10), decided=decided)
    assert both == {"decide_by": decided + timedelta(days=5), "final_plan_by": final_plan_by}


# --- Tribunal orders and concessions: reg 44(2), 45 ------------------------------------------

ORDER = D(2026, 3, 2)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # (b): notify in 2 weeks; not to issue in 10, the plan in 14, both from the order.
        (
            "assess",
            {"notify_by": D(2026, 3, 16), "decide_not_to_issue_by": D(2026, 5, 11),
             "final_plan_by": D(2026, 6, 8)},
        ),
        (
            "reassess",
            {"notify_by": D(2026, 3, 16), "decide_not_to_issue_by": D(2026, 5, 11),
             "final_plan_by": D(2026, 6, 8)},
        ),
        ("make-plan", {"draft_by": D(2026, 4, 6), "final_plan_by": D(2026, 5, 18)}),  # (c)
        ("reconsider", {"reconsider_by": D(2026, 3, 16)}),  # (d)
        ("amend", {"final_plan_by": D(2026, 4, 6)}),  # (e)
        ("school", {"final_plan_by": D(2026, 3, 16)}),  # (f)
        ("continue", {"continue_from": ORDER}),  # (g): at once
        ("continue-amend", {"continue_from": ORDER, "final_plan_by": D(2026, 4, 6)}),  # (h)
    ],
)  # fmt: skip
def test_reg_44_limits_run_from_the_order(kind: str, expected: dict[str, date]) -> None:
    assert calc("tribunal-order", kind, order=ORDER) == expected


def test_every_order_type_is_declared_and_gives_a_date() -> None:
    kinds = CLOCKS["tribunal-order"].variants
    assert set(kinds) == {
        *("assess", "reassess", "make-plan", "reconsider"),
        *("amend", "school", "continue", "continue-amend"),
    }
    for kind in kinds:
        assert calc("tribunal-order", kind, order=ORDER), kind
    assert calc("tribunal-order", "cease", order=ORDER) == {}  # no such clock (reg 44(2)(a))


def test_order_dates_across_a_leap_day() -> None:
    assert calc("tribunal-order", "school", order=D(2028, 2, 15)) == {
        "final_plan_by": D(2028, 2, 29)
    }
    assert calc("tribunal-order", "make-plan", order=D(2027, 12, 28))["draft_by"] == D(2028, 2, 1)


# --- transfer out: reg 15(2), working days ---------------------------------------------------


@pytest.mark.parametrize(
    ("aware", "move", "transfer_by"),
    [
        # Aware in good time: the day of the move, even a Saturday (no working-day shift).
        (D(2026, 6, 1), D(2026, 9, 1), D(2026, 9, 1)),
        (D(2026, 6, 1), D(2026, 9, 5), D(2026, 9, 5)),
        # Aware Mon 2 Mar: its 15th working day is Fri 20 Mar. A move on Mon 23 Mar leaves 15
        # working days before it (the move day); a move on the 20th or 19th does not.
        (D(2026, 3, 2), D(2026, 3, 23), D(2026, 3, 23)),
        (D(2026, 3, 2), D(2026, 3, 20), D(2026, 3, 20)),
        (D(2026, 3, 2), D(2026, 3, 19), D(2026, 3, 20)),
        # Two weekends: 2-6, 9-13, 16-20 March.
        (D(2026, 3, 2), D(2026, 3, 6), D(2026, 3, 20)),
        # Aware on a Saturday: day 1 is the Monday after.
        (D(2026, 3, 7), D(2026, 3, 9), D(2026, 3, 27)),
        # Easter 2026: Good Friday 3 Apr and Easter Monday 6 Apr are not working days.
        (D(2026, 3, 25), D(2026, 4, 1), D(2026, 4, 16)),
        # Christmas 2026: 25 Dec, 28 Dec (for Boxing Day, a Saturday) and 1 Jan 2027.
        (D(2026, 12, 15), D(2027, 1, 4), D(2027, 1, 7)),
        (D(2026, 12, 19), D(2026, 12, 28), D(2027, 1, 13)),
        # Aware only after the move: 15 working days beginning with that day.
        (D(2026, 3, 2), D(2026, 3, 1), D(2026, 3, 20)),
        (D(2026, 9, 14), D(2026, 8, 28), D(2026, 10, 2)),
    ],
)
def test_reg_15_2_transfer_date(aware: date, move: date, transfer_by: date) -> None:
    assert calc("transfer-out", move=move, aware=aware) == {"transfer_by": transfer_by}


@settings(max_examples=200, deadline=None)
@given(
    aware=st.dates(D(2015, 1, 1), D(2040, 12, 31)),
    move_offset=st.integers(-60, 120),
)
def test_transfer_is_on_the_move_or_a_working_day_no_sooner(aware: date, move_offset: int) -> None:
    move = aware + timedelta(days=move_offset)
    due = calc("transfer-out", move=move, aware=aware)["transfer_by"]
    assert due >= move and due >= aware
    if due != move:  # the 15th working day from learning of it, and no earlier one
        assert is_working_day(due)
        days = [aware + timedelta(days=n) for n in range((due - aware).days + 1)]
        assert sum(map(is_working_day, days)) == 15
    else:  # a move with at least 15 working days' notice, or on that 15th day itself
        before = [aware + timedelta(days=n) for n in range((move - aware).days)]
        assert sum(map(is_working_day, before)) >= 14


# --- transfer in: reg 15(4), 15(5) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("transfer", "anchors", "notify_by", "review_due_by"),
    [
        # 12 months from the plan (10 Feb 2027) is later than 3 months from the transfer.
        (D(2026, 9, 1), {"plan": D(2026, 2, 10)}, D(2026, 10, 13), D(2027, 2, 10)),
        # 3 months from the transfer (1 Dec 2026) is later than 12 from the last review.
        (D(2026, 9, 1), {"last_review": D(2025, 8, 10)}, D(2026, 10, 13), D(2026, 12, 1)),
        # The last review, when there was one, counts rather than the plan.
        (
            D(2026, 9, 1),
            {"plan": D(2024, 5, 1), "last_review": D(2026, 5, 1)},
            D(2026, 10, 13),
            D(2027, 5, 1),
        ),
        # A plan of 29 Feb 2024: its anniversary is 28 Feb 2025.
        (D(2024, 10, 1), {"plan": D(2024, 2, 29)}, D(2024, 11, 12), D(2025, 2, 28)),
        (D(2025, 1, 15), {"plan": D(2024, 2, 29)}, D(2025, 2, 26), D(2025, 4, 15)),
        # 3 months from 30 Nov: the end of February, 28th or 29th.
        (D(2025, 11, 30), {"plan": D(2025, 1, 10)}, D(2026, 1, 11), D(2026, 2, 28)),
        (D(2027, 11, 30), {"plan": D(2027, 1, 10)}, D(2028, 1, 11), D(2028, 2, 29)),
        (D(2028, 3, 15), {"last_review": D(2028, 2, 29)}, D(2028, 4, 26), D(2029, 2, 28)),
    ],
)
def test_reg_15_4_and_15_5(
    transfer: date, anchors: dict[str, date], notify_by: date, review_due_by: date
) -> None:
    assert calc("transfer-in", transfer=transfer, **anchors) == {
        "notify_family_by": notify_by,
        "review_due_by": review_due_by,
    }


@settings(max_examples=200, deadline=None)
@given(
    transfer=st.dates(D(2016, 1, 1), D(2040, 12, 31)),
    back=st.integers(0, 800),
    reviewed=st.booleans(),
)
def test_review_is_never_before_either_period_ends(
    transfer: date, back: int, reviewed: bool
) -> None:
    made = transfer - timedelta(days=back)
    anchor = {"last_review": made} if reviewed else {"plan": made}
    due = calc("transfer-in", transfer=transfer, **anchor)["review_due_by"]
    assert due >= months_after(transfer, 3)
    assert due >= months_after(made, 12)
    assert due in (months_after(transfer, 3), months_after(made, 12))


# --- appeals and mediation: Tribunal rules r20(1)(c); regs 34, 35, 37, 39 --------------------


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # 2 months after the notice, by the corresponding date; a Saturday is not moved.
        ({"notice": D(2026, 3, 2)}, {"appeal_by": D(2026, 5, 2)}),
        ({"notice": D(2025, 12, 31)}, {"appeal_by": D(2026, 2, 28)}),
        ({"notice": D(2027, 12, 31)}, {"appeal_by": D(2028, 2, 29)}),
        # A certificate + 1 month counts only when it is later.
        (
            {"notice": D(2026, 3, 2), "certificate": D(2026, 4, 17)},
            {"appeal_by": D(2026, 5, 17)},
        ),
        (
            {"notice": D(2026, 3, 2), "certificate": D(2026, 3, 10)},
            {"appeal_by": D(2026, 5, 2)},
        ),
        (
            {"notice": D(2026, 3, 2), "certificate": D(2026, 5, 2)},
            {"appeal_by": D(2026, 6, 2)},
        ),
        # Mediation: 30 days to hold it (reg 37); 3 working days to tell a health body (reg
        # 35) and for a certificate (regs 34, 39), across Easter 2026.
        (
            {"notice": D(2026, 3, 2), "mediation_wanted": D(2026, 3, 20),
             "health_mediation": D(2026, 3, 20)},
            {"appeal_by": D(2026, 5, 2), "mediation_by": D(2026, 4, 19),
             "health_body_by": D(2026, 3, 24)},
        ),
        (
            {"notice": D(2026, 3, 2), "mediation_declined": D(2026, 4, 3)},
            {"appeal_by": D(2026, 5, 2), "certificate_by": D(2026, 4, 9)},
        ),
        (
            {"notice": D(2026, 3, 2), "mediation": D(2026, 4, 15)},
            {"appeal_by": D(2026, 5, 2), "certificate_by": D(2026, 4, 17)},
        ),
    ],
)  # fmt: skip
def test_appeal_window_and_mediation(dates: dict[str, date], expected: dict[str, date]) -> None:
    assert calc("appeal", "contents", **dates) == expected


@settings(max_examples=200, deadline=None)
@given(notice=st.dates(D(2015, 1, 1), D(2040, 12, 31)), later=st.integers(0, 120))
def test_appeal_window_is_the_later_of_the_two(notice: date, later: int) -> None:
    certificate = notice + timedelta(days=later)
    due = calc("appeal", notice=notice, certificate=certificate)["appeal_by"]
    assert due == max(months_after(notice, 2), months_after(certificate, 1))


# --- opening a case ----------------------------------------------------------------------------

TODAY = D(2026, 6, 1)


def start(process: str, variant: str | None = None, **dates: date) -> clocks.ClockStart:
    return clocks.ClockStart(
        process=process,
        variant=variant,
        case_ref=REF,
        caseworker=STAFF,
        team=TEAM,
        dates={k.replace("_", "-"): v for k, v in dates.items()},
    )


def opened(process: str, variant: str | None = None, **dates: date) -> clocks.ClockCase:
    return clocks.open_case(start(process, variant, **dates), TODAY)


@pytest.mark.parametrize(
    ("process", "variant", "dates", "refusal"),
    [
        ("transfer-out", None, {"aware": D(2026, 5, 1)}, "give the day of the move"),
        (
            "transfer-in",
            None,
            {"transfer": D(2026, 5, 1)},
            "give the day the plan was made (the old council's date, reg 15(3)) or the day "
            "of the plan's last review",
        ),
        ("reassessment", None, {}, "give the day the request"),
        ("appeal", "contents", {"certificate": D(2026, 5, 1)}, "give the day the decision"),
        ("tribunal-order", None, {"order": D(2026, 5, 1)}, "needs its kind: one of assess"),
        ("tribunal-order", "cease", {"order": D(2026, 5, 1)}, "needs its kind"),
        ("reassessment", "assess", {"requested": D(2026, 5, 1)}, "has no kinds"),
        ("reassessment", None, {"received": D(2026, 5, 1)}, "has no date 'received'"),
        (
            "reassessment",
            None,
            {"requested": D(2026, 6, 2)},
            "the day the request to re-assess was received (2 Jun 2026) is in the future "
            "(today is 1 Jun 2026)",
        ),
        ("transfer-out", None, {"move": D(2026, 7, 1), "aware": D(2026, 6, 2)}, "in the future"),
        ("appeal", "contents", {"notice": D(2026, 6, 2)}, "in the future"),
        ("nonsense", None, {}, "unknown process 'nonsense'"),
    ],
)
def test_open_case_refuses(
    process: str, variant: str | None, dates: dict[str, date], refusal: str
) -> None:
    with pytest.raises(RuleViolation, match=re.escape(refusal)):
        opened(process, variant, **dates)


def test_open_case_takes_a_move_ahead_and_runs_from_the_first_known_anchor() -> None:
    move_ahead = opened("transfer-out", move=D(2026, 9, 1), aware=D(2026, 5, 20))
    assert move_ahead.opened_on == D(2026, 5, 20)
    # A council re-assessing of its own accord: the clock runs from its decision.
    own_accord = opened("reassessment", decided=D(2026, 5, 4))
    assert own_accord.opened_on == D(2026, 5, 4)
    requested = opened("reassessment", requested=D(2026, 5, 1), decided=D(2026, 5, 4))
    assert requested.opened_on == D(2026, 5, 1)
    assert [s.step for s in clocks.steps(own_accord, TODAY)] == ["reassessment-plan"]


# --- actions ---------------------------------------------------------------------------------


def act(
    case: clocks.ClockCase, action: str, on: date, choice: str | None = None, today: date = TODAY
) -> clocks.ClockCase:
    return clocks.apply(case, clocks.ActionRecorded(on=on, action=action, choice=choice), today)


def order(kind: str, on: date = D(2026, 3, 2)) -> clocks.ClockCase:
    return opened("tribunal-order", kind, order=on)


def test_actions_refused() -> None:
    assess = order("assess")
    with pytest.raises(RuleViolation, match="'Draft plan issued' does not apply to this kind"):
        act(assess, "draft-issued", D(2026, 3, 10))
    with pytest.raises(RuleViolation, match="has no action 'drafted' \\(known: notified,"):
        act(assess, "drafted", D(2026, 3, 10))
    notified = act(assess, "notified", D(2026, 3, 10))
    with pytest.raises(RuleViolation, match="already recorded on 10 Mar 2026"):
        act(notified, "notified", D(2026, 3, 11))
    with pytest.raises(RuleViolation, match="takes no choice"):
        act(assess, "notified", D(2026, 3, 10), "assess")
    with pytest.raises(RuleViolation, match="before the case began \\(2 Mar 2026\\)"):
        act(assess, "notified", D(2026, 3, 1))
    with pytest.raises(RuleViolation, match="2 Jun 2026 is in the future"):
        act(assess, "notified", D(2026, 6, 2))

    requested = opened("reassessment", requested=D(2026, 1, 5))
    for choice in (None, "maybe"):
        with pytest.raises(RuleViolation, match="needs a choice: one of reassess, refuse"):
            act(requested, "decided", D(2026, 1, 12), choice)
    with pytest.raises(RuleViolation, match="needs the day the decision to re-assess was notified"):
        act(requested, "plan-issued", D(2026, 3, 1), "amended")
    own_accord = opened("reassessment", decided=D(2026, 1, 12))
    with pytest.raises(RuleViolation, match="needs the day the request to re-assess was received"):
        act(own_accord, "decided", D(2026, 1, 12), "reassess")
    with pytest.raises(RuleViolation, match="needs the day the appeal was registered first"):
        act(opened("appeal", "contents", notice=D(2026, 3, 2)), "conceded", D(2026, 4, 1), "assess")

    done = act(order("school"), "plan-issued", D(2026, 3, 12))
    with pytest.raises(RuleViolation, match="the case ended \\(complied with\\)"):
        act(done, "plan-issued", D(2026, 3, 13))


def test_a_concession_cannot_be_to_reconsider() -> None:
    """Reg 45 has no concession to reconsider: only an order remits a decision (44(2)(d))."""
    appeal = opened("appeal", "contents", notice=D(2026, 3, 2))
    registered = act(appeal, "appeal-registered", D(2026, 4, 1))
    assert "reconsider" not in CLOCKS["appeal"].action("conceded").choices
    with pytest.raises(RuleViolation, match="needs a choice"):
        act(registered, "conceded", D(2026, 4, 20), "reconsider")
    upheld = act(registered, "decided", D(2026, 5, 20), "reconsider")
    assert upheld.follow_ons == [
        clocks.FollowOn(process="tribunal-order", variant="reconsider", on=D(2026, 5, 20))
    ]


def test_each_action_keeps_to_its_order_types() -> None:
    proc = CLOCKS["tribunal-order"]
    applies = {
        kind: sorted(a.name for a in proc.actions if a.variants is None or kind in a.variants)
        for kind in proc.variants
    }
    assert applies == {
        "assess": ["not-to-issue", "notified", "plan-issued"],
        "reassess": ["not-to-issue", "notified", "plan-issued"],
        "make-plan": ["draft-issued", "plan-issued"],
        "reconsider": ["reconsidered"],
        "amend": ["plan-issued"],
        "school": ["plan-issued"],
        "continue": ["maintained"],
        "continue-amend": ["maintained-to-amend", "plan-issued"],
    }
    # Each kind's steps are exactly those its actions complete.
    for kind in proc.variants:
        due = {
            d.step.id.value for d in proc.deadlines if d.step and d.rule.on({"order": ORDER}, kind)
        }
        completed = {
            s.value
            for a in proc.actions
            if a.variants is None or kind in a.variants
            for s in a.effect_of(None if not a.choices else next(iter(a.choices))).completes
        }
        assert due == completed, kind


# --- exceptions --------------------------------------------------------------------------------


def exception(
    case: clocks.ClockCase, reason: Reason, first: date, last: date, today: date = TODAY
) -> clocks.ClockCase:
    event = clocks.ExceptionRecorded(on=today, reason=reason, start=first, end=last)
    return clocks.apply(case, event, today)


def test_absence_needs_2_weeks_for_an_order_and_4_for_a_reassessment() -> None:
    # reg 44(3)(b) (and reg 45): 2 continuous weeks.
    exception(order("assess"), Reason.ABSENCE_FROM_AREA, D(2026, 3, 10), D(2026, 3, 23))
    with pytest.raises(RuleViolation, match=r"at least 14 continuous days; .* is 13"):
        exception(order("assess"), Reason.ABSENCE_FROM_AREA, D(2026, 3, 10), D(2026, 3, 22))
    # reg 27(3)(d): 4 continuous weeks.
    reassessing = opened("reassessment", decided=D(2026, 3, 2))
    exception(reassessing, Reason.ABSENCE_FROM_AREA, D(2026, 3, 10), D(2026, 4, 6))
    with pytest.raises(RuleViolation, match=r"at least 28 continuous days; .* is 27"):
        exception(reassessing, Reason.ABSENCE_FROM_AREA, D(2026, 3, 10), D(2026, 4, 5))
    with pytest.raises(RuleViolation, match="at least 28"):
        exception(reassessing, Reason.SCHOOL_CLOSURE, D(2026, 3, 10), D(2026, 3, 30))
    exception(reassessing, Reason.PERSONAL_CIRCUMSTANCES, D(2026, 3, 10), D(2026, 3, 10))


@pytest.mark.parametrize(
    ("case", "reason", "allowed"),
    [
        (
            ("reassessment", None, {"decided": D(2026, 3, 2)}),
            Reason.CORONAVIRUS,
            "school-closure, early-years-closure, personal-circumstances, absence-from-area",
        ),
        (("tribunal-order", "assess", {"order": ORDER}), Reason.MISSED_APPOINTMENT, "school"),
        (("transfer-out", None, {"move": D(2026, 4, 1), "aware": ORDER}), Reason.ABSENCE_FROM_AREA, "none"),
        (("transfer-in", None, {"transfer": ORDER, "plan": D(2025, 5, 1)}), Reason.PERSONAL_CIRCUMSTANCES, "none"),
        (("appeal", "contents", {"notice": ORDER}), Reason.PERSONAL_CIRCUMSTANCES, "none"),
    ],
)  # fmt: skip
def test_reasons_a_process_does_not_allow(
    case: tuple[str, str | None, dict[str, date]], reason: Reason, allowed: str
) -> None:
    process, variant, dates = case
    with pytest.raises(
        RuleViolation, match=f"not an exception to these limits \\(they allow: {allowed}"
    ):
        exception(opened(process, variant, **dates), reason, D(2026, 3, 3), D(2026, 4, 30))


def test_exception_periods_refused() -> None:
    case = order("assess")
    with pytest.raises(RuleViolation, match="ends \\(9 Mar 2026\\) before it starts"):
        exception(case, Reason.PERSONAL_CIRCUMSTANCES, D(2026, 3, 10), D(2026, 3, 9))
    with pytest.raises(RuleViolation, match="before the case began \\(2 Mar 2026\\)"):
        exception(case, Reason.PERSONAL_CIRCUMSTANCES, D(2026, 2, 1), D(2026, 3, 1))


def test_reg_27_3_lifts_the_14_weeks_and_never_the_15_days() -> None:
    case = opened("reassessment", requested=D(2026, 1, 5))
    case = exception(case, Reason.PERSONAL_CIRCUMSTANCES, D(2026, 1, 6), D(2026, 1, 25))
    case = act(case, "decided", D(2026, 1, 26), "reassess")
    case = act(case, "plan-issued", D(2026, 5, 1), "replacement")  # due 4 May
    decide, plan = clocks.steps(case, TODAY)
    assert (decide.step, decide.due, decide.target, decide.state) == (
        "decide-to-reassess", D(2026, 1, 20), D(2026, 1, 20), StepState.LATE,
    )  # fmt: skip
    assert (plan.due, plan.target, plan.state) == (D(2026, 5, 4), D(2026, 5, 4), StepState.MET)
    # The exception ran before the 14 weeks began ("during that time period"): it cannot
    # excuse a late plan either.
    assert not plan.exception_applies


def test_reg_27_3_an_exception_within_the_14_weeks_excuses_a_late_plan() -> None:
    decided = opened("reassessment", requested=D(2026, 1, 5), decided=D(2026, 1, 19))
    before = exception(decided, Reason.PERSONAL_CIRCUMSTANCES, D(2026, 1, 6), D(2026, 1, 18))
    within = exception(decided, Reason.PERSONAL_CIRCUMSTANCES, D(2026, 1, 12), D(2026, 1, 25))
    plans = {
        "before": clocks.steps(act(before, "plan-issued", D(2026, 5, 1), "amended"), TODAY)[-1],
        "within": clocks.steps(act(within, "plan-issued", D(2026, 5, 1), "amended"), TODAY)[-1],
    }
    assert plans["before"].due == plans["within"].due == D(2026, 4, 27)
    assert (plans["before"].target, plans["before"].state) == (D(2026, 4, 27), StepState.LATE)
    # Only its 7 days from the decision on count: 19 to 25 Jan.
    assert (plans["within"].target, plans["within"].state) == (D(2026, 5, 4), StepState.EXCEPTED)


# --- steps through the truth table -------------------------------------------------------------


def states(case: clocks.ClockCase, today: date = TODAY) -> dict[str, StepState]:
    return {s.step: s.state for s in clocks.steps(case, today)}


def test_step_states_of_an_order_to_assess() -> None:
    case = order("assess")  # notify by 16 Mar, not-to-issue by 11 May, plan by 8 Jun
    assert states(case, D(2026, 3, 16)) == {
        "order-notify": StepState.OPEN,
        "order-not-to-issue": StepState.OPEN,
        "order-plan": StepState.OPEN,
    }
    assert states(case, D(2026, 3, 17))["order-notify"] is StepState.OVERDUE
    met = act(case, "notified", D(2026, 3, 16))
    assert states(met)["order-notify"] is StepState.MET
    late = act(case, "notified", D(2026, 3, 17))
    assert states(late)["order-notify"] is StepState.LATE
    # Absent for 3 weeks from 5 Mar: the notice is excused until 6 Apr, and done after 16 Mar
    # it is excepted; the plan's target moves by the same 21 days.
    away = exception(case, Reason.ABSENCE_FROM_AREA, D(2026, 3, 5), D(2026, 3, 25))
    assert states(away, D(2026, 4, 6))["order-notify"] is StepState.OPEN
    assert states(away, D(2026, 4, 7))["order-notify"] is StepState.OVERDUE
    excepted = act(away, "notified", D(2026, 4, 1))
    steps = {s.step: s for s in clocks.steps(excepted, TODAY)}
    assert steps["order-notify"].state is StepState.EXCEPTED
    assert (steps["order-plan"].due, steps["order-plan"].target) == (D(2026, 6, 8), D(2026, 6, 29))
    # Withdrawn: what was not done is no longer required; what was done keeps its status.
    withdrawn = clocks.apply(excepted, clocks.Withdrawn(on=D(2026, 4, 20)), TODAY)
    assert states(withdrawn) == {
        "order-notify": StepState.EXCEPTED,
        "order-not-to-issue": StepState.NOT_APPLICABLE,
        "order-plan": StepState.NOT_APPLICABLE,
    }
    assert clocks.stage(withdrawn, TODAY) == "closed"
    with pytest.raises(RuleViolation, match="the case ended \\(withdrawn\\)"):
        act(withdrawn, "plan-issued", D(2026, 4, 21))


def test_a_duty_missed_before_the_case_ended_stays_missed() -> None:
    """Ending a case does not excuse what was already late: an order to assess that ends "not
    to issue" with its 2-week notice (due 16 Mar) never sent keeps the notice as missed in its
    outcome; the plan, due after the ending, is no longer required."""
    case = order("assess")
    ended = act(case, "not-to-issue", D(2026, 4, 20))
    assert states(ended) == {
        "order-notify": StepState.OVERDUE,
        "order-not-to-issue": StepState.MET,
        "order-plan": StepState.NOT_APPLICABLE,
    }
    notice = {s.step: s for s in clocks.steps(ended, D(2026, 12, 1))}["order-notify"]
    assert notice.days_left == -35, "as late as it was the day the case ended, not growing"
    result = clocks.outcome(ended)
    assert result.steps["order-notify"].state is StepState.OVERDUE
    assert result.steps["order-notify"].done_on is None
    assert "order-plan" not in result.steps
    # Withdrawn, as a withdrawn request for an assessment: nothing more is required.
    withdrawn = clocks.apply(case, clocks.Withdrawn(on=D(2026, 4, 20)), TODAY)
    assert states(withdrawn)["order-notify"] is StepState.NOT_APPLICABLE
    # Ended on the notice's own last day: not yet missed.
    on_the_day = act(case, "not-to-issue", D(2026, 3, 16))
    assert states(on_the_day)["order-notify"] is StepState.NOT_APPLICABLE


def test_stage_is_the_next_step_then_closed() -> None:
    case = order("make-plan")
    assert clocks.stage(case, D(2026, 3, 10)) == "order-draft"
    drafted = act(case, "draft-issued", D(2026, 4, 1))
    assert clocks.stage(drafted, D(2026, 4, 2)) == "order-plan"
    assert clocks.stage(act(drafted, "plan-issued", D(2026, 5, 18)), TODAY) == "closed"
    transferred_in = opened("transfer-in", transfer=D(2026, 5, 1), plan=D(2026, 1, 1))
    # Its only step is the notice: the review is the review workflow's (no step here).
    assert clocks.stage(transferred_in, TODAY) == "notify-family"
    told = act(transferred_in, "family-notified", D(2026, 5, 20))
    assert told.ending == "notified" and clocks.stage(told, TODAY) == "closed"


# --- the appeal window lapsing ---------------------------------------------------------------


def test_an_unused_appeal_window_ends_the_day_after_it_closes() -> None:
    case = opened("appeal", "refusal-to-assess", notice=D(2026, 3, 2))
    assert clocks.lapses_on(case) == D(2026, 5, 3)
    assert clocks.lapse(case, D(2026, 5, 2)) is case  # the last day: still open
    lapsed = clocks.lapse(case, D(2026, 5, 3))
    assert (lapsed.ending, lapsed.ended_on, lapsed.ended_by) == (
        "not-appealed",
        D(2026, 5, 3),
        None,
    )
    assert not case.closed  # the case given is left as it was
    assert clocks.outcome(lapsed).in_time is None
    assert clocks.ending_words("appeal", "not-appealed") == "no appeal registered in time"
    # A mediation certificate moves the window to a month after it.
    certified = act(case, "certificate-issued", D(2026, 4, 17), today=D(2026, 4, 17))
    assert clocks.lapses_on(certified) == D(2026, 5, 18)
    assert not clocks.lapse(certified, D(2026, 5, 17)).closed
    # Registered: nothing lapses.
    registered = act(case, "appeal-registered", D(2026, 4, 30))
    assert clocks.lapses_on(registered) is None
    assert clocks.lapse(registered, D(2026, 12, 1)) is registered
    assert states(registered)["appeal-window"] is StepState.MET


# --- follow-ons and outcomes -------------------------------------------------------------------


def test_a_refused_reassessment_opens_an_appeal_window() -> None:
    case = opened("reassessment", requested=D(2026, 1, 5))
    refused = act(case, "decided", D(2026, 1, 19), "refuse")
    assert refused.follow_ons == [
        clocks.FollowOn(process="appeal", variant="refusal-to-reassess", on=D(2026, 1, 19))
    ]
    assert (refused.ending, refused.ended_by) == ("refused", "decided")
    result = clocks.outcome(refused)
    assert result.in_time is True
    assert result.steps["decide-to-reassess"].state is StepState.MET
    assert "reassessment-plan" not in result.steps  # never due: no decision to re-assess
    late = clocks.outcome(act(case, "decided", D(2026, 1, 21), "refuse"))
    assert late.in_time is False


def test_an_upheld_appeal_opens_the_order_of_the_type_chosen() -> None:
    case = act(
        opened("appeal", "refusal-to-issue", notice=D(2026, 1, 5)),
        "appeal-registered",
        D(2026, 2, 2),
    )
    upheld = act(case, "decided", D(2026, 5, 11), "make-plan")
    assert upheld.follow_ons == [
        clocks.FollowOn(process="tribunal-order", variant="make-plan", on=D(2026, 5, 11))
    ]
    assert upheld.ending == "upheld"
    dismissed = act(case, "decided", D(2026, 5, 11), "dismissed")
    assert dismissed.follow_ons == [] and dismissed.ending == "dismissed"


def test_a_concession_with_a_reg_45_notice_opens_the_order_and_without_one_nothing() -> None:
    case = act(
        opened("appeal", "contents", notice=D(2026, 1, 5)), "appeal-registered", D(2026, 2, 2)
    )
    conceded = act(case, "conceded", D(2026, 3, 2), "amend")
    assert conceded.follow_ons == [
        clocks.FollowOn(process="tribunal-order", variant="amend", on=D(2026, 3, 2), route="reg-45")
    ]
    # W v Hertfordshire [2023] EWHC 3138: no reg 45 notice, the original limits run on.
    informal = act(case, "conceded", D(2026, 3, 2), "without-notice")
    assert informal.follow_ons == [] and informal.ending == "conceded"
    assert clocks.ending_words("appeal", "conceded") == "conceded by the council"


def test_an_order_not_to_issue_opens_an_appeal_window() -> None:
    refused = act(order("reassess"), "not-to-issue", D(2026, 5, 11))
    assert refused.follow_ons == [
        clocks.FollowOn(process="appeal", variant="refusal-to-issue", on=D(2026, 5, 11))
    ]
    result = clocks.outcome(refused)
    assert result.ending == "not-issued" and result.in_time is True
    assert result.steps["order-not-to-issue"].state is StepState.MET


@pytest.mark.parametrize(
    ("kind", "done_on", "in_time"),
    [
        ("school", D(2026, 3, 16), True),
        ("school", D(2026, 3, 17), False),
        ("amend", D(2026, 4, 6), True),
        ("make-plan", D(2026, 5, 18), True),
        ("make-plan", D(2026, 5, 19), False),
        ("assess", D(2026, 6, 8), True),
        ("continue-amend", D(2026, 4, 7), False),
    ],
)
def test_outcome_in_time_is_the_ending_steps_own(kind: str, done_on: date, in_time: bool) -> None:
    case = act(order(kind), "plan-issued", done_on, today=D(2026, 7, 1))
    result = clocks.outcome(case)
    assert (result.ending, result.ended_on, result.in_time) == ("complied", done_on, in_time)
    assert result.process == "tribunal-order" and result.variant == kind
    assert result.dates == {"order": ORDER}


def test_outcome_of_a_withdrawn_or_open_case() -> None:
    case = opened("transfer-out", move=D(2026, 7, 1), aware=D(2026, 5, 1))
    with pytest.raises(RuleViolation, match="still open"):
        clocks.outcome(case)
    withdrawn = clocks.apply(
        case, clocks.Withdrawn(on=D(2026, 5, 10), reason="move called off"), TODAY
    )
    result = clocks.outcome(withdrawn)
    assert (result.ending, result.in_time, result.steps) == ("withdrawn", None, {})
    assert clocks.ending_words("transfer-out", "withdrawn") == "withdrawn"
    continued = clocks.outcome(act(order("continue"), "maintained", ORDER))
    assert continued.in_time is True
    assert continued.steps["order-continue"].due == ORDER
