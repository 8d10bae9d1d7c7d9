"""The forms that record events, made from the events' models exactly as ``ehc assessment
record`` and ``ehc review record`` make their options (``ehc.cli.record.RecordOptions``).

Each event's form asks one question per option the event takes: its kind (text, number,
date, yes-only, yes or no), its choices and its words come from the event model's fields and
their descriptions, so an event's new field is a new question with nothing to write here. A
field made of parts (the review's phase transfer) is one question per part, as on the command
line. The event is then validated by the same model (``TypeAdapter``) the CLI and the API
use; what the model refuses is reported against the question that holds the field.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ehc import wording
from ehc.cli import assessment as assessment_cli
from ehc.cli import review as review_cli

# The CLI's own reading of a field's type and choices, so both show the same choices.
from ehc.cli.record import Option, RecordOptions, _choices, _plain
from ehc.web.forms import Choice, Field, FieldError, FormRefused, missing, read, sentence
from statutory import assessment as assessment_rules
from statutory import exceptions as exc
from statutory import review as review_rules
from statutory.events import Event

E = TypeVar("E")

#: What an event records, for the events whose docstring is written for engineers (the rest
#: are described by their docstring's first paragraph).
DESCRIPTIONS: dict[str, str] = {
    "exception": (
        "A period when an exception to the time limits applies, such as a school closure or "
        "the family's absence from the area (reg 5(4), 8(2), 10(4), 13(3)): the statutory date "
        "stays, and the target moves on by the length of the period."
    ),
    "transfer-set": "The plan's next phase transfer, or that there is none (reg 18).",
}

#: The words of a choice's values, by the enum they come from; a value of another enum reads
#: as itself ("social-care" -> "Social care").
_CHOICE_WORDS: dict[type[Enum], Mapping[Any, str]] = {
    assessment_rules.AdviceType: wording.ADVICE_TYPE,
    assessment_rules.AdviceNotNeededReason: wording.ADVICE_NOT_NEEDED,
    exc.Reason: wording.REASON,
    review_rules.Decision: wording.DECISION,
    review_rules.TransferKind: wording.TRANSFER,
}


@dataclass(frozen=True, slots=True)
class Question:
    """A question of an event's form, and the model field it fills (``part`` of it, for a
    field made of parts)."""

    field: Field
    model_field: str
    part: str | None = None


@dataclass(frozen=True, slots=True)
class EventForm(Generic[E]):
    process: str
    event: str
    title: str
    description: str
    questions: tuple[Question, ...]
    options: RecordOptions[E]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(q.field for q in self.questions)

    def event_from(self, form: Mapping[str, str]) -> E:
        """The event from the boxes typed (``forms.typed``), validated by its model; or
        ``FormRefused`` with every question's problem."""
        errors: list[tuple[str | None, str]] = []
        values: dict[str, Any] = {}
        for q in self.questions:
            try:
                value = read(q.field, form)
            except FieldError as error:
                errors.append((q.field.name, str(error)))
                continue
            if value is None:
                continue
            if q.part is None:
                values[q.model_field] = value
            else:
                values.setdefault(q.model_field, {})[q.part] = value
        if errors:
            raise FormRefused(errors)
        try:
            return self.options.adapter.validate_python({"type": self.event, **values})
        except ValidationError as error:
            raise FormRefused([self._placed(e) for e in error.errors()]) from None

    def _placed(self, error: Any) -> tuple[str | None, str]:
        """A model's error against its question; the location starts with the union's tag."""
        where = [str(p) for p in error["loc"] if not isinstance(p, int)][1:]
        question = self._question(where)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing" and question is not None:
            return question.field.name, missing(question.field)
        return (question.field.name if question else None), sentence(message)

    def _question(self, where: list[str]) -> Question | None:
        if not where:
            return None
        part = where[1] if len(where) > 1 else None
        same_field = [q for q in self.questions if q.model_field == where[0]]
        exact = [q for q in same_field if q.part == part]
        found = exact or same_field
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Process(Generic[E]):
    """One process's events (an assessment's, a review cycle's) and their forms."""

    name: str
    title: str
    forms: dict[str, EventForm[E]]


def process_forms(name: str, title: str, options: RecordOptions[E]) -> Process[E]:
    return Process(
        name,
        title,
        {
            event: EventForm(
                process=name,
                event=event,
                title=_title(event, model),
                description=DESCRIPTIONS.get(event) or _description(model),
                questions=_questions(options, event),
                options=options,
            )
            for event, model in options.event_types.items()
        },
    )


def _title(event: str, model: type[BaseModel]) -> str:
    """The event's name (``Event.title``): a form's heading and its link."""
    return model.title if issubclass(model, Event) else event.replace("-", " ").capitalize()


def _description(model: type[BaseModel]) -> str:
    """The event's docstring, its first paragraph on one line; one written for engineers
    (with code marks) is not shown (``DESCRIPTIONS`` words it)."""
    first = (inspect.getdoc(model) or "").split("\n\n")[0]
    return "" if "``" in first else " ".join(first.split())


def _questions(options: RecordOptions[Any], event: str) -> tuple[Question, ...]:
    out: list[Question] = []
    for name, info in options.fields[event].items():
        custom = options.custom.get(name)
        if custom is not None and custom.parts:
            model = _plain(info.annotation)
            for part, param in custom.parts.items():
                option = next(o for o in custom.options if o.param == param)
                part_info: FieldInfo = model.model_fields[part]
                required = info.is_required() and part_info.is_required()
                out.append(Question(_field(option, part_info, required), name, part))
            continue
        if custom is not None:
            if len(custom.options) != 1:
                raise TypeError(f"{name}: a field of several options needs parts")
            option = custom.options[0]
        else:
            option = next(o for o in options.options if o.field == name)
        out.append(Question(_field(option, info, info.is_required()), name))
    return tuple(out)


def _field(option: Option, info: FieldInfo, required: bool) -> Field:
    """A question from a field: its label is the description up to "; ", its hint the rest."""
    text = " ".join((info.description or option.param.replace("_", " ")).split())
    label, _, hint = text.partition("; ")
    return Field(
        name=option.param,
        kind=option.kind,
        label=label.rstrip(".").strip(),
        hint=(hint[:1].upper() + hint[1:]).strip(),
        required=required,
        choices=_choice_words(info),
        max_length=next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None),
    )


def _choice_words(info: FieldInfo) -> tuple[Choice, ...]:
    words = _CHOICE_WORDS.get(_plain(info.annotation), {})
    return tuple(
        Choice(value, _sentence_case(words.get(value, value.replace("-", " "))))
        for value in _choices(info)
    )


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


ASSESSMENT: Process[assessment_rules.AssessmentEvent] = process_forms(
    "assessment", "Assessment", assessment_cli.RECORD
)
REVIEW: Process[review_rules.ReviewEvent] = process_forms(
    "review", "Annual review", review_cli.RECORD
)
