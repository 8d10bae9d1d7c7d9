"""``ehc simulate``: run a scenario file, or compare several, with the fast engine (no server).

``ehc simulate FILE`` runs one scenario; ``ehc simulate compare A B ...`` ranks options. The
first form has no sub-command name: a first argument that is not a sub-command is taken as the
scenario file of ``run``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ehc.cli.common import err, fail, out
from ehc.settings import get_settings
from scenarios import charts, engine, model, results
from scenarios import compare as comparing
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
    no_args_is_help=True,
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
            results.format_value(m.band.median, m.unit, result),
            results.format_value(m.band.low, m.unit, result),
            results.format_value(m.band.high, m.unit, result),
        )
    return table


@app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).", show_default=False)],
    replications: Replications = 20,
    seed: Seed = 0,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for CSV and charts (default: data/simulations/NAME, under EHC_DATA_DIR).",
        ),
    ] = None,
    workers: Workers = 0,
) -> None:
    """Run one scenario: summary table, CSV series and PNG charts."""
    scenario = _load(file)
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
            f"The assessment backlog clears in week {cleared} ({result.week_start(cleared)}), "
            f"in {share:.0%} of replications."
        )
    out.print(f"Wrote {len(written)} files to {folder}/")


def _with_band(band: results.Band, unit: str) -> str:
    median = results.format_value(band.median, unit)
    if math.isnan(band.median):
        return median
    low, high = results.format_value(band.low, unit), results.format_value(band.high, unit)
    return f"{median} [{low}-{high}]" if (low, high) != (median, median) else median


@app.command("compare")
def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Two or more scenario files.", show_default=False)
    ],
    replications: Replications = 20,
    seed: Seed = 0,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for CSV and charts (default: data/simulations/compare, under EHC_DATA_DIR).",
        ),
    ] = None,
    rank_by: Annotated[
        comparing.Criterion,
        typer.Option(help="How options are ranked."),
    ] = comparing.Criterion.CLEARANCE,
    workers: Workers = 0,
) -> None:
    """Run several options on the same seeds and rank them side by side."""
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
    table = Table(
        title=f"Options ranked by {rank_by.value}: {comparing.DESCRIPTION[rank_by]}\n"
        f"{replications} replications each, same seeds from {seed}; median [10-90%]"
    )
    table.add_column("#", justify="right")
    table.add_column("Scenario")
    table.add_column(rank_by.value)
    labels = {m.key: m for m in found[0].summary()}
    for key in comparing.SIDE_BY_SIDE:
        table.add_column(labels[key].label, justify="right")
    for r in ranked:
        cells = []
        for key in comparing.SIDE_BY_SIDE:
            b, unit = r.result.measure(key), labels[key].unit
            cells.append(_with_band(b, unit))
        table.add_row(str(r.rank), r.result.name, r.score, *cells)
    out.print(table)
    out.print(f"Wrote {len(written)} files to {folder}/")
