"""``ehc export``: tables for statutory returns, as CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ehc.cli.common import err, fail, out
from ehc.settings import get_settings

app = typer.Typer(help="Tables for statutory returns, as CSV (see docs/REPORTING.md).")


@app.command("sen2")
def export_sen2(
    year: Annotated[int, typer.Option(help="Calendar year of the return, e.g. 2026.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (default: standard output).")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
) -> None:
    """SEN2 assessment timeliness: requests, decisions, plans within 20 weeks, by month."""
    if not 2000 <= year <= 2100:
        fail(f"--year: {year} is not a year this engine can report")
    # The ledger's database layer: loaded only when the command runs.
    from ehc.kpis import sen2
    from ehc.ledger_reader import open_ledger
    from statutory.sen2 import to_csv

    ledger = open_ledger(get_settings())
    try:
        table = sen2(ledger, year, team)
    finally:
        ledger.close()
    text = to_csv(table)
    if out_file is None:
        sys.stdout.write(text)
    else:
        try:
            out_file.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"--out: cannot write {out_file}: {error.strerror}", 1)
        out.print(f"SEN2 {year}: {len(table.rows) - 1} months and the year written to {out_file}")
    if not table.requests_complete:
        err.print(
            "ehc: note: no request records in the ledger yet; requests are counted from their "
            "decisions and outcomes, so requests still awaiting a decision are not included",
            soft_wrap=True,
        )
