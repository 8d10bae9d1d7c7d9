"""Table tests of the pure KPI functions (statutory/kpi.py) on hand-made ledger rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from statutory.kpi import (
    KpiTargets,
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
