"""What is overdue, or about to be, across every kind of case.

Each open case workflow has its earliest open statutory step, listed under a name
(``EhcNextStep``), and that step's operational target. "Overdue" is a target before today;
"due within 14 days", a target before today + 14 days. One line is one step: an assessment's
own next step, or one request for advice (each is a workflow of kind ``advice`` with its own
clock, reg 8(1)), or a plan's review, or a duty clock's next step (a re-assessment, a Tribunal
order, a transfer in or out, an appeal: kinds named after their process). The regulation of each step comes from the rules
(``statutory.catalogue``).

Two sources give the same lines: the read model (``ehc.read_model``, written by the
workflows as each case changes; the default), and Temporal visibility (the search attributes,
``EhcNextDeadline < now``; eventually consistent). The report says which it read, and when.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Protocol, TypedDict, TypeVar, Unpack

from pydantic import BaseModel

from ehc.text import day
from statutory import assessment, review
from statutory.catalogue import StepInfo, describe
from statutory.clock_processes import CLOCKS
from statutory.clocks import ClockProcess
from statutory.errors import RuleViolation
from statutory.process import is_advice_request
from statutory.read_model import ListedCase

if TYPE_CHECKING:
    from temporalio.client import Client

    from activities.directory import Directory
    from ehc.read_model import ReadModel

KINDS = ("assessment", "review", "advice", *CLOCKS)
"""Kinds of case workflow (``EhcKind``); advice requests become workflows of their own, and
each duty clock (re-assessment, Tribunal order, transfer in or out, appeal) is its process."""
ADVICE_STAGES = ("awaiting-advice", "received")  # workflows/advice.py


def clock_stages(process: ClockProcess) -> tuple[str, ...]:
    """A duty clock's stages: its next step's id, or open or closed (``statutory.clocks.stage``)."""
    steps = tuple(d.step.id.value for d in process.deadlines if d.step is not None)
    return (*dict.fromkeys(steps), "open", "closed")


STAGES_BY_KIND: dict[str, tuple[str, ...]] = {
    "assessment": tuple(assessment.Stage),
    "review": tuple(review.Stage),
    "advice": ADVICE_STAGES,
    **{name: clock_stages(process) for name, process in CLOCKS.items()},
}
STAGES = tuple(dict.fromkeys(s for kind in KINDS for s in STAGES_BY_KIND[kind]))
FRESHNESS = (
    "visibility is eventually consistent: an event recorded in the last few seconds may not "
    "show yet"
)
READ_MODEL_FRESHNESS = (
    "each case writes its changes there as they happen, so an event shows within a second or "
    "two of being recorded"
)
READ_MODEL_EMPTY = (
    "it holds no case yet: each case writes itself there when it next changes, and "
    "`ehc db reconcile` fills it at once from the cases Temporal holds"
)
_WITHIN = re.compile(r"^(\d{1,4})([dw]?)$")


def parse_within(text: str) -> int:
    """``14d``, ``2w`` or ``14`` -> days."""
    found = _WITHIN.match(text.strip().lower())
    if not found:
        raise RuleViolation(f"--within: '{text}' is not a number of days or weeks (e.g. 14d, 2w)")
    return int(found[1]) * (7 if found[2] == "w" else 1)


class OverdueLine(BaseModel):
    kind: str
    case_ref: str
    stage: str
    step: str
    label: str
    regulation: str
    statutory: bool
    deadline: date
    """The step's operational target (its statutory date, paused by any exception)."""
    days_overdue: int
    """Days past ``deadline`` (negative: due in that many days)."""
    caseworker: str
    team: str


class OverdueTotals(BaseModel):
    """Lines are steps; a case with a late step of its own and a late advice has two."""

    overdue_steps: int
    overdue_cases: int
    due_soon_steps: int
    """Not overdue yet, due within ``within_days``."""
    due_soon_cases: int


class OverdueReport(BaseModel):
    read_at: datetime
    query_seconds: float
    within_days: int
    kinds: list[str]
    freshness: str
    totals: OverdueTotals
    lines: list[OverdueLine]


def totals(lines: Sequence[OverdueLine]) -> OverdueTotals:
    late = [x for x in lines if x.days_overdue > 0]
    soon = [x for x in lines if x.days_overdue <= 0]
    return OverdueTotals(
        overdue_steps=len(late),
        overdue_cases=len({x.case_ref for x in late}),
        due_soon_steps=len(soon),
        due_soon_cases=len({x.case_ref for x in soon}),
    )


class Listed(ListedCase, Protocol):
    """An open case as a source lists it, with its stage."""

    @property
    def stage(self) -> str: ...


L = TypeVar("L", bound=Listed)


def listed_once(found: Iterable[tuple[str, L]]) -> list[tuple[str, L]]:
    """Leave out an assessment whose published step is one of its requests for advice when
    that request's own workflow is listed too: the same late advice, counted once.

    Assessments publish only their own steps (``statutory.assessment.own_next_deadline``); this
    guard keeps the count right for a case whose search attributes say otherwise (a workflow
    reconciled from another system, or a cluster shared with an older worker).
    """
    pairs = list(found)
    advised = {c.case_ref for kind, c in pairs if kind == "advice"}
    return [
        (kind, c) for kind, c in pairs if not listed_twice(kind, c.case_ref, c.next_step, advised)
    ]


def listed_twice(kind: str, case_ref: str, next_step: str | None, advised: set[str]) -> bool:
    """``listed_once``'s rule: an assessment whose step is a request for advice, when a case
    in ``advised`` (those with an advice workflow listed) is its own."""
    return kind == "assessment" and case_ref in advised and is_advice_request(next_step or "")


@lru_cache(maxsize=1024)
def _described(step: str, kind: str) -> StepInfo | None:
    # A list of thousands of lines names a few dozen steps.
    return describe(step, kind)


def line(kind: str, case: Listed, today: date) -> OverdueLine:
    return line_of(
        kind,
        case.case_ref,
        case.stage,
        case.next_step,
        case.next_deadline,
        case.caseworker,
        case.team,
        today,
    )


def line_of(
    kind: str,
    case_ref: str,
    stage: str,
    next_step: str | None,
    next_deadline: date | None,
    caseworker: str,
    team: str,
    today: date,
    own: tuple[str, str, bool] | None = None,
) -> OverdueLine:
    """One case's line: its next step, that step's label, regulation and kind (``own``: as
    the case itself described it, else from the rules' catalogue), its target."""
    step = next_step or ""
    info = _described(step, kind)
    if own is None:
        own = (info.label, info.regulation, info.statutory) if info else (step, "", True)
    deadline = next_deadline or today
    return OverdueLine(
        kind=kind,
        case_ref=case_ref,
        stage=stage,
        step=step,
        label=own[0],
        regulation=own[1],
        statutory=own[2],
        deadline=deadline,
        days_overdue=(today - deadline).days,
        caseworker=caseworker,
        team=team,
    )


def in_order(lines: list[OverdueLine]) -> list[OverdueLine]:
    """Most overdue first (the earliest target), then by case reference and kind."""
    lines.sort(key=lambda x: (x.deadline, x.case_ref, x.kind))
    return lines


def lines_of(found: Iterable[tuple[str, Listed]], today: date) -> list[OverdueLine]:
    """The overdue lines of what a source listed, each step once, most overdue first."""
    return in_order([line(kind, c, today) for kind, c in listed_once(found)])


def check_filters(kinds: Sequence[str], stage: str | None) -> None:
    """Refuse an unknown kind, or a stage the chosen kinds do not have (``RuleViolation``)."""
    for kind in kinds:
        if kind not in KINDS:
            raise RuleViolation(f"--kind: unknown kind '{kind}' (known: {', '.join(KINDS)})")
    stages = tuple(dict.fromkeys(s for kind in kinds for s in STAGES_BY_KIND[kind]))
    if stage is not None and stage not in stages:
        raise RuleViolation(f"--stage: unknown stage '{stage}' (known: {', '.join(stages)})")


class OverdueFilters(TypedDict, total=False):
    """What ``read_model_report`` and ``overdue_report`` may be asked; each is optional."""

    now: datetime | None
    """The moment the report is for (default: now)."""
    within_days: int
    """Also the steps due within this many days (default 0: overdue only)."""
    kinds: Sequence[str]
    """Default: every kind (``KINDS``)."""
    team: str | None
    caseworker: str | None
    stage: str | None
    directory: Directory | None
    """Names teams and caseworkers that no case names yet (known, so not refused)."""
    own_caseworker: bool
    """The caseworker is the one asking (an API token's staff id), known even with no case."""


class _Source(Protocol):
    """Where a report's lines are read: the read model, or Temporal visibility."""

    name: ClassVar[str]

    async def lines(self, now: datetime, asked: OverdueFilters) -> list[OverdueLine]:
        """The lines for ``asked`` (its filters, defaults filled in), most overdue first."""

    async def require_known(
        self, team: str | None, caseworker: str | None, directory: Directory | None
    ) -> None:
        """Refuse (``RuleViolation``) a team or caseworker no case and not ``directory`` names."""

    async def freshness(self, lines: list[OverdueLine]) -> str:
        """How current what was read is, as a clause for the report's ``freshness``."""


async def _report(source: _Source, filters: OverdueFilters) -> OverdueReport:
    """The lines ``source`` reads for ``filters``, checked, timed and counted."""
    kinds = filters.get("kinds", KINDS)
    check_filters(kinds, filters.get("stage"))
    now = filters.get("now") or datetime.now(UTC)
    within_days = filters.get("within_days", 0)
    started = time.perf_counter()
    lines = await source.lines(now, {**filters, "within_days": within_days, "kinds": kinds})
    took = time.perf_counter() - started
    team = filters.get("team")
    asked = None if filters.get("own_caseworker", False) else filters.get("caseworker")
    if not lines and (team is not None or asked is not None):
        await source.require_known(team, asked, filters.get("directory"))
    freshness = await source.freshness(lines)
    return OverdueReport(
        read_at=now,
        query_seconds=round(took, 3),
        within_days=within_days,
        kinds=list(kinds),
        freshness=(
            f"Read from {source.name} at {day(now.date())} {now:%H:%M:%S} UTC in {took:.2f} s; "
            f"{freshness}."
        ),
        totals=totals(lines),
        lines=lines,
    )


@dataclass(frozen=True)
class _ReadModelSource:
    read_model: ReadModel
    name: ClassVar[str] = "the read model"

    async def lines(self, now: datetime, asked: OverdueFilters) -> list[OverdueLine]:
        return await asyncio.to_thread(
            self.read_model.overdue,
            today=now.astimezone(UTC).date(),
            within_days=asked["within_days"],
            kinds=asked["kinds"],
            team=asked.get("team"),
            caseworker=asked.get("caseworker"),
            stage=asked.get("stage"),
        )

    async def require_known(
        self, team: str | None, caseworker: str | None, directory: Directory | None
    ) -> None:
        await require_known_in(
            self.read_model, team=team, caseworker=caseworker, directory=directory
        )

    async def freshness(self, lines: list[OverdueLine]) -> str:
        empty = not lines and not await asyncio.to_thread(self.read_model.holds_any)
        return READ_MODEL_EMPTY if empty else READ_MODEL_FRESHNESS


@dataclass(frozen=True)
class _VisibilitySource:
    client: Client
    name: ClassVar[str] = "Temporal visibility"

    async def lines(self, now: datetime, asked: OverdueFilters) -> list[OverdueLine]:
        # Temporal's client: imported here so that ``ehc overdue --help`` does not load it.
        from ehc.cases import list_cases

        kinds = asked["kinds"]
        found = await asyncio.gather(
            *(
                list_cases(
                    self.client,
                    kind,
                    due_by=now + timedelta(days=asked["within_days"]),
                    team=asked.get("team"),
                    caseworker=asked.get("caseworker"),
                    stage=asked.get("stage"),
                )
                for kind in kinds
            )
        )
        today = now.astimezone(UTC).date()
        return lines_of(
            ((kind, c) for kind, cases in zip(kinds, found, strict=True) for c in cases), today
        )

    async def require_known(
        self, team: str | None, caseworker: str | None, directory: Directory | None
    ) -> None:
        from ehc.known import require_filters_known

        await require_filters_known(
            self.client, team=team, caseworker=caseworker, directory=directory
        )

    async def freshness(self, lines: list[OverdueLine]) -> str:
        return FRESHNESS


async def read_model_report(
    read_model: ReadModel, **filters: Unpack[OverdueFilters]
) -> OverdueReport:
    """``overdue_report``'s answer from the read model: the same lines, without Temporal.

    A team or caseworker no case in the read model (open or closed) and not ``directory``
    names is refused, listing those on open cases and in the directory.
    """
    return await _report(_ReadModelSource(read_model), filters)


async def require_known_in(
    read_model: ReadModel,
    *,
    team: str | None = None,
    caseworker: str | None = None,
    directory: Directory | None = None,
) -> None:
    """Refuse (``RuleViolation``) a team or caseworker that no case in the read model, open or
    closed, and not ``directory`` names; the error lists those on open cases and in the
    directory (``ehc.known``)."""
    from ehc.known import What, in_directory, require_known

    asked: list[tuple[What, str | None]] = [("team", team), ("caseworker", caseworker)]
    for what, value in asked:
        if value is None:
            continue
        names = read_model.teams if what == "team" else read_model.caseworkers
        if value in await asyncio.to_thread(names):
            continue
        on_open = set(await asyncio.to_thread(names, open_only=True))
        await require_known(what, value, client=None, also=on_open | in_directory(directory, what))


async def overdue_report(client: Client, **filters: Unpack[OverdueFilters]) -> OverdueReport:
    """Open steps whose statutory target has passed (or falls within ``within_days``), most
    overdue first, from Temporal visibility: each case's own next step, each request for
    advice, each plan's review.

    A team or caseworker that no case (and not ``directory``) names is refused, as is a stage
    the chosen kinds do not have (see ``ehc.known``). ``own_caseworker``: the caseworker is
    the one asking (an API token's staff id), known even with no case yet.
    """
    return await _report(_VisibilitySource(client), filters)
