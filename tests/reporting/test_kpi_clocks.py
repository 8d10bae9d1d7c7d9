"""The duty clocks' KPIs (statutory/kpi_clocks.py) and the appeal counts per 1,000 plans
(statutory/kpi_appeals.py), on hand-made ledger rows."""

from __future__ import annotations

from datetime import date, timedelta

from statutory.clocks import ClockOutcome, ClockStepResult
from statutory.kpi import KpiTargets, kpi_report
from statutory.kpi_appeals import APPEAL_OUTCOMES, appeals, per_1000, plans_maintained
from statutory.kpi_clocks import (
    SPECS,
    breakdown_words,
    reassessment_decisions,
    reassessment_plans,
    transfers_in,
    transfers_out,
    tribunal_orders,
)
from statutory.ledger import OutcomeRecord
from statutory.periods import parse_period
from statutory.steps import Rag, StepState
from tests.reporting.rows import plan, review_outcome, step

T = KpiTargets()
FEB = parse_period("2026-02")
Q1 = parse_period("2026-Q1")


def clock(
    process: str,
    ended: date,
    ending: str,
    *,
    in_time: bool | None,
    ref: str = "K-0001",
    variant: str | None = None,
    dates: dict[str, date] | None = None,
    detail: dict[str, str] | None = None,
    step_states: dict[str, StepState] | None = None,
    team: str = "north",
) -> OutcomeRecord:
    """A duty-clock case's ledger outcome, as DutyWorkflow writes it (``ClockOutcome``)."""
    opened = ended - timedelta(weeks=8)
    steps = {
        name: ClockStepResult(due=ended, target=ended, done_on=ended, state=state)
        for name, state in (step_states or {}).items()
    }
    outcome = ClockOutcome(
        case_ref=ref,
        process=process,
        variant=variant,
        opened_on=opened,
        ending=ending,
        ended_on=ended,
        dates=dates or {},
        detail=detail or {},
        steps=steps,
        in_time=in_time,
    )
    workflow_id = f"{process}-{ref}"  # as rows.step names it: one workflow, both rows
    return OutcomeRecord(
        key=f"{workflow_id}:0:outcome",
        workflow_id=workflow_id,
        case_ref=ref,
        process=process,
        cycle=0,
        ended_on=ended,
        caseworker="cw1",
        team=team,
        outcome=outcome.model_dump(mode="json"),
    )


# --- re-assessments (regs 25, 27) -------------------------------------------------------------


def test_decisions_to_re_assess_count_on_the_day_notified_within_15_days() -> None:
    steps = [
        step("decide-to-reassess", date(2026, 2, 3), process="reassessment", ref="K-0001"),
        step("decide-to-reassess", date(2026, 2, 20), met=False, process="reassessment"),
        step("decide-to-reassess", date(2026, 1, 9), process="reassessment", ref="K-0003"),
        step("decide-to-reassess", date(2026, 3, 2), met=False, process="reassessment"),
        # A decision whether to assess is another KPI.
        step("decide-to-assess", date(2026, 2, 4), met=False, ref="K-0005"),
    ]
    m = reassessment_decisions(steps, FEB, T)
    assert (m.period.met, m.period.total, m.period.percent) == (1, 2, 50.0)
    assert (m.year_to_date.met, m.year_to_date.total) == (2, 3)
    assert (m.target, m.rag, m.source) == (90.0, Rag.RED, "reg 25(1)")


def test_re_assessed_plans_count_on_the_day_finalised_within_14_weeks() -> None:
    outcomes = [
        clock("reassessment", date(2026, 2, 2), "plan-issued", in_time=True, ref="K-0001"),
        clock("reassessment", date(2026, 2, 27), "plan-issued", in_time=False, ref="K-0002"),
        clock(
            "reassessment",
            date(2026, 2, 10),
            "plan-issued",
            in_time=False,
            ref="K-0003",
            step_states={"reassessment-plan": StepState.EXCEPTED},
        ),
        # Not a plan finalised: refused, left as it is, withdrawn.
        clock("reassessment", date(2026, 2, 3), "refused", in_time=True, ref="K-0004"),
        clock("reassessment", date(2026, 2, 4), "no-change", in_time=True, ref="K-0005"),
        clock("reassessment", date(2026, 2, 5), "withdrawn", in_time=None, ref="K-0006"),
        # Ended in March: not February's, though opened in January.
        clock("reassessment", date(2026, 3, 1), "plan-issued", in_time=True, ref="K-0007"),
    ]
    m = reassessment_plans(outcomes, FEB, T)
    assert (m.period.met, m.period.total, m.period.percent) == (1, 3, 33.3)
    assert m.exceptions == 1
    assert (m.year_to_date.met, m.year_to_date.total) == (1, 3)
    assert m.rag is Rag.RED and m.target == 80.0
    q1 = reassessment_plans(outcomes, Q1, T)
    assert (q1.period.met, q1.period.total) == (2, 4)


# --- Tribunal orders and reg 45 concessions (regs 44, 45) --------------------------------------


ORDERS = [
    clock(
        "tribunal-order",
        date(2026, 2, 5),
        "complied",
        in_time=True,
        ref="K-0001",
        variant="make-plan",
        detail={"route": "reg-45", "arose_from": "appeal"},
    ),
    clock(
        "tribunal-order",
        date(2026, 2, 12),
        "complied",
        in_time=False,
        ref="K-0002",
        variant="amend",
        detail={"arose_from": "appeal"},
    ),
    # An order to assess complied with by deciding, in time, not to issue a plan.
    clock("tribunal-order", date(2026, 2, 19), "not-issued", in_time=True, variant="assess"),
    clock("tribunal-order", date(2026, 2, 20), "withdrawn", in_time=None, variant="school"),
    clock(
        "tribunal-order",
        date(2026, 2, 26),
        "complied",
        in_time=True,
        ref="K-0004",
        variant="amend",
        detail={"route": "reg-45"},
    ),
]


def test_orders_and_concessions_complied_with_in_time_by_type_and_route() -> None:
    m = tribunal_orders(ORDERS, FEB, T)
    assert (m.period.met, m.period.total) == (3, 4)
    by_route = m.breakdown["route"]
    assert (by_route["reg-45"].met, by_route["reg-45"].total) == (2, 2)
    assert (by_route["tribunal"].met, by_route["tribunal"].total) == (1, 2)
    by_type = m.breakdown["order_type"]
    assert {k: (r.met, r.total) for k, r in by_type.items()} == {
        "amend": (1, 2),
        "assess": (1, 1),
        "make-plan": (1, 1),
    }
    # The law expects every order in time: 75% is red against 100%.
    assert (m.target, m.rag) == (100.0, Rag.RED)
    assert breakdown_words("route", "reg-45") == "reg 45 concession"
    assert breakdown_words("order_type", "amend") == "order to amend the plan's needs or provision"


# --- transfers (reg 15) -------------------------------------------------------------------------


def test_transfers_in_family_told_within_6_weeks_and_out_by_the_reg_15_2_date() -> None:
    outcomes = [
        clock(
            "transfer-in",
            date(2026, 2, 2),
            "notified",
            in_time=True,
            ref="K-0001",
            detail={"from_council": "E09000001"},
        ),
        clock("transfer-in", date(2026, 2, 9), "notified", in_time=False, ref="K-0002"),
        clock("transfer-in", date(2026, 2, 9), "withdrawn", in_time=None, ref="K-0003"),
        clock("transfer-out", date(2026, 2, 3), "transferred", in_time=True, ref="K-0004"),
        clock("transfer-out", date(2026, 2, 4), "transferred", in_time=True, ref="K-0005"),
        clock("transfer-out", date(2026, 2, 5), "transferred", in_time=False, ref="K-0006"),
        clock("transfer-out", date(2026, 1, 5), "transferred", in_time=True, ref="K-0007"),
    ]
    told = transfers_in(outcomes, FEB, T)
    assert (told.period.met, told.period.total, told.period.percent) == (1, 2, 50.0)
    assert {k: r.total for k, r in told.breakdown["from_council"].items()} == {
        "E09000001": 1,
        "unknown": 1,
    }
    moved = transfers_out(outcomes, FEB, T)
    assert (moved.period.met, moved.period.total, moved.period.percent) == (2, 3, 66.7)
    assert (moved.year_to_date.met, moved.year_to_date.total) == (3, 4)
    assert moved.rag is Rag.RED  # 66.7% against 90%, more than 10 points below


def test_nothing_counted_gives_no_rate_and_no_rating() -> None:
    for m in (
        reassessment_decisions([], FEB, T),
        reassessment_plans([], FEB, T),
        tribunal_orders([], FEB, T),
        transfers_in([], FEB, T),
        transfers_out([], FEB, T),
    ):
        assert (m.period.total, m.period.percent, m.rag) == (0, None, None), m.key


# --- appeals per 1,000 plans maintained -----------------------------------------------------------

#: Eight plans maintained in the 12 months to 28 Feb 2026 (1 Mar 2025 onwards).
PLANS = [
    plan(date(2025, 3, 1), in_time=True, ref="K-0101"),  # the window's first day
    plan(date(2025, 2, 28), in_time=True, ref="K-0102"),  # the day before: not counted ...
    review_outcome(
        date(2025, 9, 1), decision="maintain", amended_in_time=None, ref="K-0102"
    ),  # ... but reviewed
    review_outcome(
        date(2025, 10, 1), decision="maintain", amended_in_time=None, ref="K-0101"
    ),  # the same plan
    review_outcome(date(2026, 1, 10), decision="amend", amended_in_time=True, ref="K-0103"),
    clock("transfer-in", date(2025, 11, 3), "notified", in_time=True, ref="K-0104"),
    clock("transfer-out", date(2025, 12, 3), "transferred", in_time=True, ref="K-0105"),
    clock("reassessment", date(2025, 6, 3), "no-change", in_time=True, ref="K-0106"),
    plan(date(2026, 2, 2), in_time=False, ref="K-0107"),
    review_outcome(date(2026, 2, 20), decision="cease", amended_in_time=None, ref="K-0108"),
    # Not plans maintained: no plan issued, a withdrawn transfer, after the period.
    plan(date(2025, 8, 1), in_time=False, ending="not-assessed", ref="K-0109"),
    clock("transfer-in", date(2025, 11, 3), "withdrawn", in_time=None, ref="K-0110"),
    plan(date(2026, 3, 2), in_time=True, ref="K-0111"),
]


def appeal(
    ended: date, ending: str, kind: str, ref: str, registered: date | None = None
) -> OutcomeRecord:
    dates = {"notice": ended - timedelta(weeks=20)}
    if registered is not None:
        dates["registered"] = registered
    return clock(
        "appeal",
        ended,
        ending,
        in_time=None,
        ref=ref,
        variant=kind,
        dates=dates,
        step_states={"appeal-window": StepState.MET} if registered else None,
    )


APPEALS = [
    # Registered in February and still open: its step row alone shows it.
    step("appeal-window", date(2026, 2, 3), process="appeal", ref="K-0201", variant="contents"),
    # Registered in January (step row and outcome: counted once), upheld in February.
    step(
        "appeal-window",
        date(2026, 1, 12),
        process="appeal",
        ref="K-0202",
        variant="contents",
    ),
    appeal(date(2026, 2, 16), "upheld", "contents", "K-0202", registered=date(2026, 1, 12)),
    # Registered and conceded in February, from the outcome alone.
    appeal(date(2026, 2, 25), "conceded", "school", "K-0203", registered=date(2026, 2, 2)),
    appeal(date(2026, 2, 10), "dismissed", "school", "K-0204", registered=date(2025, 11, 4)),
    appeal(date(2026, 2, 11), "withdrawn", "cease", "K-0205", registered=date(2025, 12, 1)),
    appeal(date(2026, 2, 12), "not-appealed", "refusal-to-assess", "K-0206"),
    # Closed before any appeal was made: not an appeal.
    appeal(date(2026, 2, 13), "withdrawn", "refusal-to-assess", "K-0207"),
    appeal(date(2026, 3, 2), "dismissed", "contents", "K-0208", registered=date(2026, 1, 5)),
]


def test_plans_maintained_are_distinct_plans_shown_in_the_12_months_to_the_period_s_end() -> None:
    assert plans_maintained(PLANS, date(2026, 2, 28)) == (8, date(2025, 3, 1))
    assert plans_maintained([], date(2026, 2, 28)) == (0, date(2025, 3, 1))


def test_appeals_by_outcome_and_type_per_1000_plans() -> None:
    steps = [s for s in APPEALS if not isinstance(s, OutcomeRecord)]
    outcomes = PLANS + [o for o in APPEALS if isinstance(o, OutcomeRecord)]
    a = appeals(steps, outcomes, FEB)
    assert (a.plans_maintained, a.plans_maintained_from) == (8, date(2025, 3, 1))
    assert a.period.counts == {
        "registered": 2,
        "conceded": 1,
        "withdrawn": 1,
        "upheld": 1,
        "dismissed": 1,
        "not-appealed": 1,
    }
    # 2 appeals registered among 8 plans: 250 per 1,000; each single outcome 125.
    assert a.period.per_1000_plans["registered"] == 250.0
    assert a.period.per_1000_plans["conceded"] == 125.0
    assert a.year_to_date.counts["registered"] == 4  # with January's K-0202 and K-0208
    assert a.year_to_date.per_1000_plans["registered"] == 500.0
    assert list(a.by_type) == ["cease", "contents", "refusal-to-assess", "school"]
    contents = a.by_type["contents"].counts
    assert (contents["registered"], contents["upheld"], contents["dismissed"]) == (1, 1, 0)
    school = a.by_type["school"].counts
    assert (school["registered"], school["conceded"], school["dismissed"]) == (1, 1, 1)
    assert a.by_type["refusal-to-assess"].counts["not-appealed"] == 1
    assert a.by_type["refusal-to-assess"].counts["withdrawn"] == 0


def test_no_plans_maintained_gives_no_rate_per_1000() -> None:
    steps = [s for s in APPEALS if not isinstance(s, OutcomeRecord)]
    a = appeals(steps, [], FEB)
    assert a.plans_maintained == 0
    assert a.period.counts["registered"] == 1  # the step row still counts it
    assert all(a.period.per_1000_plans[k] is None for k in APPEAL_OUTCOMES)
    assert per_1000(3, 7) == 428.6 and per_1000(0, 7) == 0.0 and per_1000(1, 0) is None


def test_the_report_has_every_clock_kpi_after_the_others_and_the_appeals() -> None:
    steps = [s for s in APPEALS if not isinstance(s, OutcomeRecord)]
    outcomes = PLANS + ORDERS + [o for o in APPEALS if isinstance(o, OutcomeRecord)]
    report = kpi_report(FEB, steps, outcomes)
    keys = [m.key for m in report.measures]
    assert keys[-len(SPECS) :] == [s.key for s in SPECS]
    assert keys[0] == "plans-20-weeks-including-exceptions"
    orders = next(m for m in report.measures if m.key == "tribunal-orders-in-time")
    assert (orders.period.met, orders.period.total) == (3, 4)
    assert report.appeals is not None and report.appeals.plans_maintained == 8
    # Another team's rows count in neither figure.
    south = kpi_report(FEB, steps, outcomes, team="south")
    assert south.appeals is not None and south.appeals.plans_maintained == 0
    assert all(c == 0 for c in south.appeals.period.counts.values())
    assert all(m.period.total == 0 for m in south.measures[-len(SPECS) :])
    # Every clock KPI has a default target the council can change (EHC_KPI_TARGETS).
    assert all(s.key in T.percent for s in SPECS)
