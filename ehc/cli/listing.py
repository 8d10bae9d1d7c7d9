"""Printing case lists and step tables, shared by assessments and reviews."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.table import Table

from ehc.cases import CaseSummary
from ehc.cli.common import out
from statutory.steps import Rag, StepStatus
from workflows.models import AlertLogEntry

RAG_STYLE = {Rag.RED: "bold red", Rag.AMBER: "yellow", Rag.GREEN: "green", Rag.COMPLETE: "blue"}


def print_cases(
    cases: list[CaseSummary], *, title: str, now: datetime, as_json: bool, due_column: str
) -> None:
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
    table = Table(title=title)
    for col in ("Case", "Stage", "Next step", "Due", "Overdue by", "Caseworker", "Team"):
        table.add_column(col)
    table.add_column(due_column)
    for c in cases:
        late = c.days_overdue(today)
        overall = c.final_plan_due or c.review_due
        table.add_row(
            c.case_ref,
            c.stage,
            c.next_step or "",
            str(c.next_deadline or ""),
            (f"{late} day" + ("s" if late > 1 else "")) if late is not None and late > 0 else "",
            c.caseworker,
            c.team,
            str(overall or ""),
            style="red" if late is not None and late > 0 else None,
        )
    out.print(table)
    out.print(
        f"{len(cases)} case(s). From Temporal visibility at {now:%H:%M:%S} UTC; "
        "an event recorded in the last few seconds may not show yet."
    )


def print_steps(steps: list[StepStatus]) -> None:
    table = Table(title="Steps")
    for col in ("Step", "Due", "Target", "State", "Done", "Days left", "Source"):
        table.add_column(col)
    for s in steps:
        if s.state.value == "not-applicable":
            continue
        table.add_row(
            s.label,
            str(s.due),
            str(s.target) if s.target != s.due else "",
            s.state.value if s.rag is None or s.rag is Rag.COMPLETE else s.rag.value,
            str(s.completed_on or ""),
            "" if s.days_left is None else str(s.days_left),
            s.regulation,
            style=RAG_STYLE.get(s.rag) if s.rag else None,
        )
    out.print(table)


def print_events(entries: list[Any]) -> None:
    table = Table(title="Events")
    for col in ("Day", "Event", "Detail"):
        table.add_column(col)
    for entry in entries:
        detail = entry.event.model_dump(exclude={"type", "on"}, exclude_defaults=True)
        table.add_row(
            str(entry.event.on),
            entry.event.type,
            ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in detail.items()),
        )
    out.print(table)


def print_alerts(alerts: list[AlertLogEntry]) -> None:
    if not alerts:
        return
    table = Table(title="Reminders and escalations")
    for col in ("Sent", "Kind", "Step", "Level", "Delivered"):
        table.add_column(col)
    for a in alerts:
        table.add_row(
            a.at.strftime("%Y-%m-%d %H:%M"),
            a.kind.value,
            a.step,
            str(a.level),
            "yes" if a.delivered else f"no: {a.error}",
        )
    out.print(table)


def yes_no(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")
