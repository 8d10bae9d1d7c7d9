"""Options side by side: several scenarios, their bands, ranked by a stated criterion."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from scenarios.results import ScenarioResult, format_value


class Criterion(StrEnum):
    """How options are ranked, best first (``DESCRIPTION`` says how each is read)."""

    CLEARANCE = "clearance"
    IN_TIME = "in-time"
    END_BACKLOG = "end-backlog"
    REVIEW_BACKLOG = "review-backlog"


DESCRIPTION = {
    Criterion.CLEARANCE: "earliest week the assessment backlog clears (median); "
    "options that never clear rank last, by the backlog left at the end",
    Criterion.IN_TIME: "highest % of plans within 20 weeks excl. exceptions (median)",
    Criterion.END_BACKLOG: "fewest open assessments past 20 weeks at the end (median)",
    Criterion.REVIEW_BACKLOG: "fewest annual reviews overdue at the end (median)",
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


def rank(results: list[ScenarioResult], criterion: Criterion) -> list[Ranked]:
    """Options best first by ``criterion``; ties keep the order given."""
    ordered = sorted(results, key=lambda r: _sort_key(r, criterion))
    return [Ranked(i, r, _score(r, criterion)) for i, r in enumerate(ordered, start=1)]


#: Measures shown side by side for every option.
SIDE_BY_SIDE = (
    "within_20_weeks_excluding_exceptions",
    "within_20_weeks_last_3_months",
    "past_20_weeks_end",
    "review_backlog_end",
    "caseload_end",
    "backlog_cleared",
)


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
