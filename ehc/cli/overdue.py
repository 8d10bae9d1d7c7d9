"""``ehc overdue``: what is overdue, or about to be, across assessments, reviews and advice."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from ehc.cli.common import err, fail, out, run
from ehc.overdue import (
    KINDS,
    STAGES,
    OverdueFilters,
    OverdueLine,
    OverdueReport,
    overdue_report,
    parse_within,
    read_model_report,
)
from ehc.text import count, day
from statutory.dates import days_left_words
from statutory.errors import RuleViolation

CSV_FIELDS = list(OverdueLine.model_fields)


class Source(StrEnum):
    READ_MODEL = "read-model"
    """The reporting database's read model, written by the workflows (the default)."""
    TEMPORAL = "temporal"
    """Temporal visibility (the search attributes): needs the server; eventually consistent."""


def overdue(
    within: Annotated[
        str, typer.Option(help="Also cases due within this many days or weeks (14d, 2w).")
    ] = "0",
    team: Annotated[
        str | None,
        typer.Option(
            help="Only this team: one named on a case or in the directory file (another is "
            "refused, listing the known teams)."
        ),
    ] = None,
    caseworker: Annotated[
        str | None,
        typer.Option(
            help="Only this caseworker: a staff id on a case or in the directory file (another "
            "is refused, listing the known ones)."
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind: " + ", ".join(KINDS) + " (default all).")
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            help="Only cases at this stage (one the chosen kinds have: " + ", ".join(STAGES) + ")."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
    source: Annotated[
        Source,
        typer.Option(
            help="Where to read: the read model in the reporting database (the default; "
            "needs no Temporal server) or Temporal visibility."
        ),
    ] = Source.READ_MODEL,
) -> None:
    """Statutory steps past their target (or due soon), most overdue first.

    One line per step: a case's own next step, each request for advice (kind advice), each
    plan's review. Answered from the read model (or with --source temporal, from Temporal
    visibility), with each step's regulation; the totals say how many steps and how many cases.
    """
    if as_json and as_csv:
        fail("give --json or --csv, not both")
    try:
        days = parse_within(within)
    except RuleViolation as error:
        fail(str(error))

    async def go() -> OverdueReport:
        from activities.directory import Directory
        from ehc.settings import get_settings

        settings = get_settings()
        # The directory is read only to recognise a team or caseworker no case names yet.
        filtered = team is not None or caseworker is not None
        filters: OverdueFilters = {
            "within_days": days,
            "kinds": (kind,) if kind else KINDS,
            "team": team,
            "caseworker": caseworker.lower() if caseworker else None,
            "stage": stage,
            "directory": Directory.load(settings.directory_file) if filtered else None,
        }
        if source is Source.TEMPORAL:
            from ehc.temporal import connect  # Temporal's client: only when asked for

            return await overdue_report(await connect(settings), **filters)
        from ehc.read_model import open_read_model

        read_model = open_read_model(settings)
        try:
            return await read_model_report(read_model, **filters)
        finally:
            read_model.close()

    report = run(go())
    if as_json:
        print(report.model_dump_json(indent=2))
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for line in report.lines:
            writer.writerow(line.model_dump(mode="json"))
        err.print(f"{summary(report)} {report.freshness}", soft_wrap=True)
    else:
        print_report(report)


def print_report(report: OverdueReport) -> None:
    title = "Overdue" + (f" or due within {report.within_days} days" if report.within_days else "")
    table = Table(title=title)
    for col in ("When", "Kind", "Case", "Stage", "Step", "Regulation", "Target", "Caseworker"):
        table.add_column(col)
    table.add_column("Team")
    for line in report.lines:
        table.add_row(
            days_left_words(-line.days_overdue),
            line.kind,
            line.case_ref,
            line.stage,
            line.label,
            line.regulation,
            day(line.deadline),
            line.caseworker,
            line.team,
            style="red" if line.days_overdue > 0 else "yellow",
        )
    out.print(table)
    out.print(f"{summary(report)} {report.freshness}")


def _steps(steps: int, cases: int) -> str:
    return f"{count(steps, 'step')} on {count(cases, 'case')}"


def summary(report: OverdueReport) -> str:
    """``Overdue: 12 steps on 10 cases; due within 14 days: 3 steps on 3 cases.``"""
    t = report.totals
    text = f"Overdue: {_steps(t.overdue_steps, t.overdue_cases)}"
    if report.within_days:
        text += (
            f"; due within {report.within_days} days: {_steps(t.due_soon_steps, t.due_soon_cases)}"
        )
    return text + "."
