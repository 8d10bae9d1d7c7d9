"""``ehc digest``: the weekly digest to supervisors."""

from __future__ import annotations

from typing import Annotated

import typer
from temporalio.common import WorkflowIDConflictPolicy

from ehc import digest
from ehc.cli.common import out, run
from ehc.settings import get_settings
from ehc.temporal import connect
from ehc.text import count
from statutory.digest import DigestRequest, DigestResult
from workflows.digest import DIGEST_WORKFLOW_ID, DigestWorkflow

app = typer.Typer(help="The weekly digest of overdue and soon-due work, per team.")


@app.command()
def schedule(
    cron: Annotated[str, typer.Option(help="When, as a cron line (UTC).")] = digest.DEFAULT_CRON,
) -> None:
    """Create (or update) the Temporal schedule that sends the digest every week."""

    async def go() -> bool:
        settings = get_settings()
        return await digest.ensure_schedule(await connect(settings), settings.task_queue, cron)

    created = run(go())
    out.print(f"Weekly digest schedule {'created' if created else 'updated'}: {cron} (UTC).")


@app.command()
def send(
    within_days: Annotated[int, typer.Option(help="'Due soon' means within N days.")] = 14,
) -> None:
    """Send this week's digest now (a week already sent is not sent again)."""

    async def go() -> DigestResult:
        settings = get_settings()
        client = await connect(settings)
        return await client.execute_workflow(
            DigestWorkflow.run,
            DigestRequest(within_days=within_days),
            id=f"{DIGEST_WORKFLOW_ID}-manual",
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=settings.task_queue,
        )

    result = run(go())
    out.print(
        f"Digest: {count(result.teams, 'team')}, {count(result.cases, 'case')}, "
        f"{count(result.recipients, 'recipient')}"
        + (f"; {len(result.failed)} failed: {', '.join(result.failed)}." if result.failed else ".")
    )
