"""Options side by side: several scenarios, their bands, ranked by a stated criterion."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from scenarios.results import Band, ScenarioResult, format_value


class Criterion(StrEnum):
    """How options are ranked, best first (``DESCRIPTION`` says how each is read)."""

    CLEARANCE = "clearance"
    IN_TIME = "in-time"
    END_BACKLOG = "end-backlog"
    REVIEW_BACKLOG = "review-backlog"
    COST_PER_PLAN_IN_TIME = "cost-per-plan-in-time"


DESCRIPTION = {
    Criterion.CLEARANCE: "earliest week the assessment backlog clears (median); "
    "options that never clear rank last, by the backlog left at the end",
    Criterion.IN_TIME: "highest % of plans within 20 weeks excl. exceptions (median)",
    Criterion.END_BACKLOG: "fewest open assessments past 20 weeks at the end (median)",
    Criterion.REVIEW_BACKLOG: "fewest annual reviews overdue at the end (median)",
    Criterion.COST_PER_PLAN_IN_TIME: "lowest cost per plan issued within 20 weeks excl. "
    "exceptions (median); options without costs, or without a plan in time, rank last",
}

#: The cost per plan issued in time, by which ``COST_PER_PLAN_IN_TIME`` ranks.
COST_PER_PLAN_IN_TIME = "cost_per_plan_in_time"

#: The summary measure whose median a criterion ranks by (clearance ranks by the week and the
#: share of runs that clear, which no one measure says).
RANKED_MEASURE = {
    Criterion.IN_TIME: "within_20_weeks_excluding_exceptions",
    Criterion.END_BACKLOG: "past_20_weeks_end",
    Criterion.REVIEW_BACKLOG: "review_backlog_end",
    Criterion.COST_PER_PLAN_IN_TIME: COST_PER_PLAN_IN_TIME,
}


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    result: ScenarioResult
    score: str
    """The criterion's value for this option, as shown."""


def _sort_key(result: ScenarioResult, criterion: Criterion) -> tuple[float, float]:
    end = result.measure("past_20_weeks_end").median
    match criterion:
        case Criterion.CLEARANCE:
            week, _ = result.clearance()
            return (math.inf if week is None else week, end)
        case Criterion.IN_TIME:
            pct = result.measure("within_20_weeks_excluding_exceptions").median
            return (-pct if not math.isnan(pct) else math.inf, end)
        case Criterion.END_BACKLOG:
            return (end, 0.0)
        case Criterion.REVIEW_BACKLOG:
            return (result.measure("review_backlog_end").median, end)
        case Criterion.COST_PER_PLAN_IN_TIME:
            cost = _median(result, COST_PER_PLAN_IN_TIME)
            return (math.inf if math.isnan(cost) else cost, end)


def _median(result: ScenarioResult, key: str) -> float:
    """The measure's median; NaN when the option has no such measure (no costs stated)."""
    found = result.find(key)
    return math.nan if found is None else found.band.median


def _score(result: ScenarioResult, criterion: Criterion) -> str:
    match criterion:
        case Criterion.CLEARANCE:
            week, share = result.clearance()
            if week is None:
                return f"not cleared ({share:.0%} of runs clear)"
            return f"week {week} ({result.week_start(week)}; {share:.0%} of runs clear)"
        case Criterion.IN_TIME:
            return format_value(result.measure("within_20_weeks_excluding_exceptions").median, "%")
        case Criterion.END_BACKLOG:
            return format_value(result.measure("past_20_weeks_end").median, "")
        case Criterion.REVIEW_BACKLOG:
            return format_value(result.measure("review_backlog_end").median, "")
        case Criterion.COST_PER_PLAN_IN_TIME:
            if result.costs is None:
                return "no costs stated"
            cost = _median(result, COST_PER_PLAN_IN_TIME)
            return "no plan in time" if math.isnan(cost) else format_value(cost, "£")


def rank(results: list[ScenarioResult], criterion: Criterion) -> list[Ranked]:
    """Options best first by ``criterion``; ties keep the order given."""
    ordered = sorted(results, key=lambda r: _sort_key(r, criterion))
    return [Ranked(i, r, _score(r, criterion)) for i, r in enumerate(ordered, start=1)]


def _deciding(first: ScenarioResult, second: ScenarioResult, criterion: Criterion) -> str:
    """The measure that put ``first`` ahead of ``second``: clearance ranks by the week the
    backlog clears, or by the backlog left when neither option clears it (most runs)."""
    if criterion is not Criterion.CLEARANCE:
        return RANKED_MEASURE[criterion]
    if first.clearance()[0] is None and second.clearance()[0] is None:
        return "past_20_weeks_end"
    return "backlog_cleared"


def close_call(ranked: list[Ranked], criterion: Criterion) -> str | None:
    """A sentence when the first two options' 10-90% bands overlap on the measure that ranks
    them: the order between them may be chance (None: it is not, or one option only)."""
    if len(ranked) < 2:
        return None
    first, second = ranked[0].result, ranked[1].result
    key = _deciding(first, second, criterion)
    a, b = first.find(key), second.find(key)
    if a is None or b is None:
        return None
    (low_a, high_a), (low_b, high_b) = _spread(a.band, a.unit), _spread(b.band, b.unit)
    if any(math.isnan(v) for v in (low_a, high_a, low_b, high_b)):
        return None
    if high_a < low_b or high_b < low_a:
        return None
    return (
        f"A close call: the first two options' 10-90% bands overlap on {a.label.lower()}, so "
        "the order between them may be chance; more replications, or a larger difference "
        "between the options, would settle it."
    )


def _spread(band: Band, unit: str) -> tuple[float, float]:
    """A band's 10% and 90% values; for a week, NaN is never (later than any week)."""
    if unit != "week":
        return band.low, band.high
    never = math.inf
    return (
        never if math.isnan(band.low) else band.low,
        never if math.isnan(band.high) else band.high,
    )


#: Measures shown side by side for every option.
SIDE_BY_SIDE = (
    "within_20_weeks_excluding_exceptions",
    "within_20_weeks_last_3_months",
    "past_20_weeks_end",
    "review_backlog_end",
    "reviews_in_time",
    "caseload_end",
    "backlog_cleared",
    "review_backlog_cleared",
)

#: Cost measures shown beside them when any option states its costs.
COSTS_SIDE_BY_SIDE = ("total_cost", COST_PER_PLAN_IN_TIME)


def side_by_side(results: list[ScenarioResult]) -> tuple[str, ...]:
    """The measures to show for these options: ``SIDE_BY_SIDE``, and the costs when any option
    states them (an option without costs shows none: ``ScenarioResult.find`` gives None)."""
    if any(r.costs is not None for r in results):
        return SIDE_BY_SIDE + COSTS_SIDE_BY_SIDE
    return SIDE_BY_SIDE


def write_csv(ranked: list[Ranked], criterion: Criterion, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "compare.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["rank", "scenario", f"criterion: {criterion.value}", "measure", "p10", "median", "p90"]
        )
        for r in ranked:
            for m in r.result.summary():
                w.writerow(
                    [r.rank, r.result.name, r.score, m.key, m.band.low, m.band.median, m.band.high]
                )
    return path
