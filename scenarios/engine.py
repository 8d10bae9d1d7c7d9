"""The fast engine: a seeded week-by-week simulation of a council's EHC work.

Each week: requests arrive (Poisson, with growth and seasonality); psychologists see the children
whose turn has come (in house by the priority policy, outsourced oldest first); caseworkers spend
their hours on decisions, drafts and final plans (assessment hours) and annual reviews (review
hours), unused hours of one flowing to the other; then the week is counted. Events fall on real
days, and every statutory date and outcome comes from ``statutory/``:
``statutory.assessment.assessment_dates`` (6-week decision, advice, 20-week final plan, and the
operational targets that exceptions pause), ``statutory.dates.days_beginning_with`` (the 15 days
of representations, reg 13(1)), ``statutory.exceptions.check_period`` (every sampled exception is
one the law allows), ``statutory.assessment.outcome`` (within 20 weeks including and excluding
exceptions) and ``scenarios.reviews.next_review_due`` (12 months: ``statutory.review``).

Randomness: one ``random.Random`` and one ``numpy`` generator per replication, both from the
replication's seed, so a run is reproducible; replications run in parallel processes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from scenarios import casefile as cf
from scenarios.calendar import Week, weeks
from scenarios.casefile import SimCase
from scenarios.model import ExceptionRate, Policy, Scenario, Stage
from scenarios.reviews import ReviewBook, next_review_due
from statutory import assessment as rules
from statutory import exceptions as exc
from statutory.dates import days_beginning_with

#: Weekly series every run records (see scenarios/README.md for their meaning).
SERIES = (
    "requests",
    "open_assessments",
    "past_20_weeks",
    "overdue",
    "psychology_waiting",
    "plans_issued",
    "plans_issued_in_time",
    "plans_in_force",
    "review_backlog",
    "reviews_done",
    "reviews_in_time",
    "caseworkers",
    "caseload_per_caseworker",
    "hours_unused",
)

#: How far into an assessment an exception may begin: up to the 16-week decision (reg 10(1)).
EXCEPTION_START_DAYS = 7 * rules.DECIDE_NOT_TO_ISSUE_WEEKS
#: Keys sort first by a group, then by a day number; this separates the groups.
_GROUP = 10_000_000


@dataclass(slots=True)
class Monthly:
    """Plans issued in one calendar month, counted as the national return counts them."""

    issued: int = 0
    within_20_weeks: int = 0
    counted_excluding_exceptions: int = 0
    within_20_weeks_excluding_exceptions: int = 0


@dataclass(slots=True)
class Run:
    """One replication: weekly series, plans issued by month, and the work it simulated."""

    seed: int
    weekly: dict[str, list[float]]
    monthly: dict[tuple[int, int], Monthly]
    events: int
    cases: list[SimCase] = field(default_factory=list)
    """Every case (open and closed), only when asked for (``keep_cases``)."""


def _days(rng: random.Random, spread: tuple[float, float, float]) -> int:
    low, mode, high = spread
    return round(7 * (rng.triangular(low, high, mode) if high > low else low))


class _Simulation:
    def __init__(self, scenario: Scenario, seed: int, keep_cases: bool) -> None:
        self.s = scenario
        self.seed = seed
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.keep_cases = keep_cases
        self.weeks = weeks(scenario)
        t, c = scenario.timings, scenario.capacity
        self.decision_lead = t.decision.value
        self.psychology_lead = t.psychology.value
        self.other_lead = t.other_advice.value
        self.drafting_lead = t.drafting.value
        self.finalising_lead = t.finalising.value
        self.share_assessed = scenario.decisions.share_assessed.value
        self.share_issued = scenario.decisions.share_issued.value
        h = c.hours_per_task
        self.hours = {
            cf.DECISION: h.decision.value,
            cf.DRAFTING: h.draft.value,
            cf.FINALISING: h.final.value,
        }
        self.review_hours = h.review.value
        self.review_share = c.review_share.value
        self.lead_days = round(7 * scenario.reviews.lead_weeks.value)
        self.ceasing = scenario.reviews.ceasing_share.value
        rates = scenario.exception_rates()
        self.missed = rates.pop(exc.Reason.MISSED_APPOINTMENT, None)
        self.la_rates: list[tuple[exc.Reason, ExceptionRate]] = sorted(rates.items())
        self.next_id = 1
        self.open: list[SimCase] = []
        self.waiting: list[SimCase] = []  # waiting for psychology advice
        self.work: list[SimCase] = []  # every other open case: the caseworkers' work
        self.kept: list[SimCase] = []
        self.book = ReviewBook()
        self.monthly: dict[tuple[int, int], Monthly] = {}
        self.series: dict[str, list[float]] = {k: [] for k in SERIES}
        self.events = 0
        self.issued = self.issued_in_time = 0

    # --- cases ---------------------------------------------------------------------------

    def _exceptions(self, received: date) -> tuple[rules.ExceptionSpan, ...]:
        """Exceptions lifting the LA's limits (reg 5(4), 10(4), 13(3); reg 2A), sampled."""
        spans: list[rules.ExceptionSpan] = []
        for reason, rate in self.la_rates:
            if self.rng.random() >= rate.share:
                continue
            start = received + timedelta(days=self.rng.randint(0, EXCEPTION_START_DAYS))
            length = max(1, _days(self.rng, rate.weeks))
            if reason is exc.Reason.ABSENCE_FROM_AREA:
                length = max(length, exc.MIN_CONTINUOUS_DAYS)
            if reason is exc.Reason.CORONAVIRUS:
                start = max(start, exc.CORONAVIRUS_FIRST_DAY)
                if start > exc.CORONAVIRUS_LAST_DAY:
                    continue
            end = start + timedelta(days=length - 1)
            if reason is exc.Reason.CORONAVIRUS:
                end = min(end, exc.CORONAVIRUS_LAST_DAY)
            period = exc.Period(start, end)
            exc.check_period(reason, period)
            spans.append(rules.ExceptionSpan(reason, period))
        return tuple(spans)

    def _new_case(self, received: date) -> SimCase:
        case = SimCase(self.next_id, received, self._exceptions(received))
        self.next_id += 1
        case.ready = received + timedelta(days=_days(self.rng, self.decision_lead))
        self.open.append(case)
        if self.keep_cases:
            self.kept.append(case)
        self.events += 1 + len(case.spans)
        return case

    def _agree_to_assess(self, case: SimCase, on: date) -> None:
        """Decision to assess: psychology and other advice requested that day (reg 6(1))."""
        ep_ready = on + timedelta(days=_days(self.rng, self.psychology_lead))
        if self.missed is not None and self.rng.random() < self.missed.share:
            delay = max(1, _days(self.rng, self.missed.weeks))
            period = exc.Period(ep_ready, ep_ready + timedelta(days=delay - 1))
            exc.check_period(exc.Reason.MISSED_APPOINTMENT, period)
            case.spans += (rules.ExceptionSpan(exc.Reason.MISSED_APPOINTMENT, period, 1),)
            ep_ready += timedelta(days=delay)
            self.events += 1
        case.request_advice(on)
        case.ep_ready = ep_ready
        case.other_done = on + timedelta(days=_days(self.rng, self.other_lead))
        case.stage = cf.ADVICE
        self.events += 3

    def _advice_in(self, case: SimCase, on: date) -> None:
        case.ep_done = on
        assert case.other_done is not None
        last = max(on, case.other_done)
        case.stage = cf.DRAFTING
        case.ready = last + timedelta(days=_days(self.rng, self.drafting_lead))
        self.events += 2

    def _serve_draft(self, case: SimCase, on: date) -> None:
        case.draft = on
        case.stage = cf.FINALISING
        close = days_beginning_with(on, rules.REPRESENTATION_DAYS)  # reg 13(1)
        case.ready = close + timedelta(days=1 + _days(self.rng, self.finalising_lead))
        self.events += 1

    def _close(self, case: SimCase, ending: rules.Ending, on: date) -> None:
        case.stage = cf.CLOSED
        case.ending = ending
        case.closed_on = on
        self.events += 1
        if ending is not rules.Ending.PLAN_ISSUED:
            return
        result = cf.outcome(case)
        month = self.monthly.setdefault((on.year, on.month), Monthly())
        month.issued += 1
        month.within_20_weeks += bool(result.within_20_weeks)
        self.issued += 1
        self.issued_in_time += bool(result.within_20_weeks)
        if result.within_20_weeks_excluding_exceptions is not None:
            month.counted_excluding_exceptions += 1
            month.within_20_weeks_excluding_exceptions += (
                result.within_20_weeks_excluding_exceptions
            )
        self.book.add(next_review_due(on))

    # --- the start state ---------------------------------------------------------------------

    def _start_state(self) -> None:
        start = self.s.scenario.start
        yesterday = start - timedelta(days=1)
        for group in self.s.start_state.open_assessments:
            for _ in range(group.count):
                age = self.rng.randint(7 * group.weeks[0], 7 * group.weeks[1] + 6)
                received = yesterday - timedelta(days=age)
                case = self._new_case(received)
                if group.stage is Stage.DECISION:
                    continue
                lead = _days(self.rng, self.decision_lead)
                span = age if group.stage is Stage.ADVICE else age // 3
                self._agree_to_assess(case, received + timedelta(days=min(lead, span)))
                if group.stage is Stage.ADVICE:
                    continue
                assert case.decided is not None and case.other_done is not None
                room = (yesterday - case.decided).days
                if group.stage is Stage.FINALISING:
                    room //= 2
                ep = case.decided + timedelta(days=self.rng.randint(0, room))
                case.other_done = min(case.other_done, case.decided + timedelta(days=room))
                self._advice_in(case, ep)
                if group.stage is Stage.DRAFTING:
                    continue
                first = max(ep, case.other_done)
                self._serve_draft(
                    case, first + timedelta(days=self.rng.randint(0, (yesterday - first).days))
                )
        for plans in self.s.start_state.plans:
            days = (plans.due_to - plans.due_from).days
            offsets = self.np.integers(0, days + 1, size=plans.count)
            for offset, n in zip(*np.unique(offsets, return_counts=True), strict=True):
                self.book.add(plans.due_from + timedelta(days=int(offset)), int(n))

    # --- priority ------------------------------------------------------------------------------

    @staticmethod
    def _step_target(case: SimCase) -> date:
        if case.stage == cf.DECISION:
            return case.dates.decide_to_assess.target
        if case.stage == cf.ADVICE and case.advice_targets is not None:
            return case.advice_targets[0]
        return case.final_target

    def _key(self, case: SimCase, policy: Policy, today: date) -> int:
        if policy is Policy.OLDEST_FIRST:
            group, day = 0, case.final_due
        else:
            step = self._step_target(case)
            if policy is Policy.NEAREST_DEADLINE_FIRST or step >= today:
                # new-in-time-first: steps whose target has not passed first, nearest first
                group, day = 0, step
            else:  # ... then the overdue ones, oldest first
                group, day = 1, case.final_due
        return ((group * _GROUP + day.toordinal()) * _GROUP) + case.id

    def _ready(
        self, cases: list[SimCase], week: Week, due: Callable[[SimCase], date | None]
    ) -> list[SimCase]:
        """Cases whose step can be done this week, not paused by an exception on the day."""
        out = []
        for case in cases:
            ready = due(case)
            if ready is None or ready > week.end:
                continue
            day = max(ready, week.start)
            until = case.paused_until(day)
            if until is not None:
                if case.stage == cf.ADVICE:
                    case.ep_ready = until + timedelta(days=1)
                else:
                    case.ready = until + timedelta(days=1)
                continue
            out.append(case)
        return out

    # --- the week's work -------------------------------------------------------------------------

    def _psychology(self, waiting: list[SimCase], week: Week) -> list[SimCase]:
        """Psychology advice for the week; returns the cases it sends on to drafting."""
        ready = self._ready(waiting, week, lambda c: c.ep_ready)
        seen: list[SimCase] = []
        outsourced = week.psychology_outsourced
        if outsourced:
            ready.sort(key=lambda c: self._key(c, Policy.OLDEST_FIRST, week.start))
            seen += ready[:outsourced]
            ready = ready[outsourced:]
        ready.sort(key=lambda c: self._key(c, week.policy, week.start))
        seen += ready[: week.psychology]
        for case in seen:
            assert case.ep_ready is not None
            self._advice_in(case, max(case.ep_ready, week.start))
        return seen

    def _shared_casework(self, tasks: list[tuple[SimCase, int]], hours: float, week: Week) -> float:
        """Assessment hours shared among decisions, drafts and final plans in proportion to the
        hours of work ready for each (no step starves another), the priority policy ordering
        the cases within each; hours one step leaves go to the others, in priority order."""
        by_step: dict[int, list[tuple[SimCase, int]]] = {}
        for task in tasks:
            by_step.setdefault(task[1], []).append(task)
        need = {step: len(queue) * self.hours[step] for step, queue in by_step.items()}
        total = sum(need.values())
        if total <= hours:
            return self._casework(tasks, hours, week)
        left = 0.0
        for step, queue in by_step.items():
            left += self._casework(queue, hours * need[step] / total, week)
        return self._casework(tasks, left, week)

    def _casework(self, tasks: list[tuple[SimCase, int]], hours: float, week: Week) -> float:
        """Do ready tasks in priority order while hours last; returns the hours left.

        A task that needs more hours than are left is passed over for smaller ones behind it;
        a task already done this week (its case has moved on) is skipped.
        """
        cheapest = min(self.hours.values())
        for case, stage in tasks:
            if hours < cheapest:
                break
            need = self.hours[stage]
            if case.stage != stage or need > hours:
                continue
            hours -= need
            day = max(case.ready, week.start)
            if case.stage == cf.DECISION:
                if self.rng.random() < self.share_assessed:
                    self._agree_to_assess(case, day)
                else:
                    self._close(case, rules.Ending.NOT_ASSESSED, day)
            elif case.stage == cf.DRAFTING:
                if self.rng.random() < self.share_issued:
                    self._serve_draft(case, day)
                else:
                    self._close(case, rules.Ending.NOT_ISSUED, day)
            else:
                self._close(case, rules.Ending.PLAN_ISSUED, day)
        return hours

    def _reviews(self, week: Week, hours: float) -> tuple[float, int, int]:
        done = self.book.take(
            week.reviews_outsourced, week.start, week.end, self.lead_days, Policy.OLDEST_FIRST
        )
        limit = int(hours // self.review_hours) if self.review_hours > 0 else self.book.plans
        inhouse = self.book.take(limit, week.start, week.end, self.lead_days, week.policy)
        hours -= sum(r.count for r in inhouse) * self.review_hours
        total = in_time = 0
        for r in done + inhouse:
            total += r.count
            in_time += r.count if r.in_time else 0
            staying = r.count - int(self.np.binomial(r.count, self.ceasing))
            self.book.add(next_review_due(r.concluded), staying)
        self.events += total
        return max(0.0, hours), total, in_time

    def _week(self, week: Week) -> None:
        self.issued = self.issued_in_time = 0
        n = int(self.np.poisson(week.requests_expected))
        arrivals = [
            self._new_case(week.start + timedelta(days=offset))
            for offset in sorted(self.rng.randint(0, 6) for _ in range(n))
        ]
        work = self.work + arrivals + self._psychology(self.waiting, week)
        ready = self._ready(work, week, lambda c: c.ready)
        ready.sort(key=lambda c: self._key(c, week.policy, week.start))
        tasks = [(c, c.stage) for c in ready]
        review_hours = week.statutory_hours * self.review_share
        left = self._shared_casework(tasks, week.statutory_hours - review_hours, week)
        left, reviews, reviews_in_time = self._reviews(week, review_hours + left)
        left = self._casework(tasks, left, week)
        self._count(week, n, reviews, reviews_in_time, left)

    def _sort_open(self) -> None:
        """Drop closed cases; split the rest into those waiting for psychology and the rest."""
        closed, advice = cf.CLOSED, cf.ADVICE
        self.open = [c for c in self.open if c.stage != closed]
        self.waiting = [c for c in self.open if c.stage == advice]
        self.work = [c for c in self.open if c.stage != advice]

    def _count(
        self, week: Week, requests: int, reviews: int, reviews_in_time: int, left: float
    ) -> None:
        self._sort_open()
        as_of = week.end
        past = overdue = 0
        for case in self.open:
            if case.final_due < as_of:
                past += 1
            # next_target is at most the final plan's target: check the cheap case first
            if case.final_target < as_of or case.next_target(as_of) < as_of:
                overdue += 1
        plans = self.book.plans
        s = self.series
        s["requests"].append(requests)
        s["open_assessments"].append(len(self.open))
        s["past_20_weeks"].append(past)
        s["overdue"].append(overdue)
        s["psychology_waiting"].append(len(self.waiting))
        s["plans_issued"].append(self.issued)
        s["plans_issued_in_time"].append(self.issued_in_time)
        s["plans_in_force"].append(plans)
        s["review_backlog"].append(self.book.overdue(as_of))
        s["reviews_done"].append(reviews)
        s["reviews_in_time"].append(reviews_in_time)
        s["caseworkers"].append(week.caseworkers)
        s["caseload_per_caseworker"].append(
            (plans + len(self.open)) / week.caseworkers if week.caseworkers else float("nan")
        )
        s["hours_unused"].append(left)

    def run(self) -> Run:
        self._start_state()
        self._sort_open()
        for week in self.weeks:
            self._week(week)
        return Run(
            seed=self.seed,
            weekly=self.series,
            monthly=self.monthly,
            events=self.events,
            cases=self.kept,
        )


def simulate(scenario: Scenario, seed: int = 0, *, keep_cases: bool = False) -> Run:
    """One replication of ``scenario``, reproducible from ``seed``."""
    return _Simulation(scenario, seed, keep_cases).run()


def replication_seed(seed: int, replication: int) -> int:
    """The seed of replication ``replication`` of a run seeded ``seed``."""
    return seed * 1_000_003 + replication


def _one(args: tuple[dict[str, Any], int]) -> Run:
    # Scenarios travel to worker processes as plain data: generic pydantic models do not pickle.
    data, seed = args
    return simulate(Scenario.model_validate(data), seed)


def replicate(
    scenario: Scenario,
    replications: int,
    seed: int = 0,
    *,
    workers: int = 1,
    progress: Callable[[], None] | None = None,
    first: int = 0,
) -> list[Run]:
    """Monte Carlo replications ``first`` to ``first + replications - 1``, in order, in
    ``workers`` processes (1: in this process); a run in batches gives the same runs as one."""
    data = scenario.model_dump()
    jobs = [(data, replication_seed(seed, i)) for i in range(first, first + replications)]
    runs: list[Run] = []
    if workers <= 1 or replications <= 1:
        for job in jobs:
            runs.append(_one(job))
            if progress:
                progress()
        return runs
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for run in pool.map(_one, jobs, chunksize=max(1, replications // (workers * 8))):
            runs.append(run)
            if progress:
                progress()
    return runs
