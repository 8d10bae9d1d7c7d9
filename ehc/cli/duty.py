"""``ehc reassessment``, ``ehc tribunal-order``, ``ehc transfer-in``, ``ehc transfer-out`` and
``ehc appeal``: one group of commands per duty-clock process, each built from the process's
declaration (``statutory.clock_processes.CLOCKS``).

A process's legal dates are the options of its ``start`` (``--requested``, ``--order``...),
its kinds the values of ``--kind``, its actions the values of ``record``'s ACTION (with their
choices), its exceptions the values of ``exception --reason``; ``advice`` exists only where
the process keeps requests for advice. A new process declared there is a new group here with
nothing to write, once ``ehc.cli.main.COMMANDS`` lists it. The event options of
``exception``, ``withdraw``, ``reassign`` and ``advice`` come from the event models, as
``ehc assessment record``'s do (``ehc.cli.record``).

A case reference may have several clocks of one process over its life (two appeals): each
command works on its one open clock, or on the one ``--id`` names (``ehc.duties.resolve``).
"""

# Not ``from __future__ import annotations``: the commands' annotations carry each process's
# help, so they must be objects when the commands are made (typer reads them then).

import inspect
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel, TypeAdapter, ValidationError
from rich.table import Table

from ehc import wording
from ehc.cli.case_commands import CaseworkerOption, TeamOption, connected, print_heading
from ehc.cli.common import TeamFilter, fail, one_line, out, parse_date, recorded, run
from ehc.cli.listing import print_advice, print_alerts, print_steps
from ehc.cli.record import FieldOptions, Kind, Option, RecordOptions
from ehc.text import count, day
from statutory import clocks
from statutory.clock_processes import CLOCKS
from statutory.errors import RuleViolation

if TYPE_CHECKING:
    from ehc.duties import Duties, DutySummary
    from workflows.models import DutyView

EVENTS: TypeAdapter[clocks.ClockEvent] = TypeAdapter(clocks.ClockEvent)

#: Codes a report needs at the start (``ClockStart.detail``), by process: the option, its key.
DETAIL_OPTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # SEN2 reads the council a plan came from (statutory/sen2.py).
    "transfer-in": (
        ("--from-council", "from_council", "The council the plan came from (its code, e.g. 886)."),
    ),
    "transfer-out": (("--to-council", "to_council", "The council the plan goes to (its code)."),),
}

CaseRefArgument = Annotated[
    str, typer.Argument(help="Council case reference, e.g. EHC-2026-0147.", show_default=False)
]
IdOption = Annotated[
    str | None,
    typer.Option(
        "--id",
        help="The clock's id (shown by start, show and list), when the case has several open.",
    ),
]


def summary(proc: clocks.ClockProcess) -> str:
    """The group's first line (``ehc --help`` shows it: ``ehc.cli.main.COMMANDS``)."""
    return f"{proc.process.title}: one durable workflow per case."


def kind_words(proc: clocks.ClockProcess, variant: str | None) -> str:
    """What the case is, in words: "appeal (the plan's contents)"."""
    what = proc.process.title
    return f"{what} ({proc.variants[variant]})" if variant and variant in proc.variants else what


def action_help(action: clocks.Action, proc: clocks.ClockProcess) -> str:
    """One action as ``record --help`` lists it: name, title, choices, kinds of case."""
    text = f"{action.name}: {action.title}"
    if action.choices:
        choices = ", ".join(
            f"{c} ({action.choice_words[c]})" if c in action.choice_words else c
            for c in action.choices
        )
        text += f"; --choice {choices}"
    if action.variants is not None:
        text += f"; only for --kind {', '.join(v for v in proc.variants if v in action.variants)}"
    return text + "."


def _dates_help(proc: clocks.ClockProcess) -> str:
    groups = [" or ".join(f"--{n}" for n in group) for group in proc.required]
    return "Give " + "; and ".join(groups) + ". Dates are YYYY-MM-DD or DD/MM/YYYY."


def _with_options(function: Callable[..., None], extra: list[inspect.Parameter]) -> None:
    """``function(..., **given)`` takes ``extra`` as options too (typer reads the signature)."""
    signature = inspect.signature(function)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    function.__signature__ = signature.replace(parameters=[*kept, *extra])  # type: ignore[attr-defined]


def _text_option(name: str, decl: str, help: str, metavar: str | None = None) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(None, decl, help=help, show_default=False, metavar=metavar),
        annotation=str | None,
    )


async def _service() -> "Duties":
    from ehc.duties import Duties  # Temporal: loaded only by a command that uses it

    return await connected(Duties)


# --- what is printed -------------------------------------------------------------------------


def stage_words(view: "DutyView") -> str:
    c = view.case
    if c.closed:
        return f"ended: {clocks.ending_words(c.process, c.ending or '')}"
    nxt = view.next_step
    return wording.stage(c.process, nxt.step if nxt else "open")


def _done_line(view: "DutyView") -> str:
    text = stage_words(view)
    return text if view.case.closed else f"now {text}"


def print_view(view: "DutyView") -> None:
    """A clock for people: its dates, steps, what was recorded, what is next, its ending."""
    c = view.case
    proc = c.declared
    print_heading(
        c.case_ref, kind_words(proc, c.variant), stage_words(view), c.caseworker, c.team, view.as_of
    )
    out.print(f"Id {view.workflow_id}.")
    dates = Table(title="Dates")
    for col in ("Date", "Day"):
        dates.add_column(col)
    for anchor in proc.anchors:
        if anchor.name in c.dates:
            dates.add_row(anchor.words[:1].upper() + anchor.words[1:], day(c.dates[anchor.name]))
    # Dates another process keeps (a transferred plan's first review, reg 15(5)).
    for deadline in proc.deadlines:
        if deadline.step is None and deadline.output in view.key_dates:
            words = deadline.output.replace("_", " ").capitalize()
            dates.add_row(words, day(view.key_dates[deadline.output]))
    out.print(dates)
    print_steps(view.steps)
    print_recorded(view)
    print_alerts(view.alerts, view.steps)
    print_advice(view.advice)
    if view.next_step is not None:
        out.print(f"{wording.next_step(view.next_step)}.")
    if c.closed and c.ended_on is not None:
        ending = clocks.ending_words(c.process, c.ending or "")
        timely = ""
        if view.outcome is not None and view.outcome.in_time is not None:
            timely = ", in time" if view.outcome.in_time else ", not in time"
        out.print(f"Ended {day(c.ended_on)}: {ending}{timely}.")
    for follow in c.follow_ons:
        opened = CLOCKS[follow.process]
        out.print(f"Opened {day(follow.on)}: {kind_words(opened, follow.variant)}.")


def print_recorded(view: "DutyView") -> None:
    """What was recorded, by day: actions (with the choice made), exceptions, advice."""
    c = view.case
    proc = c.declared
    lines: list[tuple[Any, str, str]] = []
    for name, on in c.recorded.items():
        action = proc.action(name)
        choice = c.choices.get(name)
        detail = action.choice_words.get(choice, choice) if choice else ""
        lines.append((on, action.title, detail or ""))
    for e in c.exceptions:
        note = f"note: {e.note}; " if e.note else ""
        lines.append(
            (
                e.start,
                wording.exception(e.reason, e.start, e.end),
                f"{note}recorded {day(e.recorded_on)}",
            )
        )
    for a in c.advice:
        lines.append(
            (
                a.requested_on,
                f"Advice requested: {wording.ADVICE_TYPE[a.advice_type]} advice from {a.provider}",
                f"request {a.id}",
            )
        )
        if a.received_on is not None:
            lines.append((a.received_on, "Advice received", f"request {a.id}"))
    if c.ending is not None and c.ended_on is not None and c.ended_by is None:
        lines.append((c.ended_on, f"Ended: {clocks.ending_words(c.process, c.ending)}", ""))
    table = Table(title="Recorded")
    for col in ("Day", "What", "Detail"):
        table.add_column(col)
    for on, what, detail in sorted(lines, key=lambda x: x[0]):
        table.add_row(day(on), what, detail)
    out.print(table)


def print_clocks(process: str, found: "list[DutySummary]", as_json: bool) -> None:
    """A list of clocks: JSON lines (ISO dates) or a table in words."""
    now = datetime.now(UTC)
    today = now.date()
    proc = CLOCKS[process]
    if as_json:
        for d in found:
            row = {
                "workflow_id": d.workflow_id,
                "case_ref": d.case_ref,
                "process": d.process,
                "variant": d.variant,
                "opened_on": d.opened_on.isoformat(),
                "stage": d.stage,
                "status": d.status,
                "next_step": d.next_step,
                "next_deadline": d.next_deadline and d.next_deadline.isoformat(),
                "days_overdue": d.days_overdue(today),
                "caseworker": d.caseworker,
                "team": d.team,
            }
            print(json.dumps(row))
        return
    table = Table(title=proc.process.title)
    columns = ["Case", "Kind", "Opened", "Stage", "Due", "Overdue by", "Caseworker", "Team", "Id"]
    for col in columns:
        table.add_column(col)
    for d in found:
        late = d.days_overdue(today)
        table.add_row(
            d.case_ref,
            proc.variants.get(d.variant or "", ""),
            day(d.opened_on),
            wording.stage(process, d.stage),
            day(d.next_deadline),
            count(late, "day") if late is not None and late > 0 else "",
            d.caseworker,
            d.team,
            d.workflow_id,
            style="red" if late is not None and late > 0 else None,
        )
    out.print(table)
    out.print(
        f"{count(len(found), 'case')}. From Temporal visibility at {now:%H:%M:%S} UTC on "
        f"{day(today)}; a case started in the last few seconds may not show yet."
    )


# --- the commands ----------------------------------------------------------------------------


def _record_on(
    process: str, case_ref: str, workflow_id: str | None, event: clocks.ClockEvent, what: str
) -> None:
    """Record ``event`` on the case's open clock (or ``workflow_id``) and say where it stands."""

    async def go() -> "DutyView":
        service = await _service()
        return await service.record(await service.resolve(case_ref, process, workflow_id), event)

    view = run(go())
    out.print(recorded(what, view.case.case_ref, _done_line(view), view.next_step))


def _event_command(
    app: typer.Typer,
    process: str,
    name: str,
    model: type[BaseModel],
    help: str,
    custom: Mapping[str, FieldOptions] | None = None,
) -> None:
    """``name CASE_REF [--id] <the event's fields>``: records one kind of event."""
    options = RecordOptions(EVENTS, {model.model_fields["type"].default: model}, custom)
    event_type = next(iter(options.event_types))

    def command(case_ref: CaseRefArgument, workflow_id: IdOption = None, **given: Any) -> None:
        event = options.event(event_type, given)
        _record_on(process, case_ref, workflow_id, event, model.title.lower())  # type: ignore[attr-defined]

    app.command(name, help=help)(options.command(command))


def _start_command(app: typer.Typer, proc: clocks.ClockProcess) -> None:
    process = proc.name
    anchors = {a.name.replace("-", "_"): a for a in proc.anchors}
    details = DETAIL_OPTIONS.get(process, ())

    def start(
        case_ref: CaseRefArgument,
        caseworker: CaseworkerOption,
        team: TeamOption,
        **given: Any,
    ) -> None:
        dates = {
            anchor.name: parse_date(given[param], f"--{anchor.name}")
            for param, anchor in anchors.items()
            if given.get(param)
        }
        detail = {key: given[decl[2:].replace("-", "_")] for decl, key, _ in details}
        try:
            clock = clocks.ClockStart(
                process=process,
                variant=given.get("kind"),
                case_ref=case_ref,
                caseworker=caseworker,
                team=team,
                dates=dates,
                detail={k: v for k, v in detail.items() if v},
            )
        except ValidationError as error:
            fail(one_line(error))

        async def go() -> "DutyView":
            return await (await _service()).start(clock)

        view = run(go())
        due = ", ".join(f"{s.label} by {day(s.target)}" for s in view.steps if s.is_open)
        out.print(
            f"Started the clock for {view.case.case_ref}: {kind_words(proc, clock.variant)}, "
            f"id {view.workflow_id}" + (f". Due: {due}" if due else "") + "."
        )

    extra = []
    if proc.variants:
        kinds = "; ".join(f"{k} ({w})" for k, w in proc.variants.items())
        extra.append(_text_option("kind", "--kind", f"The kind of case: {kinds}."))
    for param, anchor in anchors.items():
        words = anchor.words[:1].upper() + anchor.words[1:]
        extra.append(_text_option(param, f"--{anchor.name}", f"{words}.", "<date>"))
    for decl, _, text in details:
        extra.append(_text_option(decl[2:].replace("-", "_"), decl, text))
    _with_options(start, extra)
    help = "Start the case's clock (backdated dates are fine). " + _dates_help(proc)
    app.command("start", help=help)(start)


def _record_command(app: typer.Typer, proc: clocks.ClockProcess) -> None:
    process = proc.name
    listed = "\n\n".join(action_help(a, proc) for a in proc.actions)

    def record(
        case_ref: CaseRefArgument,
        action: Annotated[
            str,
            typer.Argument(
                help="What happened: " + ", ".join(a.name for a in proc.actions) + ".",
                show_default=False,
            ),
        ],
        on: Annotated[str | None, typer.Option(help="The day it happened (default today).")] = None,
        choice: Annotated[
            str | None, typer.Option(help="The outcome, for an action that has several.")
        ] = None,
        workflow_id: IdOption = None,
    ) -> None:
        try:
            done = proc.action(action)
        except RuleViolation as error:
            fail(str(error))
        day_of = parse_date(on, "--on") if on else datetime.now(UTC).date()
        try:
            event = clocks.ActionRecorded(on=day_of, action=action, choice=choice)
        except ValidationError as error:
            fail(one_line(error))
        _record_on(process, case_ref, workflow_id, event, f"'{done.title}'")

    help = (
        "Record an action. It is checked against the rules first; a rejected one changes "
        f"nothing.\n\nActions:\n\n{listed}"
    )
    app.command("record", help=help)(record)


def _reason_options(proc: clocks.ClockProcess) -> FieldOptions:
    """``exception --reason``: the exceptions this process's limits allow."""
    allowed = ", ".join(
        f"{r.value} (at least {count(n, 'day')})" if n > 1 else r.value
        for r, n in proc.exception_days.items()
    )
    option = Option("reason", "--reason", Kind.TEXT, f"The exception that applies: {allowed}.")
    return FieldOptions((option,), lambda given: given["reason"])


def _show_and_list(app: typer.Typer, proc: clocks.ClockProcess) -> None:
    process = proc.name

    @app.command(
        "show",
        help="The case's dates, each step with its status and regulation, what was recorded, "
        "what is next and how it ended.",
    )
    def show(
        case_ref: CaseRefArgument,
        as_json: Annotated[bool, typer.Option("--json", help="The whole clock as JSON.")] = False,
        workflow_id: IdOption = None,
    ) -> None:
        async def go() -> "DutyView":
            service = await _service()
            return await service.view(await service.resolve(case_ref, process, workflow_id))

        view = run(go())
        if as_json:
            print(view.model_dump_json(indent=2))
        else:
            print_view(view)

    @app.command("list")
    def list_clocks(
        team: TeamFilter = None,
        open_only: Annotated[
            bool, typer.Option("--open/--all", help="Only open cases (default), or all.")
        ] = True,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one case each.")] = False,
    ) -> None:
        """Cases by next statutory date (answered from Temporal visibility)."""

        async def go() -> "list[DutySummary]":
            from ehc.known import require_listed_filters_known

            service = await _service()
            found = await service.list_clocks(process, team=team, open_only=open_only)
            if not found and team is not None:
                await require_listed_filters_known(
                    service.client, service.settings.directory_file, team=team, caseworker=None
                )
            return found

        print_clocks(process, run(go()), as_json)


def group(proc: clocks.ClockProcess) -> typer.Typer:
    """Every command of one process, from its declaration."""
    app = typer.Typer(help=f"{summary(proc)}\n\n{proc.process.source}.", no_args_is_help=True)
    _start_command(app, proc)
    _record_command(app, proc)
    _event_command(
        app,
        proc.name,
        "exception",
        clocks.ExceptionRecorded,
        "Record an exception to the time limits (the law's exceptions for this process).",
        {"reason": _reason_options(proc)},
    )
    _event_command(
        app, proc.name, "withdraw", clocks.Withdrawn, "The case is withdrawn: it closes."
    )
    _event_command(
        app,
        proc.name,
        "reassign",
        clocks.CaseworkerReassigned,
        "Move the case to another caseworker (and team).",
    )
    if proc.advice:
        advice = typer.Typer(help="Requests for advice, each with its own 6-week clock (reg 8(1)).")
        _event_command(
            advice, proc.name, "request", clocks.AdviceRequested, "Record a request for advice."
        )
        _event_command(
            advice, proc.name, "received", clocks.AdviceReceived, "Record advice received."
        )
        app.add_typer(advice, name="advice")
    _show_and_list(app, proc)
    return app


def __getattr__(name: str) -> typer.Typer:
    """``reassessment_app``, ``transfer_in_app``...: the group of each declared process, by
    the attribute ``ehc.cli.main.COMMANDS`` names, built when first asked for."""
    process = name.removesuffix("_app").replace("_", "-")
    if not name.endswith("_app") or process not in CLOCKS:
        raise AttributeError(name)
    built = globals()[name] = group(CLOCKS[process])
    return built
