"""``ehc import``: load an existing caseload from CSV, checking every row first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ehc import importer
from ehc.cli.common import FAILED, err, fail, out, run, today_utc
from ehc.cli.progress import progress_bar
from ehc.settings import get_settings

app = typer.Typer(help="Import an existing caseload exported from a case-management system.")

FILE = Annotated[Path, typer.Argument(help="CSV file (UTF-8, header row; see README).")]
DRY_RUN = Annotated[
    bool, typer.Option("--dry-run", help="Check every row and report; start nothing.")
]
SKIP_BAD = Annotated[
    bool, typer.Option("--skip-bad", help="Import the good rows even if some are bad.")
]
Checked = importer.CheckedPlan | importer.CheckedAssessment | importer.CheckedDuty


def _start_all(
    checked: Sequence[Checked], today: date, noun: str
) -> tuple[int, int, list[importer.BadRow]]:
    settings = get_settings()

    async def go() -> tuple[int, int, list[importer.BadRow]]:
        from ehc.temporal import connect  # Temporal: only once rows are to be started

        client = await connect(settings)
        with progress_bar(f"Starting {noun}") as progress:
            task = progress.add_task("start", total=len(checked))
            return await importer.run_starters(
                [(c.row, c.case_ref, c.starter(client, settings, today)) for c in checked],
                settings.import_concurrency,
                lambda: progress.advance(task),
            )

    return run(go())


def _report(
    path: Path,
    checked: Sequence[Checked],
    bad: list[importer.BadRow],
    today: date,
    noun: str,
    dry_run: bool,
    skip_bad: bool,
) -> None:
    bad = sorted(bad, key=lambda b: b.row)
    for row in bad:
        err.print(f"{path}: {row}", soft_wrap=True)
    total = len(checked) + len(bad)
    if dry_run:
        out.print(f"Dry run: {total} rows, {len(checked)} valid, {len(bad)} bad; nothing started.")
    elif bad and not skip_bad:
        out.print(
            f"Nothing imported: {len(bad)} of {total} rows are bad (listed above). "
            "Fix them, or re-run with --skip-bad to import the other rows."
        )
    else:
        try:
            started, existing, failures = _start_all(checked, today, noun)
        except importer.ImportInterrupted as stop:
            for row in stop.failures:
                err.print(f"{path}: {row}", soft_wrap=True)
            fail(_interrupted(path, stop), FAILED)
        for row in failures:
            err.print(f"{path}: {row}", soft_wrap=True)
        out.print(
            f"{total} rows: {started} {noun} started, {existing} already there"
            + (f", {len(bad)} bad rows skipped" if bad else "")
            + (f", {len(failures)} failed to start" if failures else "")
            + "."
            + (
                " Nothing new: this file was imported before."
                if existing == len(checked) > 0
                else ""
            )
        )
        bad = bad + failures
    if bad:
        raise typer.Exit(2)


def _interrupted(path: Path, stop: importer.ImportInterrupted) -> str:
    done = stop.started + stop.existing
    return (
        f"{path}: import stopped: {stop.reason} after {stop.started} of {stop.total} rows "
        "were started"
        + (f" ({stop.existing} more were already there)" if stop.existing else "")
        + ". Nothing is half-done: once Temporal answers again, run the same command again"
        + (
            f"; the {done} rows done are counted as already there, and only the rest started."
            if done
            else "."
        )
    )


def _read(path: Path, model: type[importer.Row]) -> importer.Parsed[importer.Row]:
    try:
        return importer.read_rows(path, model)
    except importer.FileError as error:
        fail(str(error))


@app.command()
def plans(path: FILE, dry_run: DRY_RUN = False, skip_bad: SKIP_BAD = False) -> None:
    """Import maintained EHC plans; each gets its annual-review workflow."""
    today = today_utc()
    parsed = _read(path, importer.PlanRow)
    checked, bad = importer.check_plans(parsed, get_settings().review_policy, today)
    _report(path, checked, parsed.bad + bad, today, "review workflows", dry_run, skip_bad)


@app.command()
def assessments(path: FILE, dry_run: DRY_RUN = False, skip_bad: SKIP_BAD = False) -> None:
    """Import open EHC needs assessments; each gets its assessment workflow."""
    today = today_utc()
    parsed = _read(path, importer.AssessmentRow)
    checked, bad = importer.check_assessments(parsed, today)
    _report(path, checked, parsed.bad + bad, today, "assessment workflows", dry_run, skip_bad)


@app.command("transfers-in")
def transfers_in(path: FILE, dry_run: DRY_RUN = False, skip_bad: SKIP_BAD = False) -> None:
    """Import plans transferred in from other councils (reg 15), each with its transfer clock.

    The clock keeps the family's notice (6 weeks, reg 15(4)) and starts the plan's review
    clock, due by the reg 15(5) date.
    """
    today = today_utc()
    parsed = _read(path, importer.TransferInRow)
    checked, bad = importer.check_transfers_in(parsed, today)
    _report(path, checked, parsed.bad + bad, today, "transfer clocks", dry_run, skip_bad)
