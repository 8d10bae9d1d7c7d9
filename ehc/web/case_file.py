"""One case as its page shows it: its workflows' timelines, its chronology, whose it is, and
which process takes events now.

The chronology is ``ehc.chronology.build`` over the same sources as ``ehc case`` and the API's
``/cases/{ref}`` (the assessment's and the current review cycle's timelines, and the reporting
ledger), so the page, the CLI and the API tell one story. A case's current process is the
assessment while it is open, then the plan's review cycle until the plan ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from temporalio.client import Client

from ehc import wording
from ehc.cases import Assessments, CaseError, CaseNotFound
from ehc.chronology import Chronology, Entry, build
from ehc.ledger_reader import LedgerReader
from ehc.reviews import Reviews
from ehc.settings import Settings
from ehc.text import day
from statutory import review as review_rules
from statutory.assessment import AdviceRequest
from statutory.ledger import OutcomeRecord, StepRecord
from statutory.steps import STATE_WORDS, Rag, StepState, StepStatus, rag_for
from workflows.models import AssessmentView, ReviewView

T = TypeVar("T")


class CaseUnavailable(RuntimeError):
    """Temporal could not answer about the case (no worker in time, or an error of its own);
    the message says so."""


@dataclass(frozen=True, slots=True)
class Holder:
    """A case's open workflows now: what takes its events, and whose case it is."""

    case_ref: str
    assessment: AssessmentView | None
    review: ReviewView | None

    @property
    def process(self) -> str | None:
        """The process that takes events now: the open assessment, else the plan's review
        cycle until the plan ends; None when neither is open."""
        if self.assessment is not None and not self.assessment.case.closed:
            return "assessment"
        if self.review is not None and self.review.stage is not review_rules.Stage.ENDED:
            return "review"
        return None

    @property
    def team(self) -> str | None:
        """The team the case is with (the plan's, once there is one)."""
        if self.review is not None:
            return self.review.cycle.team
        return self.assessment.case.team if self.assessment is not None else None

    @property
    def stage(self) -> str:
        """Where the case stands, in words: the open assessment's stage, else the plan's."""
        a, r = self.assessment, self.review
        if a is not None and (r is None or not a.case.closed):
            return f"EHC needs assessment: {wording.ASSESSMENT_STAGE[a.case.stage]}"
        if r is not None:
            return f"annual review: {wording.REVIEW_STAGE[r.stage]}"
        return "closed"

    @property
    def next_step(self) -> StepStatus | None:
        """The current process's next statutory step (the earliest target, overdue first)."""
        match self.process:
            case "assessment":
                return self.assessment.next_step if self.assessment else None
            case "review":
                return self.review.next_step if self.review else None
        return None


async def within(seconds: float, work: Awaitable[T]) -> T:
    """A Temporal call, or ``CaseUnavailable`` after ``seconds``: a query or update waits for
    a worker, and with none running it would wait for ever."""
    try:
        async with asyncio.timeout(seconds):
            return await work
    except TimeoutError as error:
        raise CaseUnavailable(
            f"Temporal did not answer within {seconds:g} seconds: the case cannot be read or "
            "changed now. Try again later, or ask for the service to be checked."
        ) from error


async def holder(client: Client, settings: Settings, case_ref: str, today: date) -> Holder:
    """The case's assessment and review workflows as they stand ``today`` (either may be
    missing; ``CaseNotFound`` is left to the caller, who may still have the ledger)."""
    seconds = settings.api.temporal_timeout
    assessment = await _found(within(seconds, Assessments(client, settings).view(case_ref, today)))
    review = await _found(within(seconds, Reviews(client, settings).view(case_ref, today)))
    return Holder(case_ref, assessment, review)


async def _found(query: Awaitable[T]) -> T | None:
    """A workflow's answer; None when there is no such workflow. Anything else Temporal
    says of a query (a failed workflow, an error of its own) is ``CaseUnavailable``."""
    try:
        return await query
    except CaseNotFound:
        return None
    except CaseError as error:
        raise CaseUnavailable(f"The case cannot be read now: {error}") from error


@dataclass(frozen=True, slots=True)
class CaseFile:
    holder: Holder
    chronology: Chronology
    ledger_team: str | None

    @property
    def team(self) -> str | None:
        """The case's team: its workflows', else the ledger's latest (a case whose workflows'
        histories are gone)."""
        return self.holder.team or self.ledger_team


async def load_case(
    client: Client, settings: Settings, ledger: LedgerReader, case_ref: str, today: date
) -> CaseFile:
    """Everything known about ``case_ref`` (as ``ehc.chronology.case_chronology`` gathers it);
    ``CaseNotFound`` if nothing is."""
    held = await holder(client, settings, case_ref, today)
    steps = ledger.steps(case_ref=case_ref)
    outcomes = ledger.outcomes(case_ref=case_ref)
    if held.assessment is None and held.review is None and not steps and not outcomes:
        raise CaseNotFound(f"no case with case reference {case_ref}")
    chronology = build(
        case_ref,
        today,
        assessment=held.assessment,
        review=held.review,
        steps=steps,
        outcomes=outcomes,
    )
    return CaseFile(held, chronology, _ledger_team(steps, outcomes))


def empty_file(case_ref: str, today: date) -> CaseFile:
    """The file of a case with no assessment, review or ledger row (only duty clocks)."""
    held = Holder(case_ref, None, None)
    chronology = build(case_ref, today, assessment=None, review=None, steps=[], outcomes=[])
    return CaseFile(held, chronology, None)


def _ledger_team(steps: list[StepRecord], outcomes: list[OutcomeRecord]) -> str | None:
    rows: list[StepRecord | OutcomeRecord] = [*steps, *outcomes]
    plan_rows = [r for r in rows if r.process == "review"]
    return (plan_rows or rows)[-1].team if rows else None


# --- the chronology as the page's tables ------------------------------------------------------

#: GOV.UK tag colours by a step's status; an open step within the amber window is yellow.
STATE_TAG: dict[StepState, str] = {
    StepState.OPEN: "govuk-tag--blue",
    StepState.OVERDUE: "govuk-tag--red",
    StepState.MET: "govuk-tag--green",
    StepState.EXCEPTED: "govuk-tag--turquoise",
    StepState.LATE: "govuk-tag--orange",
    StepState.NOT_APPLICABLE: "govuk-tag--grey",
}


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a chronology table: every value in words."""

    day: str
    status: str
    tag: str
    what: str
    regulation: str
    detail: str


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: list[Line]


def sections(chronology: Chronology, amber_days: int) -> list[Section]:
    """The chronology in one table per process: the assessment, its requests for advice
    (their own clocks), then each review cycle; each in date order."""
    groups: dict[tuple[int, int], list[Entry]] = {}
    order = {"assessment": 0, "advice": 1, "review": 2}
    for entry in chronology.entries:
        key = (order.get(entry.process, 3), entry.cycle)
        groups.setdefault(key, []).append(entry)
    out = []
    for key in sorted(groups):
        first = groups[key][0]
        out.append(
            Section(
                _title(first.process, first.cycle),
                [_line(e, chronology.as_of, amber_days) for e in groups[key]],
            )
        )
    return out


def _title(process: str, cycle: int) -> str:
    match process:
        case "assessment":
            return "EHC needs assessment"
        case "advice":
            return "Requests for advice"
        case "review":
            return f"Annual review, cycle {cycle}"
    return process.replace("-", " ").capitalize()


def _line(e: Entry, today: date, amber_days: int) -> Line:
    if e.state is not None:
        status, tag = STATE_WORDS[e.state], STATE_TAG[e.state]
        if e.state is StepState.OPEN and rag_for(e.day, today, amber_days) is Rag.AMBER:
            tag = "govuk-tag--yellow"
    elif e.kind == "outcome":
        status, tag = "ended", "govuk-tag--purple"
    else:
        status, tag = "recorded", "govuk-tag--grey"
    when = day(e.day) + (f" to {day(e.until)}" if e.until else "")
    return Line(when, status, tag, e.what, e.regulation or "", e.detail)


@dataclass(frozen=True, slots=True)
class Next:
    """What is next on the case: its next statutory step, and how far off it is."""

    what: str
    by: str
    regulation: str
    status: str
    rag: Rag | None


def next_up(held: Holder, chronology: Chronology) -> Next | None:
    """The current process's next statutory step; for a case with no open process, the
    chronology's next date (if any)."""
    s = held.next_step
    if s is not None:
        return Next(s.label, day(s.target), s.regulation, wording.step_status(s), s.rag)
    e = chronology.next_due
    if e is None or held.process is not None:
        return None
    status = STATE_WORDS[e.state] if e.state else ""
    return Next(e.what, day(e.day), e.regulation or "", status, None)


# --- the summary above the chronology, and what the record forms need to know ----------------


def facts(held: Holder) -> list[tuple[str, str]]:
    """The case at a glance: whose it is and its key statutory dates."""
    out = [("Stage", _capital(held.stage))]
    a, r = held.assessment, held.review
    # Whose it is now: the plan's caseworker once the assessment has closed into a review.
    current = r.cycle if r is not None and (a is None or a.case.closed) else a.case if a else None
    if current is not None:
        out.append(("Caseworker", current.caseworker))
        out.append(("Team", current.team))
    if a is not None:
        k = a.key_dates
        out.append(("Request received", day(k.received)))
        final = day(k.final_plan_by) + " (reg 13(2))"
        if k.exceptions_apply:
            final += f"; target {day(k.operational_final_plan_by)}, moved by an exception"
        out.append(("Final plan due", final))
        if a.outcome is not None:
            ended = f"{wording.ENDING[a.outcome.ending]}, {day(a.outcome.ended_on)}"
            out.append(("Assessment ended", _capital(ended)))
    if r is not None:
        c = r.cycle
        out.append(("Review cycle", f"{c.cycle}, from {day(c.anchor)}"))
        out.append(("Review due", day(r.key_dates.review_due_by) + " (CFA s44(1), reg 18)"))
        if c.transfer is not None:
            out.append(("Phase transfer", wording.transfer(c.transfer)))
        window = wording.appeal_window(c)
        if window is not None:
            out.append(("Appeal window", _capital(window)))
    return out


def references(held: Holder) -> dict[str, str]:
    """For the questions that name a request for advice or a consultation by its number:
    the case's own, so the number need not be looked up (by the question's name)."""
    out: dict[str, str] = {}
    if held.process == "assessment" and held.assessment is not None:
        case = held.assessment.case
        out |= advice_references(case.advice, "On this case")
        settings = [
            f"{c.id}: {c.setting}, consulted {day(c.consulted_on)}" for c in case.consultations
        ]
        if settings:
            out["consultation_id"] = "On this case: " + "; ".join(settings) + "."
    elif held.process == "review" and held.review is not None:
        advice = [
            f"{a.id}: {a.advice_type} advice from {a.provider}, requested {day(a.requested_on)}"
            + ("" if a.received_on is None else " (received)")
            for a in held.review.cycle.advice
        ]
        if advice:
            out["advice_id"] = "In this review: " + "; ".join(advice) + "."
    return out


def advice_references(requests: Sequence[AdviceRequest], where: str) -> dict[str, str]:
    """For the question that names a request for advice by its number: ``where``'s requests
    ("On this case: 1: medical advice from Clinic, requested 2 Dec 2026"); none, none."""
    if not requests:
        return {}
    listed = [
        f"{a.id}: {wording.ADVICE_TYPE[a.advice_type]} advice from {a.provider}, "
        f"requested {day(a.requested_on)}" + ("" if a.outstanding else " (closed)")
        for a in requests
    ]
    return {"advice_id": f"{where}: " + "; ".join(listed) + "."}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
