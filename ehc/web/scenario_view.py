"""A scenario run's figures as the pages show them: the summary table ``ehc simulate run``
prints, and for each chart its alt text and the table of the figures it draws.

Values are the medians across replications with the 10-90% band, as the CLI gives them;
weeks are named by the day they start ("week 12, 30 Mar 2020"), never an ISO date.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ehc.text import day
from scenarios.compare import DESCRIPTION, SIDE_BY_SIDE, Criterion, Ranked
from scenarios.results import Band, ScenarioResult, format_value
from statutory.dates import MONTHS

#: The lines of ``scenarios.charts``' backlog chart, in its order and words.
BACKLOG_LINES = (
    ("open_assessments", "Open assessments"),
    ("past_20_weeks", "Open past 20 weeks"),
    ("psychology_waiting", "Waiting for psychology advice"),
    ("review_backlog", "Annual reviews overdue"),
)
#: The comparison charts (``scenarios.charts.write_comparison_charts``): weekly measures.
COMPARED_LINES = (
    ("past_20_weeks", "Open assessments past 20 weeks"),
    ("review_backlog", "Annual reviews overdue"),
    ("psychology_waiting", "Waiting for psychology advice"),
    ("caseload_per_caseworker", "Caseload per caseworker"),
)


def value_words(value: float, unit: str, result: ScenarioResult | None = None) -> str:
    """One figure as a person reads it: "46.4%", "1,234", "week 12 (30 Mar 2020)". A count
    (no unit) is a whole number of cases, as the rest of the service counts them: a median
    across replications may fall between two ("0.5 reviews") and is rounded."""
    if unit == "week":
        return _week_words(value, result)
    if math.isnan(value):
        return "None"
    if unit == "":
        return f"{round(value):,}"
    return format_value(value, unit)


def _week_words(value: float, result: ScenarioResult | None, band: str = "") -> str:
    """A week of the run and the day it starts; NaN: the backlog never cleared."""
    if math.isnan(value):
        return "Never"
    week = round(value)
    inside = "; ".join(p for p in (day(result.week_start(week)) if result else "", band) if p)
    return f"week {week} ({inside})" if inside else f"week {week}"


def band_words(band: Band, unit: str = "", result: ScenarioResult | None = None) -> str:
    """ "120 (100 to 140)": the median and, when they differ from it, the 10% and 90% values
    ("week 37 (21 Sep 2020; weeks 23 to 37)" for a week)."""
    if unit == "week":
        # A 90% value of NaN: the slowest replications never cleared.
        low, high = (("never" if math.isnan(v) else str(round(v))) for v in (band.low, band.high))
        if math.isnan(band.median) or low == high == str(round(band.median)):
            return _week_words(band.median, result)
        spread = (
            f"weeks {low} to {high}"
            if high != "never"
            else f"from week {low}; some replications never clear"
        )
        return _week_words(band.median, result, spread)
    median = value_words(band.median, unit)
    if math.isnan(band.median):
        return median
    low_words, high_words = value_words(band.low, unit), value_words(band.high, unit)
    if low_words == high_words == median:
        return median
    return f"{median} ({low_words} to {high_words})"


@dataclass(frozen=True, slots=True)
class SummaryRow:
    key: str
    label: str
    median: str
    low: str
    high: str


def summary_rows(result: ScenarioResult) -> list[SummaryRow]:
    """The summary table of ``ehc simulate run``: each measure's median and 10-90% band."""
    return [
        SummaryRow(
            m.key,
            m.label,
            value_words(m.band.median, m.unit, result),
            value_words(m.band.low, m.unit, result),
            value_words(m.band.high, m.unit, result),
        )
        for m in result.summary()
    ]


def clearance_words(result: ScenarioResult) -> str:
    cleared, share = result.clearance()
    if cleared is None:
        return f"The assessment backlog does not clear ({share:.0%} of replications clear it)."
    return (
        f"The assessment backlog clears in week {cleared} ({day(result.week_start(cleared))}), "
        f"in {share:.0%} of replications."
    )


@dataclass(frozen=True, slots=True)
class ChartView:
    """A chart image and the same figures as a table."""

    name: str
    src: str
    title: str
    alt: str
    caption: str
    columns: list[str]
    rows: list[list[str]]


def _month_words(month: tuple[int, int]) -> str:
    return f"{MONTHS[month[1] - 1]} {month[0]}"


def _span(result: ScenarioResult) -> str:
    return f"{day(result.week_start(0))} to {day(result.week_start(result.weeks - 1))}"


def _start_and_end(label: str, bands: Sequence[Band]) -> str:
    return (
        f"{label.lower()} {value_words(bands[0].median, '')} in the first week, "
        f"{value_words(bands[-1].median, '')} in the last"
    )


def _weekly_rows(result: ScenarioResult, columns: Sequence[Sequence[Band]]) -> list[list[str]]:
    return [
        [day(result.week_start(week)), *(band_words(bands[week]) for bands in columns)]
        for week in range(result.weeks)
    ]


def run_charts(result: ScenarioResult, base: str) -> list[ChartView]:
    """The three charts of a run (``base``: the URL they are served under)."""
    span = _span(result)
    backlog = [result.weekly(name) for name, _ in BACKLOG_LINES]
    months_excl = result.monthly(True)
    months_incl = result.monthly(False)
    caseload = result.weekly("caseload_per_caseworker")
    band_note = "median across replications, with the 10% to 90% band"
    return [
        ChartView(
            "backlog",
            f"{base}/backlog.png",
            "Backlog",
            f"Line chart of the backlog each week from {span} ({band_note}): "
            + "; ".join(
                _start_and_end(label, bands)
                for (_, label), bands in zip(BACKLOG_LINES, backlog, strict=True)
            )
            + ". The table below gives every week's figures.",
            f"Backlog each week: {band_note}",
            ["Week starting", *(label for _, label in BACKLOG_LINES)],
            _weekly_rows(result, backlog),
        ),
        ChartView(
            "in_time",
            f"{base}/in_time.png",
            "Plans issued within 20 weeks, by month of issue",
            "Line chart of the percentage of new plans issued within 20 weeks, each month "
            f"from {_month_words(result.months[0])} to {_month_words(result.months[-1])}, "
            "excluding exceptions (the headline figure, with its band) and including them. "
            f"Over the whole run: {band_words(result.overall(True), '%')} excluding "
            f"exceptions. The table below gives every month's figures.",
            f"Plans issued within 20 weeks by month of issue: {band_note}",
            ["Month", "Plans issued", "Within 20 weeks excl. exceptions", "Incl. exceptions"],
            [
                [
                    _month_words(month),
                    value_words(issued.median, ""),
                    band_words(excl, "%"),
                    value_words(incl.median, "%"),
                ]
                for (month, issued, excl), (_, _, incl) in zip(
                    months_excl, months_incl, strict=True
                )
            ],
        ),
        ChartView(
            "caseload",
            f"{base}/caseload.png",
            "Caseload per caseworker (plans and open assessments)",
            f"Line chart of the caseload per caseworker each week from {span} ({band_note}): "
            + _start_and_end("Caseload per caseworker", caseload)
            + ". The table below gives every week's figures.",
            f"Caseload per caseworker each week: {band_note}",
            ["Week starting", "Caseload per caseworker"],
            _weekly_rows(result, [caseload]),
        ),
    ]


@dataclass(frozen=True, slots=True)
class ComparedRow:
    rank: int
    name: str
    title: str
    score: str
    cells: list[str]


#: Each criterion as the page names it (``scenarios.compare.DESCRIPTION`` says how it ranks).
CRITERION_WORDS = {
    Criterion.CLEARANCE: "When the assessment backlog clears",
    Criterion.IN_TIME: "Plans issued within 20 weeks",
    Criterion.END_BACKLOG: "Assessments open past 20 weeks at the end",
    Criterion.REVIEW_BACKLOG: "Annual reviews overdue at the end",
}


@dataclass(frozen=True, slots=True)
class Comparison:
    criterion: Criterion
    heading: str
    description: str
    columns: list[str]
    rows: list[ComparedRow]


def comparison(ranked: list[Ranked], criterion: Criterion) -> Comparison:
    """The table ``ehc simulate compare`` prints: options best first, side by side."""
    labels = {m.key: m for m in ranked[0].result.summary()}
    rows = [
        ComparedRow(
            r.rank,
            r.result.name,
            r.result.scenario.scenario.title,
            _score(r, criterion),
            [band_words(r.result.measure(key), labels[key].unit, r.result) for key in SIDE_BY_SIDE],
        )
        for r in ranked
    ]
    return Comparison(
        criterion,
        CRITERION_WORDS[criterion],
        DESCRIPTION[criterion],
        [labels[k].label for k in SIDE_BY_SIDE],
        rows,
    )


#: The measure each criterion that ranks by a count reads (``scenarios.compare``).
_COUNTED = {
    Criterion.END_BACKLOG: "past_20_weeks_end",
    Criterion.REVIEW_BACKLOG: "review_backlog_end",
}


def _score(r: Ranked, criterion: Criterion) -> str:
    """The criterion's value as these pages write figures: a week named by its day, a count
    as a whole number."""
    if criterion in _COUNTED:
        return value_words(r.result.measure(_COUNTED[criterion]).median, "")
    if criterion is not Criterion.CLEARANCE:
        return r.score
    week, share = r.result.clearance()
    if week is None:
        return f"Does not clear ({share:.0%} of replications clear)"
    return f"week {week} ({day(r.result.week_start(week))}; {share:.0%} of replications clear)"


def comparison_charts(results: list[ScenarioResult], base: str) -> list[ChartView]:
    """The comparison charts, each with the medians of every option by week (or month)."""
    names = [r.name for r in results]
    # Rows by the day each week starts, as the chart plots them: options may start apart.
    starts = [[r.week_start(w) for w in range(r.weeks)] for r in results]
    days = sorted({d for weeks in starts for d in weeks})
    views = []
    for series, label in COMPARED_LINES:
        columns = [r.weekly(series) for r in results]
        by_day = [dict(zip(w, c, strict=True)) for w, c in zip(starts, columns, strict=True)]
        rows = [
            [day(d), *(band_words(bands[d]) if d in bands else "" for bands in by_day)]
            for d in days
        ]
        views.append(
            ChartView(
                f"compare_{series}",
                f"{base}/compare_{series}.png",
                label,
                f"Line chart of {label.lower()} each week, one line per scenario ("
                + "; ".join(
                    f"{n}: {value_words(c[-1].median, '')} in the last week"
                    for n, c in zip(names, columns, strict=True)
                )
                + "). The table below gives every week's figures.",
                f"{label} each week: median (10% to 90%) for each scenario",
                ["Week starting", *names],
                rows,
            )
        )
    months = sorted({m for r in results for m in r.months})
    by_month = [{m: b for m, _, b in r.monthly(True)} for r in results]
    views.append(
        ChartView(
            "compare_in_time",
            f"{base}/compare_in_time.png",
            "Within 20 weeks excl. exceptions, by month of issue",
            "Line chart of the percentage of new plans issued within 20 weeks excluding "
            "exceptions, by month of issue, one line per scenario ("
            + "; ".join(
                f"{r.name}: {band_words(r.overall(True), '%')} over the run" for r in results
            )
            + "). The table below gives every month's figures.",
            "Within 20 weeks excl. exceptions by month of issue: median (10% to 90%)",
            ["Month", *names],
            [
                [_month_words(m), *(band_words(b[m], "%") if m in b else "" for b in by_month)]
                for m in months
            ],
        )
    )
    return views
