"""A scenario run's figures as the pages show them: the summary table ``ehc simulate run``
prints, and for each chart its alt text (``scenarios.report``'s words, as the board report
gives them), its files and the table of the figures it draws.

Values are the medians across replications with the 10-90% band, as the CLI gives them;
weeks are named by the day they start ("week 12, 30 Mar 2020"), never an ISO date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ehc.text import day
from scenarios.compare import DESCRIPTION, Criterion, Ranked, side_by_side
from scenarios.report import (
    BACKLOG_LINES,
    BAND_NOTE,
    COMPARED_LINES,
    ChartText,
    band_words,
    comparison_chart_texts,
    criterion_heading,
    criterion_words,
    month_words,
    run_chart_texts,
    value_words,
)
from scenarios.results import Band, ScenarioResult


@dataclass(frozen=True, slots=True)
class ChartView:
    """A chart image, its files, and the same figures as a table."""

    name: str
    base: str
    """The URL its files are served under: ``{base}/{name}.png`` and ``.svg``."""
    title: str
    alt: str
    caption: str
    columns: list[str]
    rows: list[list[str]]

    @property
    def src(self) -> str:
        return f"{self.base}/{self.name}.png"

    @property
    def svg(self) -> str:
        return f"{self.base}/{self.name}.svg"


def _view(
    text: ChartText, base: str, table: str, caption: str, columns: list[str], rows: list[list[str]]
) -> ChartView:
    return ChartView(
        text.name,
        base,
        text.title,
        f"{text.description} The table below gives {table}.",
        caption,
        columns,
        rows,
    )


def _weekly_rows(result: ScenarioResult, columns: Sequence[Sequence[Band]]) -> list[list[str]]:
    return [
        [day(result.week_start(week)), *(band_words(bands[week]) for bands in columns)]
        for week in range(result.weeks)
    ]


def run_charts(result: ScenarioResult, base: str) -> list[ChartView]:
    """The three charts of a run (``base``: the URL they are served under)."""
    texts = {t.name: t for t in run_chart_texts(result)}
    backlog = [result.weekly(name) for name, _ in BACKLOG_LINES]
    months_excl = result.monthly(True)
    months_incl = result.monthly(False)
    caseload = result.weekly("caseload_per_caseworker")
    return [
        _view(
            texts["backlog"],
            base,
            "every week's figures",
            f"Backlog each week: {BAND_NOTE}",
            ["Week starting", *(label for _, label in BACKLOG_LINES)],
            _weekly_rows(result, backlog),
        ),
        _view(
            texts["in_time"],
            base,
            "every month's figures",
            f"Plans issued within 20 weeks by month of issue: {BAND_NOTE}",
            ["Month", "Plans issued", "Within 20 weeks excl. exceptions", "Incl. exceptions"],
            [
                [
                    month_words(month),
                    value_words(issued.median, ""),
                    band_words(excl, "%"),
                    value_words(incl.median, "%"),
                ]
                for (month, issued, excl), (_, _, incl) in zip(
                    months_excl, months_incl, strict=True
                )
            ],
        ),
        _view(
            texts["caseload"],
            base,
            "every week's figures",
            f"Caseload per caseworker each week: {BAND_NOTE}",
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


@dataclass(frozen=True, slots=True)
class Comparison:
    criterion: Criterion
    heading: str
    description: str
    columns: list[str]
    rows: list[ComparedRow]


def comparison(ranked: list[Ranked], criterion: Criterion) -> Comparison:
    """The table ``ehc simulate compare`` prints: options best first, side by side (the costs
    too when any option states them; "-" for an option that does not)."""
    shown = side_by_side([r.result for r in ranked])
    labels = {m.key: m.label for r in ranked for m in r.result.summary()}

    def cell(result: ScenarioResult, key: str) -> str:
        m = result.find(key)
        return "-" if m is None else band_words(m.band, m.unit, result)

    rows = [
        ComparedRow(
            r.rank,
            r.result.name,
            r.result.scenario.scenario.title,
            criterion_words(r, criterion),
            [cell(r.result, key) for key in shown],
        )
        for r in ranked
    ]
    return Comparison(
        criterion,
        criterion_heading(criterion),
        DESCRIPTION[criterion],
        [labels[k] for k in shown],
        rows,
    )


def comparison_charts(results: list[ScenarioResult], base: str) -> list[ChartView]:
    """The comparison charts, each with the medians of every option by week (or month)."""
    texts = {t.name: t for t in comparison_chart_texts(results)}
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
            _view(
                texts[f"compare_{series}"],
                base,
                "every week's figures",
                f"{label} each week: median (10% to 90%) for each scenario",
                ["Week starting", *names],
                rows,
            )
        )
    months = sorted({m for r in results for m in r.months})
    by_month = [{m: (n, b) for m, n, b in r.monthly(True)} for r in results]
    views.append(
        _view(
            texts["compare_in_time"],
            base,
            "every month's figures",
            "Within 20 weeks excl. exceptions by month of issue: median (10% to 90%), and the "
            "plans issued (median)",
            ["Month", *names],
            [
                [
                    month_words(m),
                    *(
                        f"{band_words(b[m][1], '%')}; {value_words(b[m][0].median, '')} plans"
                        if m in b
                        else ""
                        for b in by_month
                    ),
                ]
                for m in months
            ],
        )
    )
    return views
