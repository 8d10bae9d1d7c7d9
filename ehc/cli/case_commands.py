"""What ``ehc assessment`` and ``ehc review`` share: their service, their start options, and
the ``record``, ``show`` and ``list`` commands.

The two kinds of case differ in their words (help, titles), their service (``ehc.cases``,
``ehc.reviews``) and how a case is printed; the commands themselves are written once, here.
"""

# Not ``from __future__ import annotations``: a command's annotations carry the help of its
# kind of case, so they must be objects when the command is made (typer reads them then).

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from ehc.cli.common import (
    CaseworkerFilter,
    TeamFilter,
    fail,
    one_line,
    out,
    parse_date,
    recorded,
    run,
)
from ehc.cli.listing import list_checked, print_cases
from ehc.cli.record import RecordOptions
from ehc.settings import Settings, get_settings
from ehc.text import day

if TYPE_CHECKING:
    from temporalio.client import Client

    from ehc.cases import CaseService, CaseSummary
    from workflows.models import AssessmentView, ReviewView

E = TypeVar("E")
V = TypeVar("V", bound="AssessmentView | ReviewView")
S = TypeVar("S")
M = TypeVar("M", bound=BaseModel)

#: Options of ``start`` that every kind of case takes.
CaseworkerOption = Annotated[str, typer.Option(help="Staff id of the caseworker (not a name).")]
TeamOption = Annotated[str, typer.Option(help="Team id, e.g. north.")]


async def connected(service: "Callable[[Client, Settings], S]") -> S:
    """The service of a kind of case, connected to Temporal with the settings."""
    from ehc.temporal import connect  # Temporal: loaded only by a command that uses it

    settings = get_settings()
    return service(await connect(settings), settings)


def started(
    make: Callable[..., M],
    *,
    case_ref: str,
    caseworker: str,
    team: str,
    dob: str | None,
    **dates: Any,
) -> M:
    """What starts a case (an assessment's request, a plan) from the options of ``start``;
    one the rules refuse stops the command with one line."""
    try:
        return make(
            case_ref=case_ref,
            caseworker=caseworker,
            team=team,
            date_of_birth=parse_date(dob, "--dob", birth=True) if dob else None,
            **dates,
        )
    except ValidationError as error:
        fail(one_line(error))


def print_heading(
    case_ref: str, what: str, stage: str, caseworker: str, team: str, as_of: date
) -> None:
    """The first line of ``show``: the case, what it is, where it stands, whose it is."""
    out.print(
        f"[bold]{case_ref}[/]: {what}, [bold]{stage}[/]. Caseworker {caseworker} "
        f"(team {team}). As of {day(as_of)}."
    )


@dataclass(frozen=True, slots=True)
class CaseWords:
    """What the commands of one kind of case say, word for word."""

    process: str
    """As ``ehc.wording`` names the process (``assessment``, ``review``)."""
    case_ref: str
    """Help of the case reference argument."""
    event: str
    """Help of ``record``'s event argument."""
    record: str
    show_json: str
    show: str
    overdue: str
    include_closed: str
    list_json: str
    list: str
    title: str
    overdue_title: str
    due_column: str


def add_case_commands(
    app: typer.Typer,
    service: "Callable[[], Awaitable[CaseService[E, V]]]",
    options: RecordOptions[E],
    words: CaseWords,
    *,
    stage: Callable[[V], str],
    print_view: Callable[[V], None],
) -> None:
    """``record``, ``show`` and ``list`` on ``app``, for the kind of case ``service`` serves."""

    @app.command("record", help=words.record)
    @options.command
    def record(
        case_ref: Annotated[str, typer.Argument(help=words.case_ref)],
        event: Annotated[str, typer.Argument(help=words.event)],
        **given: Any,
    ) -> None:
        parsed = options.event(event, given)

        async def go() -> V:
            return await (await service()).record(case_ref.strip().upper(), parsed)

        view = run(go())
        out.print(recorded(event, case_ref, f"now {stage(view)}", view.next_step))

    @app.command("show", help=words.show)
    def show(
        case_ref: Annotated[str, typer.Argument(help=words.case_ref)],
        as_json: Annotated[bool, typer.Option("--json", help=words.show_json)] = False,
    ) -> None:
        async def go() -> V:
            return await (await service()).view(case_ref.strip().upper())

        view = run(go())
        if as_json:
            print(view.model_dump_json(indent=2))
            return
        print_view(view)

    @app.command("list", help=words.list)
    def list_cases(
        overdue: Annotated[bool, typer.Option(help=words.overdue)] = False,
        team: TeamFilter = None,
        caseworker: CaseworkerFilter = None,
        include_closed: Annotated[bool, typer.Option("--all", help=words.include_closed)] = False,
        as_json: Annotated[bool, typer.Option("--json", help=words.list_json)] = False,
    ) -> None:
        now = datetime.now(UTC)

        async def go() -> "list[CaseSummary]":
            return await list_checked(
                await service(),
                overdue_on=now if overdue else None,
                team=team,
                caseworker=caseworker,
                include_closed=include_closed,
            )

        print_cases(
            run(go()),
            process=words.process,
            title=words.overdue_title if overdue else words.title,
            now=now,
            as_json=as_json,
            due_column=words.due_column,
        )
