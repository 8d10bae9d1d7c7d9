"""Table tests of the pure KPI functions (statutory/kpi.py) on hand-made ledger rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from statutory.assessment import AdviceNotNeededReason
from statutory.kpi import (
    AdviceSetAside,
    KpiReport,
    KpiTargets,
    Measure,
    OpenCase,
    amended_within_12_weeks,
    caseload,
    kpi_report,
    plans_within_20_weeks,
    rate_rag,
)
from statutory.periods import parse_period
from statutory.steps import Rag
from tests.reporting.rows import plan, review_outcome, step

T = KpiTargets()
SUFFICIENT = AdviceNotNeededReason.EARLIER_ADVICE_SUFFICIENT.value
WITHDRAWN = AdviceNotNeededReason.REQUEST_WITHDRAWN.value
PLANS = [
    plan(date(2025, 12, 31), in_time=True, ref="K-0000"),  # last year: never counted in 2026
    plan(date(2026, 1, 31), in_time=True, ref="K-0001"),
    plan(date(2026, 2, 1), in_time=False, ref="K-0002"),
    plan(date(2026, 2, 10), in_time=False, exception=True, ref="K-0003"),
    plan(date(2026, 2, 28), in_time=True, exception=True, ref="K-0004"),
    plan(date(2026, 2, 20), in_time=False, ending="not-assessed", ref="K-0005"),
    plan(date(2026, 3, 1), in_time=True, ref="K-0006"),  # after the period
]


def test_a_plan_counts_in_the_month_it_is_issued_including_exceptions() -> None:
    m = plans_within_20_weeks(PLANS, parse_period("2026-02"), T, excluding_exceptions=False)
    assert (m.period.met, m.period.total, m.period.percent) == (1, 3, 33.3)
    assert (m.year_to_date.met, m.year_to_date.total) == (2, 4)
    assert m.exceptions == 2
    assert m.breakdown["month"]["2026-01"].total == 1
    assert m.breakdown["month"]["2026-02"].met == 1
    assert list(m.breakdown["month"]) == ["2026-01", "2026-02"]


def test_the_headline_figure_leaves_exception_cases_out() -> None:
    m = plans_within_20_weeks(PLANS, parse_period("2026-02"), T, excluding_exceptions=True)
    assert (m.period.met, m.period.total, m.period.percent) == (0, 1, 0.0)
    assert (m.year_to_date.met, m.year_to_date.total) == (1, 2)
    assert m.exceptions == 0
    assert m.rag is Rag.RED
    assert m.england is not None and (m.england.year, m.england.percent) == (2024, 46.4)


def test_a_quarter_and_a_year_take_every_plan_issued_in_them() -> None:
    q1 = plans_within_20_weeks(PLANS, parse_period("2026-Q1"), T, excluding_exceptions=False)
    assert (q1.period.met, q1.period.total) == (3, 5)
    last_year = plans_within_20_weeks(PLANS, parse_period("2025"), T, excluding_exceptions=False)
    assert (last_year.period.met, last_year.period.total) == (1, 1)
    empty = plans_within_20_weeks(PLANS, parse_period("2024-06"), T, excluding_exceptions=True)
    assert (empty.period.total, empty.period.percent, empty.rag) == (0, None, None)


@pytest.mark.parametrize(
    ("percent", "target", "rag"),
    [
        (65.0, 65.0, Rag.GREEN),
        (100.0, 65.0, Rag.GREEN),
        (64.9, 65.0, Rag.AMBER),
        (55.0, 65.0, Rag.AMBER),
        (54.9, 65.0, Rag.RED),
        (None, 65.0, None),
        (50.0, None, None),
    ],
)
def test_rag_against_target_with_an_amber_margin(
    percent: float | None, target: float | None, rag: Rag | None
) -> None:
    assert rate_rag(percent, target, 10.0) is rag


def test_targets_are_configurable() -> None:
    strict = KpiTargets(percent={"plans-20-weeks-including-exceptions": 30.0}, amber_margin=0)
    m = plans_within_20_weeks(PLANS, parse_period("2026-02"), strict, excluding_exceptions=False)
    assert (m.target, m.rag) == (30.0, Rag.GREEN)


def test_advice_by_provider_and_by_type_with_advice_workflows_too() -> None:
    steps = [
        step("advice-1", date(2026, 5, 3), met=True, provider="EPS", advice_type="psychological"),
        step("advice-2", date(2026, 5, 4), met=False, provider="EPS", advice_type="psychological"),
        step("advice-3", date(2026, 5, 5), met=True, provider="Health", advice_type="medical"),
        step(
            "advice",
            date(2026, 5, 6),
            met=False,
            process="advice",
            provider="Health",
            advice_type="medical",
            exception=True,
            regulation="reg 8(1)",
        ),
        # advice for an annual review is due at circulation (reg 20(4)): not this KPI
        step(
            "advice",
            date(2026, 5, 7),
            met=False,
            process="advice",
            provider="Health",
            advice_type="medical",
            regulation="reg 20(4)",
        ),
        step("advice-circulated", date(2026, 5, 6), process="review", cycle=1),
        step("advice-4", date(2026, 6, 1), met=True, provider="EPS", advice_type="psychological"),
    ]
    report = kpi_report(parse_period("2026-05"), steps, [])
    advice = next(m for m in report.measures if m.key == "advice-6-weeks")
    assert (advice.period.met, advice.period.total) == (2, 4)
    assert advice.exceptions == 1
    assert {k: (r.met, r.total) for k, r in advice.breakdown["provider"].items()} == {
        "EPS": (1, 2),
        "Health": (1, 2),
    }
    assert {k: (r.met, r.total) for k, r in advice.breakdown["advice_type"].items()} == {
        "medical": (1, 2),
        "psychological": (1, 2),
    }


def test_reviews_split_by_category_and_decisions_within_4_weeks() -> None:
    steps = [
        step(
            "review-meeting",
            date(2026, 3, 2),
            met=True,
            process="review",
            cycle=1,
            ref="R-1",
            category="secondary-transfer",
        ),
        step(
            "review-meeting",
            date(2026, 3, 3),
            met=False,
            process="review",
            cycle=2,
            ref="R-2",
            category="post16-transfer",
        ),
        step(
            "review-meeting",
            date(2026, 3, 4),
            met=True,
            process="review",
            cycle=1,
            ref="R-3",
            category="other",
        ),
        step(
            "review-meeting",
            date(2026, 3, 5),
            met=False,
            process="review",
            cycle=1,
            ref="R-4",
            category="other",
        ),
        step("decision", date(2026, 3, 20), met=False, process="review", cycle=1, ref="R-1"),
    ]
    report = kpi_report(parse_period("2026-03"), steps, [])
    reviews = next(m for m in report.measures if m.key == "reviews-12-months")
    assert (reviews.period.met, reviews.period.total) == (2, 4)
    assert {k: (r.met, r.total) for k, r in reviews.breakdown["category"].items()} == {
        "other": (1, 2),
        "post16-transfer": (0, 1),
        "secondary-transfer": (1, 1),
    }
    decisions = next(m for m in report.measures if m.key == "review-decisions-4-weeks")
    assert (decisions.period.met, decisions.period.total) == (0, 1)


def test_an_amended_plan_counts_on_the_day_it_was_finalised() -> None:
    outcomes = [
        # decided in March, finalised in May: counts in May
        review_outcome(date(2026, 3, 10), decision="amend", amended_in_time=True, ref="A-1"),
        # decided amend, never finalised (the plan ended): counts on the cycle's end
        review_outcome(date(2026, 5, 20), decision="amend", amended_in_time=False, ref="A-2"),
        review_outcome(date(2026, 5, 21), decision="maintain", amended_in_time=None, ref="A-3"),
    ]
    steps = [step("final-amended-plan", date(2026, 5, 2), process="review", cycle=1, ref="A-1")]
    may = amended_within_12_weeks(outcomes, steps, parse_period("2026-05"), T)
    assert (may.period.met, may.period.total) == (1, 2)
    march = amended_within_12_weeks(outcomes, steps, parse_period("2026-03"), T)
    assert march.period.total == 0


def test_decisions_to_assess_and_the_team_filter() -> None:
    steps = [
        step("decide-to-assess", date(2026, 4, 1), met=True, team="north", ref="D-1"),
        step("decide-to-assess", date(2026, 4, 2), met=False, team="south", ref="D-2"),
        step("decide-to-assess", date(2026, 4, 3), met=True, team="south", ref="D-3"),
    ]
    everyone = kpi_report(parse_period("2026-04"), steps, [])
    south = kpi_report(parse_period("2026-04"), steps, [], team="south")
    pick = lambda r: next(m for m in r.measures if m.key == "decisions-to-assess-6-weeks")  # noqa: E731
    assert (pick(everyone).period.met, pick(everyone).period.total) == (2, 3)
    assert (pick(south).period.met, pick(south).period.total) == (1, 2)
    assert south.team == "south"


def test_caseload_per_caseworker_and_open_and_overdue_by_kind() -> None:
    now = datetime(2026, 10, 1, tzinfo=UTC)
    cases = [
        OpenCase(kind="assessment", caseworker="cw1", team="north", overdue=True),
        OpenCase(kind="review", caseworker="cw1", team="north", overdue=False),
        OpenCase(kind="review", caseworker="cw1", team="north", overdue=True),
        OpenCase(kind="review", caseworker="cw2", team="south", overdue=False),
    ]
    c = caseload(cases, now, KpiTargets(caseload_per_caseworker=2, caseload_amber_margin=0))
    assert c.per_caseworker == {"cw1": 3, "cw2": 1}
    assert (c.mean, c.highest) == (2.0, 3)
    assert c.open == {"assessment": 1, "review": 3}
    assert c.overdue == {"assessment": 1, "review": 1}
    assert c.rag is Rag.GREEN
    assert caseload(cases, now, KpiTargets(caseload_per_caseworker=1)).rag is Rag.AMBER
    tight = KpiTargets(caseload_per_caseworker=1, caseload_amber_margin=0)
    assert caseload(cases, now, tight).rag is Rag.RED
    assert caseload([], now, T).rag is None
    south = kpi_report(parse_period("2026"), [], [], team="south", open_cases=cases, as_of=now)
    assert south.caseload is not None and south.caseload.per_caseworker == {"cw2": 1}


# --- reviews due and not held count as not in time ---------------------------------------

Q3 = parse_period("2026-Q3")
AFTER_Q3 = datetime(2026, 10, 15, 9, tzinfo=UTC)


def _reviews(report: KpiReport) -> Measure:
    return next(m for m in report.measures if m.key == "reviews-12-months")


def _awaiting(due: date, team: str = "north", stage: str = "awaiting-meeting") -> OpenCase:
    return OpenCase(
        kind="review", caseworker="cw1", team=team, overdue=True, stage=stage, review_due=due
    )


def test_reviews_due_in_the_period_and_not_held_are_in_the_denominator() -> None:
    held = [
        step("review-meeting", date(2026, 7, 1 + i), process="review", cycle=1, ref=f"H-{i}")
        for i in range(6)
    ]
    missed = [_awaiting(date(2026, 7, 1) + timedelta(days=2 * i)) for i in range(41)]
    missed.append(_awaiting(date(2026, 8, 1), team="south"))
    not_missed = [
        _awaiting(date(2026, 11, 1)),  # due after today: can still be held in time
        _awaiting(date(2026, 10, 14)),  # due after the period
        _awaiting(date(2025, 12, 1)),  # due last year: missed in 2025, not 2026
        _awaiting(date(2026, 8, 1), stage="awaiting-decision"),  # held: the ledger has it
        OpenCase(kind="assessment", caseworker="cw1", team="north", overdue=True),
    ]
    report = kpi_report(Q3, held, [], open_cases=missed + not_missed, as_of=AFTER_Q3)
    reviews = _reviews(report)
    assert (reviews.period.met, reviews.period.total, reviews.period.percent) == (6, 48, 12.5)
    assert reviews.not_done == 42
    assert (reviews.year_to_date.met, reviews.year_to_date.total) == (6, 48)
    assert reviews.breakdown["category"]["unknown"].total == 42
    assert reviews.rag is Rag.RED
    north = kpi_report(Q3, held, [], team="north", open_cases=missed + not_missed, as_of=AFTER_Q3)
    assert (_reviews(north).period.met, _reviews(north).period.total) == (6, 47)
    assert report.notes == []


def test_without_the_open_cases_the_report_says_what_it_could_not_count() -> None:
    held = [step("review-meeting", date(2026, 7, 2), process="review", cycle=1)]
    report = kpi_report(Q3, held, [])
    assert (_reviews(report).period.met, _reviews(report).period.total) == (1, 1)
    assert len(report.notes) == 1 and "not held are not counted" in report.notes[0]


def test_a_review_held_after_the_period_was_missed_in_it_and_counts_late_when_held() -> None:
    late = step(
        "review-meeting",
        date(2026, 10, 5),
        met=False,
        due=date(2026, 9, 20),
        process="review",
        cycle=2,
        ref="L-1",
        category="secondary-transfer",
    )
    ended = [
        # transferred out after its 12 months had passed unheld: missed in July
        review_outcome(
            date(2026, 8, 10),
            decision=None,
            amended_in_time=None,
            ref="T-1",
            review_due_by="2026-07-01",
            meeting_held_on=None,
            ended_on="2026-08-10",
            plan_ended="transferred-out",
        ),
        # transferred out before its review fell due: nothing was missed
        review_outcome(
            date(2026, 8, 10),
            decision=None,
            amended_in_time=None,
            ref="T-2",
            review_due_by="2026-09-01",
            meeting_held_on=None,
            ended_on="2026-08-10",
            plan_ended="transferred-out",
        ),
    ]
    q3 = _reviews(kpi_report(Q3, [late], ended, open_cases=[], as_of=AFTER_Q3))
    assert (q3.period.met, q3.period.total, q3.not_done) == (0, 2, 2)
    assert q3.breakdown["category"]["secondary-transfer"].total == 1
    dec = datetime(2026, 12, 31, tzinfo=UTC)
    q4 = _reviews(kpi_report(parse_period("2026-Q4"), [late], ended, open_cases=[], as_of=dec))
    assert (q4.period.met, q4.period.total, q4.not_done) == (0, 1, 0)
    year = _reviews(kpi_report(parse_period("2026"), [late], ended, open_cases=[], as_of=dec))
    assert (year.period.met, year.period.total, year.not_done) == (0, 2, 1)


# --- plans issued with advice set aside ---------------------------------------------------


def test_plans_issued_with_advice_set_aside_are_counted_by_reason() -> None:
    outcomes = [
        plan(date(2026, 5, 4), in_time=True, ref="S-1", advice_not_needed={SUFFICIENT: 1}),
        plan(
            date(2026, 5, 5),
            in_time=False,
            ref="S-2",
            advice_not_needed={SUFFICIENT: 1, WITHDRAWN: 2},
        ),
        plan(date(2026, 5, 6), in_time=True, ref="S-3"),
        plan(
            date(2026, 5, 7),
            in_time=False,
            exception=True,
            ref="S-4",
            advice_not_needed={WITHDRAWN: 1},
        ),
        plan(date(2026, 4, 30), in_time=True, ref="S-5", advice_not_needed={WITHDRAWN: 1}),
    ]
    may = parse_period("2026-05")
    including = plans_within_20_weeks(outcomes, may, T, excluding_exceptions=False)
    assert (including.period.met, including.period.total) == (2, 4)
    assert including.advice_set_aside == AdviceSetAside(
        plans=3, by_reason={SUFFICIENT: 2, WITHDRAWN: 2}
    )
    excluding = plans_within_20_weeks(outcomes, may, T, excluding_exceptions=True)
    assert excluding.advice_set_aside == AdviceSetAside(
        plans=2, by_reason={SUFFICIENT: 2, WITHDRAWN: 1}
    )
    none = plans_within_20_weeks(outcomes, parse_period("2026-06"), T, excluding_exceptions=False)
    assert none.advice_set_aside == AdviceSetAside(plans=0, by_reason={})


def test_a_request_for_advice_is_not_another_case_on_the_caseload() -> None:
    now = datetime(2026, 10, 1, tzinfo=UTC)
    cases = [
        OpenCase(kind="assessment", caseworker="cw1", team="north", overdue=False),
        OpenCase(kind="advice", caseworker="cw1", team="north", overdue=True),
        OpenCase(kind="advice", caseworker="cw1", team="north", overdue=False),
    ]
    c = caseload(cases, now, T)
    assert (c.per_caseworker, c.mean, c.highest) == ({"cw1": 1}, 1.0, 1)
    assert (c.open, c.overdue) == ({"advice": 2, "assessment": 1}, {"advice": 1})
