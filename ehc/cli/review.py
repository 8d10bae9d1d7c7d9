"""``ehc review``: a plan's annual-review cycle: start, record, show, list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from ehc.cases import CaseSummary
from ehc.cli.common import build_event, fail, one_line, out, parse_date, recorded, run, today_utc
from ehc.cli.listing import print_alerts, print_cases, print_events, print_steps, yes_no
from ehc.reviews import Reviews
from ehc.settings import get_settings
from ehc.temporal import connect
from statutory import review as rules
from workflows.models import ReviewView

app = typer.Typer(help="Annual reviews of EHC plans: one durable workflow per plan.")

EVENT_ADAPTER: TypeAdapter[rules.ReviewEvent] = TypeAdapter(rules.ReviewEvent)


async def _service() -> Reviews:
    return Reviews(await connect(), get_settings())


def transfer_from_options(
    kind: str | None, year: int | None, move_date: str | None
) -> rules.PhaseTransfer | None:
    if kind is None:
        if year is not None or move_date is not None:
            fail("--transfer-year and --move-date need --transfer")
        return None
    move = parse_date(move_date, "--move-date") if move_date else None
    try:
        return rules.PhaseTransfer(
            kind=kind,
            year=year or (move.year if move else 0),
            move_date=move,
        )
    except ValidationError as error:
        fail(f"--transfer: {one_line(error)}")


@app.command()
def start(
    case_ref: Annotated[str, typer.Argument(help="Council case reference of the plan.")],
    caseworker: Annotated[str, typer.Option(help="Staff id of the caseworker (not a name).")],
    team: Annotated[str, typer.Option(help="Team id, e.g. north.")],
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
    try:
        plan = rules.PlanRecord(
            case_ref=case_ref,
            plan_date=parse_date(plan_date, "--plan-date"),
            caseworker=caseworker,
            team=team,
            date_of_birth=parse_date(dob, "--dob") if dob else None,
        )
    except ValidationError as error:
        fail(one_line(error))
    phase = transfer_from_options(transfer, transfer_year, move_date)
    last = parse_date(last_review, "--last-review") if last_review else None

    async def go() -> bool:
        return await (await _service()).start(plan, last_review=last, transfer=phase)

    if not run(go()):
        fail(f"{plan.case_ref}: this plan already has a review workflow")
    due = rules.review_due(last or plan.plan_date)
    out.print(f"Started the review clock for {plan.case_ref}: next review due by {due}")


@app.command()
def record(
    case_ref: Annotated[str, typer.Argument(help="Case reference of the plan.")],
    event: Annotated[str, typer.Argument(help="What happened: " + ", ".join(rules.EVENT_TYPES))],
    on: Annotated[str | None, typer.Option(help="Day it happened (default today).")] = None,
    meeting_date: Annotated[
        str | None, typer.Option(help="meeting-scheduled: day of the meeting.")
    ] = None,
    decision: Annotated[
        str | None, typer.Option(help="decision: " + ", ".join(rules.Decision))
    ] = None,
    plan_continues: Annotated[
        bool | None,
        typer.Option("--plan-continues/--plan-ceases", help="appeal-concluded: the result."),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="transferred-out: why.")] = None,
    transfer: Annotated[
        str | None, typer.Option(help="transfer-set: kind (omit to clear).")
    ] = None,
    transfer_year: Annotated[int | None, typer.Option(help="transfer-set: year.")] = None,
    move_date: Annotated[str | None, typer.Option(help="transfer-set: move date.")] = None,
    caseworker: Annotated[str | None, typer.Option(help="caseworker-reassigned: staff id.")] = None,
    team: Annotated[str | None, typer.Option(help="caseworker-reassigned: team.")] = None,
    representations_received: Annotated[
        bool, typer.Option(help="final-amended-issued: representations came in early.")
    ] = False,
    advice_type: Annotated[
        str | None, typer.Option(help="advice-requested: e.g. educational, medical.")
    ] = None,
    provider: Annotated[str | None, typer.Option(help="advice-requested: organisation.")] = None,
    advice_id: Annotated[int | None, typer.Option(help="advice-received: request number.")] = None,
) -> None:
    """Record an event of the current review cycle; a rejected event changes nothing."""
    phase = transfer_from_options(transfer, transfer_year, move_date)
    fields: dict[str, Any] = {
        "on": (parse_date(on, "--on") if on else today_utc()).isoformat(),
        "meeting_date": meeting_date and parse_date(meeting_date, "--meeting-date").isoformat(),
        "decision": decision,
        "plan_continues": plan_continues,
        "reason": reason,
        "transfer": phase.model_dump(mode="json") if phase else None,
        "caseworker": caseworker,
        "team": team,
        "representations_received": representations_received or None,
        "advice_type": advice_type,
        "provider": provider,
        "advice_id": advice_id,
    }
    parsed = build_event(EVENT_ADAPTER, rules.EVENT_TYPES, event, fields)

    async def go() -> ReviewView:
        return await (await _service()).record(case_ref.strip().upper(), parsed)

    view = run(go())
    out.print(recorded(event, case_ref, f"review stage {view.stage.value}", view.next_step))


@app.command()
def show(
    case_ref: Annotated[str, typer.Argument(help="Case reference of the plan.")],
    as_json: Annotated[bool, typer.Option("--json", help="The whole cycle as JSON.")] = False,
) -> None:
    """The plan's current review cycle: dates, steps, events, alerts, recent cycles."""

    async def go() -> ReviewView:
        return await (await _service()).view(case_ref.strip().upper())

    view = run(go())
    if as_json:
        print(view.model_dump_json(indent=2))
        return
    c, k = view.cycle, view.key_dates
    out.print(
        f"[bold]{c.case_ref}[/] review cycle {c.cycle}  stage [bold]{view.stage.value}[/]  "
        f"caseworker {c.caseworker}  team {c.team}  as of {view.as_of}"
    )
    line = f"Cycle from {c.anchor}; review due by {k.review_due_by}"
    if view.transfer_in_this_cycle and c.transfer:
        line += (
            f"; {c.transfer.kind.value} transfer: finalise by {k.phase_transfer_deadline}, "
            f"meeting by {k.latest_meeting_for_phase_transfer}"
        )
    out.print(line)
    print_steps(view.steps)
    print_events(c.timeline)
    print_alerts(view.alerts)
    for o in view.previous:
        out.print(
            f"Cycle {o.cycle}: meeting {o.meeting_held_on}, decision {o.decision} on "
            f"{o.decision_on}; within 12 months: {yes_no(o.reviewed_within_12_months)}; "
            f"amended within 12 weeks: {yes_no(o.amended_within_12_weeks)}"
        )


@app.command("list")
def list_reviews(
    overdue: Annotated[bool, typer.Option(help="Only plans past a statutory date.")] = False,
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
    caseworker: Annotated[str | None, typer.Option(help="Only this caseworker.")] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="Include ended plans.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one plan each.")] = False,
) -> None:
    """Plans by their next statutory review date (answered from Temporal visibility)."""
    now = datetime.now(UTC)

    async def go() -> list[CaseSummary]:
        return await (await _service()).list(
            overdue_on=now if overdue else None,
            team=team,
            caseworker=caseworker.lower() if caseworker else None,
            include_closed=include_closed,
        )

    print_cases(
        run(go()),
        title="Overdue reviews" if overdue else "Reviews",
        now=now,
        as_json=as_json,
        due_column="Review due",
    )
