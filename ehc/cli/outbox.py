"""``ehc outbox``: every message the engine has written, and how each delivery went;
``ehc outbox resend``: send again what failed."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ehc.cli.common import FAILED, fail, out
from ehc.settings import get_settings
from ehc.text import count, moment

#: A row's status as a caseworker reads it.
STATUS_WORDS = {
    "stored": "stored",
    "due": "waiting to be sent",
    "sending": "being sent",
    "sent": "sent",
    "failed": "failed for good",
}

app = typer.Typer(
    help="Messages by case, step, recipient and channel, with their delivery status.",
    invoke_without_command=True,
)


def status_words(row: dict[str, object]) -> str:
    if row["status"] in ("due", "sending") and row["last_error"]:
        return "failed, will be sent again"
    return STATUS_WORDS.get(str(row["status"]), str(row["status"]))


@app.callback()
def outbox(
    ctx: typer.Context,
    case_ref: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    failed: Annotated[
        bool,
        typer.Option(
            help="Only deliveries that failed: waiting to be sent again, or failed for good."
        ),
    ] = False,
    channel: Annotated[
        str | None, typer.Option(help="Only this channel: outbox, smtp or notify.")
    ] = None,
    limit: Annotated[int, typer.Option(help="The most recent N rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Messages by case, step, recipient and channel, with their delivery status."""
    if ctx.invoked_subcommand:
        return
    from activities.outbox import Outbox  # SQLAlchemy: loaded only when the command runs

    rows = Outbox(get_settings().resolved_database_url).messages(
        case_ref=case_ref.strip().upper() if case_ref else None,
        limit=limit,
        channel=channel,
        undelivered=failed,
    )
    if as_json:
        for row in rows:
            print(json.dumps({k: v for k, v in row.items() if k != "body"}, default=str))
        return
    from ehc import wording
    from statutory.catalogue import describe

    table = Table(title="Outbox" + (" (failed deliveries)" if failed else ""))
    for col in ("When", "Case", "Step", "Message", "To", "Channel", "Status", "Error"):
        table.add_column(col)
    for row in rows:
        info = describe(row["step"], row["process"])
        table.add_row(
            moment(row["scheduled_for"]),
            row["case_ref"],
            info.label if info else row["step"],
            wording.alert(row["kind"], row["level"], row["target"]),
            f"{row['recipient']} ({row['recipient_role']})",
            row["channel"],
            status_words(row),
            row["last_error"] or "",
            style="red" if row["status"] == "failed" else None,
        )
    out.print(table)
    out.print(f"{count(len(rows), 'message')} shown (the newest {limit}).")


#: How each re-sent row went, for a caseworker (``activities.sending.Outcome``).
OUTCOME_WORDS = {
    "sent": "sent",
    "retry": "still failing",
    "failed": "failed for good",
    "busy": "being sent by another worker",
    "skipped": "not sent from here",
}


@app.command()
def resend(
    case_ref: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel: smtp or notify.")] = None,
    row_id: Annotated[
        list[int] | None, typer.Option("--id", help="Only this row (see --json); repeatable.")
    ] = None,
) -> None:
    """Send again, now, the deliveries that failed or are still waiting; shows how each went.

    What still fails stays waiting, and the worker's re-drive keeps trying it.
    """
    from activities.directory import DirectoryError
    from activities.outbox import Outbox
    from activities.redrive import redrive
    from activities.sending import Outcome
    from ehc import delivery
    from statutory.catalogue import describe

    settings = get_settings()
    try:
        directory, channels = delivery.directory(settings), delivery.channels(settings)
    except DirectoryError as error:
        fail(str(error), FAILED)
    box = Outbox(settings.resolved_database_url)
    keys = box.requeue(
        case_ref=case_ref.strip().upper() if case_ref else None,
        channel=channel,
        ids=row_id or (),
    )
    if not keys:
        out.print("Nothing to send again: no failed or waiting delivery matches.")
        return
    done = redrive(box, directory, channels, keys=keys)
    table = Table(title="Sent again")
    for col in ("Case", "Step", "To", "Channel", "Result", "Reason"):
        table.add_column(col)
    for item in done:
        row, result = item.row, item.result
        info = describe(row["step"], row["process"])
        table.add_row(
            row["case_ref"],
            info.label if info else row["step"],
            f"{row['recipient']} ({row['recipient_role']})",
            row["channel"],
            OUTCOME_WORDS[result.outcome],
            "" if result.outcome is Outcome.SENT else result.detail,
            style=None if result.outcome is Outcome.SENT else "red",
        )
    out.print(table)
    sent = sum(item.result.outcome is Outcome.SENT for item in done)
    out.print(f"{count(sent, 'message')} sent, {len(done) - sent} not.")
    if sent < len(done):
        fail(
            f"{count(len(done) - sent, 'message')} not sent; the worker keeps trying those "
            "still waiting (ehc outbox --failed)",
            FAILED,
        )
