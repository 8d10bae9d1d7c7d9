"""``ehc assessment``: start a case, record what happened, show it, list cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from ehc import wording
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
from ehc.cli.listing import list_checked, print_alerts, print_cases, print_events, print_steps
from ehc.cli.record import RecordOptions
from ehc.settings import get_settings
from ehc.text import day
from statutory import assessment as rules

if TYPE_CHECKING:
    from ehc.cases import Assessments, CaseSummary
    from workflows.models import AssessmentView

app = typer.Typer(help="EHC needs assessments: one durable workflow per case.")

EVENT_ADAPTER: TypeAdapter[rules.AssessmentEvent] = TypeAdapter(rules.AssessmentEvent)


async def _service() -> Assessments:
    from ehc.cases import Assessments  # Temporal: loaded only by a command that uses it
    from ehc.temporal import connect

    settings = get_settings()
    return Assessments(await connect(settings), settings)


@app.command()
def start(
    case_ref: Annotated[str, typer.Argument(help="Council case reference, e.g. EHC-2026-0147.")],
    received: Annotated[
        str, typer.Option(help="Day the request was received (YYYY-MM-DD or DD/MM/YYYY).")
    ],
    caseworker: Annotated[str, typer.Option(help="Staff id of the caseworker (not a name).")],
    team: Annotated[str, typer.Option(help="Team id, e.g. north.")],
    dob: Annotated[str | None, typer.Option(help="Child's date of birth.")] = None,
) -> None:
    """Start the assessment workflow for a request (backdated requests are fine)."""
    try:
        request = rules.AssessmentRequest(
            case_ref=case_ref,
            received=parse_date(received, "--received"),
            caseworker=caseworker,
            team=team,
            date_of_birth=parse_date(dob, "--dob", birth=True) if dob else None,
        )
    except ValidationError as error:
        fail(one_line(error))

    async def go() -> bool:
        return await (await _service()).start(request)

    if run(go()):
        out.print(
            f"Started assessment {request.case_ref}: final plan due "
            f"{day(rules.assessment_dates(request.received).final_plan.due)}"
        )
    else:
        fail(f"{request.case_ref}: an assessment with this case reference already exists")


RECORD = RecordOptions(EVENT_ADAPTER, rules.EVENT_TYPES)
"""The options of ``record``: every field of every event (``ehc.cli.record``)."""


@app.command()
@RECORD.command
def record(
    case_ref: Annotated[str, typer.Argument(help="Case reference.")],
    event: Annotated[
        str, typer.Argument(help="What happened: " + ", ".join(rules.EVENT_TYPES) + ".")
    ],
    **options: Any,
) -> None:
    """Record an event. It is checked against the rules first; a rejected event changes nothing."""
    parsed = RECORD.event(event, options)

    async def go() -> AssessmentView:
        return await (await _service()).record(case_ref.strip().upper(), parsed)

    view = run(go())
    stage = wording.ASSESSMENT_STAGE[view.case.stage]
    out.print(recorded(event, case_ref, f"now {stage}", view.next_step))


@app.command()
def show(
    case_ref: Annotated[str, typer.Argument(help="Case reference.")],
    as_json: Annotated[bool, typer.Option("--json", help="The whole timeline as JSON.")] = False,
) -> None:
    """The whole timeline of a case: dates, steps, events and alerts."""

    async def go() -> AssessmentView:
        return await (await _service()).view(case_ref.strip().upper())

    view = run(go())
    if as_json:
        print(view.model_dump_json(indent=2))
        return
    _print_view(view)


def _print_view(view: AssessmentView) -> None:
    c, k = view.case, view.key_dates
    out.print(
        f"[bold]{c.case_ref}[/]: EHC needs assessment, "
        f"[bold]{wording.ASSESSMENT_STAGE[c.stage]}[/]. Caseworker {c.caseworker} "
        f"(team {c.team}). As of {day(view.as_of)}."
    )
    out.print(
        f"Request received {day(k.received)}; final plan due by {day(k.final_plan_by)}"
        + (
            f" (target {day(k.operational_final_plan_by)}, moved by an exception)"
            if k.exceptions_apply
            else ""
        )
        + "."
    )
    print_steps(view.steps)
    print_events(view.case.timeline)
    print_alerts(view.alerts, view.steps)
    for advice in view.advice:
        s = advice.step
        out.print(
            f"Advice request {advice.request.advice_id}: {s.label}: {wording.step_status(s)} "
            f"(target {day(s.target)})."
        )
        print_alerts(advice.alerts, [s])
    if view.outcome:
        o = view.outcome
        notes = [] if o.within_20_weeks is None else [wording.within(o.within_20_weeks, "20 weeks")]
        notes += ["an exception applied"] if o.exceptions_apply else []
        out.print(
            f"Outcome: {wording.ENDING[o.ending]} on {day(o.ended_on)}, "
            f"{o.weeks_taken:g} weeks after the request"
            + (f" ({'; '.join(notes)})" if notes else "")
            + "."
        )


@app.command("list")
def list_cases(
    overdue: Annotated[
        bool, typer.Option(help="Only cases past their next statutory date.")
    ] = False,
    team: TeamFilter = None,
    caseworker: CaseworkerFilter = None,
    include_closed: Annotated[bool, typer.Option("--all", help="Include closed cases.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one case each.")] = False,
) -> None:
    """Open assessments by next statutory date (answered from Temporal visibility)."""
    now = datetime.now(UTC)

    async def go() -> list[CaseSummary]:
        return await list_checked(
            await _service(),
            overdue_on=now if overdue else None,
            team=team,
            caseworker=caseworker,
            include_closed=include_closed,
        )

    cases = run(go())
    print_cases(
        cases,
        process="assessment",
        title="Overdue assessments" if overdue else "Assessments",
        now=now,
        as_json=as_json,
        due_column="Final plan due",
    )
