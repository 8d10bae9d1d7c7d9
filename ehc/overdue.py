"""What is overdue, or about to be, across every kind of case: a Temporal visibility query.

Each open case publishes its earliest open statutory step (``EhcNextStep``) and that step's
operational target as the end of its day (``EhcNextDeadline``), so "overdue" is
``EhcNextDeadline < now`` and "due within 14 days" is ``EhcNextDeadline < now + 14 days``.
The regulation of each step comes from the rules (``statutory.catalogue``). Visibility is
eventually consistent: the report says when it was read.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel
from temporalio.client import Client

from ehc.cases import CaseSummary, list_cases
from statutory import assessment, review
from statutory.catalogue import describe
from statutory.errors import RuleViolation

KINDS = ("assessment", "review", "advice")
"""Kinds of case workflow (``EhcKind``); advice requests become workflows of their own."""
ADVICE_STAGES = ("awaiting-advice", "received")  # workflows/advice.py
STAGES = tuple(dict.fromkeys([*assessment.Stage, *review.Stage, *ADVICE_STAGES]))
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


class OverdueReport(BaseModel):
    read_at: datetime
    query_seconds: float
    within_days: int
    kinds: list[str]
    freshness: str
    lines: list[OverdueLine]


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
) -> OverdueReport:
    """Open cases whose next statutory target has passed (or falls within ``within_days``),
    most overdue first."""
    for kind in kinds:
        if kind not in KINDS:
            raise RuleViolation(f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
    if stage is not None and stage not in STAGES:
        raise RuleViolation(f"unknown stage '{stage}' (known: {', '.join(STAGES)})")
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
    today = now.astimezone(UTC).date()
    lines = [line(kind, c, today) for kind, cases in zip(kinds, found, strict=True) for c in cases]
    lines.sort(key=lambda x: (-x.days_overdue, x.case_ref, x.kind))
    return OverdueReport(
        read_at=now,
        query_seconds=round(took, 3),
        within_days=within_days,
        kinds=list(kinds),
        freshness=(
            f"Read from Temporal visibility at {now:%Y-%m-%d %H:%M:%S} UTC in {took:.2f} s; "
            + FRESHNESS
            + "."
        ),
        lines=lines,
    )
