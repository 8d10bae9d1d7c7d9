"""The forms of the duty clocks (re-assessment, Tribunal order, transfer in or out, appeal),
made from their declarations (``statutory.clock_processes``): a form per declared action (its
title, its choices in the declaration's words, the day it happened), one for an exception to
the process's limits (the reasons it allows), one to withdraw; requests for advice and moving
the case, from their event models; and a start form per process (its kinds as radios, its
legal dates as GOV.UK date inputs).

What a form reads is then checked by the rules' own models and, when recorded, by the
workflow's rules, so the page refuses what the CLI and the API refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ehc import wording
from ehc.cli.record import Kind, RecordOptions
from ehc.web.case_events import process_forms
from ehc.web.forms import Choice, Field, FormRefused, missing, read_all, sentence
from statutory import clocks
from statutory.clock_processes import CLOCKS

_EVENT: TypeAdapter[clocks.ClockEvent] = TypeAdapter(clocks.ClockEvent)
ON = Field("on", Kind.DATE, "The day it happened", required=True)
EXCEPTION, WITHDRAW = "exception", "withdraw"


@dataclass(frozen=True, slots=True)
class DutyForm:
    """One thing a caseworker records on a clock."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    read: Callable[[Mapping[str, str]], clocks.ClockEvent]
    """The event from the boxes typed, validated by its model; or ``FormRefused``."""

    def event_from(self, form: Mapping[str, str]) -> clocks.ClockEvent:
        return self.read(form)

    @classmethod
    def shaped(
        cls,
        name: str,
        title: str,
        description: str,
        fields: tuple[Field, ...],
        shape: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> DutyForm:
        """A form whose event's JSON ``shape`` makes from the fields' values."""

        def read(form: Mapping[str, str]) -> clocks.ClockEvent:
            values = read_all(fields, form)
            try:
                return _EVENT.validate_python(shape(values))
            except ValidationError as error:
                raise FormRefused([placed(e, fields) for e in error.errors()]) from None

        return cls(name, title, description, fields, read)


def placed(error: Any, fields: tuple[Field, ...]) -> tuple[str | None, str]:
    """A model's error against the field it names (never repeating the value)."""
    names = {f.name: f for f in fields}
    found = next((names[str(p)] for p in error["loc"] if str(p) in names), None)
    if error["type"] == "missing" and found is not None:
        return found.name, missing(found)
    message = sentence(str(error["msg"]).removeprefix("Value error, "))
    return (found.name if found else None), message


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def choice_words(declared: clocks.ClockProcess, action: clocks.Action, choice: str) -> str:
    """A choice in words: the declaration's, else the kind of case it opens ("to assess"), or
    the ending it makes; "Upheld by the Tribunal: to amend the plan's needs or provision"."""
    if choice in action.choice_words:
        return _capital(action.choice_words[choice])
    effect = action.choices[choice]
    opened = CLOCKS[effect.starts].variants.get(choice) if effect.starts in CLOCKS else None
    said = opened or choice.replace("-", " ")
    if effect.ends is None:
        return _capital(said)
    ending = clocks.ending_words(declared.name, effect.ends)
    return _capital(ending if choice == effect.ends else f"{ending}: {said}")


def action_form(declared: clocks.ClockProcess, action: clocks.Action) -> DutyForm:
    fields = [ON]
    if action.choices:
        fields.append(
            Field(
                "choice",
                Kind.TEXT,
                "What was decided",
                required=True,
                choices=tuple(Choice(c, choice_words(declared, action, c)) for c in action.choices),
            )
        )
    needs = [declared.anchor(n).words for n in action.needs]
    description = f"Needs {' and '.join(needs)} first." if needs else ""

    def shape(values: dict[str, Any]) -> dict[str, Any]:
        return {"type": "action", "on": values["on"], "action": action.name, **_given(values)}

    return DutyForm.shaped(action.name, action.title, description, tuple(fields), shape)


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "on" and v is not None}


def exception_form(declared: clocks.ClockProcess) -> DutyForm:
    reasons = tuple(
        Choice(r.value, _capital(f"{wording.REASON[r]} (at least {days} days)"))
        if days > 1
        else Choice(r.value, _capital(wording.REASON[r]))
        for r, days in declared.exception_days.items()
    )
    fields = (
        Field("on", Kind.DATE, "The day it is recorded", required=True),
        Field("reason", Kind.TEXT, "The exception that applies", required=True, choices=reasons),
        Field("start", Kind.DATE, "The first day it applies", required=True),
        Field("end", Kind.DATE, "The last day it applies", required=True),
        Field(
            "note",
            Kind.TEXT,
            "What happened (optional)",
            "A few words, with no names.",
            max_length=500,
        ),
    )

    def shape(values: dict[str, Any]) -> dict[str, Any]:
        return {"type": "exception", "on": values["on"], **_given(values)}

    return DutyForm.shaped(
        EXCEPTION,
        "Exception to a time limit",
        "A period when an exception to this process's time limits applies: the statutory "
        "date stays, and the target moves on by the length of the period.",
        fields,
        shape,
    )


def withdraw_form() -> DutyForm:
    fields = (
        ON,
        Field("reason", Kind.TEXT, "Why (optional)", "A few words, with no names.", max_length=200),
    )

    def shape(values: dict[str, Any]) -> dict[str, Any]:
        return {"type": "withdrawn", "on": values["on"], **_given(values)}

    return DutyForm.shaped(
        WITHDRAW,
        "Withdrawn",
        "The request, the appeal or the move was withdrawn: the case closes.",
        fields,
        shape,
    )


#: Events a clock records as the assessment does: their questions come from the event models,
#: as the case page's do (``ehc.web.case_events``), so a field added there is asked here too.
_MODELS: dict[str, type[BaseModel]] = {
    m.model_fields["type"].default: m
    for m in (clocks.AdviceRequested, clocks.AdviceReceived, clocks.CaseworkerReassigned)
}
ADVICE_REQUESTED, ADVICE_RECEIVED, REASSIGN = _MODELS  # their event types, in that order


def model_forms(*event_types: str) -> dict[str, DutyForm]:
    """The forms of these events, each asking and reading what its model takes."""
    options = RecordOptions(_EVENT, {t: _MODELS[t] for t in event_types})
    made = process_forms("clock", "", options).forms
    return {t: DutyForm(t, f.title, f.description, f.fields, f.event_from) for t, f in made.items()}


def forms_for(process: str, variant: str | None) -> dict[str, DutyForm]:
    """The forms of a clock of ``process`` and kind ``variant``: its actions for that kind,
    requests for advice and their answers (where the process keeps them), an exception (when
    the process allows one), withdrawal, and moving the case to another caseworker."""
    declared = CLOCKS[process]
    out = {
        a.name: action_form(declared, a)
        for a in declared.actions
        if a.variants is None or variant in a.variants
    }
    if declared.advice:
        out |= model_forms(ADVICE_REQUESTED, ADVICE_RECEIVED)
    if declared.exception_days:
        out[EXCEPTION] = exception_form(declared)
    out[WITHDRAW] = withdraw_form()
    out |= model_forms(REASSIGN)
    return out


# --- starting a clock ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartForm:
    """The questions that open a clock of ``process``: its kind, then its legal dates."""

    process: str
    title: str
    description: str
    kind: Field | None
    dates: tuple[Field, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return ((self.kind,) if self.kind else ()) + self.dates

    def read(self, form: Mapping[str, str]) -> tuple[str | None, dict[str, Any]]:
        """The kind and the legal dates given; ``FormRefused`` for a box wrongly filled."""
        values = read_all(self.fields, form)
        variant = values.get(self.kind.name) if self.kind else None
        dates = {f.name: values[f.name] for f in self.dates if values[f.name] is not None}
        return variant, dates


ON_A_CASE = ("tribunal-order", "reassessment", "transfer-out", "appeal")
"""Clocks started from a case's page (a plan's: an order, a re-assessment, a move, an appeal)."""

#: Each start form's heading and what it is for, by process.
START_TITLES: dict[str, tuple[str, str]] = {
    "tribunal-order": (
        "Record a Tribunal order or concession",
        "The Tribunal ordered the council to act, or the council conceded an appeal with a "
        "reg 45 notice to the Tribunal: the time limits run from that date (regs 44-45).",
    ),
    "reassessment": (
        "Request to re-assess",
        "A request to re-assess the plan was received, or the council decided to re-assess "
        "of its own accord: a decision is due within 15 days of the request, and the plan "
        "within 14 weeks of the decision (regs 24-27). Give the day of the request, or of the "
        "council's own decision.",
    ),
    "transfer-out": (
        "Plan moving to another council",
        "The family is moving to another council's area: the plan transfers on the day of the "
        "move, or within 15 working days of the council learning of it if later (reg 15(2)).",
    ),
    "appeal": (
        "Decision with appeal rights",
        "A decision the family may appeal to the Tribunal was notified: the appeal window and "
        "any mediation are kept from the day of the notice (CFA s51-55, regs 32-42).",
    ),
    "transfer-in": (
        "Plan transferred in",
        "A plan transferred from another council: the family must be told within 6 weeks, "
        "and the plan's first review here is due by the later of 12 months from the plan or "
        "its last review and 3 months from the transfer (reg 15(3)-(5)).",
    ),
}


def start_form(process: str) -> StartForm:
    """The start form of ``process``: radios of its kinds (in the declaration's words), and a
    date input for each legal date it needs at the start."""
    declared = CLOCKS[process]
    kind = (
        Field(
            "variant",
            Kind.TEXT,
            "What kind",
            required=True,
            choices=tuple(Choice(k, _capital(w)) for k, w in declared.variants.items()),
        )
        if declared.variants
        else None
    )
    needed = dict.fromkeys(name for group in declared.required for name in group)
    dates = tuple(
        Field(
            name,
            Kind.DATE,
            _capital(declared.anchor(name).words),
            required=not _either(declared, name),
        )
        for name in needed
    )
    title, description = START_TITLES[process]
    return StartForm(process, title, description, kind, dates)


def _either(declared: clocks.ClockProcess, name: str) -> bool:
    """A date that is one of several of which one is needed (the request or the decision)."""
    return any(name in group and len(group) > 1 for group in declared.required)
