"""Every step the rules know, by name: its process, its regulation and whether it is a duty.

Overdue lists and chronologies show the regulation behind a step name read from a search
attribute or the ledger. Rather than repeat the regulations, this catalogue is harvested from
the rules themselves (``statutory.assessment.steps`` and ``statutory.review.steps``) run on
sample cases that reach every step, so it cannot drift from them. Numbered steps
(``advice-2``, ``setting-reply-1``) share the entry of their family (``advice``,
``setting-reply``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from statutory import assessment, review
from statutory.steps import StepStatus

_NUMBERED = re.compile(r"^(?P<family>[a-z-]+?)-\d+$")
#: Labels of numbered or case-specific steps, whose harvested label names a sample case.
_GENERIC_LABELS = {
    "advice": "Professional advice returned (6 weeks from the adviser's receipt)",
    "setting-reply": "Setting's reply on being named (15 days)",
    "phase-transfer": "Finalise the plan for the phase transfer",
}


@dataclass(frozen=True, slots=True)
class StepInfo:
    step: str
    """The step's family name (``advice`` for ``advice-3``)."""
    process: str
    label: str
    regulation: str
    statutory: bool
    """A legal duty (escalated when missed) rather than guidance or a planning date."""


def family(step: str) -> str:
    """``advice-3`` -> ``advice``, ``advice:medical`` -> ``advice`` (an advice workflow's
    next step); other names are their own family."""
    step = step.split(":", 1)[0]
    match = _NUMBERED.match(step)
    return match.group("family") if match else step


def describe(step: str, process: str | None = None) -> StepInfo | None:
    """What the rules say about ``step`` (None for a name they do not know)."""
    known = catalogue()
    name = family(step)
    if process is not None and (process, name) in known:
        return known[(process, name)]
    return next((info for (_, n), info in known.items() if n == name), None)


def regulation_of(step: str, process: str | None = None) -> str:
    info = describe(step, process)
    return info.regulation if info else ""


@cache
def catalogue() -> dict[tuple[str, str], StepInfo]:
    """(process, step family) -> what the rules say about it."""
    out: dict[tuple[str, str], StepInfo] = {}
    for process, steps in (("assessment", _assessment_steps()), ("review", _review_steps())):
        for s in steps:
            name = family(s.step)
            out.setdefault(
                (process, name),
                StepInfo(
                    step=name,
                    process=process,
                    label=_GENERIC_LABELS.get(name, s.label),
                    regulation=s.regulation,
                    statutory=s.statutory,
                ),
            )
    # Advice requests become child workflows of their own (process "advice"): same step.
    advice = out[("assessment", "advice")]
    out[("advice", "advice")] = StepInfo("advice", "advice", advice.label, advice.regulation, True)
    return out


# --- sample cases that reach every step --------------------------------------------------

_DAY = date(2024, 1, 8)
_AT = datetime(2024, 1, 8, tzinfo=UTC)


def _after(days: int) -> date:
    return _DAY + timedelta(days=days)


def _assessment_steps() -> list[StepStatus]:
    request = assessment.AssessmentRequest(
        case_ref="CATALOGUE-1", received=_DAY, caseworker="cw001", team="catalogue"
    )
    today = _after(120)
    case = assessment.open_case(request, today)
    for event in (
        assessment.DecidedToAssess(on=_after(20)),
        assessment.AdviceRequested(
            on=_after(21), advice_type=assessment.AdviceType.PSYCHOLOGICAL, provider="sample"
        ),
        assessment.DraftServed(on=_after(90)),
        assessment.SettingConsulted(on=_after(91), setting="sample"),
    ):
        case = assessment.apply(case, event, today, _AT)
    return assessment.steps(case, today)


def _review_steps() -> list[StepStatus]:
    under_five = review.PlanRecord(
        case_ref="CATALOGUE-2",
        plan_date=_DAY,
        caseworker="cw001",
        team="catalogue",
        date_of_birth=_DAY - timedelta(days=800),
    )
    transfer = review.PhaseTransfer(kind=review.TransferKind.PRIMARY_SECONDARY, year=2025)
    amend: list[review.ReviewEvent] = [
        review.MeetingScheduled(on=_after(200), meeting_date=_after(240)),
        review.InvitationsSent(on=_after(210)),
        review.MeetingHeld(on=_after(240)),
        review.DecisionNotified(on=_after(250), decision=review.Decision.AMEND),
    ]
    cease: list[review.ReviewEvent] = [
        review.MeetingHeld(on=_after(240)),
        review.DecisionNotified(on=_after(250), decision=review.Decision.CEASE),
    ]
    today = _after(260)
    harvested: list[StepStatus] = []
    for events, cycle_transfer in ((amend, transfer), (cease, None)):
        cycle = review.first_cycle(under_five, transfer=cycle_transfer)
        for event in events:
            cycle = review.apply(cycle, event, today, _AT)
        harvested.extend(review.steps(cycle, today))
    return harvested


def step_names(steps: Iterable[StepStatus]) -> set[str]:
    return {family(s.step) for s in steps}
