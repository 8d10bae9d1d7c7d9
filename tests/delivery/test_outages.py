"""Outages end to end, on the time-skipping server: nothing lost, nothing twice.

SMTP down for longer than the alert activity's retries, an outbox database that refuses
writes, a reporting ledger that refuses writes: every message reaches the (local) SMTP
server exactly once, counted by its key, and alerts never wait for the ledger.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from temporalio import activity
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.alerts import AlertActivities
from activities.channels import SmtpChannel
from activities.ledger import Ledger, LedgerActivities
from activities.outbox import Outbox, OutboxMessage
from activities.schema import ledger_requests
from ehc.worker import WORKFLOW_RUNNER, WORKFLOWS
from statutory.ledger import RequestRecord
from tests.delivery.test_advice_delivery import DIRECTORY, start_case, until
from tests.workflow.helpers import STARTED, request, running_worker, start
from testsupport.servers import free_port, smtp_server
from workflows.advice import AdviceWorkflow
from workflows.clock import CHANNEL_ATTEMPTS
from workflows.models import advice_workflow_id
from workflows.redrive import OutboxRedriveWorkflow


async def redrive_now(env: WorkflowEnvironment, queue: str) -> dict[str, int]:
    """One run of the re-drive workflow, as its schedule starts it (the cases' clocks stand
    still meanwhile)."""
    with env.auto_time_skipping_disabled():
        return await env.client.execute_workflow(
            OutboxRedriveWorkflow.run,
            id=f"outbox-redrive-{uuid.uuid4().hex[:8]}",
            task_queue=queue,
        )


async def test_smtp_down_for_longer_than_the_retries_is_delivered_once_when_back(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    r = (await env.get_current_time()).date()
    port = free_port()  # nothing listens: SMTP is down
    smtp = [SmtpChannel(host="127.0.0.1", port=port, timeout=2)]
    async with running_worker(env.client, outbox, directory=DIRECTORY, channels=smtp) as queue:
        ref = await start_case(env.client, queue, r)
        await until(env, r + timedelta(days=36))  # the advice reminder fell due on day 35
        waiting = outbox.messages(case_ref=ref, channel="smtp")
        still_down = await redrive_now(env, queue)
        with smtp_server(port) as (_, mailbox):  # SMTP is back
            back = await redrive_now(env, queue)
            again = await redrive_now(env, queue)
        advice = await env.client.get_workflow_handle_for(
            AdviceWorkflow.run, advice_workflow_id(ref, "psychological", 1)
        ).query(AdviceWorkflow.timeline)

    # Every retry failed; nothing was dropped: each row is still due, with the reason.
    assert len(waiting) == 2
    for row in waiting:
        assert (row["status"], row["attempts"]) == ("due", CHANNEL_ATTEMPTS)
        assert "Connection refused" in row["last_error"]
    # While SMTP is down a run tries one row and leaves the rest for the next run.
    assert still_down == {"retry": 1, "skipped": 1}
    assert back == {"sent": 2} and again == {}
    copies = mailbox.by_key()
    assert {row["idempotency_key"]: copies[row["idempotency_key"]] for row in waiting} == {
        row["idempotency_key"]: 1 for row in waiting
    }
    assert {row["status"] for row in outbox.messages(case_ref=ref, channel="smtp")} == {"sent"}
    # The case's timeline said so at the time: not delivered yet, still due.
    [reminder] = advice.alerts
    assert not reminder.delivered and "still due" in str(reminder.error)


class FullOutbox(Outbox):
    """An outbox whose database refuses writes for a while (disk full)."""

    def __init__(self, url: str, refusals: int) -> None:
        super().__init__(url)
        self.refusals = refusals
        self.refused = 0
        self._lock = threading.Lock()

    def store(self, message: OutboxMessage) -> str:
        with self._lock:
            full = self.refused < self.refusals
            self.refused += full
        if full:
            raise OperationalError("INSERT INTO outbox", {}, Exception("database or disk is full"))
        return super().store(message)


async def test_an_outbox_refusing_writes_delays_alerts_but_loses_none(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env = time_skipping_env
    # More refusals than the channels' attempts: the alert activity must outlast them.
    outbox = FullOutbox(database_url, refusals=CHANNEL_ATTEMPTS + 4)
    r = (await env.get_current_time()).date()
    with smtp_server() as (port, mailbox):
        smtp = [SmtpChannel(host="127.0.0.1", port=port, timeout=10)]
        async with running_worker(env.client, outbox, directory=DIRECTORY, channels=smtp) as queue:
            ref = await start_case(env.client, queue, r)
            await until(env, r + timedelta(days=36))
    assert outbox.refused == outbox.refusals  # the outage happened, and ended
    rows = outbox.messages(case_ref=ref, channel="smtp")
    assert len(rows) == 2 and {row["status"] for row in rows} == {"sent"}
    assert mailbox.by_key() == {row["idempotency_key"]: 1 for row in rows}


class RefusingLedger(LedgerActivities):
    """The reporting ledger refuses the request for assessment more often than the old
    retry limit allowed (a locked or full database), then takes it."""

    def __init__(self, ledger: Ledger, refusals: int) -> None:
        super().__init__(ledger)
        self.refusals = refusals
        self.calls = Counter[str]()

    @activity.defn(name="record_request")
    def record_request(self, record: RequestRecord) -> bool:
        self.calls["request"] += 1
        if self.calls["request"] <= self.refusals:
            raise OperationalError("INSERT INTO ledger_requests", {}, Exception("locked"))
        return super().record_request(record)


@asynccontextmanager
async def worker_with_ledger(
    env: WorkflowEnvironment, outbox: Outbox, ledger: LedgerActivities
) -> AsyncIterator[str]:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    alerts = AlertActivities(outbox, DIRECTORY)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=WORKFLOWS,
            workflow_runner=WORKFLOW_RUNNER,
            activities=[
                alerts.send_alert,
                ledger.record_request,
                ledger.record_steps,
                ledger.record_outcome,
            ],
            activity_executor=executor,
        ):
            try:
                yield queue
            finally:
                for workflow_id in STARTED:
                    with contextlib.suppress(RPCError):  # already closed, or never started
                        await env.client.get_workflow_handle(workflow_id).terminate("test over")


async def test_alerts_do_not_wait_for_the_ledger_and_the_ledger_write_is_never_dropped(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    env, outbox = time_skipping_env, Outbox(database_url)
    ledger = RefusingLedger(Ledger(outbox.engine), refusals=12)  # the old limit was 10
    started_at = await env.get_current_time()
    # Received 30 days ago: the reminder to decide whether to assess is due at once.
    req = request(started_at.date() - timedelta(days=30))
    async with worker_with_ledger(env, outbox, ledger) as queue:
        await start(env.client, queue, req)
        await env.sleep(timedelta(hours=2))  # the ledger's retries run meanwhile
    [reminder] = outbox.messages(case_ref=req.case_ref)
    sent_at = reminder["scheduled_for"].replace(tzinfo=started_at.tzinfo)
    # Sent when the case started, not after the ledger's ~35 minutes of refusals.
    assert sent_at - started_at < timedelta(minutes=1)
    assert ledger.calls["request"] == 13
    with outbox.engine.connect() as conn:
        written = conn.execute(
            select(ledger_requests.c.case_ref).where(ledger_requests.c.case_ref == req.case_ref)
        ).all()
    assert len(written) == 1
