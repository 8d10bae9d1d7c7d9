"""Ranking options: when the first two are too close to tell apart, the ranking says so."""

from __future__ import annotations

from scenarios import compare, engine, results
from scenarios.compare import Criterion
from scenarios.engine import Run

from .helpers import variant

SCENARIO = variant("unitary-2020-as-planned", {"scenario.weeks": 3})


def _option(name: str, ends: list[float]) -> results.ScenarioResult:
    """An option whose replications end with ``ends`` open past 20 weeks (none cleared)."""
    runs = []
    for seed, end in enumerate(ends):
        weekly = {s: [0.0] * 3 for s in engine.SERIES}
        weekly["past_20_weeks"] = [500.0, 400.0, end]
        runs.append(Run(seed=seed, weekly=weekly, monthly={}, events=0))
    scenario = SCENARIO.model_copy(
        update={"scenario": SCENARIO.scenario.model_copy(update={"name": name})}
    )
    return results.ScenarioResult(scenario, runs)


def test_overlapping_bands_on_the_deciding_measure_make_a_close_call() -> None:
    ahead = _option("ahead", [300, 310, 330, 350, 360])
    behind = _option("behind", [320, 340, 345, 370, 380])
    ranked = compare.rank([behind, ahead], Criterion.END_BACKLOG)
    assert [r.result.name for r in ranked] == ["ahead", "behind"]
    words = compare.close_call(ranked, Criterion.END_BACKLOG)
    assert words is not None
    assert "overlap on open past 20 weeks at the end" in words
    # Neither clears: clearance ranks by the backlog left, and says the same.
    assert compare.close_call(
        compare.rank([behind, ahead], Criterion.CLEARANCE), Criterion.CLEARANCE
    )


def test_bands_apart_are_no_close_call() -> None:
    ahead = _option("ahead", [100, 105, 110, 115, 120])
    behind = _option("behind", [300, 310, 320, 330, 340])
    ranked = compare.rank([behind, ahead], Criterion.END_BACKLOG)
    assert ranked[0].result.name == "ahead"
    assert compare.close_call(ranked, Criterion.END_BACKLOG) is None
    assert compare.close_call(ranked[:1], Criterion.END_BACKLOG) is None, "one option"


def _clearing(name: str, cleared_by: list[int | None]) -> results.ScenarioResult:
    """An option whose replications clear the backlog in the weeks given (None: never)."""
    runs = []
    for seed, week in enumerate(cleared_by):
        weekly = {s: [0.0] * 60 for s in engine.SERIES}
        weekly["past_20_weeks"] = [
            0.0 if week is not None and w >= week else 100.0 for w in range(60)
        ]
        runs.append(Run(seed=seed, weekly=weekly, monthly={}, events=0))
    scenario = variant("unitary-2020-as-planned", {"scenario.weeks": 60})
    scenario = scenario.model_copy(
        update={"scenario": scenario.scenario.model_copy(update={"name": name})}
    )
    return results.ScenarioResult(scenario, runs)


def test_one_option_clearing_in_most_runs_and_one_in_few_can_still_be_a_close_call() -> None:
    """Clearing is judged by most runs: 6 of 10 against 4 of 10 is no sure difference."""
    ahead = _clearing("ahead", [30, 32, 35, 38, 40, 45, None, None, None, None])
    behind = _clearing("behind", [31, 33, 36, 39, None, None, None, None, None, None])
    ranked = compare.rank([behind, ahead], Criterion.CLEARANCE)
    assert [r.result.name for r in ranked] == ["ahead", "behind"]
    assert ahead.clearance()[0] is not None and behind.clearance()[0] is None
    words = compare.close_call(ranked, Criterion.CLEARANCE)
    assert words is not None and "assessment backlog cleared (week)" in words
    sure = _clearing("sure", [10, 11, 12, 12, 13, 13, 14, 14, 15, 16])
    never = _clearing("never", [None] * 10)
    assert (
        compare.close_call(compare.rank([never, sure], Criterion.CLEARANCE), Criterion.CLEARANCE)
        is None
    )
