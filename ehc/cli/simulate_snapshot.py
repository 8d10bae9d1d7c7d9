"""``ehc simulate snapshot``: write a scenario that starts from today's caseload.

Reads the reporting database (no server needed, ``ehc.snapshot``): the read model for the
open cases, the ledger for the figures. Prints what it wrote: the open cases by stage (and by
team, with ``--teams``) and every figure with where it came from.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ehc.cli.common import fail, out, parse_date, today_utc
from ehc.settings import get_settings
from ehc.text import day

if TYPE_CHECKING:
    from datetime import date

    from ehc.ledger_reader import LedgerReader
    from ehc.snapshot import Caseload, Measures


def snapshot(
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The scenario file to write (default: data/scenarios/<name>.toml, under "
            "EHC_DATA_DIR).",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The scenario's start, and the end of the 12 months measured (YYYY-MM-DD; "
            "default: the Monday of this week). The open cases are today's, aged to that day.",
            show_default=False,
        ),
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=520, help="Horizon in weeks.")] = 52,
    name: Annotated[
        str | None,
        typer.Option(
            help="The scenario's name (a-z, 0-9, -; default: snapshot-<start>).",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            help="The scenario's title, as charts, reports and rankings name it (default: "
            "'Caseload on <today>, simulated from <start>').",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    by_team: Annotated[
        bool,
        typer.Option(
            "--teams",
            help="Write the read model's teams as [[teams]]: each team's open cases as its "
            "own, its share of requests measured, its caseworkers a placeholder to edit.",
        ),
    ] = False,
) -> None:
    """Write a scenario that starts from today's caseload, its figures from the ledger.

    The start state is the read model's open assessments and plans; demand, decisions and
    lead times are measured from the ledger's last 12 months. Then edit capacity and priority.
    """
    from contextlib import closing

    from pydantic import ValidationError

    from ehc.snapshot import measure, read_caseload, scenario_text
    from scenarios.model import ScenarioInfo

    today = today_utc()
    start = parse_date(as_of, "--as-of") if as_of else _monday(today)
    if start > today:
        fail(f"--as-of: {day(start)} is after today; the open cases are today's")
    name = name or f"snapshot-{start.isoformat()}"
    title = title.strip() if title else f"Caseload on {day(today)}, simulated from {day(start)}"
    if not 1 <= len(title) <= 200:
        fail("--title: give 1 to 200 characters")
    try:
        ScenarioInfo(name=name, title=title, start=start, weeks=weeks)
    except ValidationError:  # the title is checked above: the name is all that is left
        fail(f"--name: '{name}' is not a name: 2-64 lower-case letters, digits and hyphens")
    settings = get_settings()
    target = out_file or settings.data_dir / "scenarios" / f"{name}.toml"
    if target.exists() and not force:
        fail(f"{target}: already exists (give --force to replace it)")

    with closing(_ledger(settings.resolved_database_url)) as ledger:
        caseload = read_caseload(ledger.engine, start, today, by_team=by_team)
        if caseload.empty:
            fail(
                "the read model holds no open assessment or plan: nothing to start from "
                "(if the workflows run, `ehc db reconcile` fills it)"
            )
        measures = measure(ledger, start)
    text = scenario_text(caseload, measures, name=name, title=title, weeks=weeks)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    _print(caseload, measures)
    out.print(
        f"Wrote {target}: edit [capacity] and [priority], then run `ehc simulate {target}`.",
        markup=False,
        soft_wrap=True,
    )


def _ledger(url: str) -> LedgerReader:
    """The reporting database (brought to the current schema), refused in one line if there
    is none or it cannot be read."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import DBAPIError

    from ehc.ledger_reader import LedgerReader

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = Path(parsed.database or "")
        if not file.is_file():
            fail(f"no database at {file}: start the system (`ehc up`) or set EHC_DATABASE_URL")
    try:
        return LedgerReader(url)
    except DBAPIError as error:  # not reachable, or not a database
        fail(f"the reporting database cannot be read: {str(error.orig).splitlines()[0]}")


def _print(caseload: Caseload, measures: Measures) -> None:
    from ehc.snapshot import STAGE_WORDS

    stages = Table(
        title=f"Open assessments on {day(caseload.read_on)} (weeks counted to "
        f"{day(caseload.start)})"
    )
    stages.add_column("Stage")
    stages.add_column("Cases", justify="right")
    stages.add_column("Past 20 weeks", justify="right")

    total = late_total = 0
    for stage, (count, late) in caseload.by_stage().items():
        stages.add_row(f"{stage.value}: {STAGE_WORDS[stage]}", f"{count:,}", f"{late:,}")
        total, late_total = total + count, late_total + late
    stages.add_row("all", f"{total:,}", f"{late_total:,}", style="bold")
    out.print(stages)
    plans = sum(p.count for p in caseload.plans)
    ceasing = f"; {caseload.ceasing:,} being ceased, left out" if caseload.ceasing else ""
    out.print(
        f"Plans in force: {plans:,}, {caseload.plans_overdue():,} of them with the review "
        f"overdue{ceasing}. Open requests for advice on these assessments: "
        f"{caseload.advice_open:,}."
    )
    if caseload.teams:
        _print_teams(caseload, measures)
    figures = Table(title=f"Figures for {measures.period}")
    figures.add_column("Figure")
    figures.add_column("Value", justify="right")
    figures.add_column("From")
    for key, f in measures.figures.items():
        value = (
            "[" + ", ".join(f"{v:g}" for v in f.value) + "]"
            if isinstance(f.value, tuple)
            else f"{f.value:g}"
        )
        said = f.source if f.source is not None else f"assumed: {f.note}"
        figures.add_row(key, value, escape(said))
    out.print(figures)
    if measures.partial and measures.first_written is not None:
        out.print(
            f"The ledger was first written on {day(measures.first_written)}: cases closed "
            "before then are counted only if they were entered since."
        )


def _print_teams(caseload: Caseload, measures: Measures) -> None:
    from ehc.snapshot import teams

    table = Table(title="By team")
    for heading in ("Team", "Open assessments", "Plans", "Caseworkers named", "Share of requests"):
        table.add_column(heading, justify="left" if heading == "Team" else "right")
    for load, share, _ in teams(caseload, measures):
        assert isinstance(share.value, float)
        table.add_row(
            escape(load.name),
            f"{load.assessments:,}",
            f"{load.plans:,}",
            f"{load.caseworkers:,}",
            f"{share.value:.1%}" + ("" if share.source else " (assumed)"),
        )
    out.print(table)


def _monday(today: date) -> date:
    """The first day of this week: a scenario's weeks run from it."""
    return today - timedelta(days=today.weekday())
