"""How many replications a run needs: batches until the headline measures are known well enough.

Without a given number, a run starts with ``Rule.minimum`` replications, then runs batches until
the 90% confidence half-width of the mean across replications (Student's t) is within its target
for every measure below, ``Rule.maximum`` replications have run, or the next batch would end
after the time budget:

- ``Measure.IN_TIME``: % of plans within 20 weeks excl. exceptions over the horizon (the
  headline), in percentage points;
- ``Measure.CLEARANCE``: the week the assessment backlog (open past 20 weeks) clears, a
  replication that never clears counting as the horizon, in weeks; only when some replication
  clears a backlog it started with (otherwise there is no week to pin down).

Each batch after the first is what the spread so far says is still needed (n x (half-width /
target)^2), at least ``minimum`` and at most the replications so far, so that a noisy early
spread can at most double the run. Batch sizes depend only on the results, never on the worker
count or the machine: without a time budget, the same seed runs the same replications
everywhere. A batch continues where the last ended (``engine.replicate(first=...)``), so the
runs are those of one run of that many; options compared run the same batches on the same seeds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

import numpy as np
from scipy import stats

from scenarios import engine
from scenarios.engine import Run
from scenarios.model import Scenario
from scenarios.results import cleared_week, percent

CONFIDENCE = 0.90


class Measure(StrEnum):
    """What the replications must pin down (the value is how a sentence names it)."""

    IN_TIME = "% within 20 weeks"
    CLEARANCE = "the week the backlog clears"


UNIT = {Measure.IN_TIME: "points", Measure.CLEARANCE: "weeks"}


class Stop(StrEnum):
    """Why a run stopped where it did."""

    GIVEN = "given"
    """The number of replications was given."""
    PRECISE = "precise"
    BUDGET = "budget"
    MAXIMUM = "maximum"


@dataclass(frozen=True, slots=True)
class Rule:
    """When a run stops. ``replications``: exactly that many (the others do not apply)."""

    precision: float = 1.0
    """Target half-width of the % within 20 weeks, in points."""
    precision_weeks: float = 2.0
    """Target half-width of the week the backlog clears."""
    time_budget: float | None = 60.0
    """Seconds; None: no limit (then the replications depend only on the results)."""
    minimum: int = 5
    maximum: int = 200
    replications: int | None = None

    def target(self, measure: Measure) -> float:
        return self.precision if measure is Measure.IN_TIME else self.precision_weeks


@dataclass(frozen=True, slots=True)
class Estimate:
    """How well one measure of one option is known."""

    option: str
    measure: Measure
    half_width: float
    target: float

    @property
    def met(self) -> bool:
        return self.half_width <= self.target

    def needed(self, done: int) -> float:
        """Replications for the target, as the half-width shrinks with the square root of n."""
        if self.met:
            return done
        if math.isinf(self.half_width) or self.target <= 0:
            return math.inf
        return math.ceil(done * (self.half_width / self.target) ** 2)


@dataclass(frozen=True, slots=True)
class Decision:
    step: int
    """Replications to run next (0: stop)."""
    total: int
    """Replications the run is expected to end with."""
    stop: Stop | None = None
    short_of_time: bool = False
    """The total is what the time budget allows, short of the precision."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Where a run stands after a batch."""

    done: int
    total: int
    seconds: float
    remaining: float
    """Seconds still expected, from the time per replication so far."""
    short_of_time: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    replications: int
    stop: Stop
    estimates: list[Estimate]


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile (the interval of a mean from few replications)."""
    return float(stats.t.ppf(p, df))


def half_width(values: Sequence[float], confidence: float = CONFIDENCE) -> float:
    """Half-width of the ``confidence`` interval of the mean of ``values``; infinite with
    fewer than two."""
    n = len(values)
    if n < 2:
        return math.inf
    spread = float(np.std(values, ddof=1))
    return t_quantile(0.5 + confidence / 2, n - 1) * spread / math.sqrt(n)


def estimates(scenario: Scenario, runs: Sequence[Run], rule: Rule) -> list[Estimate]:
    """How well ``runs`` pin down each measure of ``scenario`` that has something to pin down:
    the % needs two replications that count a plan; the week, one that clears a backlog."""
    found = []
    in_time = [
        percent(
            sum(m.within_20_weeks_excluding_exceptions for m in run.monthly.values()),
            sum(m.counted_excluding_exceptions for m in run.monthly.values()),
        )
        for run in runs
    ]
    in_time = [v for v in in_time if not math.isnan(v)]
    if len(in_time) >= 2:
        found.append(Measure.IN_TIME)
    threshold = scenario.report.backlog_cleared_at
    weeks = [cleared_week(run.weekly["past_20_weeks"], threshold) for run in runs]
    if len(runs) >= 2 and any(w for w in weeks):  # None: never cleared; 0: no backlog
        found.append(Measure.CLEARANCE)
    values = {
        Measure.IN_TIME: in_time,
        Measure.CLEARANCE: [float(scenario.scenario.weeks if w is None else w) for w in weeks],
    }
    return [Estimate(scenario.name, m, half_width(values[m]), rule.target(m)) for m in found]


def decide(done: int, found: Sequence[Estimate], rule: Rule, seconds: float) -> Decision:
    """What to run after ``done`` replications that took ``seconds`` (read only against a
    time budget). The first batch is ``minimum`` (or all of fewer given)."""
    if rule.replications is not None:
        if done >= rule.replications:
            return Decision(0, done, Stop.GIVEN)
        step = rule.replications - done if done else min(rule.replications, rule.minimum)
        return Decision(step, rule.replications)
    if done < rule.minimum:
        return Decision(rule.minimum - done, rule.minimum)
    wanted = [e.needed(done) for e in found if not e.met]
    if not wanted:
        return Decision(0, done, Stop.PRECISE)
    if done >= rule.maximum:
        return Decision(0, done, Stop.MAXIMUM)
    total = int(min(max(wanted), rule.maximum))
    step = min(max(total - done, rule.minimum), done, rule.maximum - done)
    if rule.time_budget is not None and seconds > 0:
        affordable = math.floor((rule.time_budget - seconds) * done / seconds)
        if affordable < 1:
            return Decision(0, done, Stop.BUDGET)
        if affordable < max(total - done, step):
            short = affordable < total - done
            return Decision(min(step, affordable), done + affordable, short_of_time=short)
    return Decision(step, max(total, done + step))


def in_batches(
    batch: Callable[[int, int], None],
    estimate: Callable[[], list[Estimate]],
    rule: Rule,
    *,
    clock: Callable[[], float] = time.monotonic,
    planned: Callable[[Plan], None] | None = None,
) -> Outcome:
    """Run ``batch(first, count)`` until ``rule`` stops, reading ``estimate()`` of the runs so
    far after each batch; ``planned`` hears where the run stands after each batch."""
    start = clock()
    done = 0
    found: list[Estimate] = []
    while True:
        seconds = clock() - start
        decision = decide(done, found, rule, seconds)
        if done and planned:
            left = (decision.total - done) * seconds / done
            planned(Plan(done, decision.total, seconds, left, decision.short_of_time))
        if decision.stop is not None:
            return Outcome(done, decision.stop, found)
        batch(done, decision.step)
        done += decision.step
        found = estimate()


def replicate(
    scenarios: Sequence[Scenario],
    seed: int,
    rule: Rule,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    planned: Callable[[Plan], None] | None = None,
) -> tuple[list[list[Run]], Outcome]:
    """The replications of every option, in the same batches on the same seeds, until ``rule``
    stops (for all of them together); ``progress(i)`` after each replication of option i."""
    runs: list[list[Run]] = [[] for _ in scenarios]

    def batch(first: int, count: int) -> None:
        for i, scenario in enumerate(scenarios):
            runs[i] += engine.replicate(
                scenario,
                count,
                seed,
                workers=min(workers, count),
                progress=partial(progress, i) if progress else None,
                first=first,
            )

    def estimate() -> list[Estimate]:
        return [e for s, r in zip(scenarios, runs, strict=True) for e in estimates(s, r, rule)]

    outcome = in_batches(batch, estimate, rule, clock=clock, planned=planned)
    return runs, outcome
