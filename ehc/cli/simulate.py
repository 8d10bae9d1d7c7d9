"""``ehc simulate``: run a scenario file, or compare several, with the fast engine (no server).

``ehc simulate FILE`` runs one scenario; ``ehc simulate compare A B ...`` ranks options. The
first form has no sub-command name: a first argument that is not a sub-command is taken as the
scenario file of ``run``. The tables and sentences printed name a week by the day it starts
("28 (19 Jun 2023)") and write a count as a whole number; the CSV files keep ISO dates.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ehc.cli.common import FAILED, err, fail, out
from ehc.cli.common import run as run_async
from ehc.settings import get_settings
from ehc.text import day
from scenarios import compare as comparing
from scenarios import engine, model, results
from scenarios.model import ScenarioError


class _RunByDefault(typer.core.TyperGroup):
    """A group whose first argument, when it is not a sub-command, is the file of ``run``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    help="Simulate a caseload from a scenario file (scenarios/README.md): "
    "`ehc simulate FILE` or `ehc simulate compare A B ...`.",
)

Replications = Annotated[
    int, typer.Option("--replications", "-n", min=1, max=10_000, help="Monte Carlo replications.")
]
Seed = Annotated[
    int, typer.Option(min=0, help="Seed of the first replication; same seed, same run.")
]
Workers = Annotated[
    int,
    typer.Option(min=0, help="Processes for the replications (0: one per core)."),
]


def _out_option(folder: str) -> Any:
    """``--out``, whose default is ``folder`` under data/simulations."""
    return typer.Option(
        "--out",
        help=f"Folder for CSV and charts (default: data/simulations/{folder}, under EHC_DATA_DIR).",
    )


def _load(path: Path) -> model.Scenario:
    try:
        return model.load(path)
    except ScenarioError as error:
        fail(str(error))


def _workers(requested: int, replications: int) -> int:
    if requested:
        return requested
    return 1 if replications < 4 else min(os.cpu_count() or 1, replications)


def _simulate(
    scenario: model.Scenario, replications: int, seed: int, workers: int, progress: Progress
) -> results.ScenarioResult:
    task = progress.add_task(scenario.name, total=replications)
    runs = engine.replicate(
        scenario,
        replications,
        seed,
        workers=_workers(workers, replications),
        progress=lambda: progress.advance(task),
    )
    return results.ScenarioResult(scenario, runs)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _default_out(name: str) -> Path:
    return get_settings().data_dir / "simulations" / name


def _value(value: float, unit: str, result: results.ScenarioResult | None = None) -> str:
    """A figure as people read it: a count as a whole number ("744"; a median across
    replications may fall between two), a week with the day it starts ("28 (19 Jun 2023)"),
    a percentage as ``results.format_value`` writes it; "-" for none."""
    if math.isnan(value):
        return results.format_value(value, unit)
    if unit == "":
        return f"{round(value):,}"
    if unit == "week" and result is not None:
        week = round(value)
        return f"{week} ({day(result.week_start(week))})"
    return results.format_value(value, unit, result)


def _summary_table(result: results.ScenarioResult, replications: int, seed: int) -> Table:
    table = Table(
        title=f"{result.scenario.scenario.title}\n{replications} replications from seed {seed}; "
        "median and 10-90% band"
    )
    table.add_column("Measure")
    table.add_column("Median", justify="right")
    table.add_column("10%", justify="right")
    table.add_column("90%", justify="right")
    for m in result.summary():
        table.add_row(
            m.label,
            _value(m.band.median, m.unit, result),
            _value(m.band.low, m.unit, result),
            _value(m.band.high, m.unit, result),
        )
    return table


class Engine(StrEnum):
    FAST = "fast"
    TEMPORAL = "temporal"


@app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).", show_default=False)],
    replications: Replications = 20,
    seed: Seed = 0,
    out_dir: Annotated[Path | None, _out_option("NAME")] = None,
    workers: Workers = 0,
    engine_name: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="fast: the simulator. temporal: replay the closed cases of one fast run through "
            "the real workflows on the Temporal time-skipping test server; check both agree.",
        ),
    ] = Engine.FAST,
    cases: Annotated[
        int, typer.Option(min=1, max=1000, help="With --engine temporal: cases to replay.")
    ] = 200,
) -> None:
    """Run one scenario: summary table, CSV series and PNG charts."""
    from scenarios import charts  # matplotlib: loaded only when a run draws its charts

    scenario = _load(file)
    if engine_name is Engine.TEMPORAL:
        _faithful(scenario, seed, cases, out_dir or _default_out(scenario.name))
        return
    with _progress() as progress:
        result = _simulate(scenario, replications, seed, workers, progress)
    folder = out_dir or _default_out(scenario.name)
    written = results.write_csv(result, folder) + charts.write_charts(result, folder)
    out.print(_summary_table(result, replications, seed))
    cleared, share = result.clearance()
    if cleared is None:
        out.print(f"The assessment backlog does not clear ({share:.0%} of replications clear it).")
    else:
        out.print(
            f"The assessment backlog clears in week {cleared} ({day(result.week_start(cleared))}), "
            f"in {share:.0%} of replications."
        )
    out.print(f"Wrote {len(written)} files to {folder}/")


def _with_band(band: results.Band, unit: str) -> str:
    median = _value(band.median, unit)
    if math.isnan(band.median):
        return median
    low, high = _value(band.low, unit), _value(band.high, unit)
    return f"{median} [{low}-{high}]" if (low, high) != (median, median) else median


def _score(r: comparing.Ranked, criterion: comparing.Criterion) -> str:
    """The criterion's value as the tables write figures (``comparing.rank``'s score names a
    week by its ISO day and writes a count to one decimal)."""
    result = r.result
    match criterion:
        case comparing.Criterion.CLEARANCE:
            week, share = result.clearance()
            if week is None:
                return r.score
            return f"week {week} ({day(result.week_start(week))}; {share:.0%} of runs clear)"
        case comparing.Criterion.END_BACKLOG:
            return _value(result.measure("past_20_weeks_end").median, "")
        case comparing.Criterion.REVIEW_BACKLOG:
            return _value(result.measure("review_backlog_end").median, "")
    return r.score


@app.command("compare")
def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Two or more scenario files.", show_default=False)
    ],
    replications: Replications = 20,
    seed: Seed = 0,
    out_dir: Annotated[Path | None, _out_option("compare")] = None,
    rank_by: Annotated[
        comparing.Criterion,
        typer.Option(help="How options are ranked."),
    ] = comparing.Criterion.CLEARANCE,
    workers: Workers = 0,
) -> None:
    """Run several options on the same seeds and rank them side by side."""
    from scenarios import charts

    if len(files) < 2:
        fail("compare needs at least two scenario files")
    scenarios = [_load(f) for f in files]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        fail(f"two scenario files share a name ({', '.join(names)}); names must differ")
    with _progress() as progress:
        found = [_simulate(s, replications, seed, workers, progress) for s in scenarios]
    ranked = comparing.rank(found, rank_by)
    folder = out_dir or _default_out("compare")
    written = [comparing.write_csv(ranked, rank_by, folder)]
    written += charts.write_comparison_charts(found, folder)
    out.print(ranking_table(ranked, rank_by, replications, seed))
    out.print(f"Wrote {len(written)} files to {folder}/")


def ranking_table(
    ranked: list[comparing.Ranked], criterion: comparing.Criterion, replications: int, seed: int
) -> Table:
    """The options best first, with the main measures side by side. Each option goes by its
    whole name, never cut short (the other columns wrap first), and its title is written
    under the table: options of one comparison often share a long common beginning."""
    table = Table(
        title=f"Options ranked by {criterion.value}: {comparing.DESCRIPTION[criterion]}\n"
        f"{replications} replications each, same seeds from {seed}; median [10-90%]",
        caption="\n".join(
            f"{r.rank}. {r.result.name}: {r.result.scenario.scenario.title}" for r in ranked
        ),
        caption_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("Scenario", no_wrap=True)
    table.add_column(criterion.value)
    labels = {m.key: m for m in ranked[0].result.summary()}
    for key in comparing.SIDE_BY_SIDE:
        table.add_column(labels[key].label, justify="right")
    for r in ranked:
        cells = []
        for key in comparing.SIDE_BY_SIDE:
            b, unit = r.result.measure(key), labels[key].unit
            cells.append(_with_band(b, unit))
        table.add_row(str(r.rank), r.result.name, _score(r, criterion), *cells)
    return table


def _faithful(scenario: model.Scenario, seed: int, limit: int, folder: Path) -> None:
    """``--engine temporal``: the engine-agreement check on one run's closed cases."""
    server = Path(sys.executable).parent / "temporal-test-server"
    if not server.exists():
        fail(
            "--engine temporal needs the Temporal test server of the dev extra "
            f"(pip install -e '.[dev]'); it is not at {server}",
            FAILED,
        )
    from ehc import faithful  # imports the workflows and temporalio: only when asked
    from ehc.logs import configure

    settings = get_settings()
    debug = settings.log_level.upper() == "DEBUG"
    configure("DEBUG" if debug else "WARNING", settings.log_format)  # not a line per alert
    from ehc.temporal import use_project_logging

    use_project_logging()  # the SDK core's lines through ehc.logs, not raw under the progress bar

    fast = engine.simulate(scenario, engine.replication_seed(seed, 0), keep_cases=True)
    closed = [c for c in fast.cases if c.ending is not None]
    chosen = [c for c in closed if faithful.replayable(c)][:limit]
    if not chosen:
        fail(f"{scenario.name}: no closed case to replay in {scenario.scenario.weeks} weeks")

    async def go(progress: Progress, folder: Path) -> list[faithful.Replayed]:
        task = progress.add_task(f"{scenario.name} on Temporal", total=len(chosen))
        async with faithful.time_skipping(server) as env:
            return await faithful.replay(
                env, chosen, faithful.faithful_worker(folder), lambda: progress.advance(task)
            )

    with _progress() as progress, tempfile.TemporaryDirectory() as scratch:
        replayed = run_async(go(progress, Path(scratch)))
    agreements = [faithful.agreement(r) for r in replayed]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "agreement.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case_ref", "outcome", "deadlines", "alerts", "reminders", "escalations"])
        for a in agreements:
            w.writerow([a.ref, a.outcome, a.deadlines, a.alerts, a.reminders, a.escalations])
    table = Table(title=f"Fast engine against the real workflows: {scenario.scenario.title}")
    table.add_column("Measure")
    table.add_column("Cases", justify="right")
    table.add_row("Closed cases replayed", str(len(agreements)))
    table.add_row(
        "Left out (coronavirus exception: fixed 2020 dates)",
        str(len(closed) - len([c for c in closed if faithful.replayable(c)])),
    )
    for label, key in (
        ("Outcome agrees", "outcome"),
        ("Every deadline agrees", "deadlines"),
        ("Reminders and escalations agree", "alerts"),
    ):
        table.add_row(label, str(sum(getattr(a, key) for a in agreements)))
    table.add_row("Reminders sent by the workflows", str(sum(a.reminders for a in agreements)))
    table.add_row("Escalations sent by the workflows", str(sum(a.escalations for a in agreements)))
    out.print(table)
    out.print(f"Wrote {path}")
    wrong = [a.ref for a in agreements if not a.agrees]
    if wrong:
        fail(
            f"the engines disagree on {len(wrong)} of {len(agreements)} cases "
            f"({', '.join(wrong[:5])}{'...' if len(wrong) > 5 else ''}); see {path}",
            FAILED,
        )
