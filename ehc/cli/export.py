"""``ehc export``: tables for statutory returns, as CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ehc.cli.common import err, fail, out, run
from ehc.settings import get_settings
from ehc.text import day

app = typer.Typer(help="Tables for statutory returns, as CSV (see docs/REPORTING.md).")

MODULE_NAMES = "requests, assessments, named-plans, active-plans, transfers-in"
#: How each module's rows read in a sentence.
ROWS = {
    "requests": "requests for assessment",
    "assessments": "assessments",
    "named-plans": "plans issued",
    "active-plans": "plans held on the census date",
    "transfers-in": "plans transferred in",
}


@app.command("sen2")
def export_sen2(
    year: Annotated[
        int, typer.Option(help="Calendar year the return covers, e.g. 2026 (the SEN2 2027 return).")
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Write one CSV per module into this folder."),
    ] = None,
    module: Annotated[
        str | None,
        typer.Option(help=f"Without --out-dir: this module to standard output ({MODULE_NAMES})."),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(
            help="Only this team: one in the ledger or in the directory file (another is "
            "refused, listing the known teams)."
        ),
    ] = None,
) -> None:
    """The SEN2 person-level return: one CSV per DfE module, keyed by case reference."""
    from statutory.sen2 import Module

    if not 2000 <= year <= 2100:
        fail(f"--year: {year} is not a year this engine can report")
    chosen = Module(module) if module in set(Module) else None
    if module is not None and chosen is None:
        fail(f"--module: no module {module!r} (modules: {MODULE_NAMES})")
    if (out_dir is None) == (chosen is None):
        fail("give --out-dir to write every module, or --module to print one")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        fail(f"--out-dir: {out_dir} is a file, not a folder")
    # The ledger's database layer: loaded only when the command runs.
    from activities.directory import Directory
    from ehc.kpis import require_team, sen2_person_level
    from ehc.ledger_reader import open_ledger
    from statutory.errors import RuleViolation
    from statutory.sen2 import collection_name, module_csv, unconfirmed_codes

    settings = get_settings()
    ledger = open_ledger(settings)
    try:
        if team is not None:
            directory = Directory.load(settings.directory_file)
            try:
                run(require_team(team, ledger, directory))
            except RuleViolation as error:
                fail(str(error))
        found = sen2_person_level(ledger, year, team)
    finally:
        ledger.close()
    modules = [chosen] if chosen is not None else list(Module)
    if out_dir is None:
        sys.stdout.write(module_csv(modules[0], found.modules[modules[0]]))
    else:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            out.print(
                f"{collection_name(year)} return: calendar year {year}, "
                f"plans as on the census date {day(found.census)}."
            )
            for m in modules:
                path = out_dir / f"sen2-{year}-{m}.csv"
                path.write_text(module_csv(m, found.modules[m]), encoding="utf-8")
                out.print(f"{path}: {len(found.modules[m])} {ROWS[m]}.", soft_wrap=True)
        except OSError as error:
            fail(f"--out-dir: cannot write to {out_dir}: {error.strerror}", 1)
    doubtful = sorted(set().union(*(unconfirmed_codes(m, found.modules[m]) for m in modules)))
    if doubtful:
        err.print(
            "ehc: note: these codes follow earlier SEN2 guides and are not confirmed in the "
            f"current one; check them before submitting: {', '.join(doubtful)}",
            soft_wrap=True,
        )
    if not found.requests_complete:
        err.print(
            "ehc: note: no request records in the ledger yet; requests are known from their "
            "decisions and outcomes, so requests still awaiting a decision are not included",
            soft_wrap=True,
        )
