"""``ehc case REF``: one chronology across every workflow of a case, and the ledger."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError
from rich.table import Table

from ehc.chronology import Chronology, case_chronology
from ehc.cli.common import fail, one_line, out, run
from ehc.ledger_reader import open_ledger
from ehc.settings import get_settings
from ehc.temporal import connect
from statutory.identifiers import CaseRef

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

    async def go() -> Chronology:
        ledger = open_ledger(settings)
        try:
            return await case_chronology(await connect(), settings, ledger, ref)
        finally:
            ledger.close()

    chronology = run(go())
    if as_json:
        print(chronology.model_dump_json(indent=2))
        return
    print_chronology(chronology)


def print_chronology(c: Chronology) -> None:
    kinds = ", ".join(
        f"{w.kind} ({w.status}{', ' + w.stage if w.stage else ''})" for w in c.workflows
    )
    out.print(
        f"[bold]{c.case_ref}[/]  as of {c.as_of}" + (f"  workflows: {kinds}" if kinds else "")
    )
    table = Table(title="Chronology")
    for col in ("Day", "", "Process", "What", "Source", "Detail"):
        table.add_column(col)
    for e in c.entries:
        process = e.process + (f" {e.cycle}" if e.process == "review" else "")
        table.add_row(
            str(e.day),
            e.kind,
            process,
            e.what,
            e.regulation or "",
            e.detail,
            style=STYLE.get(e.kind),
        )
    out.print(table)
    summary = f"{c.missed} step(s) missed (done late or overdue)."
    if c.next_due:
        summary += f" Next: {c.next_due.what} by {c.next_due.day} ({c.next_due.regulation})."
    out.print(summary)
