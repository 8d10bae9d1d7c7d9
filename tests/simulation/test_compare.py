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
