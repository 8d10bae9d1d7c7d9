"""``ehc outbox``: every message the engine has written, and how each delivery went."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from activities.outbox import Outbox
from ehc.cli.common import out
from ehc.settings import get_settings


def outbox(
    case_ref: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    failed: Annotated[bool, typer.Option(help="Only deliveries that failed for good.")] = False,
    channel: Annotated[
        str | None, typer.Option(help="Only this channel: outbox, smtp or notify.")
    ] = None,
    limit: Annotated[int, typer.Option(help="The most recent N rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Messages by case, step, recipient and channel, with their delivery status."""
    rows = Outbox(get_settings().resolved_database_url).messages(
        case_ref=case_ref.strip().upper() if case_ref else None,
        limit=limit,
        channel=channel,
        status="failed" if failed else None,
    )
    if as_json:
        for row in rows:
            print(json.dumps({k: v for k, v in row.items() if k != "body"}, default=str))
        return
    table = Table(title="Outbox" + (" (failed deliveries)" if failed else ""))
    for col in ("When", "Case", "Step", "Kind", "To", "Channel", "Status", "Error"):
        table.add_column(col)
    for row in rows:
        table.add_row(
            row["scheduled_for"].strftime("%Y-%m-%d %H:%M"),
            row["case_ref"],
            row["step"],
            f"{row['kind']} {row['level']}",
            f"{row['recipient']} ({row['recipient_role']})",
            row["channel"],
            row["status"],
            row["last_error"] or "",
            style="red" if row["status"] == "failed" else None,
        )
    out.print(table)
    out.print(f"{len(rows)} message(s) shown (newest {limit}).")
