"""``ehc overdue``: what is overdue, or about to be, across assessments, reviews and advice."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.table import Table

from ehc.cli.common import err, fail, out, run
from ehc.overdue import KINDS, OverdueLine, OverdueReport, overdue_report, parse_within
from ehc.temporal import connect
from statutory.errors import RuleViolation

CSV_FIELDS = list(OverdueLine.model_fields)


def overdue(
    within: Annotated[
        str, typer.Option(help="Also cases due within this many days or weeks (14d, 2w).")
    ] = "0",
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
    caseworker: Annotated[str | None, typer.Option(help="Only this caseworker.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind: " + ", ".join(KINDS) + " (default all).")
    ] = None,
    stage: Annotated[str | None, typer.Option(help="Only cases at this stage.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
) -> None:
    """Open cases past their next statutory target (or due soon), most overdue first.

    Answered from Temporal visibility, with the step and its regulation for each case.
    """
    if as_json and as_csv:
        fail("give --json or --csv, not both")
    try:
        days = parse_within(within)
    except RuleViolation as error:
        fail(str(error))

    async def go() -> OverdueReport:
        return await overdue_report(
            await connect(),
            within_days=days,
            kinds=(kind,) if kind else KINDS,
            team=team,
            caseworker=caseworker.lower() if caseworker else None,
            stage=stage,
        )

    report = run(go())
    if as_json:
        print(report.model_dump_json(indent=2))
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for line in report.lines:
            writer.writerow(line.model_dump(mode="json"))
        err.print(report.freshness, soft_wrap=True)
    else:
        print_report(report)


def _when(days_overdue: int) -> str:
    if days_overdue > 0:
        return f"{days_overdue} day{'s' if days_overdue > 1 else ''} overdue"
    if days_overdue == 0:
        return "due today"
    return f"due in {-days_overdue} day{'s' if days_overdue < -1 else ''}"


def print_report(report: OverdueReport) -> None:
    title = "Overdue" + (f" or due within {report.within_days} days" if report.within_days else "")
    table = Table(title=title)
    for col in ("When", "Kind", "Case", "Stage", "Step", "Regulation", "Target", "Caseworker"):
        table.add_column(col)
    table.add_column("Team")
    for line in report.lines:
        table.add_row(
            _when(line.days_overdue),
            line.kind,
            line.case_ref,
            line.stage,
            line.label,
            line.regulation,
            str(line.deadline),
            line.caseworker,
            line.team,
            style="red" if line.days_overdue > 0 else "yellow",
        )
    out.print(table)
    late = sum(line.days_overdue > 0 for line in report.lines)
    out.print(f"{late} overdue, {len(report.lines) - late} due soon. {report.freshness}")
