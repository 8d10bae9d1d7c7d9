"""The KPIs as the performance page and its CSV show them: the table's rows, their notes, the
monthly charts (SVG, ``ehc.web.svg_chart``) with the same figures for the table beside each.

Percentages as ``statutory.kpi.Rate`` rounds them; "No cases" where nothing was counted; RAG
in words (Green, Amber, Red) as well as colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ehc.text import count, day
from ehc.web.svg_chart import Bar, bar_chart
from statutory.dates import MONTHS
from statutory.kpi import Caseload, KpiReport, Measure, Rate
from statutory.kpi_appeals import (
    APPEAL_OUTCOMES,
    OUTCOME_WORDS,
    Appeals,
    outcome_phrase,
    type_words,
)
from statutory.periods import Period
from statutory.steps import Rag

RAG_WORDS = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red"}
SET_ASIDE_WORDS = {
    "earlier-advice-sufficient": "earlier advice agreed sufficient (reg 6(4))",
    "request-withdrawn": "request withdrawn",
}
CSV_HEADER = [
    "kpi",
    "title",
    "source",
    "period",
    "period_start",
    "period_end",
    "team",
    "met",
    "total",
    "percent",
    "year_to_date_from",
    "year_to_date_met",
    "year_to_date_total",
    "year_to_date_percent",
    "exceptions",
    "not_done",
    "target",
    "rag",
    "england_percent",
    "england_year",
    "per_1000_plans",
]


#: Each kind of open case workflow, one and several ("1 assessment", "2 assessments").
OPEN_KINDS: dict[str, tuple[str, str]] = {
    "assessment": ("assessment", "assessments"),
    "review": ("plan in its review cycle", "plans in their review cycle"),
    "advice": ("request for advice", "requests for advice"),
}


def open_now_words(c: Caseload) -> str:
    """ "1 request for advice (1 overdue), 2 assessments (none overdue)": open by kind."""
    said = []
    for kind, n in c.open.items():
        one, several = OPEN_KINDS.get(kind, (kind, kind))
        overdue = c.overdue.get(kind, 0)
        said.append(f"{count(n, one, several)} ({overdue or 'none'} overdue)")
    return ", ".join(said) or "no open cases"


def caseload_words(c: Caseload) -> str:
    """ "Caseload per caseworker: mean 12.5, highest 14, target 200"; nothing with no caseload."""
    if c.mean is None:
        return ""
    return f"Caseload per caseworker: mean {c.mean:g}, highest {c.highest}, target {c.target}"


def percent_words(rate: Rate) -> str:
    return "No cases" if rate.percent is None else f"{rate.percent:g}%"


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One KPI as the table shows it."""

    measure: Measure
    percent: str
    counted: str
    year_to_date: str
    target: str
    rag: Rag | None
    rag_words: str
    england: str
    notes: list[str]


def kpi_row(m: Measure) -> KpiRow:
    ytd = m.year_to_date
    england = f"{m.england.percent:g}% ({m.england.year})" if m.england else ""
    return KpiRow(
        measure=m,
        percent=percent_words(m.period),
        counted=f"{m.period.met} of {m.period.total}",
        year_to_date=(
            f"{percent_words(ytd)} ({ytd.met} of {ytd.total})" if ytd.total else "No cases"
        ),
        target=f"{m.target:g}%" if m.target is not None else "",
        rag=m.rag,
        rag_words=RAG_WORDS.get(m.rag, "") if m.rag else "",
        england=england,
        notes=_notes(m),
    )


def _notes(m: Measure) -> list[str]:
    """What the rate counts beyond the obvious (as ``ehc kpi`` prints under its table)."""
    notes = []
    if m.exceptions:
        notes.append(f"{count(m.exceptions, 'case')} counted with an exception applying.")
    if m.not_done:
        notes.append(
            f"{m.not_done} of the {m.period.total} counted fell due in the period and had not "
            "been held by its end (or by today): counted as not in time."
        )
    aside = m.advice_set_aside
    if aside is not None and aside.plans:
        reasons = "; ".join(
            f"{SET_ASIDE_WORDS.get(reason, reason)} {n}" for reason, n in aside.by_reason.items()
        )
        notes.append(
            f"{aside.plans} of the {count(m.period.total, 'plan')} issued with advice set aside"
            + (f" ({reasons})." if reasons else ".")
        )
    return notes


@dataclass(frozen=True, slots=True)
class MonthFigure:
    label: str
    met: int
    total: int
    percent: str


@dataclass(frozen=True, slots=True)
class Chart:
    chart_id: str
    title: str
    caption: str
    svg: str
    months: list[MonthFigure]


def _bar(p: Period, rate: Rate, first: bool) -> Bar:
    name = MONTHS[p.start.month - 1]
    year = str(p.start.year) if first or p.start.month == 1 else ""
    return Bar(label=f"{name} {p.start.year}", short=name, value=rate.percent, year=year)


def kpi_chart(key: str, series: list[tuple[Period, Measure]]) -> Chart:
    """One KPI's last twelve months: the SVG and the same figures for its table."""
    measure = series[-1][1]
    bars = [_bar(p, m.period, i == 0) for i, (p, m) in enumerate(series)]
    span = f"{bars[0].label} to {bars[-1].label}"
    title = f"{measure.title}, each month from {span}"
    svg = bar_chart(
        f"chart-{key}",
        title,
        bars,
        target=measure.target,
        what=f"Percentage of {measure.title[0].lower()}{measure.title[1:]}",
    )
    return Chart(
        chart_id=f"chart-{key}",
        title=measure.title,
        caption=f"{measure.title}, by month ({span})",
        svg=str(svg),
        months=[
            MonthFigure(b.label, m.period.met, m.period.total, percent_words(m.period))
            for b, (_, m) in zip(bars, series, strict=True)
        ],
    )


def csv_row(report: KpiReport, m: Measure) -> list[object]:
    return [
        m.key,
        m.title,
        m.source,
        report.period,
        report.start,
        report.end,
        report.team or "",
        m.period.met,
        m.period.total,
        "" if m.period.percent is None else m.period.percent,
        report.year_to_date_from,
        m.year_to_date.met,
        m.year_to_date.total,
        "" if m.year_to_date.percent is None else m.year_to_date.percent,
        m.exceptions,
        m.not_done,
        "" if m.target is None else m.target,
        m.rag.value if m.rag else "",
        m.england.percent if m.england else "",
        m.england.year if m.england else "",
        "",
    ]


def appeal_csv_rows(report: KpiReport) -> list[list[object]]:
    """The appeal counts, one row an outcome (``appeals-registered``...): ``met`` the appeals,
    ``total`` the plans maintained, ``per_1000_plans`` the rate; no percent, target or RAG."""
    a = report.appeals
    if a is None:
        return []
    return [
        [
            f"appeals-{k}",
            f"Appeals: {outcome_phrase(k)}",
            a.source,
            report.period,
            report.start,
            report.end,
            report.team or "",
            a.period.counts[k],
            a.plans_maintained,
            "",
            report.year_to_date_from,
            a.year_to_date.counts[k],
            a.plans_maintained,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            _blank(a.period.per_1000_plans[k]),
        ]
        for k in APPEAL_OUTCOMES
    ]


def _blank(value: float | None) -> object:
    return "" if value is None else value


# --- appeals ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppealRow:
    """One outcome of the appeals table: the period's number, per 1,000 plans, the year's."""

    outcome: str
    words: str
    period: int
    per_1000: str
    year_to_date: int


def appeals_words(a: Appeals, end: date) -> str:
    """What a rate per 1,000 divides by: "Per 1,000 of the 8 plans maintained from 1 Mar 2025
    to 28 Feb 2026." """
    plans = count(a.plans_maintained, "plan")
    span = f"{day(a.plans_maintained_from)} to {day(end)}"
    return f"Per 1,000 of the {plans} maintained from {span}."


def appeal_rows(a: Appeals) -> list[AppealRow]:
    return [
        AppealRow(
            outcome=k,
            words=OUTCOME_WORDS[k],
            period=a.period.counts[k],
            per_1000=_per_1000(a.period.per_1000_plans[k]),
            year_to_date=a.year_to_date.counts[k],
        )
        for k in APPEAL_OUTCOMES
    ]


def appeal_type_rows(a: Appeals) -> list[list[str]]:
    """The period's appeals by type: the type in words, then each outcome's number."""
    return [
        [type_words(kind), *(str(c.counts[k]) for k in APPEAL_OUTCOMES)]
        for kind, c in a.by_type.items()
    ]


def _per_1000(rate: float | None) -> str:
    return "No plans" if rate is None else f"{rate:g}"
