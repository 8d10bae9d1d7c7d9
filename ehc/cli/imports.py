"""``ehc import``: load an existing caseload from CSV, checking every row first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ehc import importer
from ehc.cli.common import FAILED, err, fail, out, run, today_utc
from ehc.settings import get_settings

if TYPE_CHECKING:
    from temporalio.client import Client

app = typer.Typer(help="Import an existing caseload exported from a case-management system.")

FILE = Annotated[Path, typer.Argument(help="CSV file (UTF-8, header row; see README).")]
DRY_RUN = Annotated[
    bool, typer.Option("--dry-run", help="Check every row and report; start nothing.")
]
SKIP_BAD = Annotated[
    bool, typer.Option("--skip-bad", help="Import the good rows even if some are bad.")
]
Checked = importer.CheckedPlan | importer.CheckedAssessment | importer.CheckedDuty


def _case_ref(c: Checked) -> str:
    if isinstance(c, importer.CheckedPlan):
        return c.plan.case_ref
    if isinstance(c, importer.CheckedAssessment):
        return c.request.case_ref
    return c.case_ref


def _start_all(
    checked: Sequence[Checked],
    starter_for: Callable[[Checked, Client], importer.Starter],
    noun: str,
) -> tuple[int, int, list[importer.BadRow]]:
    settings = get_settings()

    async def go() -> tuple[int, int, list[importer.BadRow]]:
        from ehc.temporal import connect  # Temporal: only once rows are to be started

        client = await connect(settings)
        with Progress(
            TextColumn(f"Starting {noun}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as progress:
            task = progress.add_task("start", total=len(checked))
            return await importer.run_starters(
                [(c.row, _case_ref(c), starter_for(c, client)) for c in checked],
                settings.import_concurrency,
                lambda: progress.advance(task),
            )

    return run(go())


def _report(
    path: Path,
    checked: Sequence[Checked],
    bad: list[importer.BadRow],
    starter_for: Callable[[Checked, Client], importer.Starter],
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
            started, existing, failures = _start_all(checked, starter_for, noun)
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
    settings, today = get_settings(), today_utc()
    parsed = _read(path, importer.PlanRow)
    checked, bad = importer.check_plans(parsed, settings.review_policy, today)

    def starter(c: Checked, client: Client) -> importer.Starter:
        from ehc.reviews import Reviews

        assert isinstance(c, importer.CheckedPlan)
        return c.starter(Reviews(client, settings), today)

    _report(path, checked, parsed.bad + bad, starter, "review workflows", dry_run, skip_bad)


@app.command()
def assessments(path: FILE, dry_run: DRY_RUN = False, skip_bad: SKIP_BAD = False) -> None:
    """Import open EHC needs assessments; each gets its assessment workflow."""
    settings, today = get_settings(), today_utc()
    parsed = _read(path, importer.AssessmentRow)
    checked, bad = importer.check_assessments(parsed, today)

    def starter(c: Checked, client: Client) -> importer.Starter:
        from ehc.cases import Assessments

        assert isinstance(c, importer.CheckedAssessment)
        return c.starter(Assessments(client, settings), today)

    _report(path, checked, parsed.bad + bad, starter, "assessment workflows", dry_run, skip_bad)


@app.command("transfers-in")
def transfers_in(path: FILE, dry_run: DRY_RUN = False, skip_bad: SKIP_BAD = False) -> None:
    """Import plans transferred in from other councils (reg 15), each with its transfer clock.

    The clock keeps the family's notice (6 weeks, reg 15(4)) and starts the plan's review
    clock, due by the reg 15(5) date.
    """
    settings, today = get_settings(), today_utc()
    parsed = _read(path, importer.TransferInRow)
    checked, bad = importer.check_transfers_in(parsed, today)

    def starter(c: Checked, client: Client) -> importer.Starter:
        from ehc.duties import Duties

        assert isinstance(c, importer.CheckedDuty)
        return c.starter(Duties(client, settings), today)

    _report(path, checked, parsed.bad + bad, starter, "transfer clocks", dry_run, skip_bad)
