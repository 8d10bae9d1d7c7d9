"""``ehc kpi``: the statutory KPIs for a month, a quarter or a year, from the ledger."""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ehc.cli.common import err, fail, out, run, today_utc
from ehc.cli.output import show
from ehc.settings import get_settings
from ehc.text import MONTHS, count, moment
from ehc.text import period as days_between
from statutory.errors import RuleViolation
from statutory.kpi_appeals import APPEAL_OUTCOMES, OUTCOME_WORDS, outcome_phrase, type_words
from statutory.kpi_clocks import breakdown_words
from statutory.periods import parse_period
from statutory.steps import Rag

if TYPE_CHECKING:
    from datetime import date

    from temporalio.client import Client

    from statutory.kpi import KpiReport, Measure, Rate
    from statutory.kpi_appeals import Appeals

RAG_STYLE = {Rag.RED: "bold red", Rag.AMBER: "yellow", Rag.GREEN: "green"}


def kpi(
    period: Annotated[
        str | None,
        typer.Option(help="2026-10 (month), 2026-Q3 (quarter) or 2026 (year); default this year."),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(
            help="Only this team: one in the ledger, on a case or in the directory file "
            "(another is refused, listing the known teams)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
) -> None:
    """KPIs against target with RAG ratings, beside England's figures (see docs/REPORTING.md)."""
    # Temporal, the ledger's database layer and the KPI queries: loaded only when it runs.
    from activities.directory import Directory
    from ehc.kpis import kpis
    from ehc.ledger_reader import open_ledger
    from ehc.temporal import TemporalUnreachable, connect

    settings = get_settings()
    try:
        chosen = parse_period(period or str(today_utc().year))
        targets = settings.kpi.kpi_targets()
    except (RuleViolation, ValueError) as error:
        fail(str(error))

    async def go() -> KpiReport:
        client: Client | None
        try:
            client = await connect(settings)
        except TemporalUnreachable as error:
            err.print(f"ehc: no caseload figures: {error}", soft_wrap=True, markup=False)
            client = None
        # The directory is read only to recognise a team that nothing else names yet.
        directory = Directory.load(settings.directory_file) if team is not None else None
        with closing(open_ledger(settings)) as ledger:
            return await kpis(
                client, ledger, chosen, team=team, targets=targets, directory=directory
            )

    show(run(go()), as_json, print_report)


def _rate(rate: Rate) -> str:
    return "no cases" if rate.percent is None else f"{rate.percent}% ({rate.met}/{rate.total})"


def print_report(report: KpiReport) -> None:
    scope = f"team {report.team}" if report.team else "all teams"
    span = days_between(report.start, report.end)
    table = Table(title=f"KPIs {report.period} ({span}), {scope}")
    for col in ("KPI", "Period", "Year to date", "Exceptions", "Target", "RAG", "England"):
        table.add_column(col)
    for m in report.measures:
        england = f"{m.england.percent}% ({m.england.year})" if m.england else ""
        table.add_row(
            m.title,
            _rate(m.period),
            _rate(m.year_to_date),
            str(m.exceptions) if m.exceptions else "",
            f"{m.target:g}%" if m.target is not None else "",
            m.rag.value if m.rag else "",
            england,
            style=RAG_STYLE.get(m.rag) if m.rag else None,
        )
    out.print(table)
    for m in report.measures:
        _counted(m)
        _breakdowns(m)
    if report.appeals is not None:
        _appeals(report.appeals, report.end)
    c = report.caseload
    if c is not None:
        out.print(
            f"Open now ({moment(c.as_of)} UTC, from Temporal visibility): "
            + ", ".join(f"{k} {n} ({c.overdue.get(k, 0)} overdue)" for k, n in c.open.items())
        )
        if c.per_caseworker:
            out.print(
                f"Caseload per caseworker: mean {c.mean}, highest {c.highest}, target "
                f"{c.target} ({c.rag.value if c.rag else 'n/a'}): "
                + ", ".join(f"{k} {n}" for k, n in c.per_caseworker.items())
            )
    notes = {m.england.note for m in report.measures if m.england}
    for note in sorted(notes):
        out.print(f"[dim]England: {note} (DfE SEN2).[/]")
    for note in report.notes:
        out.print(f"Note: {note}")


#: Why advice was set aside (statutory.assessment.AdviceNotNeededReason), in plain words.
SET_ASIDE_WORDS = {
    "earlier-advice-sufficient": "earlier advice agreed sufficient (reg 6(4))",
    "request-withdrawn": "request withdrawn",
}


def _counted(m: Measure) -> None:
    """What the rate counts beyond the obvious: reviews missed, plans without some advice."""
    if m.not_done:
        out.print(
            f"  {m.title}: {m.not_done} of the {m.period.total} counted fell due in the period "
            "and had not been held by its end (or by today): counted as not in time."
        )
    aside = m.advice_set_aside
    if aside is not None and m.period.total:
        reasons = "; ".join(
            f"{SET_ASIDE_WORDS.get(reason, reason)} {n}" for reason, n in aside.by_reason.items()
        )
        out.print(
            f"  {m.title}: {aside.plans} of the {count(m.period.total, 'plan')} issued with "
            "advice set aside" + (f" ({reasons})" if reasons else "") + "."
        )


def _breakdowns(m: Measure) -> None:
    for dimension, values in m.breakdown.items():
        if dimension == "month" and not m.key.startswith("plans-"):
            continue
        if not any(r.total for r in values.values()):
            continue
        label = "month of issue" if dimension == "month" else dimension.replace("_", " ")
        out.print(
            f"  {m.title} by {label}: "
            + "; ".join(
                f"{_month(k) if dimension == 'month' else breakdown_words(dimension, k)} {_rate(r)}"
                for k, r in values.items()
                if r.total
            )
        )


def _per_1000(rate: float | None) -> str:
    return "no plans" if rate is None else f"{rate:g}"


def _appeals(a: Appeals, end: date) -> None:
    """Appeals by outcome, for the period, per 1,000 plans and for the year to date; then
    the period's by type of appeal."""
    plans = count(a.plans_maintained, "plan")
    span = days_between(a.plans_maintained_from, end)
    table = Table(title=f"{a.title} ({plans} maintained from {span})")
    for col in ("Appeals", "Period", "Per 1,000 plans", "Year to date"):
        table.add_column(col)
    for k in APPEAL_OUTCOMES:
        table.add_row(
            OUTCOME_WORDS[k],
            str(a.period.counts[k]),
            _per_1000(a.period.per_1000_plans[k]),
            str(a.year_to_date.counts[k]),
        )
    out.print(table)
    for kind, counts in a.by_type.items():
        said = [
            f"{outcome_phrase(k)} {counts.counts[k]}" for k in APPEAL_OUTCOMES if counts.counts[k]
        ]
        out.print(f"  {type_words(kind)}: " + "; ".join(said) + ".")


def _month(label: str) -> str:
    """``2026-09`` -> "Sep 2026"."""
    year, month = label.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"
