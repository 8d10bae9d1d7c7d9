"""Scenario runs started from the web: in the background, one at a time, kept on disk.

A run is ``ehc simulate run FILE -n N --seed S`` (the same seeds, so the same figures), or,
without a number, ``ehc simulate run FILE --seed S``: batches of replications until the
headline figures are known to the CLI's default precision or its time budget runs out
(``scenarios.replications``). Its replications go to worker processes (a fresh "spawn" pool per run, so the web server's threads
are never forked, and terminated when the run is stopped), the event loop only counts them
back, and the charts are drawn by matplotlib in the pool too. Each run keeps, under
``$EHC_DATA_DIR/scenario-runs/<run id>/``, ``run.json`` (what was asked, how it went),
``runs.json`` (every replication's series, so a finished run is shown again after a restart
and can be compared), and what ``ehc simulate`` writes: the CSV files, the charts (PNG and
SVG) and the report for a board paper (``report.html``). A comparison's charts and its
reports (one per ranking criterion) are kept under ``compare-<digest>/``.

One run at a time per process: the simulator is CPU-bound, and a second start while one runs
is refused (``RunInProgress``) rather than queued behind it; a run may be stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

import structlog

from scenarios import engine, report
from scenarios import replications as replicating
from scenarios.compare import Criterion, rank
from scenarios.engine import Monthly, Run
from scenarios.issued import IssuedCounts
from scenarios.model import Scenario
from scenarios.replication_words import duration, outcome_words
from scenarios.results import ScenarioResult
from scenarios.teams import TeamRun

log = structlog.get_logger(__name__)

RUNS_FOLDER = "scenario-runs"
"""Under the data directory."""
RUN_ID = re.compile(r"[0-9a-f]{16}")
MIN_REPLICATIONS, MAX_REPLICATIONS = 1, 10_000
"""As ``ehc simulate --replications``."""
DEFAULT_SEED, MAX_SEED = 0, 2**63 - 1
RUN_CHARTS = ("backlog", "in_time", "caseload")
"""The charts ``scenarios.charts.write_charts`` draws, each a .png and an .svg."""
CHART_FILES = (".png", ".svg")
REPORT = "report.html"
"""A run's report for a board paper (``scenarios.report.write_run_report``)."""
RUN_TABLES = ("summary", "weekly", "monthly", "replications", "teams_summary", "teams")
"""The CSV files ``scenarios.results.write_csv`` writes, and ``scenarios.team_results.write_csv``
for a scenario with teams, without ``.csv``."""
COMPARISON_CHARTS = (
    "compare_past_20_weeks",
    "compare_review_backlog",
    "compare_psychology_waiting",
    "compare_caseload_per_caseworker",
    "compare_in_time",
)
FEW_SECONDS = 3.0
"""A run with less than this left gives no estimate (the words would change too fast)."""
KEPT_IN_MEMORY = 8
"""Finished runs whose results stay loaded (others are read back from disk when asked)."""


class Status(StrEnum):
    RUNNING = "running"
    DRAWING = "drawing"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"


class RunInProgress(RuntimeError):
    """A run is under way in this process; ``run`` is it."""

    def __init__(self, run: ScenarioRun) -> None:
        super().__init__(run.run_id)
        self.run = run


@dataclass(slots=True)
class ScenarioRun:
    """One run: what was asked, how far it has got, and (once done) its result."""

    run_id: str
    scenario_key: str
    name: str
    title: str
    replications: int
    """The number asked for; without one (``automatic``), the number the run expects to
    end with, which may grow after each batch."""
    seed: int
    started_at: datetime
    folder: Path
    automatic: bool = False
    """No number was asked for: the run chose it (``scenarios.replications.Rule()``)."""
    precision: str = ""
    """Once done: how many replications ran, why, and how precise the figures are."""
    status: Status = Status.RUNNING
    completed: int = 0
    """Replications finished so far."""
    finished_at: datetime | None = None
    problem: str | None = None
    scenario_data: dict[str, Any] = field(default_factory=dict)
    result: ScenarioResult | None = None
    began: float = field(default_factory=time.monotonic)
    """When this process started it (``time.monotonic``), for the time left."""
    finished: threading.Event = field(default_factory=threading.Event)
    """Set once the run has ended (done, failed or stopped): tests and callers wait on it."""

    @property
    def ended(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED, Status.STOPPED)

    @property
    def progress(self) -> str:
        """How far it has got, in words: "Replication 12 of 50"."""
        if self.status is Status.RUNNING:
            about = "about " if self.automatic else ""
            words = (
                f"Replication {min(self.completed + 1, self.replications):,} of "
                f"{about}{self.replications:,}"
            )
            left = self.seconds_left()
            if left is not None and left >= FEW_SECONDS:
                words += f"; about {duration(left)} left"
            return words
        if self.status is Status.DRAWING:
            n = self.replications
            done = "The replication is" if n == 1 else f"All {n} replications are"
            return f"{done} done: drawing the charts"
        return {
            Status.DONE: "Finished",
            Status.FAILED: "The run failed",
            Status.STOPPED: "Stopped before it finished",
        }[self.status]

    def seconds_left(self) -> float | None:
        """Seconds the run still needs, from the time its replications have taken so far
        (None: none has finished yet)."""
        if not self.completed:
            return None
        spent = time.monotonic() - self.began
        return spent / self.completed * max(0, self.replications - self.completed)

    def meta(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "scenario_key": self.scenario_key,
            "name": self.name,
            "title": self.title,
            "replications": self.replications,
            "seed": self.seed,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "status": self.status.value,
            "completed": self.completed,
            "automatic": self.automatic,
            "precision": self.precision,
            "problem": self.problem,
            "scenario": self.scenario_data,
        }

    @classmethod
    def from_meta(cls, data: dict[str, Any], folder: Path) -> ScenarioRun:
        status = Status(data["status"])
        problem = data.get("problem")
        if status in (Status.RUNNING, Status.DRAWING):
            # Written by a process that has gone: nothing will finish it now.
            status = Status.STOPPED
            problem = "The service was restarted while it ran."
        run = cls(
            run_id=data["run_id"],
            scenario_key=data["scenario_key"],
            name=data["name"],
            title=data["title"],
            replications=int(data["replications"]),
            seed=int(data["seed"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            folder=folder,
            status=status,
            completed=int(data.get("completed", 0)),
            automatic=bool(data.get("automatic", False)),
            precision=str(data.get("precision", "")),
            finished_at=(
                datetime.fromisoformat(data["finished_at"]) if data.get("finished_at") else None
            ),
            problem=problem,
            scenario_data=data.get("scenario") or {},
        )
        run.finished.set()
        return run


# --- in the worker processes ----------------------------------------------------------------


def simulate_one(data: dict[str, Any], seed: int) -> Run:
    """One replication (scenarios travel as plain data: generic pydantic models do not pickle)."""
    return engine.simulate(Scenario.model_validate(data), seed)


def draw(data: dict[str, Any], runs: list[Run], folder: Path, seed: int) -> list[str]:
    """The CSV files, charts and report of ``ehc simulate run``; the names written."""
    from scenarios import outputs  # matplotlib: only in the process that draws

    result = ScenarioResult(Scenario.model_validate(data), runs)
    return [p.name for p in outputs.write_run(result, folder, seed=seed, name=REPORT)]


def draw_comparison(options: list[tuple[dict[str, Any], list[Run]]], folder: Path) -> list[str]:
    """The comparison charts of ``ehc simulate compare``; the names written."""
    from scenarios import charts

    found = [ScenarioResult(Scenario.model_validate(data), runs) for data, runs in options]
    return [p.name for p in charts.write_comparison_charts(found, folder)]


# --- replications on disk -------------------------------------------------------------------


ISSUED = (
    "issued",
    "within_20_weeks",
    "counted_excluding_exceptions",
    "within_20_weeks_excluding_exceptions",
)
"""Counts of plans issued (``scenarios.issued.IssuedCounts``: a month's, or a team's over the
run), in the order ``runs.json`` lists them."""


def _issued(counts: IssuedCounts) -> list[int]:
    return [getattr(counts, name) for name in ISSUED]


def _issued_from(values: list[Any]) -> dict[str, int]:
    return dict(zip(ISSUED, map(int, values), strict=True))


def runs_to_json(runs: Sequence[Run]) -> str:
    return json.dumps(
        [
            {
                "seed": r.seed,
                "events": r.events,
                "weekly": r.weekly,
                "monthly": [[y, m, *_issued(c)] for (y, m), c in sorted(r.monthly.items())],
                "teams": {
                    name: {"weekly": t.weekly, "issued": _issued(t)} for name, t in r.teams.items()
                },
            }
            for r in runs
        ]
    )


def runs_from_json(text: str) -> list[Run]:
    return [
        Run(
            seed=int(r["seed"]),
            weekly={k: [float(v) for v in values] for k, values in r["weekly"].items()},
            monthly={
                (int(y), int(m)): Monthly(**_issued_from(counts)) for y, m, *counts in r["monthly"]
            },
            events=int(r["events"]),
            teams={
                name: TeamRun(
                    {k: [float(v) for v in values] for k, values in t["weekly"].items()},
                    **_issued_from(t["issued"]),
                )
                for name, t in r.get("teams", {}).items()
            },
        )
        for r in json.loads(text)
    ]


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a reader never sees half a file."""
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# --- the store ------------------------------------------------------------------------------


def _submit(pool: Pool, work: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """``work(*args)`` in the pool, as a future of this event loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(outcome: Any, failed: bool) -> None:
        if future.done():
            return
        if failed:
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    def report(outcome: Any, failed: bool = False) -> None:
        # Called on the pool's result thread; the loop may be gone once the run was stopped.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, outcome, failed)

    pool.apply_async(work, args, callback=report, error_callback=lambda error: report(error, True))
    return future


def _close(pool: Pool) -> None:
    """Let the idle workers exit (blocking: called in a thread)."""
    pool.close()
    pool.join()


def default_workers() -> int:
    """Leave one core to the web server and the worker; at least one process."""
    return max(1, (os.cpu_count() or 1) - 1)


class ScenarioRuns:
    """This process's runs: the one under way, those finished, and those kept on disk."""

    def __init__(self, data_dir: Path, *, workers: int | None = None) -> None:
        self.root = data_dir / RUNS_FOLDER
        self.workers = workers or default_workers()
        self._runs: dict[str, ScenarioRun] = {}
        self._active: ScenarioRun | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._context = multiprocessing.get_context("spawn")

    @property
    def active(self) -> ScenarioRun | None:
        return self._active if self._active is not None and not self._active.ended else None

    def start(
        self, key: str, scenario: Scenario, replications: int | None, seed: int
    ) -> ScenarioRun:
        """Start a run in the background (call from the event loop); ``RunInProgress`` if one
        is already under way. ``replications`` None: as many as the precision needs."""
        if self.active is not None:
            raise RunInProgress(self.active)
        run_id = secrets.token_hex(8)
        run = ScenarioRun(
            run_id=run_id,
            scenario_key=key,
            name=scenario.name,
            title=scenario.scenario.title,
            replications=replications or replicating.Rule().minimum,
            seed=seed,
            automatic=replications is None,
            started_at=datetime.now(UTC),
            folder=self.root / run_id,
            scenario_data=scenario.model_dump(mode="json"),
        )
        run.folder.mkdir(parents=True, exist_ok=True)
        _write(run.folder / "run.json", json.dumps(run.meta()))
        self._runs[run_id] = run
        self._active = run
        self._tasks[run_id] = asyncio.get_running_loop().create_task(self._execute(run))
        return run

    async def _execute(self, run: ScenarioRun) -> None:
        pool = self._context.Pool(
            self.workers if run.automatic else min(self.workers, run.replications)
        )
        finished = False
        try:
            data = run.scenario_data
            runs = await self._replicate(run, pool)
            run.status = Status.DRAWING
            await _submit(pool, draw, data, runs, run.folder, run.seed)
            finished = True
            run.result = await asyncio.to_thread(self._keep, run, runs)
            run.status = Status.DONE
        except asyncio.CancelledError:
            run.status = Status.STOPPED
            raise
        except Exception as error:  # a run that fails says so on its page; the service goes on
            log.exception("scenario run failed", run_id=run.run_id, scenario=run.name)
            run.status = Status.FAILED
            run.problem = f"The simulator stopped with an error: {error or type(error).__name__}"
        finally:
            await asyncio.to_thread(_close if finished else Pool.terminate, pool)
            run.finished_at = datetime.now(UTC)
            _write(run.folder / "run.json", json.dumps(run.meta()))
            self._tasks.pop(run.run_id, None)
            self._forget_old()
            run.finished.set()

    async def _replicate(self, run: ScenarioRun, pool: Pool) -> list[Run]:
        """The run's replications, in batches as ``scenarios.replications`` decides (all at
        once when the number was given), counted back as each ends."""
        rule = replicating.Rule(replications=None if run.automatic else run.replications)
        scenario = Scenario.model_validate(run.scenario_data)
        loop = asyncio.get_running_loop()
        began = loop.time()
        runs: list[Run] = []
        found: list[replicating.Estimate] = []
        while True:
            decision = replicating.decide(len(runs), found, rule, loop.time() - began)
            run.replications = decision.total
            if decision.stop is not None:
                outcome = replicating.Outcome(len(runs), decision.stop, found)
                run.precision = outcome_words(outcome, rule)
                return runs
            first = len(runs)
            futures = [
                _submit(pool, simulate_one, run.scenario_data, engine.replication_seed(run.seed, i))
                for i in range(first, first + decision.step)
            ]
            for done in asyncio.as_completed(futures):
                await done
                run.completed += 1
            runs += [f.result() for f in futures]
            found = await asyncio.to_thread(replicating.estimates, scenario, runs, rule)

    @staticmethod
    def _keep(run: ScenarioRun, runs: list[Run]) -> ScenarioResult:
        _write(run.folder / "runs.json", runs_to_json(runs))
        result = ScenarioResult(Scenario.model_validate(run.scenario_data), runs)
        result.summary()  # computed here, off the event loop
        return result

    def _forget_old(self) -> None:
        """Keep the newest finished results in memory; older ones are read back when asked."""
        finished = sorted(
            (r for r in self._runs.values() if r.ended and r.result is not None),
            key=lambda r: r.finished_at or r.started_at,
            reverse=True,
        )
        for old in finished[KEPT_IN_MEMORY:]:
            old.result = None

    def get(self, run_id: str) -> ScenarioRun | None:
        """A run of this process, or one on disk (None: no such run)."""
        if not RUN_ID.fullmatch(run_id):
            return None
        if run_id in self._runs:
            return self._runs[run_id]
        path = self.root / run_id / "run.json"
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        run = ScenarioRun.from_meta(meta, path.parent)
        self._runs[run_id] = run
        return run

    def result(self, run: ScenarioRun) -> ScenarioResult | None:
        """A finished run's result, read back from disk if it is no longer in memory."""
        if run.status is not Status.DONE:
            return None
        if run.result is not None:
            return run.result
        try:
            text = (run.folder / "runs.json").read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        result = ScenarioResult(Scenario.model_validate(run.scenario_data), runs_from_json(text))
        run.result = result
        self._forget_old()
        return result

    def recent(self, limit: int = 20) -> list[ScenarioRun]:
        """The newest runs, this process's and those on disk, newest first."""
        if self.root.is_dir():
            for folder in self.root.iterdir():
                if RUN_ID.fullmatch(folder.name):
                    self.get(folder.name)
        runs = sorted(self._runs.values(), key=lambda r: r.started_at, reverse=True)
        return runs[:limit]

    def finished_runs(self) -> list[ScenarioRun]:
        return [r for r in self.recent(limit=100) if r.status is Status.DONE]

    async def wait(self, run_id: str) -> ScenarioRun | None:
        """Until the run has ended (for callers on the event loop)."""
        task = self._tasks.get(run_id)
        if task is not None:
            await asyncio.wait({task})  # a stopped run's cancellation is not the caller's
        return self.get(run_id)

    def compared(self, runs: Sequence[ScenarioRun]) -> list[ScenarioResult]:
        """The results of finished runs to compare, each on the first replications as many as
        the run with the fewest has: replication i of every run of one seed meets the same
        random draws, so a run cut short is the run of that many."""
        found = []
        for run in runs:
            result = self.result(run)
            if result is None:
                raise ValueError(f"run {run.run_id} has no result")
            found.append(result)
        fewest = min((len(r.runs) for r in found), default=0)
        return [
            r if len(r.runs) == fewest else ScenarioResult(r.scenario, r.runs[:fewest])
            for r in found
        ]

    async def comparison_charts(self, runs: Sequence[ScenarioRun]) -> tuple[str, list[str]]:
        """The comparison charts of these finished runs (drawn once, then kept): the folder's
        name under the runs folder, and the chart names."""
        digest = hashlib.sha256(" ".join(r.run_id for r in runs).encode()).hexdigest()[:16]
        folder = self.root / f"compare-{digest}"
        if all(
            (folder / f"{name}{suffix}").exists()
            for name in COMPARISON_CHARTS
            for suffix in CHART_FILES
        ):
            return folder.name, list(COMPARISON_CHARTS)
        found = await asyncio.to_thread(self.compared, runs)
        options = [
            (run.scenario_data, result.runs) for run, result in zip(runs, found, strict=True)
        ]
        pool = self._context.Pool(1)
        try:
            names = await _submit(pool, draw_comparison, options, folder)
        finally:
            await asyncio.to_thread(Pool.terminate, pool)
        return folder.name, list(dict.fromkeys(n.rsplit(".", 1)[0] for n in names))

    async def comparison_report(self, runs: Sequence[ScenarioRun], criterion: Criterion) -> Path:
        """The report for a board paper of these finished runs ranked by ``criterion`` (written
        once, beside the comparison's charts, then kept)."""
        folder, _ = await self.comparison_charts(runs)
        path = self.root / folder / f"report-{criterion.value}.html"
        if not path.is_file():
            await asyncio.to_thread(self._write_comparison_report, runs, criterion, path)
        return path

    def _write_comparison_report(
        self, runs: Sequence[ScenarioRun], criterion: Criterion, path: Path
    ) -> None:
        ranked = rank(self.compared(runs), criterion)
        partial = path.with_name(path.name + ".partial")
        written = report.write_comparison_report(
            ranked, criterion, path.parent, seed=runs[0].seed, name=partial.name
        )
        written.replace(path)  # whole or not at all, as every file here

    def chart_path(self, folder: str, name: str, suffix: str = ".png") -> Path | None:
        """A chart file (``suffix``: .png or .svg) of a run (``folder``: its id) or of a
        comparison; None if not one."""
        names = COMPARISON_CHARTS if folder.startswith("compare-") else RUN_CHARTS
        return self._output(folder, names, name, suffix) if suffix in CHART_FILES else None

    def report_path(self, run_id: str) -> Path | None:
        """A finished run's report for a board paper; None if it has none (a run kept from
        before reports were written)."""
        return self._output(run_id, ("report",), "report", ".html")

    def table_path(self, run_id: str, name: str) -> Path | None:
        """A CSV file of a run; None if not one."""
        return self._output(run_id, RUN_TABLES, name, ".csv")

    def _output(self, folder: str, names: Sequence[str], name: str, suffix: str) -> Path | None:
        # Only the names the simulator writes, in a folder named as runs are: nothing else
        # under the data directory can be asked for.
        if name not in names or not RUN_ID.fullmatch(folder.removeprefix("compare-")):
            return None
        path = self.root / folder / f"{name}{suffix}"
        return path if path.is_file() else None

    async def stop(self, run_id: str, by: str) -> None:
        """Stop a run under way (its worker processes are ended); nothing if it has ended.
        ``by``: the staff id of whoever stopped it, shown on the run's page."""
        task = self._tasks.get(run_id)
        if task is not None:
            self._runs[run_id].problem = f"Stopped by {by}."
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def close(self) -> None:
        """Stop the run under way (at shutdown)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
