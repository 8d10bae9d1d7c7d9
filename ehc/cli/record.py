"""The options of ``ehc assessment record`` and ``ehc review record``, made from the event models.

Every field of every event is an option, named after it (``advice_id`` is ``--advice-id``),
so an event's new field is a new option with nothing to write here. A date is read as the
importer reads dates and must be one a case can have (``parse_date``); a whole number is a
number; a yes/no field is a flag; anything else is text that the event model checks. An
option's help is its field's description (the docstring under the field), with the values of
a choice and the events that take the option.

A field that is not one option of its own kind has ``FieldOptions`` of its own: ``--on``
defaults to today, the review's phase transfer is three options, and the result of an appeal
is ``--plan-continues/--plan-ceases``.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar

import typer
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from ehc.cli.common import fail, parse_date, today_utc

E = TypeVar("E")
F = TypeVar("F", bound=Callable[..., None])


class Kind(StrEnum):
    """How an option is written on the command line."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    FLAG = "flag"  # --x: given means yes
    SWITCH = "switch"  # --x/--y: yes, no, or not given


@dataclass(frozen=True, slots=True)
class Option:
    """One option of ``record``, and the event field it fills."""

    field: str
    """The event field (several options may fill one field)."""
    decl: str
    """As written: ``--advice-id``, or ``--plan-continues/--plan-ceases`` for a switch."""
    kind: Kind
    help: str | None = None
    """Help of its own; None: made from the descriptions of the field in each event."""

    @property
    def flag(self) -> str:
        """The option as an error names it: ``--plan-continues``."""
        return self.decl.split("/")[0]

    @property
    def param(self) -> str:
        """Its parameter name in the command: ``plan_continues``."""
        return self.flag.removeprefix("--").replace("-", "_")

    def given(self, value: Any) -> bool:
        return value is not None and not (self.kind is Kind.FLAG and value is False)


@dataclass(frozen=True, slots=True)
class FieldOptions:
    """The options of a field that is not one option of its own kind, and its value from
    theirs (None: not given; ``value`` gets every option's value by parameter, given or not)."""

    options: tuple[Option, ...]
    value: Callable[[Mapping[str, Any]], Any]
    parts: Mapping[str, str] = field(default_factory=dict)
    """For a field holding a model: the option (parameter) that gives each of its fields."""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _on(description: str) -> FieldOptions:
    """``--on``: the day it happened, today when not given."""
    option = Option("on", "--on", Kind.DATE, f"{description.rstrip('.')} (default today).")
    return FieldOptions(
        (option,),
        lambda given: (parse_date(given["on"], "--on") if given["on"] else today_utc()).isoformat(),
    )


# --- what a field's type makes of it ---------------------------------------------------------


def _plain(annotation: Any) -> Any:
    """The type under ``Optional`` and ``Annotated``: ``TeamId | None`` is ``str``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _kind(name: str, info: FieldInfo) -> Kind:
    plain = _plain(info.annotation)
    if plain is bool:
        if info.default is not False:
            raise TypeError(f"{name}: a yes/no field without a default of no needs FieldOptions")
        return Kind.FLAG
    if plain is int:
        return Kind.NUMBER
    if plain is date:
        return Kind.DATE
    if plain is str or (isinstance(plain, type) and issubclass(plain, Enum)):
        return Kind.TEXT
    raise TypeError(f"{name}: a field of type {plain!r} needs FieldOptions")


def _choices(info: FieldInfo) -> list[str]:
    plain = _plain(info.annotation)
    if isinstance(plain, type) and issubclass(plain, Enum):
        return [str(member.value) for member in plain]
    return []


def _sentence(text: str) -> str:
    """A description as one line (docstrings wrap)."""
    return " ".join(text.split())


def field_help(info: FieldInfo) -> str:
    """A field's description, with the values it can take."""
    text = _sentence(info.description or "")
    choices = _choices(info)
    if choices:
        text = f"{text.rstrip('.')}: {', '.join(choices)}."
    return text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# --- the options of one ``record`` command ---------------------------------------------------


class RecordOptions(Generic[E]):
    """The options of a ``record`` command for one process's events, and the event they make.

    ``custom``: ``FieldOptions`` for fields that are not one option of their own kind (``on``
    has its own already). Raises ``TypeError`` at import for a field it cannot make an option
    of, so an event's new field is an option or a failing import, never silently missing.
    """

    def __init__(
        self,
        adapter: TypeAdapter[E],
        event_types: Mapping[str, type[BaseModel]],
        custom: Mapping[str, FieldOptions] | None = None,
    ) -> None:
        self.adapter = adapter
        self.event_types = event_types
        self.fields = {name: _fields(model) for name, model in event_types.items()}
        #: Each field's events, by name, in the order they are declared.
        self.takers: dict[str, list[str]] = {}
        for name, fields in self.fields.items():
            for field_name in fields:
                self.takers.setdefault(field_name, []).append(name)
        on = next(iter(self.fields.values()))["on"]
        self.custom = {"on": _on(field_help(on)), **(custom or {})}
        unknown = set(self.custom) - set(self.takers)
        if unknown:
            raise TypeError(f"no event has the field(s) {', '.join(sorted(unknown))}")
        #: Every option, in the order the events declare their fields.
        self.options: list[Option] = []
        for field_name, takers in self.takers.items():
            if field_name in self.custom:
                self.options.extend(self.custom[field_name].options)
                continue
            kinds = {_kind(field_name, self.fields[name][field_name]) for name in takers}
            if len(kinds) > 1:
                raise TypeError(f"{field_name}: one option cannot be {' and '.join(kinds)}")
            self.options.append(Option(field_name, _flag(field_name), kinds.pop()))
        params = [o.param for o in self.options]
        if len(set(params)) != len(params):
            raise TypeError("two options have the same name")

    # -- the command line: parameters and help --

    def help(self, option: Option) -> str:
        """What the option is, and which events take it."""
        takers = self.takers[option.field]
        if option.help is not None:
            groups = {option.help: takers}
        else:
            groups = {}
            for name in takers:
                text = field_help(self.fields[name][option.field])
                groups.setdefault(text, []).append(name)
        if len(groups) == 1 and len(takers) == len(self.event_types):
            return f"Every event: {_lower_first(next(iter(groups)))}"
        return " ".join(
            f"{', '.join(names)}: {_lower_first(text)}" for text, names in groups.items()
        )

    def parameters(self) -> list[inspect.Parameter]:
        """The options as typer parameters, in the order the events declare their fields."""
        out = []
        for option in self.options:
            help = self.help(option)
            python_type: Any
            if option.kind is Kind.FLAG:
                default, python_type = typer.Option(False, option.decl, help=help), bool
            elif option.kind is Kind.SWITCH:
                default, python_type = typer.Option(None, option.decl, help=help), bool | None
            elif option.kind is Kind.NUMBER:
                default, python_type = typer.Option(None, option.decl, help=help), int | None
            else:
                metavar = "<date>" if option.kind is Kind.DATE else None
                default = typer.Option(None, option.decl, help=help, metavar=metavar)
                python_type = str | None
            out.append(
                inspect.Parameter(
                    option.param,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=default,
                    annotation=python_type,
                )
            )
        return out

    def command(self, function: F) -> F:
        """``function(..., **options)`` as a command that takes every option by name."""
        signature = inspect.signature(function, eval_str=True)
        kept = [
            p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        function.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*kept, *self.parameters()]
        )
        return function

    # -- from the options given to an event --

    def event(self, event: str, given: Mapping[str, Any]) -> E:
        """The event from the options given: only the options that event takes, validated."""
        if event not in self.event_types:
            fail(f"unknown event '{event}' (known: {', '.join(self.event_types)})")
        fields = self.fields[event]
        given = {o.param: given.get(o.param) for o in self.options}
        for option in self.options:
            if option.given(given[option.param]) and option.field not in fields:
                fail(f"{event} takes no {option.flag}")
        values: dict[str, Any] = {}
        for name in fields:
            value = self._value(name, given)
            if value is not None:
                values[name] = value
        try:
            return self.adapter.validate_python({"type": event, **values})
        except ValidationError as error:
            first = error.errors()[0]
            # The location starts with the union's tag (the event itself): say the option.
            where = [str(p) for p in first["loc"] if not isinstance(p, int)][1:]
            named = f"{_flag(where[-1])}: " if where else ""
            fail(f"{event}: {named}{first['msg'].removeprefix('Value error, ')}")

    def _value(self, name: str, given: Mapping[str, Any]) -> Any:
        if name in self.custom:
            return self.custom[name].value(given)
        option = next(o for o in self.options if o.field == name)
        value = given[option.param]
        if not option.given(value):
            return None
        if option.kind is Kind.DATE:
            return parse_date(value, option.flag).isoformat()
        return value


def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {name: info for name, info in model.model_fields.items() if name != "type"}
