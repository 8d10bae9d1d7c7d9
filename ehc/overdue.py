"""What is overdue, or about to be, across every kind of case: a Temporal visibility query.

Each open case workflow publishes its earliest open statutory step (``EhcNextStep``) and that
step's operational target as the end of its day (``EhcNextDeadline``), so "overdue" is
``EhcNextDeadline < now`` and "due within 14 days" is ``EhcNextDeadline < now + 14 days``.
One line is one step: an assessment's own next step, or one request for advice (each is a
workflow of kind ``advice`` with its own clock, reg 8(1)), or a plan's review. The regulation
of each step comes from the rules (``statutory.catalogue``). Visibility is eventually
consistent: the report says when it was read.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ehc.text import day
from statutory import assessment, review
from statutory.catalogue import describe
from statutory.errors import RuleViolation
from statutory.process import is_advice_request

if TYPE_CHECKING:
    from temporalio.client import Client

    from activities.directory import Directory
    from ehc.cases import CaseSummary

KINDS = ("assessment", "review", "advice")
"""Kinds of case workflow (``EhcKind``); advice requests become workflows of their own."""
ADVICE_STAGES = ("awaiting-advice", "received")  # workflows/advice.py
STAGES_BY_KIND: dict[str, tuple[str, ...]] = {
    "assessment": tuple(assessment.Stage),
    "review": tuple(review.Stage),
    "advice": ADVICE_STAGES,
}
STAGES = tuple(dict.fromkeys(s for kind in KINDS for s in STAGES_BY_KIND[kind]))
FRESHNESS = (
    "visibility is eventually consistent: an event recorded in the last few seconds may not "
    "show yet"
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


def listed_once(found: Iterable[tuple[str, CaseSummary]]) -> list[tuple[str, CaseSummary]]:
    """Leave out an assessment whose published step is one of its requests for advice when
    that request's own workflow is listed too: the same late advice, counted once.

    Assessments publish only their own steps (``statutory.assessment.own_next_deadline``); this
    guard keeps the count right for a case whose search attributes say otherwise (a workflow
    reconciled from another system, or a cluster shared with an older worker).
    """
    pairs = list(found)
    advised = {c.case_ref for kind, c in pairs if kind == "advice"}
    return [
        (kind, c)
        for kind, c in pairs
        if not (
            kind == "assessment" and c.case_ref in advised and is_advice_request(c.next_step or "")
        )
    ]


def line(kind: str, case: CaseSummary, today: date) -> OverdueLine:
    step = case.next_step or ""
    info = describe(step, kind)
    deadline = case.next_deadline or today
    return OverdueLine(
        kind=kind,
        case_ref=case.case_ref,
        stage=case.stage,
        step=step,
        label=info.label if info else step,
        regulation=info.regulation if info else "",
        statutory=info.statutory if info else True,
        deadline=deadline,
        days_overdue=(today - deadline).days,
        caseworker=case.caseworker,
        team=case.team,
    )


async def overdue_report(
    client: Client,
    *,
    now: datetime | None = None,
    within_days: int = 0,
    kinds: Sequence[str] = KINDS,
    team: str | None = None,
    caseworker: str | None = None,
    stage: str | None = None,
    directory: Directory | None = None,
    own_caseworker: bool = False,
) -> OverdueReport:
    """Open steps whose statutory target has passed (or falls within ``within_days``), most
    overdue first: each case's own next step, each request for advice, each plan's review.

    A team or caseworker that no case (and not ``directory``) names is refused, as is a stage
    the chosen kinds do not have (see ``ehc.known``). ``own_caseworker``: the caseworker is
    the one asking (an API token's staff id), known even with no case yet.
    """
    # Temporal's client: imported here so that ``ehc overdue --help`` does not load it.
    from ehc.cases import list_cases
    from ehc.known import require_filters_known

    for kind in kinds:
        if kind not in KINDS:
            raise RuleViolation(f"--kind: unknown kind '{kind}' (known: {', '.join(KINDS)})")
    stages = tuple(dict.fromkeys(s for kind in kinds for s in STAGES_BY_KIND[kind]))
    if stage is not None and stage not in stages:
        raise RuleViolation(f"--stage: unknown stage '{stage}' (known: {', '.join(stages)})")
    now = now or datetime.now(UTC)
    started = time.perf_counter()
    found = await asyncio.gather(
        *(
            list_cases(
                client,
                kind,
                due_by=now + timedelta(days=within_days),
                team=team,
                caseworker=caseworker,
                stage=stage,
            )
            for kind in kinds
        )
    )
    took = time.perf_counter() - started
    asked = None if own_caseworker else caseworker
    if not any(found) and (team is not None or asked is not None):
        await require_filters_known(client, team=team, caseworker=asked, directory=directory)
    today = now.astimezone(UTC).date()
    pairs = listed_once((kind, c) for kind, cases in zip(kinds, found, strict=True) for c in cases)
    lines = [line(kind, c, today) for kind, c in pairs]
    lines.sort(key=lambda x: (-x.days_overdue, x.case_ref, x.kind))
    return OverdueReport(
        read_at=now,
        query_seconds=round(took, 3),
        within_days=within_days,
        kinds=list(kinds),
        freshness=(
            f"Read from Temporal visibility at {day(now.date())} {now:%H:%M:%S} UTC in "
            f"{took:.2f} s; " + FRESHNESS + "."
        ),
        totals=totals(lines),
        lines=lines,
    )
