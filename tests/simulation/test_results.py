"""What replications add up to: bands, clearance weeks, in-time rates by month of issue."""

from __future__ import annotations

import math

import pytest

from scenarios import engine, results
from scenarios.engine import Monthly, Run

from .helpers import variant


def test_cleared_week_is_the_first_week_at_or_under_the_threshold() -> None:
    assert results.cleared_week([30, 12, 9, 14, 3], threshold=10) == 2
    assert results.cleared_week([5, 30], threshold=10) == 0
    assert results.cleared_week([30, 20], threshold=10) is None


def test_band_ignores_replications_without_a_value() -> None:
    band = results.Band.of([math.nan, 10.0, 20.0, 30.0])
    assert band.median == 20.0
    assert math.isnan(results.Band.of([math.nan]).median)


def _run(seed: int, past: list[float], months: dict[tuple[int, int], Monthly]) -> Run:
    weekly = {name: [0.0] * len(past) for name in engine.SERIES}
    weekly["past_20_weeks"] = past
    return Run(seed=seed, weekly=weekly, monthly=months, events=0)


def test_clearance_is_none_when_most_replications_never_clear() -> None:
    scenario = variant("unitary-2020-as-planned", {"scenario.weeks": 3})
    never = _run(0, [50, 40, 30], {})
    soon = _run(1, [50, 1, 0], {})
    assert results.ScenarioResult(scenario, [never, never, soon]).clearance() == (None, 1 / 3)
    assert results.ScenarioResult(scenario, [soon, soon, never]).clearance() == (1, 2 / 3)


def test_in_time_rates_count_as_the_national_return() -> None:
    scenario = variant("unitary-2020-as-planned", {"scenario.weeks": 8})
    january = Monthly(
        issued=10,
        within_20_weeks=6,
        counted_excluding_exceptions=8,
        within_20_weeks_excluding_exceptions=6,
    )
    result = results.ScenarioResult(scenario, [_run(0, [0.0] * 8, {(2020, 1): january})])
    monthly = dict((m, pct.median) for m, _, pct in result.monthly(True))
    assert monthly[(2020, 1)] == 75.0
    assert math.isnan(monthly[(2020, 2)]), "no plan issued in February"
    assert dict((m, p.median) for m, _, p in result.monthly(False))[(2020, 1)] == 60.0
    assert result.measure("within_20_weeks_excluding_exceptions").median == pytest.approx(75.0)
    # 2 of the 10 plans had an exception: left out of the headline, and counted apart.
    assert result.measure("exception_cases").median == pytest.approx(20.0)
