"""Duty-clock routes: re-assessments, Tribunal orders, transfers in and out, and appeals.

One set of routes per process declared in ``statutory.clock_processes.CLOCKS`` (its path is
the process's name, so no other name is a route): start a clock, read a case's clocks of that
process, record what happened. They go through ``ehc.duties.Duties``, the service the CLI uses,
with the roles of the assessment routes. A start or an event the rules refuse is answered 400
with the rule's sentence, and nothing is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, Query, status
from pydantic import BaseModel, Field

from ehc.api.auth import Principal, Role
from ehc.api.context import ApiContext, Context, allow, require_owner, require_reader
from ehc.api.strict import no_unknown_fields
from ehc.cases import CaseError, CaseNotFound
from ehc.duties import Duties, DutySummary, noun, opened_case
from statutory import bounds, clocks
from statutory.clock_processes import CLOCKS
from statutory.errors import RuleViolation
from statutory.identifiers import CaseRef, StaffId, TeamId
from statutory.steps import StepStatus
from workflows.models import DutyView

router = APIRouter()
CaseRefPath = Annotated[CaseRef, Path(description="Council case reference, e.g. EHC-2026-0147")]
ClockId = Annotated[
    str | None,
    Query(
        alias="id",
        max_length=120,
        description="The clock's workflow id, when the case has several open clocks of this "
        "process (two appeals); otherwise the one open clock is used.",
    ),
]
Writer = Annotated[Principal, allow(Role.CASEWORKER, what="write to cases")]
Reader = Annotated[Principal, allow(Role.CASEWORKER, Role.SUPERVISOR, what="read cases")]


class DutyStartRequest(BaseModel):
    """A clock to start: its kind, whose it is, and the legal dates known (the route's
    description lists the process's dates and kinds)."""

    variant: str | None = None
    """The kind of case (a Tribunal order's type, an appeal's subject); none for a process
    with one kind."""
    case_ref: CaseRef
    caseworker: StaffId
    team: TeamId
    dates: dict[str, bounds.CaseDay]
    """The legal dates known, by name (ISO dates)."""
    detail: dict[str, Annotated[str, Field(max_length=80)]] = Field(default_factory=dict)
    """Codes reports need, such as ``from_council`` for a plan transferred in; never names."""
    prior_events: list[clocks.ClockEvent] = Field(default_factory=list)
    """What already happened, in order (a case entered with its history)."""

    def clock_start(self, process: str) -> clocks.ClockStart:
        return clocks.ClockStart(
            process=process,
            variant=self.variant,
            case_ref=self.case_ref,
            caseworker=self.caseworker,
            team=self.team,
            dates=self.dates,
            detail=self.detail,
        )


class DutyStatus(BaseModel):
    """Where a clock stands after a start or an event."""

    case_ref: str
    process: str
    workflow_id: str
    stage: str
    """The next step's id, ``open`` (nothing due) or ``closed``."""
    next_step: StepStatus | None
    key_dates: dict[str, date]
    ending: str | None
    """How it ended (``complied``, ``withdrawn``...); null while open."""


class DutyClock(BaseModel):
    """One clock of a case, as the list gives it."""

    workflow_id: str
    variant: str | None
    opened_on: date
    stage: str
    running: bool
    next_step: str | None
    next_deadline: date | None
    caseworker: str
    team: str


class DutyCases(BaseModel):
    """A case's clocks of one process, and the one asked for (or the one open) in full."""

    case_ref: str
    process: str
    clocks: list[DutyClock]
    """Every clock of this process the case has had, open or ended, oldest deadline first."""
    current: DutyView | None
    """The clock named by ``id``, else the one open clock; null when none or several are open."""


def _today() -> date:
    return datetime.now(UTC).date()


def _refused(error: RuleViolation | CaseError, case_ref: str) -> HTTPException:
    """400 with the rule's own sentence (without the case reference ``ehc.cases`` puts first)."""
    message = str(error).removeprefix(f"{case_ref}: ").removeprefix("rejected: ")
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)


def _status(view: DutyView) -> DutyStatus:
    case = view.case
    return DutyStatus(
        case_ref=case.case_ref,
        process=case.process,
        workflow_id=view.workflow_id,
        stage=clocks.stage(case, view.as_of),
        next_step=view.next_step,
        key_dates=view.key_dates,
        ending=case.ending,
    )


def _listed(found: DutySummary) -> DutyClock:
    """The clock as the list gives it: the summary's fields of the same names."""
    return DutyClock.model_validate(found, from_attributes=True)


async def start_clock(
    ctx: ApiContext, who: Principal, process: str, body: DutyStartRequest
) -> DutyStatus:
    start = body.clock_start(process)
    require_owner(who, start.caseworker, start.case_ref)
    today = _today()
    # The rules first: a refused start is 400 with their sentence and nothing is started;
    # after this the service refuses only a clock started before.
    try:
        opened_case(start, body.prior_events, today)
    except RuleViolation as error:
        raise _refused(error, start.case_ref) from None
    try:
        view = await ctx.within(ctx_duties(ctx).start(start, body.prior_events, today))
    except CaseNotFound:
        raise
    except CaseError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return _status(view)


async def read_clocks(
    ctx: ApiContext, who: Principal, process: str, case_ref: str, clock_id: str | None
) -> DutyCases:
    duties = ctx_duties(ctx)
    found = await ctx.within(duties.find(case_ref, process, open_only=False))
    if clock_id is not None:
        duties_id = await ctx.within(duties.resolve(case_ref, process, clock_id))
        current: DutyView | None = await ctx.within(duties.view(duties_id))
    else:
        running = [f for f in found if f.running]
        current = (
            await ctx.within(duties.view(running[0].workflow_id)) if len(running) == 1 else None
        )
    if not found and current is None:
        raise CaseNotFound(f"no {noun(process)} for {case_ref}")
    readable = [f for f in found if who.may_read(f.caseworker)]
    if current is not None:
        require_reader(who, current.case.caseworker, case_ref)
    elif not readable:
        require_reader(who, found[0].caseworker, case_ref)
    return DutyCases(
        case_ref=case_ref,
        process=process,
        clocks=[_listed(f) for f in readable],
        current=current,
    )


async def record_on_clock(
    ctx: ApiContext,
    who: Principal,
    process: str,
    case_ref: str,
    clock_id: str | None,
    event: clocks.ClockEvent,
) -> DutyStatus:
    """Only the clock's own caseworker records on it: checked before the event is recorded."""
    duties = ctx_duties(ctx)
    workflow_id = await ctx.within(duties.resolve(case_ref, process, clock_id))
    current = await ctx.within(duties.view(workflow_id))
    require_owner(who, current.case.caseworker, case_ref)
    try:
        if current.case.closed:
            # An ended clock's workflow takes no update: its rules say why.
            clocks.check(current.case, event, _today())
        view = await ctx.within(duties.record(workflow_id, event))
    except CaseNotFound:
        raise
    except (RuleViolation, CaseError) as error:
        raise _refused(error, case_ref) from None
    return _status(view)


def ctx_duties(ctx: ApiContext) -> Duties:
    return Duties(ctx.client, ctx.settings)


# --- the routes, one set per declared process --------------------------------------------------


def _described(declared: clocks.ClockProcess) -> str:
    """The process's legal dates, kinds and actions, for the route's documentation."""
    lines = [f"**{declared.process.title}** ({declared.process.source}).", "", "Legal dates:"]
    lines += [f"- `{a.name}`: {a.words}" for a in declared.anchors]
    groups = ["one of " + ", ".join(f"`{n}`" for n in g) for g in declared.required]
    lines += ["", "Needed at the start: " + "; ".join(groups) + "."]
    if declared.variants:
        lines += ["", "Kinds (`variant`):"]
        lines += [f"- `{k}`: {words}" for k, words in declared.variants.items()]
    lines += ["", 'Actions (`{"type": "action", "action": ..., "choice": ...}`):']
    for action in declared.actions:
        choices = (
            f" (choice: {', '.join(f'`{c}`' for c in action.choices)})" if action.choices else ""
        )
        lines.append(f"- `{action.name}`: {action.title}{choices}")
    reasons = ", ".join(f"`{r.value}`" for r in declared.exception_days) or "none"
    lines += ["", f'Exceptions (`{{"type": "exception"}}`): {reasons}.']
    return "\n".join(lines)


def _routes(process: str, declared: clocks.ClockProcess) -> None:
    what = noun(process)
    about = _described(declared)
    tags: list[str | Enum] = ["duty clocks"]

    async def start(ctx: Context, who: Writer, body: DutyStartRequest) -> DutyStatus:
        return await start_clock(ctx, who, process, body)

    async def read(
        ctx: Context, who: Reader, case_ref: CaseRefPath, clock_id: ClockId = None
    ) -> DutyCases:
        return await read_clocks(ctx, who, process, case_ref, clock_id)

    async def record(
        ctx: Context,
        who: Writer,
        case_ref: CaseRefPath,
        event: Annotated[clocks.ClockEvent, Body()],
        clock_id: ClockId = None,
    ) -> DutyStatus:
        return await record_on_clock(ctx, who, process, case_ref, clock_id, event)

    router.add_api_route(
        f"/{process}",
        start,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        tags=tags,
        summary=f"Start a {what}",
        description=f"Start the clock of a {what}; a case entered late, with `prior_events`, "
        f"is fine. 400: the rules refuse it (nothing is started); 409: this {what} was "
        f"started before.\n\n{about}",
        responses={
            400: {"description": "The rules refuse the start; the detail says why."},
            409: {"description": f"This {what} was already started."},
        },
        dependencies=[no_unknown_fields(DutyStartRequest)],
        operation_id=f"start_{process.replace('-', '_')}",
    )
    router.add_api_route(
        f"/{process}/{{case_ref}}",
        read,
        methods=["GET"],
        tags=tags,
        summary=f"A case's {what}s",
        description=f"Every {what} of the case (open or ended), and in full the one named by "
        "`id` or else the one open.",
        operation_id=f"read_{process.replace('-', '_')}",
    )
    router.add_api_route(
        f"/{process}/{{case_ref}}/events",
        record,
        methods=["POST"],
        tags=tags,
        summary=f"Record on a {what}",
        description="Record what happened; checked against the rules first. 400: refused, "
        f"with the rule's sentence (nothing is written).\n\n{about}",
        responses={400: {"description": "The rules refuse the event; the detail says why."}},
        dependencies=[no_unknown_fields(clocks.ClockEvent)],
        operation_id=f"record_{process.replace('-', '_')}",
    )


for _process, _declared in CLOCKS.items():
    _routes(_process, _declared)
