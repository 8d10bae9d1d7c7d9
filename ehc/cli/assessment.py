"""``ehc assessment``: start a case, record what happened, show it, list cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import TypeAdapter

from ehc import wording
from ehc.cli.case_commands import (
    CaseWords,
    CaseworkerOption,
    TeamOption,
    add_case_commands,
    connected,
    print_heading,
    started,
)
from ehc.cli.common import fail, out, parse_date, run
from ehc.cli.listing import print_advice, print_alerts, print_events, print_steps
from ehc.cli.record import RecordOptions
from ehc.text import day
from statutory import assessment as rules

if TYPE_CHECKING:
    from ehc.cases import Assessments
    from workflows.models import AssessmentView

app = typer.Typer(help="EHC needs assessments: one durable workflow per case.")

EVENT_ADAPTER: TypeAdapter[rules.AssessmentEvent] = TypeAdapter(rules.AssessmentEvent)


async def _service() -> Assessments:
    from ehc.cases import Assessments  # Temporal: loaded only by a command that uses it

    return await connected(Assessments)


@app.command()
def start(
    case_ref: Annotated[str, typer.Argument(help="Council case reference, e.g. EHC-2026-0147.")],
    received: Annotated[
        str, typer.Option(help="Day the request was received (YYYY-MM-DD or DD/MM/YYYY).")
    ],
    caseworker: CaseworkerOption,
    team: TeamOption,
    dob: Annotated[str | None, typer.Option(help="Child's date of birth.")] = None,
) -> None:
    """Start the assessment workflow for a request (backdated requests are fine)."""
    request = started(
        rules.AssessmentRequest,
        case_ref=case_ref,
        received=parse_date(received, "--received"),
        caseworker=caseworker,
        team=team,
        dob=dob,
    )

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


def _print_view(view: AssessmentView) -> None:
    c, k = view.case, view.key_dates
    stage = wording.ASSESSMENT_STAGE[c.stage]
    print_heading(c.case_ref, "EHC needs assessment", stage, c.caseworker, c.team, view.as_of)
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
    print_advice(view.advice)
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


add_case_commands(
    app,
    _service,
    RECORD,
    CaseWords(
        process="assessment",
        case_ref="Case reference.",
        event="What happened: " + ", ".join(rules.EVENT_TYPES) + ".",
        record="Record an event. It is checked against the rules first; a rejected event "
        "changes nothing.",
        show_json="The whole timeline as JSON.",
        show="The whole timeline of a case: dates, steps, events and alerts.",
        overdue="Only cases past their next statutory date.",
        include_closed="Include closed cases.",
        list_json="JSON lines, one case each.",
        list="Open assessments by next statutory date (answered from Temporal visibility).",
        title="Assessments",
        overdue_title="Overdue assessments",
        due_column="Final plan due",
    ),
    stage=lambda view: wording.ASSESSMENT_STAGE[view.case.stage],
    print_view=_print_view,
)
