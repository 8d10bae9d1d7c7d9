"""Area teams: a council's caseworkers split into teams, each carrying only its own cases.

A council's SEND service is often split into area teams (north, south, ...). With ``[[teams]]``
in the scenario file, each team has its own caseworkers (its ``caseworkers``, and the
``[[capacity.changes]]`` that name it), so its own hours each week, its own queue of casework
(decisions, drafts, final plans) and its own book of annual reviews. Hours one team leaves
unused are not lent to another: a team with more cases than hours falls behind while another
has hours to spare, which the council's pooled figures hide. The educational psychology service
stays one county-wide queue shared by every team: its capacity is stated for the council, and
its psychologists see the children in the order the priority policy sets, whatever the team.

A new request reaches a team by a draw (``share_of_requests``) from a generator of its own, made
only when the scenario has two teams or more: a scenario without teams draws exactly what it
drew before, and one team holding everything gives the same run as no teams. A start-state
group goes to the team it names, or is split between the teams by their shares of requests
(largest remainders: 100 cases at 0.55 and 0.45 are 55 and 45); the cases and plans keep the
random draws they would have without teams, and are dealt out in the order they are made.

The engine (``scenarios.engine``) counts the council's series as ever and, with teams, has each
team's casework and reviews done here with that team's hours; each team's weekly series
(``scenarios.series.TEAM_SERIES``) and the plans it issued make its ``TeamRun``.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from scenarios.calendar import Week, applies, period_weeks, spread
from scenarios.casefile import SimCase
from scenarios.issued import count_issued
from scenarios.model import Scenario
from scenarios.reviews import ReviewBook
from scenarios.series import TEAM_SERIES
from statutory.dates import weeks_after


class Queue(Protocol):
    """Where a case waits for its next caseworker step (``engine._Waiting``)."""

    def add(self, case: SimCase, day: date) -> None: ...


class Tally(Protocol):
    """A count of open cases kept by the days they join and leave it (``engine._Tally``)."""

    def add(self, day: int, n: int) -> None: ...

    def on(self, day: date) -> int: ...


Q = TypeVar("Q", bound=Queue)

#: A team's casework and reviews in a week: (the week, its queue, its book, its hours, its
#: reviews outsourced) -> (hours left, reviews held, reviews held by their due date).
Work = Callable[[Week, Q, ReviewBook, float, int], tuple[float, int, int]]


@dataclass(slots=True)
class TeamRun:
    """One team's part of a replication: its weekly series (``TEAM_SERIES``), and the plans it
    issued over the run, counted as the national return counts them (``issued.count_issued``)."""

    weekly: dict[str, list[float]]
    issued: int = 0
    within_20_weeks: int = 0
    counted_excluding_exceptions: int = 0
    within_20_weeks_excluding_exceptions: int = 0


@dataclass(frozen=True, slots=True)
class Capacity:
    """One team's capacity week by week."""

    caseworkers: list[float]
    reviews_outsourced: list[int]


def capacity(scenario: Scenario) -> list[Capacity]:
    """Each team's caseworkers and reviews outsourced, week by week: its own, with the dated
    changes that name it, in force as ``scenarios.calendar`` applies them (never below none)."""
    info, changes = scenario.scenario, scenario.capacity.changes
    out = []
    for team in scenario.teams:
        caseworkers: list[float] = []
        outsourced: list[int] = []
        mine = [c for c in changes if c.team == team.name]
        for w in range(info.weeks):
            start = weeks_after(info.start, w)
            staff, reviews = team.caseworkers.value, 0
            for change in mine:
                if applies(change.start, change.end, start):
                    staff += change.caseworkers
                if change.end is not None and change.reviews_outsourced:
                    first, n = period_weeks(change, info.start)
                    reviews += spread(change.reviews_outsourced, n, (start - first).days // 7)
            caseworkers.append(max(0.0, staff))
            outsourced.append(reviews)
        out.append(Capacity(caseworkers, outsourced))
    return out


@dataclass(slots=True, eq=False)
class Desk(Generic[Q]):
    """One team as a run keeps it: its queue of casework, its book of reviews, its open cases
    and those past 20 weeks, its hours week by week, and this week's counts."""

    name: str
    work: Q
    past: Tally
    caseworkers: list[float]
    hours: list[float]
    reviews_outsourced: list[int]
    run: TeamRun
    book: ReviewBook = field(default_factory=ReviewBook)
    open: int = 0
    requests: int = 0
    issued: int = 0
    issued_in_time: int = 0
    reviews: int = 0
    reviews_in_time: int = 0
    left: float = 0.0

    def plan_issued(self, within: bool, within_excluding: bool | None) -> None:
        """A plan of the team's issued: within 20 weeks, and so excluding exceptions (None: an
        exception applied, so it is not counted there), as ``casefile.issued_in_time`` says."""
        self.issued += 1
        self.issued_in_time += within
        count_issued(self.run, within, within_excluding)


class Teams(Generic[Q]):
    """The teams of one replication, and which team each case belongs to.

    It is also where a case's next caseworker step waits (``add``: in its team's queue), and
    gives the council's plans in force and reviews overdue (``count``) as the sum of the
    teams'."""

    def __init__(
        self, scenario: Scenario, seed: int, queue: Callable[[], Q], tally: Callable[[], Tally]
    ) -> None:
        cap = scenario.capacity
        each = cap.hours_per_week.value * cap.statutory_share.value  # as ``calendar.weeks``
        self.desks: list[Desk[Q]] = [
            Desk(
                team.name,
                queue(),
                tally(),
                found.caseworkers,
                [n * each for n in found.caseworkers],
                found.reviews_outsourced,
                TeamRun({name: [] for name in TEAM_SERIES}),
            )
            for team, found in zip(scenario.teams, capacity(scenario), strict=True)
        ]
        self.shares = [team.share_of_requests.value for team in scenario.teams]
        self.bounds = list(accumulate(self.shares))[:-1]
        """A draw below ``bounds[i]`` (and not below the one before) goes to team ``i``; at or
        above the last, to the last team."""
        self.draws = random.Random(f"teams {seed}") if len(self.desks) > 1 else None
        self.of: list[int] = [-1]
        """Each case's team, by case id (ids count from 1, one case after another)."""

    # --- cases ---------------------------------------------------------------------------

    def join(self, case: SimCase, team: int | None) -> None:
        """``case``, just made, joins ``team`` (a case of the start state), or, a new request,
        the team a draw gives it."""
        if team is None:
            team = 0 if self.draws is None else bisect_right(self.bounds, self.draws.random())
            self.desks[team].requests += 1
        assert case.id == len(self.of), "cases join in the order they are made"
        self.of.append(team)
        desk = self.desks[team]
        desk.open += 1
        desk.past.add(case.final_due.toordinal() + 1, 1)  # past 20 weeks after final_due

    def add(self, case: SimCase, day: date) -> None:
        """``case`` waits for its next caseworker step from ``day`` in its team's queue."""
        self.desks[self.of[case.id]].work.add(case, day)

    def close(self, case: SimCase) -> Desk[Q]:
        """``case`` closes: its team has one open case fewer; returns the team."""
        desk = self.desks[self.of[case.id]]
        desk.open -= 1
        desk.past.add(case.final_due.toordinal() + 1, -1)
        return desk

    def counts(self, count: int, team: str | None) -> list[int]:
        """How many of a start-state group of ``count`` each team holds: all, for the team it
        names; else shared by shares of requests, the largest remainders rounded up (ties in
        the teams' order)."""
        if team is not None:
            return [count if desk.name == team else 0 for desk in self.desks]
        exact = [count * share for share in self.shares]
        whole = [math.floor(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: whole[i] - exact[i])
        for i in by_remainder[: max(0, count - sum(whole))]:
            whole[i] += 1
        return whole

    def each(self, count: int, team: str | None) -> list[int]:
        """The team of each case of a start-state group, in the order they are made."""
        return [i for i, n in enumerate(self.counts(count, team)) for _ in range(n)]

    def share_out(
        self, team: str | None, offsets: np.ndarray[Any, Any]
    ) -> list[tuple[ReviewBook, Any]]:
        """A start-state group of plans (their due days, drawn) dealt out to the teams' books."""
        out, first = [], 0
        for desk, n in zip(self.desks, self.counts(len(offsets), team), strict=True):
            out.append((desk.book, offsets[first : first + n]))
            first += n
        return out

    # --- the week ----------------------------------------------------------------------------

    def week(self, week: Week, work: Work[Q], taken: float = 0.0) -> tuple[float, int, int]:
        """Each team's casework and reviews with its own hours (none lent to another team),
        less its part of the ``taken`` hours (complying with the Tribunal's orders, shared in
        proportion to the teams' hours); the council's hours left, reviews held, and those
        held by their due date."""
        left, reviews, in_time = 0.0, 0, 0
        i = week.index
        total = sum(desk.hours[i] for desk in self.desks)
        for desk in self.desks:
            hours = desk.hours[i]
            if taken and total:
                hours -= taken * hours / total
            desk.left, desk.reviews, desk.reviews_in_time = work(
                week, desk.work, desk.book, hours, desk.reviews_outsourced[i]
            )
            left += desk.left
            reviews += desk.reviews
            in_time += desk.reviews_in_time
        return left, reviews, in_time

    def count(self, week: Week) -> tuple[int, int]:
        """Each team's weekly series, at the end of ``week``; its week's counts start again.
        Returns the council's plans in force and reviews overdue: every team's."""
        as_of, i = week.end, week.index
        all_plans = all_overdue = 0
        for desk in self.desks:
            s = desk.run.weekly
            plans, caseworkers = desk.book.plans, desk.caseworkers[i]
            overdue = desk.book.overdue(as_of)
            all_plans += plans
            all_overdue += overdue
            s["requests"].append(desk.requests)
            s["open_assessments"].append(desk.open)
            s["past_20_weeks"].append(desk.past.on(as_of))
            s["plans_issued"].append(desk.issued)
            s["plans_issued_in_time"].append(desk.issued_in_time)
            s["plans_in_force"].append(plans)
            s["review_backlog"].append(overdue)
            s["reviews_done"].append(desk.reviews)
            s["reviews_in_time"].append(desk.reviews_in_time)
            s["caseworkers"].append(caseworkers)
            s["caseload_per_caseworker"].append(
                (plans + desk.open) / caseworkers if caseworkers else float("nan")
            )
            s["hours_unused"].append(round(desk.left, 6))
            desk.requests = desk.issued = desk.issued_in_time = 0
        return all_plans, all_overdue

    def runs(self) -> dict[str, TeamRun]:
        return {desk.name: desk.run for desk in self.desks}
