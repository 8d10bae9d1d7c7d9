"""Printing case lists and step tables, shared by assessments and reviews."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table

from ehc.cli.common import out
from ehc.text import count, day, moment
from statutory.steps import Rag, StepState, StepStatus

if TYPE_CHECKING:
    from ehc.cases import CaseSummary, CaseWorkflows
    from workflows.models import AdviceView, AlertLogEntry


async def list_checked(
    service: CaseWorkflows,
    *,
    overdue_on: datetime | None,
    team: str | None,
    caseworker: str | None,
    include_closed: bool,
) -> list[CaseSummary]:
    """The cases a list command asked for; when none is listed, a mistyped team or caseworker
    is refused (``ehc.known``) rather than answered with an empty list."""
    from ehc.known import require_listed_filters_known

    who = caseworker.lower() if caseworker else None
    found = await service.list(
        overdue_on=overdue_on, team=team, caseworker=who, include_closed=include_closed
    )
    if not found:
        await require_listed_filters_known(
            service.client, service.settings.directory_file, team=team, caseworker=who
        )
    return found


RAG_STYLE = {Rag.RED: "bold red", Rag.AMBER: "yellow", Rag.GREEN: "green", Rag.COMPLETE: "blue"}


def print_cases(
    cases: list[CaseSummary],
    *,
    process: str,
    title: str,
    now: datetime,
    as_json: bool,
    due_column: str,
) -> None:
    """A list of cases: JSON lines (keys and ISO dates) or a table in words."""
    today = now.date()
    if as_json:
        for c in cases:
            row: dict[str, Any] = {
                "case_ref": c.case_ref,
                "stage": c.stage,
                "next_step": c.next_step,
                "next_deadline": c.next_deadline and c.next_deadline.isoformat(),
                "days_overdue": c.days_overdue(today),
                "caseworker": c.caseworker,
                "team": c.team,
                "final_plan_due": c.final_plan_due and c.final_plan_due.isoformat(),
                "review_due": c.review_due and c.review_due.isoformat(),
                "running": c.running,
            }
            print(json.dumps(row))
        return
    from ehc import wording

    table = Table(title=title)
    for col in ("Case", "Stage", "Next step", "Due", "Overdue by", "Caseworker", "Team"):
        table.add_column(col)
    table.add_column(due_column)
    for c in cases:
        late = c.days_overdue(today)
        overall = c.final_plan_due or c.review_due
        table.add_row(
            c.case_ref,
            wording.stage(process, c.stage),
            wording.step_label(process, c.next_step),
            day(c.next_deadline),
            count(late, "day") if late is not None and late > 0 else "",
            c.caseworker,
            c.team,
            day(overall),
            style="red" if late is not None and late > 0 else None,
        )
    out.print(table)
    out.print(
        f"{count(len(cases), 'case')}. From Temporal visibility at {now:%H:%M:%S} UTC on "
        f"{day(now.date())}; an event recorded in the last few seconds may not show yet."
    )


def print_steps(steps: list[StepStatus]) -> None:
    """Each step the law requires of this case: its dates and status (not-required left out)."""
    from ehc import wording

    table = Table(title="Steps")
    for col in ("Step", "Statutory date", "Target", "Status", "Done on", "Source"):
        table.add_column(col)
    for s in steps:
        if s.state is StepState.NOT_APPLICABLE:
            continue
        table.add_row(
            s.label,
            day(s.due),
            day(s.target) if s.target != s.due else "",
            wording.step_status(s),
            day(s.completed_on),
            s.regulation,
            style=RAG_STYLE.get(s.rag) if s.rag else None,
        )
    out.print(table)


def print_events(entries: list[Any]) -> None:
    """What was recorded, in date order (an exception by the first day of its period)."""
    from ehc import wording

    lines = sorted((wording.event(entry.event) for entry in entries), key=lambda w: w.on)
    table = Table(title="Events")
    for col in ("Day", "Event", "Detail"):
        table.add_column(col)
    for said in lines:
        table.add_row(
            day(said.on),
            said.what + (f" ({said.regulation})" if said.regulation else ""),
            said.detail,
        )
    out.print(table)


def print_alerts(alerts: list[AlertLogEntry], steps: Sequence[StepStatus] = ()) -> None:
    """Reminders and escalations sent, each named by its step's label where known."""
    from ehc import wording

    if not alerts:
        return
    labels = {s.step: s.label for s in steps}
    table = Table(title="Reminders and escalations")
    for col in ("Sent", "Alert", "Step", "Delivered"):
        table.add_column(col)
    for a in alerts:
        table.add_row(
            moment(a.at),
            wording.alert(a.kind.value, a.level, a.target),
            labels.get(a.step, a.step),
            "yes" if a.delivered else f"no: {a.error}",
        )
    out.print(table)


def print_advice(advice: Sequence[AdviceView]) -> None:
    """Each advice request's own clock: its step, status and target, then its alerts."""
    from ehc import wording

    for a in advice:
        s = a.step
        out.print(
            f"Advice request {a.request.advice_id}: {s.label}: {wording.step_status(s)} "
            f"(target {day(s.target)})."
        )
        print_alerts(a.alerts, [s])
