"""The shape of every statutory process: its steps, declared once as data.

A step's stable id, label, regulation, kind, due rule (in words) and the exceptions that lift it
live in one ``StepDef``; a ``Process`` is the ordered list of them. The rules (``steps()`` of
each process), the calculator, the catalogue of step names, the overdue view, KPIs, the
chronology and docs/LAW.md's tables all read these declarations, so a label or a
regulation is stated exactly once. docs/ARCHITECTURE.md shows how to add a process.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from statutory.exceptions import Reason


class StepKind(StrEnum):
    """What the law makes of a step, and so what the engine does when it is missed."""

    DUTY = "duty"
    """A statutory duty: reminded before, escalated after, counted as missed when late."""
    REFUSAL_LIMIT = "refusal-limit"
    """A limit that binds only one outcome (reg 10(1): a refusal to issue): reminded, never
    escalated while open (nobody knows yet whether there will be a refusal); a refusal made
    after it is late and counts as missed."""
    GUIDANCE = "guidance"
    """Statutory guidance (the Code of Practice): reminded, never escalated or counted."""
    PLANNING = "planning"
    """A planning date derived from the duties (the latest draft): reminded only."""


class StepId(StrEnum):
    """Stable ids of every step; numbered steps (``advice-2``) add ``-N`` to theirs."""

    # EHC needs assessment (regs 4-13)
    DECIDE_TO_ASSESS = "decide-to-assess"
    ADVICE = "advice"
    DECIDE_NOT_TO_ISSUE = "decide-not-to-issue"
    DRAFT = "draft-served"
    SETTING_REPLY = "setting-reply"
    FINAL_PLAN = "final-plan"
    # annual review (CFA s44; regs 18-22)
    ARRANGE_MEETING = "arrange-meeting"
    INVITATIONS = "invitations"
    ADVICE_CIRCULATED = "advice-circulated"
    UNDER_FIVE_REVIEW = "under-five-review"
    TRANSFER_MEETING = "transfer-meeting"
    REVIEW_MEETING = "review-meeting"
    REPORT = "report"
    DECISION = "decision"
    AMENDMENT_NOTICE = "amendment-notice"
    FINAL_AMENDED_PLAN = "final-amended-plan"
    PHASE_TRANSFER = "phase-transfer"
    CEASE_APPEAL_WINDOW = "cease-appeal-window"
    # re-assessment (CFA s44(2)-(3); regs 24-27)
    DECIDE_TO_REASSESS = "decide-to-reassess"
    REASSESSMENT_PLAN = "reassessment-plan"
    # complying with a Tribunal order or a concession (regs 44-45)
    ORDER_NOTIFY = "order-notify"
    ORDER_NOT_TO_ISSUE = "order-not-to-issue"
    ORDER_DRAFT = "order-draft"
    ORDER_RECONSIDER = "order-reconsider"
    ORDER_PLAN = "order-plan"
    ORDER_CONTINUE = "order-continue"
    # transfer of a plan between councils (reg 15)
    TRANSFER_PLAN = "transfer-plan"
    NOTIFY_FAMILY = "notify-family"
    # appeals and mediation (CFA s51-55; regs 32-45)
    MEDIATION_CERTIFICATE = "mediation-certificate"
    MEDIATION_HEALTH = "mediation-health"
    MEDIATION_HELD = "mediation-held"
    APPEAL_WINDOW = "appeal-window"


@dataclass(frozen=True, slots=True)
class StepDef:
    """One step of a process, as the law states it."""

    id: StepId
    label: str
    """How the step reads to a person, in general (a case may name its adviser or setting)."""
    regulation: str
    kind: StepKind
    due: str
    """The due rule, in words, from the case's legal dates (the arithmetic is in the process's
    dates function, beside the regulation)."""
    lifted_by: frozenset[Reason] = frozenset()
    """Exceptions that lift the duty to meet the limit (the date stays; the target pauses)."""
    numbered: bool = False
    """One step per request or consultation: ``advice-1``, ``advice-2``..."""

    @property
    def statutory(self) -> bool:
        """A duty escalated when its target passes (``StepStatus.statutory``)."""
        return self.kind is StepKind.DUTY

    def name(self, number: int | None = None) -> str:
        """The step's name on a case: its id, with ``-N`` for a numbered step."""
        if self.numbered != (number is not None):
            raise ValueError(f"{self.id}: numbered steps need a number, others none")
        return f"{self.id.value}-{number}" if number is not None else self.id.value


@dataclass(frozen=True, slots=True)
class Process:
    """A statutory process: its name (the workflow kind) and its steps in statutory order."""

    name: str
    title: str
    source: str
    steps: tuple[StepDef, ...]

    def __getitem__(self, step: StepId) -> StepDef:
        for defn in self.steps:
            if defn.id is step:
                return defn
        raise KeyError(f"{self.name} has no step {step.value}")

    def markdown(self) -> str:
        """The process as a Markdown table (docs/LAW.md shows exactly this)."""
        rows = [
            "| step | id | kind | due | source |",
            "|---|---|---|---|---|",
            *(
                f"| {d.label} | `{d.id.value}{'-N' if d.numbered else ''}` | {d.kind.value} "
                f"| {d.due} | {d.regulation} |"
                for d in self.steps
            ),
        ]
        return "\n".join(rows)

    def find(self, name: str) -> StepDef | None:
        """The declaration behind a step name on a case (``advice-3`` -> ``advice``)."""
        family = step_family(name)
        return next((d for d in self.steps if d.id.value == family), None)


def is_advice_request(name: str) -> bool:
    """``advice-N``: the step of one request for advice on a case, which runs its own clock
    as an advice workflow (reg 8(1)); not ``advice-circulated``, nor an advice workflow's
    own step ``advice``."""
    family, _, number = name.partition("-")
    return family == StepId.ADVICE and number.isdigit()


def step_family(name: str) -> str:
    """``advice-3`` -> ``advice``; ``advice:medical`` (an advice workflow's next step) ->
    ``advice``; other names are their own family."""
    name = name.split(":", 1)[0]
    head, sep, tail = name.rpartition("-")
    return head if sep and tail.isdigit() else name
