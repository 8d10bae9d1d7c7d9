"""A case's duty clocks (re-assessments, Tribunal orders, transfers, appeals) as its page shows
them: each clock's legal dates, its steps with their status and dates, what is next, how it
ended, and the forms it takes.

Which clocks a case has is read from Temporal visibility (``ehc.duties.Duties.find``), which
lists a clock a moment after it starts; the ids of clocks this browser has just started are
added, so a clock shows on the page the request after it was started. Each clock itself is
read by its id (``Duties.view``), so its steps are as of now.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from fastapi import Request
from temporalio.client import Client

from ehc import wording
from ehc.cases import CaseError, CaseNotFound
from ehc.chronology import Chronology
from ehc.duties import Duties, split_workflow_id
from ehc.settings import Settings
from ehc.text import day
from ehc.web.case_file import STATE_TAG, CaseUnavailable, within
from ehc.web.duty_forms import DutyForm, forms_for
from statutory import clocks
from statutory.clock_processes import CLOCKS
from statutory.steps import STATE_WORDS, Rag, StepState, StepStatus
from workflows.models import DutyView


@dataclass(frozen=True, slots=True)
class StepRow:
    label: str
    regulation: str
    due: str
    """The statutory date; with the target when an exception moved it."""
    status: str
    tag: str
    done: str


@dataclass(frozen=True, slots=True)
class Clock:
    """One duty clock of a case, in words."""

    workflow_id: str
    process: str
    title: str
    kind: str
    opened: str
    status: str
    """"Open", or "Ended: complied with, 1 Dec 2026"."""
    is_open: bool
    caseworker: str
    team: str
    dates: list[tuple[str, str]]
    steps: list[StepRow]
    next_step: str | None
    """"Issue the final plan as the order requires, by 1 Dec 2026 (reg 44(2)(b)(ii)): 12 days
    left"."""
    next_rag: Rag | None
    forms: list[DutyForm]


def title_of(process: str, variant: str | None) -> str:
    declared = CLOCKS[process]
    kind = declared.variants.get(variant or "")
    return declared.process.title + (f": {kind}" if kind else "")


def _step_row(s: StepStatus) -> StepRow:
    due = day(s.due)
    if s.target != s.due:
        due += f" (target {day(s.target)}, moved by an exception)"
    status = wording.step_status(s) if s.is_open else STATE_WORDS[s.state]
    return StepRow(s.label, s.regulation, due, status, STATE_TAG[s.state], day(s.completed_on))


def clock_of(view: DutyView) -> Clock:
    """A clock's view, worded for its section of the case page."""
    case = view.case
    declared = case.declared
    if case.closed and case.ending is not None:
        status = f"Ended: {clocks.ending_words(case.process, case.ending)}, {day(case.ended_on)}"
    else:
        status = "Open"
    nxt = view.next_step
    next_words = (
        f"{nxt.label}, by {day(nxt.target)} ({nxt.regulation}): {wording.step_status(nxt)}"
        if nxt is not None
        else None
    )
    names = [a.name for a in declared.anchors]
    return Clock(
        workflow_id=view.workflow_id,
        process=case.process,
        title=title_of(case.process, case.variant),
        kind=declared.variants.get(case.variant or "", ""),
        opened=day(case.opened_on),
        status=status,
        is_open=not case.closed,
        caseworker=case.caseworker,
        team=case.team,
        dates=[
            (declared.anchor(n).words[:1].upper() + declared.anchor(n).words[1:], day(d))
            for n, d in sorted(case.dates.items(), key=lambda item: names.index(item[0]))
        ],
        steps=[_step_row(s) for s in view.steps if s.state is not StepState.NOT_APPLICABLE],
        next_step=next_words,
        next_rag=nxt.rag if nxt is not None else None,
        forms=list(forms_for(case.process, case.variant).values()) if not case.closed else [],
    )


STARTED = "duty_started"
"""The session's clocks just started, by case reference: the case page shows them before
visibility lists them."""


def remember(request: Request, case_ref: str, workflow_id: str) -> None:
    started = request.session.get(STARTED)
    started = dict(started) if isinstance(started, dict) else {}
    ids = [i for i in started.get(case_ref, []) if isinstance(i, str)]
    started[case_ref] = [*ids, workflow_id][-5:]
    # Only the last few cases: the session is a cookie.
    request.session[STARTED] = dict(list(started.items())[-5:])


def started_here(request: Request, case_ref: str) -> list[str]:
    """The clocks of ``case_ref`` this browser started lately (the case page adds them)."""
    started = request.session.get(STARTED)
    ids = started.get(case_ref, []) if isinstance(started, dict) else []
    return [i for i in ids if isinstance(i, str)]


def without_clocks(chronology: Chronology) -> Chronology:
    """The chronology less the duty clocks' lines: the page shows each clock on its own."""
    kept = [e for e in chronology.entries if e.process not in CLOCKS]
    return chronology.model_copy(update={"entries": kept})


async def clock_ids(
    client: Client, settings: Settings, case_ref: str, also: list[str]
) -> list[str]:
    """The ids of every duty clock of ``case_ref`` (open or ended) visibility lists, and
    ``also`` (clocks just started), oldest first."""
    duties = Duties(client, settings)
    seconds = settings.api.temporal_timeout
    found = await asyncio.gather(
        *(within(seconds, duties.find(case_ref, p, open_only=False)) for p in CLOCKS)
    )
    ids = [s.workflow_id for listed in found for s in listed] + also
    return sorted(dict.fromkeys(ids), key=lambda i: (split_workflow_id(i)[3], i))


async def case_clocks(
    client: Client, settings: Settings, case_ref: str, today: date, also: list[str]
) -> list[Clock]:
    """The case's duty clocks, each as it stands ``today``."""
    duties = Duties(client, settings)
    seconds = settings.api.temporal_timeout
    out = []
    for workflow_id in await clock_ids(client, settings, case_ref, also):
        try:
            view = await within(seconds, duties.view(workflow_id, today))
        except CaseNotFound:
            continue  # a clock remembered as started whose history is gone
        except CaseError as error:
            raise CaseUnavailable(f"The case cannot be read now: {error}") from error
        out.append(clock_of(view))
    return out


async def one_clock(
    client: Client, settings: Settings, case_ref: str, workflow_id: str, today: date
) -> DutyView:
    """The clock ``workflow_id`` of ``case_ref``: ``CaseNotFound`` when the id is not one of
    this case's clocks (or no such clock exists)."""
    try:
        _, ref, _, _ = split_workflow_id(workflow_id)
    except CaseError:
        raise CaseNotFound(f"no such clock of {case_ref}") from None
    if ref != case_ref:
        raise CaseNotFound(f"no such clock of {case_ref}")
    duties = Duties(client, settings)
    try:
        return await within(settings.api.temporal_timeout, duties.view(workflow_id, today))
    except CaseNotFound:
        raise
    except CaseError as error:
        raise CaseUnavailable(f"The case cannot be read now: {error}") from error
