"""``python worker.py`` is the worker ``ehc worker`` runs: it reads the same settings, runs the
workflows and their activities on the configured task queue, and stops cleanly on SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from tests.workflow.helpers import request
from workflows.assessment import AssessmentWorkflow
from workflows.models import AssessmentStart, assessment_workflow_id
from workflows.redrive import REDRIVE_SCHEDULE_ID

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def log_lines(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.startswith("{")]


def until(condition: Any, within: float, what: str) -> Any:
    """Poll ``condition`` (a process's log, a database) until it gives something."""
    deadline = time.monotonic() + within
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {within}s: {what}")
        time.sleep(0.1)
    return found


async def test_worker_script_runs_cases_with_the_configured_settings(
    dev_server_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_server_env.client
    queue = f"script-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    env |= {
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "EHC_TASK_QUEUE": queue,
        "EHC_DATA_DIR": str(tmp_path),
        "EHC_PAYLOAD_ENCRYPTION": "false",  # the test's client reads payloads in clear
        "EHC_WORKER_ACTIVITY_THREADS": "3",
        "EHC_LOG_FORMAT": "json",
    }
    log = tmp_path / "worker.log"
    case = request(datetime.now(UTC).date() - timedelta(weeks=10))  # decision 4 weeks late
    with log.open("w") as stderr:
        worker = subprocess.Popen(
            [sys.executable, "worker.py"], cwd=ROOT, env=env, stderr=stderr, text=True
        )
    try:
        running = until(
            lambda: (
                [e for e in log_lines(log) if e.get("event") == "worker running"]
                or worker.poll() is not None
            ),
            60,
            "the worker to start",
        )
        assert worker.poll() is None, log.read_text()
        assert running[0]["task_queue"] == queue
        assert running[0]["activity_threads"] == 3

        handle = await client.start_workflow(
            AssessmentWorkflow.run,
            AssessmentStart(request=case),
            id=assessment_workflow_id(case.case_ref),
            task_queue=queue,
        )
        view = await handle.query(AssessmentWorkflow.timeline)  # answered by worker.py
        assert view.next_step is not None and view.next_step.step == "decide-to-assess"
        # The escalation went through the alert activity into the configured outbox.
        outbox = Outbox(f"sqlite:///{tmp_path / 'ehc.db'}")
        rows = until(lambda: outbox.messages(case.case_ref), 60, "the escalation's outbox row")
        assert rows[0]["kind"] == "escalation" and rows[0]["step"] == "decide-to-assess"
        outbox.close()
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
        code = worker.wait(60)
        with contextlib.suppress(RPCError):
            await client.get_workflow_handle(assessment_workflow_id(case.case_ref)).terminate()
        with contextlib.suppress(RPCError):  # the worker set up the re-drive's schedule
            await client.get_schedule_handle(REDRIVE_SCHEDULE_ID).delete()
    assert code == 0, log.read_text()[-2000:]
    assert [e for e in log_lines(log) if e.get("event") == "worker stopped"]
