"""Costs: the capacity's bill over the horizon, per plan issued and per plan issued in time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scenarios import compare, costs, engine, model, results
from scenarios.engine import Monthly, Run
from scenarios.model import ScenarioError

from .helpers import raw, shipped, variant

RATES = {
    "caseworker_week": {"value": 800, "source": "a council's budget"},
    "psychology_assessment": {"value": 600, "assumed": True},
}

# Ten weeks from Monday 6 Jan 2020: weeks begin 6, 13, 20, 27 Jan, 3, 10, 17, 24 Feb, 2, 9 Mar.
CHANGES = [
    {  # weeks 4-9 (from 3 Feb): 6 weeks x 4 caseworkers x £800 = £19,200
        "label": "4 additional caseworkers",
        "start": "2020-02-03",
        "caseworkers": 4,
        "assumed": True,
    },
    {  # weeks beginning 20 Jan, 27 Jan, 3 Feb: 3 weeks x £1,000 = £3,000
        "label": "locums",
        "start": "2020-01-20",
        "end": "2020-02-09",
        "psychology_per_week": 2,
        "cost_per_week": {"value": 1000, "source": "an agency's quote"},
        "assumed": True,
    },
    {  # 12 weeks to 29 Mar, 10 inside the horizon: floor(10 x 10 / 12) = 8 x £1,250 = £10,000
        "label": "outsourced",
        "start": "2020-01-06",
        "end": "2020-03-29",
        "psychology_outsourced": 10,
        "cost_per_assessment": {"value": 1250, "source": "a provider's price"},
        "assumed": True,
    },
]
# In post: 5 caseworkers x 10 weeks x £800 = £40,000; 5 assessments a week x 10 x £600 = £30,000.
TOTAL = 40_000 + 30_000 + 19_200 + 3_000 + 10_000


def _costed() -> model.Scenario:
    return variant(
        "unitary-2020-as-planned",
        {
            "scenario.weeks": 10,
            "capacity.caseworkers": {"value": 5, "assumed": True},
            "capacity.psychology_per_week": {"value": 5, "assumed": True},
            "capacity.costs": RATES,
            "capacity.changes": CHANGES,
        },
    )


def _run(issued: int, in_time: int) -> Run:
    weekly = {name: [0.0] * 10 for name in engine.SERIES}
    weekly["plans_issued"][3] = issued
    month = Monthly(
        issued=issued,
        within_20_weeks=in_time,
        counted_excluding_exceptions=issued,
        within_20_weeks_excluding_exceptions=in_time,
    )
    return Run(seed=0, weekly=weekly, monthly={(2020, 1): month}, events=0)


def test_the_bill_adds_up_line_by_line() -> None:
    lines = costs.cost_lines(_costed())
    assert lines is not None
    assert [(line.label, line.unit, line.quantity, line.total) for line in lines] == [
        ("caseworkers in post", "caseworker-week", 50, 40_000),
        ("psychology in house", "assessment of capacity", 50, 30_000),
        ("4 additional caseworkers", "caseworker-week", 24, 19_200),
        ("locums", "week", 3, 3_000),
        ("outsourced", "assessment outsourced", 8, 10_000),
    ]
    assert costs.total(lines) == TOTAL
    assert lines[3].basis == "an agency's quote"
    assert lines[1].basis == "assumed"


def test_costs_per_plan_follow_each_replication() -> None:
    # 40 plans (20 in time), 50 plans (25 in time), 60 plans (none in time)
    result = results.ScenarioResult(_costed(), [_run(40, 20), _run(50, 25), _run(60, 0)])
    assert result.measure("total_cost") == results.Band(TOTAL, TOTAL, TOTAL)
    assert result.measure("cost_per_plan").median == pytest.approx(TOTAL / 50)
    in_time = result.measure("cost_per_plan_in_time")
    # the run with no plan in time has no cost per plan in time: the median of the other two
    assert in_time.median == pytest.approx((TOTAL / 20 + TOTAL / 25) / 2)
    assert {m.unit for m in result.summary() if "cost" in m.key} == {"£"}
    assert results.format_value(TOTAL, "£") == "£102,200"
    assert results.format_value(-1234.4, "£") == "-£1,234"


def test_a_scenario_without_costs_has_no_cost_measures(tmp_path: Path) -> None:
    scenario = variant("unitary-2020-as-planned", {"scenario.weeks": 10, "capacity.costs": None})
    result = results.ScenarioResult(scenario, [_run(40, 20)])
    assert result.costs is None
    assert not [m for m in result.summary() if "cost" in m.key or m.unit == "£"]
    assert result.find("total_cost") is None
    with pytest.raises(KeyError):
        result.measure("total_cost")
    written = results.write_csv(result, tmp_path)
    assert "costs.csv" not in {p.name for p in written}


def test_a_scenario_with_costs_writes_its_bill(tmp_path: Path) -> None:
    result = results.ScenarioResult(_costed(), [_run(40, 20)])
    results.write_csv(result, tmp_path)
    rows = (tmp_path / "costs.csv").read_text().splitlines()
    assert rows[0] == "line,unit,quantity,unit_cost,total,basis"
    assert rows[4] == "locums,week,3,1000,3000,an agency's quote"
    assert rows[-1] == f"total,,,,{TOTAL},"


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        model.parse(data, "council.toml")
    return str(caught.value)


def _base() -> dict[str, Any]:
    data = copy.deepcopy(raw("unitary-2020-as-planned"))
    data["capacity"]["costs"] = copy.deepcopy(RATES)
    data["capacity"]["changes"] = copy.deepcopy(CHANGES)
    return data


def test_a_cost_without_a_source_is_refused() -> None:
    data = _base()
    data["capacity"]["costs"]["caseworker_week"] = {"value": 781}
    assert _error(data) == (
        'council.toml: capacity.costs.caseworker_week: every figure needs source = "..." or '
        "assumed = true"
    )
    data = _base()
    data["capacity"]["changes"][1]["cost_per_week"] = {"value": 1000}
    assert _error(data).startswith("council.toml: capacity.changes[1].cost_per_week: every figure")


def test_every_line_has_a_price_or_none_has() -> None:
    data = _base()
    del data["capacity"]["changes"][2]["cost_per_assessment"]
    assert _error(data) == (
        "council.toml: capacity: changes[2] (outsourced): psychology_outsourced needs "
        "cost_per_assessment when [capacity.costs] is given"
    )
    data = _base()
    del data["capacity"]["costs"]
    assert _error(data) == (
        "council.toml: capacity: changes[1] (locums): a line's cost needs [capacity.costs] as well"
    )
    data = _base()
    data["capacity"]["changes"][0]["cost_per_review"] = {"value": 250, "assumed": True}
    assert _error(data) == (
        "council.toml: capacity.changes[0]: cost_per_review is given but the line has no "
        "reviews_outsourced to cost"
    )


def test_compare_ranks_by_cost_per_plan_in_time() -> None:
    cheap, dear = _costed(), _costed()
    uncosted = variant("unitary-2020-as-planned", {"scenario.weeks": 10, "capacity.costs": None})
    runs = [_run(40, 20)]
    found = [
        results.ScenarioResult(uncosted, runs),
        results.ScenarioResult(dear, [_run(40, 10)]),  # twice the cost per plan in time
        results.ScenarioResult(cheap, runs),
    ]
    ranked = compare.rank(found, compare.Criterion.COST_PER_PLAN_IN_TIME)
    assert [r.result for r in ranked] == [found[2], found[1], found[0]]
    assert [r.score for r in ranked] == ["£5,110", "£10,220", "no costs stated"]
    assert compare.side_by_side(found)[-2:] == ("total_cost", "cost_per_plan_in_time")
    assert compare.side_by_side([found[0]]) == compare.SIDE_BY_SIDE


def test_the_county_pays_for_the_outsourced_cases_inside_its_horizon() -> None:
    """729 over 13 months from Jan 2023; the 60 weeks end in late Jan 2024, before the last."""
    lines = costs.cost_lines(model.load(shipped("county-psychology-outsourced")))
    assert lines is not None
    outsourced = next(line for line in lines if line.unit == "assessment outsourced")
    assert (outsourced.quantity, outsourced.unit_cost) == (716, 1250)
    assert costs.cost_lines(model.load(shipped("england-2024"))) is None
    # 80 caseworkers and 27 assessments a week for 60 weeks; 56 weeks of locums; the 716
    assert costs.total(lines) == 80 * 60 * 781 + 27 * 60 * 649 + 56 * 11_488 + 716 * 1_250
