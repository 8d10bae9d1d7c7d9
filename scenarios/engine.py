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
exceptions, through ``casefile.issued_in_time``) and ``scenarios.reviews.next_review_due`` (12
months: ``statutory.review``; brought forward to 15 February for a phase transfer to or
within school, to 31 March for one to post-16, ``scenarios.reviews.transfer_review_due``).

Withdrawals (``decisions.share_withdrawn``): a request to be withdrawn waits, by the week of its
withdrawal, for that week to come; if its case is still open then, it closes that day before the
week's work (``statutory.assessment.Ending.WITHDRAWN``), leaving its place in every queue.

School and early-years closures (``[exceptions.school-closure]``, ``early-years-closure``;
``scenarios.closures``): when a case is agreed for assessment, the day its educational advice
is requested, it may fall in a closure's window; the case then has the exception, which moves
the LA's targets but pauses no work, and the other advice's lead time counts from the day the
setting re-opens.

Randomness: generators per replication, all from the replication's seed, so a run is
reproducible; replications run in parallel processes. Requests (how many a week, on which day)
and what each will be (``casefile.Fate``: its decisions and lead times, drawn on arrival) come
from generators of their own, so options run on one seed meet the same requests, each the
same, and differ only in what the council's capacity and policy make of them (common random
numbers: a comparison's differences come from the options, not from chance); closures and
appeals draw per case too (``scenarios.closures``, ``scenarios.tribunal``). Plans ceasing after
a review, and plans drawn for a phase transfer, are drawn as reviews are held and plans issued
(``self.np`` and the transfers' generators), so they differ a little with capacity.
Withdrawals, phase transfers, closures and appeals to the Tribunal (``scenarios.tribunal``)
draw from generators of their own, made only when the scenario states them: a file without
them draws exactly what it drew before they existed.

Teams (``[[teams]]``, ``scenarios.teams``): each team's casework and reviews are done with its
own hours, from its own queue and book; psychology stays one queue. A new request's team is
drawn from a generator of its own, made only when there are two teams or more.

Speed: a week touches only the cases whose step may be done in it (``_Waiting``: open cases by
the week their step can be done), and counts the cases past 20 weeks and overdue from how many
begin and stop being so on each day (``_Tally``), not by visiting every open case.
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from scenarios import casefile as cf
from scenarios import tribunal as tb
from scenarios.calendar import Week, weeks
from scenarios.casefile import SimCase
from scenarios.closures import Closures
from scenarios.issued import count_issued
from scenarios.model import Policy, Scenario, Stage
from scenarios.reviews import (
    POST16_MOVE,
    SCHOOL_MOVE,
    ReviewBook,
    ReviewsDone,
    next_review_due,
    transfer_review_due,
)
from scenarios.series import SERIES
from scenarios.teams import Queue, TeamRun, Teams
from statutory import assessment as rules
from statutory import exceptions as exc
from statutory.dates import days_beginning_with
from statutory.review import TransferKind

#: Weekly series a run records only when its scenario states what they count: requests
#: withdrawn (``decisions.share_withdrawn``); reviews falling due in the week, as they fall due
#: when the plan enters the book (``reviews.phase_transfer_share``,
#: ``reviews.post16_transfer_share``).
WITHDRAWN = "withdrawn"
REVIEWS_DUE = "reviews_due"


def series_of(scenario: Scenario) -> tuple[str, ...]:
    """The weekly series a run of ``scenario`` records: ``SERIES``, then those it states."""
    return (
        SERIES
        + ((WITHDRAWN,) if scenario.decisions.share_withdrawn is not None else ())
        + ((REVIEWS_DUE,) if scenario.reviews.states_transfers else ())
        + (tb.SERIES if scenario.tribunal is not None else ())
    )


#: How far into an assessment an exception may begin: up to the 16-week decision (reg 10(1)).
EXCEPTION_START_DAYS = 7 * rules.DECIDE_NOT_TO_ISSUE_WEEKS
#: Keys sort first by a group, then by a day number; this separates the groups.
_GROUP = 10_000_000


@dataclass(slots=True)
class Monthly:
    """Plans issued in one calendar month, counted as the national return counts them
    (``issued.count_issued``)."""

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
    reviews: list[ReviewsDone] = field(default_factory=list)
    """Every annual review held, only when asked for (``keep_cases``)."""
    appeals: list[tb.Appeal] = field(default_factory=list)
    """Every appeal to the Tribunal, only when asked for (``keep_cases``)."""
    teams: dict[str, TeamRun] = field(default_factory=dict)
    """Each team's part, by its name, when the scenario has teams (``scenarios.teams``)."""


_Entry = tuple[int, SimCase, int]
"""A case waiting for a step: its order under oldest-first (``SimCase.oldest``, one number a
case, so entries sort as they stand), the case, and the stage it waits at."""


class _Waiting:
    """Open cases waiting for one kind of step (psychology advice, or a caseworker's step), by
    the week from which it can be done, and those whose week has come: a week looks only at
    the cases whose turn may have come, not at every open case."""

    def __init__(self, start: date) -> None:
        self.start = start.toordinal()
        self.by_week: dict[int, list[_Entry]] = {}
        self.ready: list[_Entry] = []
        """Cases, with the stage they wait at, whose week has come (some done since)."""
        self.reached = -1  # the last week whose cases have joined ``ready``

    def add(self, case: SimCase, day: date) -> None:
        """``case`` can take its step at its present stage from ``day``; a week already
        reached cannot take it: it waits for the next."""
        week = (day.toordinal() - self.start) // 7
        if week <= self.reached:
            week = self.reached + 1
        cases = self.by_week.get(week)
        if cases is None:
            self.by_week[week] = [(case.oldest, case, case.stage)]
        else:
            cases.append((case.oldest, case, case.stage))

    def due(self, week: int) -> list[_Entry]:
        """Cases whose step can be done by the end of week ``week`` (some done since: their
        stage is no longer the one they waited at)."""
        while self.reached < week:
            self.reached += 1
            self.ready += self.by_week.pop(self.reached, ())
        return self.ready


class _Tally:
    """How many open cases are in a state (past 20 weeks, overdue) on a day, kept as how many
    begin and stop being in it on each day, so a week's count does not visit every case.
    ``recount`` keeps the overdue ones; ``add`` those past 20 weeks. Days are asked for in
    order (``on``): the changes up to the last day asked for are summed up as they come."""

    def __init__(self) -> None:
        self.today = 0  # the last day asked for, as an ordinal
        self.count = 0  # cases in the state on ``today``
        self.later: dict[int, int] = {}  # changes on the days after it

    def add(self, day: int, n: int) -> None:
        """``n`` more cases count from ``day`` on (fewer, if negative)."""
        if day > self.today:
            self.later[day] = self.later.get(day, 0) + n
        else:
            self.count += n

    def recount(self, case: SimCase) -> None:
        """The case's overdue days (``overdue_days``) after a change of its stage or dates."""
        old, new = case.counted, case.overdue_days()
        if new == old:
            return
        case.counted = new
        today, later = self.today, self.later
        if len(old) <= 1 >= len(new):  # most changes: one first day (or none) for another
            if old:
                if old[0] > today:
                    later[old[0]] -= 1
                else:
                    self.count -= 1
            if new:
                if new[0] > today:
                    later[new[0]] = later.get(new[0], 0) + 1
                else:
                    self.count += 1
            return
        for days, sign in ((old, -1), (new, 1)):  # old: its first days leave, its ends return
            for day in days:
                if day > today:
                    later[day] = later.get(day, 0) + sign
                else:
                    self.count += sign
                sign = -sign

    def on(self, day: date) -> int:
        """Cases in the state on ``day`` (no earlier than the last day asked for)."""
        today = self.today = day.toordinal()
        for d in [d for d in self.later if d <= today]:
            self.count += self.later.pop(d)
        return self.count


#: Lengths of 0 to 3,999 days, made once: a run adds a length to a date a million times, and
#: making a ``timedelta`` costs more than the addition.
_LENGTHS = tuple(timedelta(days=n) for n in range(4000))
_ONE_DAY = _LENGTHS[1]


def _length(days: int) -> timedelta:
    return _LENGTHS[days] if 0 <= days < len(_LENGTHS) else timedelta(days=days)


def _sampler(rng: random.Random, spread: tuple[float, float, float]) -> Callable[[], timedelta]:
    """Lead times from a spread of weeks [low, most likely, high], in whole days: triangular,
    ``rng.triangular(low, high, mode)`` with its steps written out and what does not change
    worked out once (a run samples a million)."""
    low, mode, high = spread
    if not high > low:
        fixed = _length(round(7 * low))
        return lambda: fixed
    width, c = high - low, (mode - low) / (high - low)
    back, rest = low - high, 1.0 - c
    uniform, sqrt, lengths = rng.random, math.sqrt, _LENGTHS

    def sample() -> timedelta:
        u = uniform()
        if u > c:  # from the high end
            days = round(7 * (high + back * sqrt((1.0 - u) * rest)))
        else:
            days = round(7 * (low + width * sqrt(u * c)))
        return lengths[days] if days < len(lengths) else timedelta(days=days)

    return sample


@lru_cache(maxsize=4096)
def _representations_close(served: date) -> date:
    """The last of the 15 days for representations on a draft served on ``served`` (reg 13(1))."""
    return days_beginning_with(served, rules.REPRESENTATION_DAYS)


class _Simulation:
    def __init__(self, scenario: Scenario, seed: int, keep_cases: bool) -> None:
        self.s = scenario
        self.seed = seed
        self.rng = random.Random(seed)  # the start state's ages and histories
        self.np = np.random.default_rng(seed)  # the start state's plans; plans ceasing
        # Requests, when they arrive and what each will be (``cf.Fate``): generators of their
        # own, so options compared meet the same requests on the same days, each with the same
        # lead times and decisions, whatever their capacity does to the other draws.
        self.demand = np.random.default_rng([seed, 1])
        self.arrivals = random.Random(f"arrivals {seed}")
        self.keep_cases = keep_cases
        self.weeks = weeks(scenario)
        t, c = scenario.timings, scenario.capacity
        self.decision_lead = _sampler(self.arrivals, t.decision.value)
        self.psychology_lead = _sampler(self.arrivals, t.psychology.value)
        self.other_lead = _sampler(self.arrivals, t.other_advice.value)
        self.drafting_lead = _sampler(self.arrivals, t.drafting.value)
        self.finalising_lead = _sampler(self.arrivals, t.finalising.value)
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
        self.start = scenario.scenario.start
        rates = scenario.exception_rates()
        missed = rates.pop(exc.Reason.MISSED_APPOINTMENT, None)
        self.missed = (
            None if missed is None else (missed.share, _sampler(self.arrivals, missed.weeks))
        )
        """Share of psychology appointments missed, and how long the delay lasts."""
        self.la_rates = [
            (reason, rate.share, _sampler(self.arrivals, rate.weeks))
            for reason, rate in sorted(rates.items())
        ]
        """Exceptions lifting the LA's limits: reason, share of cases, how long one lasts."""
        self.next_id = 1
        self.psychology = _Waiting(self.start)  # for psychology advice, from ``ep_ready``
        self.casework = _Waiting(self.start)  # for a caseworker's step, from ``ready``
        self.work: Queue = self.casework  # where a step waits (with teams: its team's queue)
        self.open = self.waiting = 0  # open cases; those waiting for psychology advice
        self.undone: dict[int, int] = {}  # the week's ready tasks not yet done, by step
        self.past = _Tally()  # open cases past 20 weeks
        self.overdue = _Tally()  # open cases past an operational target
        self.kept: list[SimCase] = []
        self.kept_reviews: list[ReviewsDone] = []
        self.book = ReviewBook()
        self.monthly: dict[tuple[int, int], Monthly] = {}
        self.series: dict[str, list[float]] = {k: [] for k in series_of(scenario)}
        self.events = 0
        self.issued = self.issued_in_time = 0
        self._set_up_withdrawals(seed)
        self._set_up_transfers(seed)
        closures = scenario.closure_rates()
        self.closures = Closures(closures, seed) if closures else None
        """School and early-years closures, when the scenario states them."""
        self._set_up_tribunal(seed)
        self._set_up_teams(seed)

    def _set_up_withdrawals(self, seed: int) -> None:
        """Withdrawals, when the scenario states them, from a generator of their own."""
        self.withdrawing: dict[int, list[tuple[SimCase, date]]] | None = None
        """Cases to be withdrawn, with the day, by the week of that day (None: no withdrawals)."""
        share, timing = self.s.decisions.share_withdrawn, self.s.timings.withdrawal
        if share is None:
            return
        assert timing is not None  # the model requires both
        self.withdrawals = random.Random(f"withdrawals {seed}")
        self.share_withdrawn = share.value
        self.withdrawal_lead = _sampler(self.withdrawals, timing.value)
        self.withdrawing = {}

    def _set_up_transfers(self, seed: int) -> None:
        """Phase transfers, when the scenario states them, each share from a generator of its
        own: stating the post-16 share leaves the school moves drawn as they were."""
        self.plans_due: Callable[[ReviewBook, date, int], None] = ReviewBook.add
        """Adds plans to a book by their next review's due date (with phase transfers, when
        the scenario states them)."""
        reviews = self.s.reviews
        self.with_transfers = reviews.states_transfers
        self.due_by_week: list[int] = []  # reviews falling due, by week (with transfers)
        if not self.with_transfers:
            return
        school, post16 = reviews.phase_transfer_share, reviews.post16_transfer_share
        self.transfer_share = school.value if school else 0.0
        self.transfers: np.random.Generator | None = None
        if school is not None:
            self.transfers = np.random.default_rng([seed, 18])  # 18: reg 18
        # Drawn only of the plans not drawn for a school move: scaled up to stay a share of
        # all plans.
        rest = 1 - self.transfer_share
        self.post16_share = post16.value / rest if post16 and rest > 0 else 0.0
        self.post16: np.random.Generator | None = None
        if post16 is not None:
            self.post16 = np.random.default_rng([seed, 18, 16])  # 16: post-16
        self.due_by_week = [0] * self.s.scenario.weeks
        self.plans_due = self._plans_due_with_transfers

    def _set_up_tribunal(self, seed: int) -> None:
        """Appeals and orders, when the scenario states them (``scenarios.tribunal``)."""
        self.tribunal: tb.Tribunal | None = None
        if self.s.tribunal is None:
            return
        self.tribunal = tb.Tribunal(
            self.s,
            seed,
            lambda book, on: self.plans_due(book or self.book, next_review_due(on), 1),
            self.keep_cases,
        )

    def _set_up_teams(self, seed: int) -> None:
        """Teams, when the scenario has them: each its own queue, book and hours."""
        self.teams: Teams[_Waiting] | None = None
        if not self.s.teams:
            return
        self.teams = Teams(self.s, seed, lambda: _Waiting(self.start), _Tally)
        self.work = self.teams  # a case's step waits in its team's queue

    # --- cases ---------------------------------------------------------------------------

    def _exceptions(self, received: date) -> tuple[rules.ExceptionSpan, ...]:
        """Exceptions lifting the LA's limits (reg 5(4), 10(4), 13(3); reg 2A), sampled."""
        spans: list[rules.ExceptionSpan] = []
        uniform = self.arrivals.random
        for reason, share, lasts in self.la_rates:
            if uniform() >= share:
                continue
            start = received + _length(self.arrivals.randint(0, EXCEPTION_START_DAYS))
            length = max(1, lasts().days)
            if reason is exc.Reason.ABSENCE_FROM_AREA:
                length = max(length, exc.MIN_CONTINUOUS_DAYS)
            if reason is exc.Reason.CORONAVIRUS:
                start = max(start, exc.CORONAVIRUS_FIRST_DAY)
                if start > exc.CORONAVIRUS_LAST_DAY:
                    continue
            end = start + _length(length - 1)
            if reason is exc.Reason.CORONAVIRUS:
                end = min(end, exc.CORONAVIRUS_LAST_DAY)
            period = exc.Period(start, end)
            exc.check_period(reason, period)
            spans.append(rules.ExceptionSpan(reason, period))
        return tuple(spans) if spans else ()

    def _new_case(self, received: date, team: int | None = None) -> SimCase:
        """A case received on ``received``; with teams, in ``team`` (None: drawn, a new request)."""
        case = SimCase(self.next_id, received, self._exceptions(received))
        case.oldest = case.final_due.toordinal() * _GROUP + case.id  # _key under oldest-first
        self.next_id += 1
        if self.teams is not None:
            self.teams.join(case, team)
        case.ready = received + self.decision_lead()
        case.fate = self._fate()
        self.work.add(case, case.ready)
        self.open += 1
        self.past.add(case.final_due.toordinal() + 1, 1)  # past 20 weeks after final_due
        self.overdue.recount(case)
        if self.keep_cases:
            self.kept.append(case)
        self.events += 1 + len(case.spans)
        if self.withdrawing is not None and self.withdrawals.random() < self.share_withdrawn:
            self._to_withdraw(case, received + self.withdrawal_lead())
        return case

    def _fate(self) -> cf.Fate:
        """What a request will be (``cf.Fate``), drawn as it arrives."""
        uniform = self.arrivals.random
        missed = 0
        if self.missed is not None and uniform() < self.missed[0]:
            missed = max(1, self.missed[1]().days)
        return cf.Fate(
            uniform() < self.share_assessed,
            uniform() < self.share_issued,
            self.psychology_lead(),
            self.other_lead(),
            self.drafting_lead(),
            self.finalising_lead(),
            missed,
        )

    def _to_withdraw(self, case: SimCase, day: date) -> None:
        """``case`` is withdrawn on ``day`` if still open then; a day before the start (a case
        of the start state) is not: the case was open at the start, so not withdrawn then."""
        if day < self.start:
            return
        week = (day - self.start).days // 7
        assert self.withdrawing is not None
        self.withdrawing.setdefault(week, []).append((case, day))

    def _withdraw(self, week: Week) -> int:
        """Close the cases withdrawn this week that are still open (a withdrawn request ends
        the duty to assess, whatever the stage); returns how many."""
        assert self.withdrawing is not None
        n = 0
        for case, day in self.withdrawing.pop(week.index, ()):
            if case.stage == cf.CLOSED:
                continue
            if case.stage == cf.ADVICE:
                self.waiting -= 1
            self._close(case, rules.Ending.WITHDRAWN, day)
            n += 1
        return n

    def _agree_to_assess(self, case: SimCase, on: date) -> None:
        """Decision to assess: psychology and other advice requested that day (reg 6(1))."""
        fate = case.fate
        assert fate is not None
        ep_ready = on + fate.psychology
        if fate.missed:
            delay = fate.missed
            period = exc.Period(ep_ready, ep_ready + _length(delay - 1))
            exc.check_period(exc.Reason.MISSED_APPOINTMENT, period)
            case.spans += (rules.ExceptionSpan(exc.Reason.MISSED_APPOINTMENT, period, 1),)
            ep_ready += _length(delay)
            self.events += 1
        case.request_advice(on)
        case.ep_ready = ep_ready
        case.other_done = self._other_advice_from(case, on) + fate.other_advice
        case.stage = cf.ADVICE
        self.psychology.add(case, ep_ready)
        self.overdue.recount(case)
        self.waiting += 1
        self.events += 3

    def _other_advice_from(self, case: SimCase, on: date) -> date:
        """The day the other advice's lead time counts from: the request's, or the day the
        school or early-years setting re-opens when a closure applies (``scenarios.closures``:
        reg 5(4)(a)-(b), 13(3)(a)-(b))."""
        reopens = None if self.closures is None else self.closures.at_request(case, on)
        if reopens is None:
            return on
        self.events += 1  # the exception recorded
        return reopens

    def _advice_in(self, case: SimCase, on: date) -> None:
        case.ep_done = on
        assert case.other_done is not None
        last = max(on, case.other_done)
        case.stage = cf.DRAFTING
        assert case.fate is not None
        case.ready = last + case.fate.drafting
        self.work.add(case, case.ready)
        self.overdue.recount(case)
        self.waiting -= 1
        self.events += 2

    def _serve_draft(self, case: SimCase, on: date) -> None:
        case.draft = on
        case.stage = cf.FINALISING
        close = _representations_close(on)
        assert case.fate is not None
        case.ready = close + _ONE_DAY + case.fate.finalising
        self.work.add(case, case.ready)
        self.events += 1  # overdue on the same days as when drafting: the final plan's target

    def _close(self, case: SimCase, ending: rules.Ending, on: date) -> None:
        case.stage = cf.CLOSED
        case.ending = ending
        case.closed_on = on
        self.open -= 1
        self.past.add(case.final_due.toordinal() + 1, -1)
        self.overdue.recount(case)
        self.events += 1
        team = None if self.teams is None else self.teams.close(case)
        if self.tribunal is not None:
            self.tribunal.decided(case.id, ending, on, None if team is None else team.book)
        if ending is not rules.Ending.PLAN_ISSUED:
            return
        within, within_excluding = cf.issued_in_time(case)  # = cf.outcome(case), faster
        month = self.monthly.get((on.year, on.month))
        if month is None:
            month = self.monthly[on.year, on.month] = Monthly()
        count_issued(month, within, within_excluding)
        self.issued += 1
        self.issued_in_time += within
        if team is not None:
            team.plan_issued(within, within_excluding)
        self.plans_due(self.book if team is None else team.book, next_review_due(on), 1)

    # --- plans in force --------------------------------------------------------------------

    def _plans_due_with_transfers(
        self, book: ReviewBook, due: date, count: int, earliest: date | None = None
    ) -> None:
        """``count`` plans of ``book`` whose next review falls due on ``due``, shares of them
        (drawn) for a phase transfer: a school move due by 15 February instead, one to post-16
        by 31 March (``transfer_review_due``), unless that is before ``earliest`` (the book
        keeps their 12-month date, ``due``, and the move). Counts the reviews falling due in
        each week."""
        school = 0
        if self.transfers is not None and count:
            school = int(self.transfers.binomial(count, self.transfer_share))
        post16 = 0
        if self.post16 is not None and count > school:
            post16 = int(self.post16.binomial(count - school, self.post16_share))
        moved: list[tuple[date, int, TransferKind]] = []
        for n, move in ((school, SCHOOL_MOVE), (post16, POST16_MOVE)):
            if not n:
                continue
            day = transfer_review_due(due, move)
            if day != due and (earliest is None or day >= earliest):
                moved.append((day, n, move))
                count -= n
        if count:
            book.add(due, count)
            self._falls_due(due, count)
        for day, n, move in moved:
            book.bring_forward(day, n, due, move)
            self._falls_due(day, n)

    def _falls_due(self, day: date, n: int) -> None:
        """Counts ``n`` reviews falling due on ``day`` in its week."""
        week = (day - self.start).days // 7
        if 0 <= week < len(self.due_by_week):
            self.due_by_week[week] += n

    # --- the start state ---------------------------------------------------------------------

    def _start_state(self) -> None:
        start = self.s.scenario.start
        yesterday = start - timedelta(days=1)
        for group in self.s.start_state.open_assessments:
            teams = (
                [None] * group.count
                if self.teams is None
                else self.teams.each(group.count, group.team)
            )
            for team in teams:
                age = self.rng.randint(7 * group.weeks[0], 7 * group.weeks[1] + 6)
                received = yesterday - timedelta(days=age)
                case = self._new_case(received, team)
                if group.stage is Stage.DECISION:
                    continue
                lead = self.decision_lead().days
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
            books = (
                [(self.book, offsets)]
                if self.teams is None
                else self.teams.share_out(plans.team, offsets)
            )
            for book, part in books:
                for offset, n in zip(*np.unique(part, return_counts=True), strict=True):
                    due = plans.due_from + timedelta(days=int(offset))
                    if self.with_transfers:  # a transfer's deadline not before the start
                        self._plans_due_with_transfers(book, due, int(n), earliest=start)
                    else:
                        book.add(due, int(n))

    # --- priority ------------------------------------------------------------------------------

    @staticmethod
    def _step_target(case: SimCase) -> date:
        if case.stage == cf.DECISION:
            return case.decide_target
        if case.stage == cf.ADVICE and case.advice_targets is not None:
            return case.advice_targets[0]
        return case.final_target

    def _order(self, policy: Policy, today: date) -> Callable[[_Entry], int] | None:
        """The sort key of ready cases under ``policy`` (None: as they stand, by ``oldest``)."""
        if policy is Policy.OLDEST_FIRST:
            return None
        return lambda entry: self._key(entry[1], policy, today)

    def _key(self, case: SimCase, policy: Policy, today: date) -> int:
        """The order of ``case`` under a deadline policy (oldest-first is ``case.oldest``)."""
        step = self._step_target(case)
        if policy is Policy.NEAREST_DEADLINE_FIRST or step >= today:
            # new-in-time-first: steps whose target has not passed first, nearest first
            return step.toordinal() * _GROUP + case.id
        return _GROUP * _GROUP + case.oldest  # ... then the overdue ones, oldest first

    def _ready(self, waiting: _Waiting, week: Week) -> list[_Entry]:
        """Cases whose step can be done this week, not paused by an exception on the day: a
        paused one waits again, from the day after the exception (reg 5(4), 10(4), 13(3)).
        The list is ``waiting.ready``: to sort, not to change."""
        kept = [
            entry
            for entry in waiting.due(week.index)
            # not done (moved on from the stage it waited at), and not paused
            if entry[1].stage == entry[2] and not (entry[1].pauses and self._paused(entry, week))
        ]
        waiting.ready = kept
        return kept

    def _paused(self, entry: _Entry, week: Week) -> bool:
        """Whether an exception runs on the day the case's step could be done this week; if
        so, the case waits again from the day after it."""
        _, case, stage = entry
        ready = case.ep_ready if stage == cf.ADVICE else case.ready
        assert ready is not None
        until = case.paused_until(max(ready, week.start))
        if until is None:
            return False
        ready = until + _ONE_DAY
        if stage == cf.ADVICE:
            case.ep_ready = ready
            self.psychology.add(case, ready)
        else:
            case.ready = ready
            self.work.add(case, ready)
        return True

    # --- the week's work -------------------------------------------------------------------------

    def _psychology(self, week: Week) -> None:
        """Psychology advice for the week: the cases seen go on to drafting."""
        ready = self._ready(self.psychology, week)
        seen: list[_Entry] = []
        outsourced = week.psychology_outsourced
        if outsourced:
            ready.sort(key=self._order(Policy.OLDEST_FIRST, week.start))
            seen += ready[:outsourced]
            ready = ready[outsourced:]
        ready.sort(key=self._order(week.policy, week.start))
        seen += ready[: week.psychology]
        for _, case, _ in seen:
            assert case.ep_ready is not None
            self._advice_in(case, max(case.ep_ready, week.start))

    def _shared_casework(self, tasks: list[_Entry], hours: float, week: Week) -> float:
        """Assessment hours shared among decisions, drafts and final plans in proportion to the
        hours of work ready for each (no step starves another), the priority policy ordering
        the cases within each; hours one step leaves go to the others, in priority order."""
        by_step: dict[int, list[_Entry]] = {}
        for task in tasks:
            by_step.setdefault(task[2], []).append(task)
        self.undone = {step: len(queue) for step, queue in by_step.items()}
        need = {step: len(queue) * self.hours[step] for step, queue in by_step.items()}
        total = sum(need.values())
        if total <= hours:
            return self._casework(tasks, hours, week)
        left = 0.0
        for step, queue in by_step.items():
            share = hours * need[step] / total
            left += self._casework(queue, share, week, one_step=True)
        return self._casework(tasks, left, week)

    def _casework(
        self, tasks: list[_Entry], hours: float, week: Week, one_step: bool = False
    ) -> float:
        """Do ready tasks in priority order while hours last; returns the hours left.

        A task that needs more hours than are left is passed over for smaller ones behind it
        (``one_step``: tasks of one step, none smaller); a task already done this week (its
        case has moved on) is skipped. Once the hours left are too few for any step with a
        task still to do, the rest of the list holds nothing to do.
        """
        undone = self.undone  # tasks of this week's list not yet done, by step
        floor = self._smallest_undone()
        task_hours, start = self.hours, week.start
        for _, case, stage in tasks:
            if hours < floor:
                break
            need = task_hours[stage]
            if need > hours:
                if one_step:
                    break
                continue
            if case.stage != stage:
                continue
            hours -= need
            undone[stage] -= 1
            if not undone[stage]:
                floor = self._smallest_undone()
            day = max(case.ready, start)
            fate = case.fate
            assert fate is not None
            if stage == cf.DECISION:
                if fate.assessed:
                    self._agree_to_assess(case, day)
                else:
                    self._close(case, rules.Ending.NOT_ASSESSED, day)
            elif stage == cf.DRAFTING:
                if fate.issued:
                    self._serve_draft(case, day)
                else:
                    self._close(case, rules.Ending.NOT_ISSUED, day)
            else:
                self._close(case, rules.Ending.PLAN_ISSUED, day)
        return hours

    def _smallest_undone(self) -> float:
        """The hours of the smallest task of a step with some still to do this week."""
        return min((self.hours[s] for s, n in self.undone.items() if n), default=math.inf)

    def _reviews(
        self, week: Week, hours: float, book: ReviewBook, outsourced: int
    ) -> tuple[float, int, int]:
        done = book.take(outsourced, week.start, week.end, self.lead_days, Policy.OLDEST_FIRST)
        limit = int(hours // self.review_hours) if self.review_hours > 0 else book.plans
        inhouse = book.take(limit, week.start, week.end, self.lead_days, week.policy)
        hours -= sum(r.count for r in inhouse) * self.review_hours
        total = in_time = 0
        if self.keep_cases:
            self.kept_reviews += done + inhouse
        for r in done + inhouse:
            total += r.count
            in_time += r.count if r.in_time else 0
            staying = r.count - int(self.np.binomial(r.count, self.ceasing))
            self.plans_due(book, next_review_due(r.concluded), staying)
        self.events += total
        return max(0.0, hours), total, in_time

    def _week(self, week: Week) -> None:
        self.issued = self.issued_in_time = 0
        n = int(self.demand.poisson(week.requests_expected))
        for offset in sorted(self.arrivals.randint(0, 6) for _ in range(n)):
            self._new_case(week.start + _LENGTHS[offset])
        if self.withdrawing is not None:
            self.series[WITHDRAWN].append(self._withdraw(week))
        council_hours = week.statutory_hours
        if self.tribunal is not None:  # orders first: their psychology and casework
            week = self.tribunal.work(week)
        self._psychology(week)
        if self.teams is None:
            left, reviews, reviews_in_time = self._caseworkers(
                week, self.casework, self.book, week.statutory_hours, week.reviews_outsourced
            )
        else:
            taken = council_hours - week.statutory_hours  # by the Tribunal's orders
            left, reviews, reviews_in_time = self.teams.week(week, self._caseworkers, taken)
        self._count(week, n, reviews, reviews_in_time, left)
        if self.tribunal is not None:
            self.tribunal.count(week)

    def _caseworkers(
        self, week: Week, work: _Waiting, book: ReviewBook, hours: float, outsourced: int
    ) -> tuple[float, int, int]:
        """The week's casework (from ``work``) and annual reviews (from ``book``, with
        ``outsourced`` more) in ``hours``: hours left, reviews held, and held in time."""
        tasks = self._ready(work, week)  # a task done moves its case on from its stage
        tasks.sort(key=self._order(week.policy, week.start))
        review_hours = hours * self.review_share
        left = self._shared_casework(tasks, hours - review_hours, week)
        left, reviews, reviews_in_time = self._reviews(week, review_hours + left, book, outsourced)
        left = self._casework(tasks, left, week)
        return left, reviews, reviews_in_time

    def _count(
        self, week: Week, requests: int, reviews: int, reviews_in_time: int, left: float
    ) -> None:
        as_of = week.end
        past = self.past.on(as_of)
        overdue = self.overdue.on(as_of)
        if self.teams is None:
            plans, backlog = self.book.plans, self.book.overdue(as_of)
        else:
            plans, backlog = self.teams.count(week)  # each team's series; the council's: sums
        s = self.series
        s["requests"].append(requests)
        s["open_assessments"].append(self.open)
        s["past_20_weeks"].append(past)
        s["overdue"].append(overdue)
        s["psychology_waiting"].append(self.waiting)
        s["plans_issued"].append(self.issued)
        s["plans_issued_in_time"].append(self.issued_in_time)
        s["plans_in_force"].append(plans)
        s["review_backlog"].append(backlog)
        s["reviews_done"].append(reviews)
        s["reviews_in_time"].append(reviews_in_time)
        s["caseworkers"].append(week.caseworkers)
        s["caseload_per_caseworker"].append(
            (plans + self.open) / week.caseworkers if week.caseworkers else float("nan")
        )
        s["hours_unused"].append(round(left, 6))  # no 4.5e-14 left over from sums

    def run(self) -> Run:
        self._start_state()
        for week in self.weeks:
            self._week(week)
        if REVIEWS_DUE in self.series:
            self.series[REVIEWS_DUE] = [float(n) for n in self.due_by_week]
        if self.tribunal is not None:
            self.series.update(self.tribunal.weekly())
        return Run(
            seed=self.seed,
            weekly=self.series,
            monthly=self.monthly,
            events=self.events,
            cases=self.kept,
            reviews=self.kept_reviews,
            appeals=self.tribunal.appeals if self.tribunal is not None else [],
            teams={} if self.teams is None else self.teams.runs(),
        )


def simulate(scenario: Scenario, seed: int = 0, *, keep_cases: bool = False) -> Run:
    """One replication of ``scenario``, reproducible from ``seed``."""
    with _no_cycle_collection():
        return _Simulation(scenario, seed, keep_cases).run()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused: a run keeps hundreds of thousands of cases and
    makes no cycles, and the collector would scan them all again and again (a third of the
    run's time). Memory is still freed as usual, by reference counting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
