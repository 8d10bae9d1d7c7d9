"""``ehc db reconcile`` on the real dev server: an emptied read model is rebuilt from the
cases Temporal holds, row for row; a case whose workflow has ended is marked closed; a case
no worker answers for is named, not guessed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from activities.read_model import ReadModelWriter
from activities.schema import case_view, step_view
from ehc.cases import Assessments
from ehc.read_model import ReadModel
from ehc.reconcile import reconcile
from ehc.settings import Settings
from statutory import assessment as rules
from tests.e2e.test_import import ehc
from tests.workflow.helpers import running_worker
from workflows.models import advice_workflow_id, assessment_workflow_id

pytestmark = pytest.mark.e2e


def rows(writer: ReadModelWriter) -> dict[str, Any]:
    """Every row of both tables, by workflow (ids left out: a rebuilt row gets a new one)."""
    out: dict[str, Any] = {}
    with writer.engine.connect() as conn:
        for row in conn.execute(select(case_view)):
            out[row.workflow_id] = {k: v for k, v in row._mapping.items() if k != "id"}
        for row in conn.execute(select(step_view).order_by(step_view.c.step)):
            out.setdefault(f"{row.workflow_id} steps", []).append(
                {k: v for k, v in row._mapping.items() if k != "id"}
            )
    return out


def wipe(writer: ReadModelWriter) -> None:
    with writer.engine.begin() as conn:
        conn.execute(delete(step_view))
        conn.execute(delete(case_view))


async def test_reconcile_rebuilds_the_read_model_and_closes_ended_cases(
    dev_server_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_server_env.client
    url = f"sqlite:///{tmp_path / 'ehc.db'}"
    outbox = Outbox(url)
    writer, read_model = ReadModelWriter(outbox.engine), ReadModel(outbox.engine, migrate=False)
    today = datetime.now(UTC).date()
    team = f"r{uuid.uuid4().hex[:6]}"
    refs = [f"REC-{uuid.uuid4().int % 10**6:06d}" for _ in range(3)]
    requests = [
        rules.AssessmentRequest(
            case_ref=ref, received=today - timedelta(days=d), caseworker="cw101", team=team
        )
        for ref, d in zip(refs, (60, 20, 5), strict=True)
    ]
    async with running_worker(client, outbox) as queue:
        service = Assessments(client, Settings(task_queue=queue, data_dir=tmp_path))
        assert await service.start(requests[0])
        assert await service.start(
            requests[1],
            [
                rules.DecidedToAssess(on=today - timedelta(days=10)),
                rules.AdviceRequested(
                    on=today - timedelta(days=9),
                    advice_type=rules.AdviceType.EDUCATIONAL,
                    provider="Current school",
                ),
            ],
        )
        assert await service.start(requests[2])
        ids = {assessment_workflow_id(ref) for ref in refs} | {
            advice_workflow_id(refs[1], "educational", 1)
        }
        deadline = asyncio.get_running_loop().time() + 30
        while {c.workflow_id for c in read_model.cases(team=team)} != ids:
            assert asyncio.get_running_loop().time() < deadline, read_model.cases(team=team)
            await asyncio.sleep(0.1)
        before = rows(writer)

        # Emptied (a restore from an old backup, say): rebuilt row for row.
        wipe(writer)
        rebuilt = await reconcile(client, writer, task_queue=queue)
        assert (rebuilt.listed, rebuilt.written, rebuilt.current, rebuilt.closed) == (4, 4, 0, 0)
        assert rebuilt.unanswered == []
        assert rows(writer) == before

        # A case ended behind the read model's back (terminated): marked closed, nothing else.
        ended = assessment_workflow_id(refs[2])
        await client.get_workflow_handle(ended).terminate("moved to another authority")
        # Temporal's list of workflows catches up a moment after the termination.
        running = f'WorkflowId = "{ended}" AND ExecutionStatus = "Running"'
        deadline = asyncio.get_running_loop().time() + 30
        while [w async for w in client.list_workflows(running)]:
            assert asyncio.get_running_loop().time() < deadline, f"{ended} still listed as running"
            await asyncio.sleep(0.1)
        again = await reconcile(client, writer, task_queue=queue)
        assert (again.listed, again.written, again.current, again.closed) == (3, 0, 3, 1)
        assert {c.workflow_id for c in read_model.cases(team=team)} == ids - {ended}
        closed = read_model.case(ended)
        assert closed is not None and not closed.is_open

        # The command: counts on standard output.
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "EHC_DATA_DIR": str(tmp_path),
            "EHC_LOG_FORMAT": "json",
            "EHC_PAYLOAD_ENCRYPTION": "false",
            "EHC_TASK_QUEUE": queue,
        }
        wipe(writer)
        command = await ehc(env, "db", "reconcile")
        assert command.returncode == 0, command.stderr
        assert (
            "Open cases in Temporal: 3; views written: 3 (0 already up to date); marked closed: 0."
            in command.stdout
        )
        with writer.engine.begin() as conn:  # the ended case's last row, as before the wipe
            conn.execute(insert(case_view).values(before[ended]))
        assert {c.workflow_id for c in read_model.cases(team=team)} == ids

    # No worker now: the cases are listed but cannot answer; they are named.
    try:
        unanswered = await reconcile(client, writer, task_queue=queue, timeout=1.0)
        assert unanswered.unanswered == sorted(ids - {ended})
        assert (unanswered.written, unanswered.closed) == (0, 1)
    finally:
        for workflow_id in ids - {ended}:
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(workflow_id).terminate("test over")
