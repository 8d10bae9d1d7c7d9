"""What every command shares: one-line errors with the right exit status, date parsing."""

from __future__ import annotations

import os
import sys
from collections.abc import Coroutine
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from ehc.text import day, parse_day
from statutory.errors import RuleViolation

if TYPE_CHECKING:
    from pydantic import ValidationError

    from statutory.steps import StepStatus

T = TypeVar("T")
# Piped output gets wide lines rather than rich's 80-column default, unless COLUMNS says how
# wide (rich reads it).
out = Console(
    highlight=False,
    width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160,
)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 1000)

BAD_INPUT = 2
FAILED = 1


class Fail(Exception):
    """Stop the command with one plain line on stderr and an exit status."""

    def __init__(self, message: str, code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    raise Fail(message, code)


def parse_date(text: str, option: str, *, birth: bool = False) -> date:
    """A calendar date written YYYY-MM-DD or DD/MM/YYYY, as the importer reads them
    (``ehc.text.parse_day``: no week dates, no 20250521, no US order), within the dates a case
    can have (``statutory.bounds``; ``birth``: a date of birth in the 0-25 system)."""
    from statutory import bounds

    try:
        day = parse_day(text)
        return bounds.check_birth_day(day) if birth else bounds.check_day(day, "the date")
    except (ValueError, RuleViolation) as error:
        fail(f"{option}: {error}")


def today_utc() -> date:
    return datetime.now(UTC).date()


def one_line(error: ValidationError) -> str:
    """A pydantic error as one sentence: the first problem, where it is."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"] if not isinstance(p, int))
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine, turning the errors users can meet into one line."""
    # Imported here, not above: Temporal and the server are loaded only by commands that run.
    import asyncio

    from pydantic import ValidationError

    from activities.directory import DirectoryError
    from ehc.cases import CaseError
    from ehc.codec import CodecError
    from ehc.server import ServerError
    from ehc.temporal import TemporalUnreachable

    try:
        return asyncio.run(coro)
    except TemporalUnreachable as error:
        fail(str(error), FAILED)
    except (ServerError, DirectoryError, CodecError) as error:
        fail(str(error), FAILED)
    except CaseError as error:  # unknown case, rejected event: the input was wrong
        fail(str(error))
    except RuleViolation as error:
        fail(str(error))
    except ValidationError as error:
        fail(one_line(error))


def recorded(event: str, case_ref: str, stage: str, next_step: StepStatus | None) -> str:
    return f"Recorded {event} on {case_ref.upper()}; {stage}" + (
        f"; next: {next_step.label} by {day(next_step.target)}" if next_step else ""
    )


#: Filters every list of cases takes (``assessment list``, ``review list``).
TeamFilter = Annotated[
    str | None,
    typer.Option(
        "--team", help="Only this team (one no case or directory entry names is refused)."
    ),
]
CaseworkerFilter = Annotated[
    str | None,
    typer.Option(
        "--caseworker",
        help="Only this caseworker (one no case or directory entry names is refused).",
    ),
]
