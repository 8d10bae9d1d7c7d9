"""``ehc review``: a plan's annual-review cycle: start, record, show, list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

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
from ehc.cli.listing import print_alerts, print_events, print_steps
from ehc.cli.record import FieldOptions, Kind, Option, RecordOptions, field_help
from ehc.cli.transfer import phase_transfer
from ehc.text import day
from statutory import review as rules

if TYPE_CHECKING:
    from ehc.reviews import Reviews
    from workflows.models import ReviewView

app = typer.Typer(help="Annual reviews of EHC plans: one durable workflow per plan.")

EVENT_ADAPTER: TypeAdapter[rules.ReviewEvent] = TypeAdapter(rules.ReviewEvent)


async def _service() -> Reviews:
    from ehc.reviews import Reviews  # Temporal: loaded only by a command that uses it

    return await connected(Reviews)


@app.command()
def start(
    case_ref: Annotated[str, typer.Argument(help="Council case reference of the plan.")],
    caseworker: CaseworkerOption,
    team: TeamOption,
    plan_date: Annotated[str, typer.Option(help="Day the plan was made (final plan issued).")],
    last_review: Annotated[
        str | None, typer.Option(help="Day the latest review concluded, if any.")
    ] = None,
    dob: Annotated[str | None, typer.Option(help="Date of birth (under-5 reviews).")] = None,
    transfer: Annotated[
        str | None, typer.Option(help="Next phase transfer: " + ", ".join(rules.TransferKind))
    ] = None,
    transfer_year: Annotated[int | None, typer.Option(help="Year of the transfer.")] = None,
    move_date: Annotated[str | None, typer.Option(help="post16-post16: day of the move.")] = None,
) -> None:
    """Start the review clock of an existing plan (plans made here start it themselves)."""
    plan = started(
        rules.PlanRecord,
        case_ref=case_ref,
        plan_date=parse_date(plan_date, "--plan-date"),
        caseworker=caseworker,
        team=team,
        dob=dob,
    )
    phase = phase_transfer(transfer, transfer_year, move_date)
    last = parse_date(last_review, "--last-review") if last_review else None

    async def go() -> bool:
        return await (await _service()).start(plan, last_review=last, transfer=phase)

    if not run(go()):
        fail(f"{plan.case_ref}: this plan already has a review workflow")
    due = rules.review_due(last or plan.plan_date)
    out.print(f"Started the review clock for {plan.case_ref}: next review due by {day(due)}")


def _transfer_options() -> FieldOptions:
    """transfer-set's phase transfer: ``--transfer KIND --transfer-year N --move-date D``."""
    parts = rules.PhaseTransfer.model_fields
    whole = field_help(rules.TransferSet.model_fields["transfer"])
    options = (
        Option("transfer", "--transfer", Kind.TEXT, f"{whole} {field_help(parts['kind'])}"),
        Option("transfer", "--transfer-year", Kind.NUMBER, field_help(parts["year"])),
        Option("transfer", "--move-date", Kind.DATE, field_help(parts["move_date"])),
    )

    def value(given: Mapping[str, Any]) -> Any:
        phase = phase_transfer(given["transfer"], given["transfer_year"], given["move_date"])
        return phase.model_dump(mode="json") if phase else None

    return FieldOptions(
        options,
        value,
        parts={"kind": "transfer", "year": "transfer_year", "move_date": "move_date"},
    )


def _appeal_result() -> FieldOptions:
    """appeal-concluded's result: ``--plan-continues`` or ``--plan-ceases``."""
    info = rules.AppealConcluded.model_fields["plan_continues"]
    option = Option(
        "plan_continues", "--plan-continues/--plan-ceases", Kind.SWITCH, field_help(info)
    )
    return FieldOptions((option,), lambda given: given["plan_continues"])


RECORD = RecordOptions(
    EVENT_ADAPTER,
    rules.EVENT_TYPES,
    custom={"transfer": _transfer_options(), "plan_continues": _appeal_result()},
)
"""The options of ``record``: every field of every event (``ehc.cli.record``)."""


def _print_view(view: ReviewView) -> None:
    c, k = view.cycle, view.key_dates
    what, stage = f"annual review, cycle {c.cycle}", wording.REVIEW_STAGE[view.stage]
    print_heading(c.case_ref, what, stage, c.caseworker, c.team, view.as_of)
    line = f"Cycle from {day(c.anchor)}; review due by {day(k.review_due_by)}."
    if c.transfer:
        line += f" Transfer: {wording.transfer(c.transfer)}"
        line += (
            f": plan finalised by {day(k.phase_transfer_deadline)}, meeting held by "
            f"{day(k.latest_meeting_for_phase_transfer)}."
            if view.transfer_in_this_cycle
            else " (not in this cycle)."
        )
    out.print(line)
    window = wording.appeal_window(c)
    if window is not None:
        out.print(f"Appeal window: {window}.")
    print_steps(view.steps)
    print_events(c.timeline)
    print_alerts(view.alerts, view.steps)
    for o in view.previous:
        decision = (
            f"decision to {wording.DECISION[o.decision]} notified {day(o.decision_on)}"
            if o.decision
            else "no decision"
        )
        meeting = f"meeting held {day(o.meeting_held_on)}" if o.meeting_held_on else "no meeting"
        out.print(
            f"Cycle {o.cycle}: {meeting}; {decision}; reviewed within 12 months: "
            f"{wording.yes_no(o.reviewed_within_12_months)}; amended within 12 weeks: "
            f"{wording.yes_no(o.amended_within_12_weeks)}"
            + (f"; {wording.PLAN_ENDING[o.plan_ended]}" if o.plan_ended else "")
            + "."
        )


add_case_commands(
    app,
    _service,
    RECORD,
    CaseWords(
        process="review",
        case_ref="Case reference of the plan.",
        event="What happened: " + ", ".join(rules.EVENT_TYPES),
        record="Record an event of the current review cycle; a rejected event changes nothing.",
        show_json="The whole cycle as JSON.",
        show="The plan's current review cycle: dates, steps, events, alerts, recent cycles.",
        overdue="Only plans past a statutory date.",
        include_closed="Include ended plans.",
        list_json="JSON lines, one plan each.",
        list="Plans by their next statutory review date (answered from Temporal visibility).",
        title="Reviews",
        overdue_title="Overdue reviews",
        due_column="Review due",
    ),
    stage=lambda view: wording.REVIEW_STAGE[view.stage],
    print_view=_print_view,
)
