"""``ehc case REF``: one chronology across every workflow of a case, and the ledger."""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import TypeAdapter, ValidationError
from rich.table import Table

from ehc.cli.common import fail, one_line, out, run
from ehc.cli.output import show
from ehc.settings import get_settings
from ehc.text import count, day
from statutory.identifiers import CaseRef
from statutory.steps import STATE_WORDS

if TYPE_CHECKING:
    from ehc.chronology import Chronology

CASE_REF: TypeAdapter[str] = TypeAdapter(CaseRef)
STYLE = {"late": "red", "overdue": "bold red", "due": "yellow", "done": "green", "outcome": "blue"}


def case(
    case_ref: Annotated[str, typer.Argument(help="Council case reference, e.g. EHC-2026-0147.")],
    as_json: Annotated[bool, typer.Option("--json", help="The chronology as JSON.")] = False,
) -> None:
    """What happened, what is due and what was missed, across the case's workflows."""
    try:
        ref = CASE_REF.validate_python(case_ref)
    except ValidationError as error:
        fail(one_line(error))
    settings = get_settings()
    # Temporal and the ledger's database layer: loaded only when the command runs.
    from ehc.chronology import case_chronology
    from ehc.ledger_reader import open_ledger
    from ehc.temporal import connect

    async def go() -> Chronology:
        with closing(open_ledger(settings)) as ledger:
            return await case_chronology(await connect(settings), settings, ledger, ref)

    show(run(go()), as_json, print_chronology)


def print_chronology(c: Chronology) -> None:
    """The chronology for people: in date order, each step worded by its status."""
    from ehc import wording

    kinds = "; ".join(
        f"{w.kind} ({w.status}" + (f", {wording.stage(w.kind, w.stage)})" if w.stage else ")")
        for w in c.workflows
    )
    out.print(
        f"[bold]{c.case_ref}[/] as of {day(c.as_of)}" + (f". Workflows: {kinds}" if kinds else "")
    )
    table = Table(title="Chronology")
    for col in ("Day", "Status", "Process", "What", "Source", "Detail"):
        table.add_column(col)
    for e in c.entries:
        process = e.process + (f" {e.cycle}" if e.process == "review" else "")
        table.add_row(
            day(e.day),
            STATE_WORDS[e.state] if e.state else "ended" if e.kind == "outcome" else "",
            process,
            e.what,
            e.regulation or "",
            e.detail,
            style=STYLE.get(e.kind),
        )
    out.print(table)
    summary = (
        f"{count(c.missed, 'statutory step')} missed." if c.missed else "No statutory step missed."
    )
    if c.next_due:
        summary += (
            f" Next: {c.next_due.what} by {day(c.next_due.day)}"
            + (f", {c.next_due.regulation}" if c.next_due.regulation else "")
            + "."
        )
    out.print(summary)
