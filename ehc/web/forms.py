"""Form fields of the GOV.UK pages: what each one holds, reading it from a posted form, and
the one-sentence errors a page links to the field.

A field is one of the kinds ``ehc record`` gives its options (``ehc.cli.record.Kind``): text
(radios when it has choices), a whole number, a date (the GOV.UK date input: day, month and
year boxes, read and bounded as ``ehc.cli.common.parse_date`` reads dates), a yes-only
checkbox, or a yes/no choice. What was typed is kept as typed, so a refused form comes back
filled in; a value given is never repeated in a message (it may be a child's name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ehc.cli.record import Kind
from statutory import bounds
from statutory.dates import as_written
from statutory.errors import RuleViolation

DATE_PARTS = ("day", "month", "year")
_WHOLE_NUMBER = re.compile(r"\d{1,9}")
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
LONG_TEXT = 200
"""Text this long or longer is typed in a text area."""
YES, NO = "yes", "no"


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer a question or a select offers: its value, and the words shown for it."""

    value: str
    text: str


@dataclass(frozen=True, slots=True)
class Field:
    """One question of a form."""

    name: str
    """The form's name for it, and its element id (a date's boxes: ``name-day``...)."""
    kind: Kind
    label: str
    hint: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    birth: bool = False
    """A date of birth: within the 0-25 system (``bounds.check_birth_day``), not case dates."""

    @property
    def anchor(self) -> str:
        """The element an error summary links to: a date's day box, a choice's first item."""
        return f"{self.name}-day" if self.kind is Kind.DATE else self.name

    @property
    def long(self) -> bool:
        return self.kind is Kind.TEXT and (self.max_length or 0) >= LONG_TEXT

    @property
    def subject(self) -> str:
        """The label inside a sentence: "the day it happened"."""
        return self.label[:1].lower() + self.label[1:] if self.label[1:2].islower() else self.label


class FieldError(ValueError):
    """What is wrong with one field, in one sentence for the person filling it in."""


def typed(fields: tuple[Field, ...], form: Mapping[str, Any]) -> dict[str, str]:
    """What was typed in each box, by its name (a date's three boxes each), to fill the form
    again; anything else posted is left out."""
    names = [
        f"{f.name}-{part}" if f.kind is Kind.DATE else f.name
        for f in fields
        for part in (DATE_PARTS if f.kind is Kind.DATE else ("",))
    ]
    out = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            out[name] = value
    return out


def read(field: Field, form: Mapping[str, str]) -> Any:
    """The field's value from the boxes typed (``typed``): None when not given, or
    ``FieldError`` saying what is wrong (a required field not given too)."""
    value = _value(field, form)
    if value is None and field.required:
        raise FieldError(missing(field))
    return value


class FormRefused(Exception):
    """What is wrong with a posted form: messages by field name, in the order of the form
    (None: the form as a whole)."""

    def __init__(self, errors: list[tuple[str | None, str]]) -> None:
        super().__init__("; ".join(message for _, message in errors))
        self.errors = errors


def read_all(fields: tuple[Field, ...], form: Mapping[str, str]) -> dict[str, Any]:
    """Each field's value (None: not given), or ``FormRefused`` with every field's problem."""
    errors: list[tuple[str | None, str]] = []
    values: dict[str, Any] = {}
    for f in fields:
        try:
            values[f.name] = read(f, form)
        except FieldError as error:
            errors.append((f.name, str(error)))
    if errors:
        raise FormRefused(errors)
    return values


def missing(field: Field) -> str:
    """The GOV.UK message for a question left unanswered."""
    verb = "Select" if field.choices or field.kind is Kind.SWITCH else "Enter"
    return f"{verb} {field.subject}"


def _value(field: Field, form: Mapping[str, str]) -> Any:
    match field.kind:
        case Kind.DATE:
            return _date(field, [form.get(f"{field.name}-{p}", "").strip() for p in DATE_PARTS])
        case Kind.FLAG:
            return form.get(field.name) == YES
        case Kind.SWITCH:
            answer = form.get(field.name, "")
            return {YES: True, NO: False}.get(answer)
        case Kind.NUMBER:
            text = form.get(field.name, "").strip()
            if not text:
                return None
            if not _WHOLE_NUMBER.fullmatch(text):
                raise FieldError(f"{_capital(field.subject)} must be a whole number, like 1")
            return int(text)
    text = form.get(field.name, "").strip()
    if not text:
        return None
    if field.choices and text not in {c.value for c in field.choices}:
        raise FieldError(missing(field))
    if field.max_length is not None and len(text) > field.max_length:
        raise FieldError(
            f"{_capital(field.subject)} must be {field.max_length} characters or fewer"
        )
    return text


def _date(field: Field, parts: list[str]) -> date | None:
    """A date from the GOV.UK date input's boxes (GOV.UK's messages for each way it can be
    wrong), then within the dates a case can have (``statutory.bounds``)."""
    if not any(parts):
        return None
    subject = _capital(field.subject)
    absent = [name for name, part in zip(DATE_PARTS, parts, strict=True) if not part]
    if absent:
        raise FieldError(f"{subject} must include a {' and a '.join(absent)}")
    day_text, month_text, year_text = parts
    if not all(p.isdigit() for p in parts) or len(year_text) != 4:
        raise FieldError(f"{subject} must be a real date")
    try:
        day = date(int(year_text), int(month_text), int(day_text))
    except ValueError:
        raise FieldError(f"{subject} must be a real date") from None
    try:
        return bounds.check_birth_day(day) if field.birth else bounds.check_day(day, field.subject)
    except RuleViolation as error:
        raise FieldError(sentence(str(error))) from None


def date_parts(value: date | None) -> dict[str, str]:
    """A date as the date input's boxes are filled: day, month and year."""
    if value is None:
        return {}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


def sentence(message: str) -> str:
    """A rule's message as a page shows it: a capital first letter, dates as "1 Dec 2026"."""
    worded = _ISO_DAY.sub(_iso_as_written, message.strip())
    return _capital(worded)


def _iso_as_written(match: re.Match[str]) -> str:
    try:
        return as_written(date(*(int(g) for g in match.groups())))
    except ValueError:
        return match.group(0)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
