"""How many replications a run chooses: the stopping rule on made-up numbers, with a made-up
clock, and on real runs."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from scenarios import engine
from scenarios.engine import Monthly, Run
from scenarios.model import Scenario
from scenarios.replications import (
    Estimate,
    Measure,
    Plan,
    Rule,
    Stop,
    decide,
    estimates,
    half_width,
    in_batches,
    replicate,
)

from .helpers import variant

NO_BUDGET = Rule(time_budget=None)


def _in_time(half: float, target: float = 1.0, option: str = "a") -> Estimate:
    return Estimate(option, Measure.IN_TIME, half, target)


def test_the_half_width_is_students_t_on_the_spread() -> None:
    # mean 3, sample standard deviation sqrt(2.5), n = 5: t(0.95, 4) x 1.5811 / sqrt(5)
    assert half_width([1, 2, 3, 4, 5]) == pytest.approx(
        2.1318 * math.sqrt(2.5) / math.sqrt(5), 1e-3
    )
    assert half_width([7, 7, 7]) == 0
    assert math.isinf(half_width([7]))


def test_a_run_starts_with_the_minimum_and_stops_when_every_measure_is_precise() -> None:
    assert decide(0, [], NO_BUDGET, 0).step == 5
    precise = decide(5, [_in_time(0.9), _in_time(0.2, option="b")], NO_BUDGET, 0)
    assert (precise.step, precise.stop) == (0, Stop.PRECISE)


def test_the_next_batch_is_what_the_spread_says_is_needed_at_least_the_minimum() -> None:
    # half-width 1.2 at n = 20 against 1.0: n x 1.44 = 29 in all, so 9 more
    assert decide(20, [_in_time(1.2)], NO_BUDGET, 0).step == 9
    # nearly there: still a batch of the minimum
    assert decide(20, [_in_time(1.01)], NO_BUDGET, 0).step == 5


def test_a_noisy_start_at_most_doubles_the_run_and_the_maximum_ends_it() -> None:
    wide = [_in_time(10.0)]
    assert decide(5, wide, NO_BUDGET, 0).step == 5
    assert decide(40, wide, NO_BUDGET, 0).step == 40
    assert decide(160, wide, NO_BUDGET, 0).step == 40, "no further than the maximum"
    assert decide(200, wide, NO_BUDGET, 0).stop is Stop.MAXIMUM
    assert decide(10, [_in_time(math.inf)], NO_BUDGET, 0).step == 10


def test_the_widest_option_sets_the_batch() -> None:
    both = [_in_time(1.5, option="a"), _in_time(3.0, option="b")]
    assert decide(20, both, NO_BUDGET, 0).total == 180


def test_without_a_budget_time_does_not_count() -> None:
    found = [_in_time(2.0)]
    assert decide(10, found, NO_BUDGET, 0.1) == decide(10, found, NO_BUDGET, 1e9)


def test_a_budget_cuts_the_batch_to_what_fits_and_stops_when_nothing_does() -> None:
    rule = Rule(time_budget=60)
    found = [_in_time(3.0)]  # wants 9 x 10 = 90 in all
    # 10 replications in 40 s: 4 s each, 20 s left: 5 more fit
    cut = decide(10, found, rule, 40)
    assert (cut.step, cut.total, cut.short_of_time) == (5, 15, True)
    assert decide(10, found, rule, 58).stop is Stop.BUDGET
    assert decide(10, [_in_time(0.5)], rule, 600).stop is Stop.PRECISE, "precision first"


def test_given_replications_run_exactly_and_the_first_batch_is_timed() -> None:
    rule = Rule(replications=20)
    wide = [_in_time(50.0)]
    assert (decide(0, [], rule, 0).step, decide(0, [], rule, 0).total) == (5, 20)
    assert decide(5, wide, rule, 1e9).step == 15, "no budget, no precision"
    assert decide(20, wide, rule, 0).stop is Stop.GIVEN
    assert decide(0, [], Rule(replications=3), 0).step == 3


class _Clock:
    """A clock that moves only when a batch runs: ``per_replication`` seconds each."""

    def __init__(self, per_replication: float) -> None:
        self.now = 0.0
        self.per = per_replication

    def __call__(self) -> float:
        return self.now

    def batch(self, calls: list[tuple[int, int]]) -> Callable[[int, int], None]:
        def run(first: int, count: int) -> None:
            calls.append((first, count))
            self.now += count * self.per

        return run


def test_batches_follow_on_until_precise() -> None:
    calls: list[tuple[int, int]] = []
    clock = _Clock(1.0)
    # a half-width of 6.58 / sqrt(n) against 1.0: 44 replications in all, reached by
    # doubling, then the minimum batch for the last 4
    spread = lambda: [_in_time(6.58 / math.sqrt(sum(c for _, c in calls)))]  # noqa: E731
    outcome = in_batches(clock.batch(calls), spread, NO_BUDGET, clock=clock)
    assert calls == [(0, 5), (5, 5), (10, 10), (20, 20), (40, 5)]
    assert (outcome.replications, outcome.stop) == (45, Stop.PRECISE)
    assert outcome.estimates[0].met


def test_a_tiny_budget_stops_after_the_first_batch() -> None:
    calls: list[tuple[int, int]] = []
    clock = _Clock(2.0)
    plans: list[Plan] = []
    outcome = in_batches(
        clock.batch(calls),
        lambda: [_in_time(5.0)],
        Rule(time_budget=1),
        clock=clock,
        planned=plans.append,
    )
    assert calls == [(0, 5)]
    assert (outcome.replications, outcome.stop) == (5, Stop.BUDGET)
    assert [(p.done, p.total, p.seconds) for p in plans] == [(5, 5, 10.0)]


def test_after_each_batch_the_plan_estimates_the_time_left() -> None:
    calls: list[tuple[int, int]] = []
    clock = _Clock(0.5)
    plans: list[Plan] = []
    in_batches(
        clock.batch(calls),
        lambda: [_in_time(50.0)],
        Rule(replications=20),
        clock=clock,
        planned=plans.append,
    )
    first = plans[0]
    assert (first.done, first.total, first.seconds, first.remaining) == (5, 20, 2.5, 7.5)


def _run(past_20_weeks: list[float], within: int, counted: int) -> Run:
    weekly = {name: [0.0] * len(past_20_weeks) for name in engine.SERIES}
    weekly["past_20_weeks"] = past_20_weeks
    month = Monthly(
        issued=counted,
        counted_excluding_exceptions=counted,
        within_20_weeks_excluding_exceptions=within,
    )
    return Run(seed=0, weekly=weekly, monthly={(2020, 1): month}, events=0)


@pytest.fixture(scope="module")
def four_weeks() -> Scenario:
    return variant("unitary-2020-as-planned", {"scenario.weeks": 4, "report.backlog_cleared_at": 0})


def test_the_headline_is_the_percent_in_time_and_a_replication_without_plans_is_left_out(
    four_weeks: Scenario,
) -> None:
    runs = [_run([0] * 4, 8, 10), _run([0] * 4, 6, 10), _run([0] * 4, 0, 0)]
    [found] = estimates(four_weeks, runs, NO_BUDGET)
    assert found.measure is Measure.IN_TIME
    assert found.half_width == pytest.approx(half_width([80, 60]))
    assert estimates(four_weeks, runs[1:], NO_BUDGET) == [], "one value: no interval"


def test_the_week_the_backlog_clears_counts_only_where_one_clears(four_weeks: Scenario) -> None:
    def weeks(*series: list[float]) -> list[Measure]:
        runs = [_run(s, 5, 10) for s in series]
        return [e.measure for e in estimates(four_weeks, runs, NO_BUDGET)]

    assert weeks([3, 3, 3, 3], [3, 2, 2, 2]) == [Measure.IN_TIME], "never cleared"
    assert weeks([0, 0, 0, 0], [0, 1, 0, 0]) == [Measure.IN_TIME], "no backlog at the start"
    runs = [_run([3, 0, 0, 0], 5, 10), _run([3, 3, 3, 3], 5, 10)]
    clearance = estimates(four_weeks, runs, NO_BUDGET)[1]
    assert clearance.measure is Measure.CLEARANCE
    assert clearance.half_width == pytest.approx(half_width([1, 4])), "never: the horizon"
    assert clearance.target == NO_BUDGET.precision_weeks


def test_options_run_the_same_replications_on_the_same_seeds() -> None:
    options = [
        variant("unitary-2020-as-planned", {"scenario.weeks": 8}),
        variant("unitary-2020-no-extra-staff", {"scenario.weeks": 8}),
    ]
    rule = Rule(precision=1e-6, time_budget=None, maximum=12)
    runs, outcome = replicate(options, 3, rule)
    assert (outcome.replications, outcome.stop) == (12, Stop.MAXIMUM)
    seeds = [engine.replication_seed(3, i) for i in range(12)]
    assert [r.seed for r in runs[0]] == [r.seed for r in runs[1]] == seeds
    in_one = engine.replicate(options[1], 12, 3)
    assert [r.weekly for r in runs[1]] == [r.weekly for r in in_one], "batches: one run"
