"""The outbox re-drive: one run every few minutes, started by a Temporal schedule.

It asks the re-drive activity (``activities.redrive``) to send every outbox row still due: a
message whose channel was down for longer than its alert activity's retries is sent when the
channel is back, even if its case workflow has long finished. A run that finds the schedule's
previous run still going is skipped (the schedule's default overlap policy).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.activity_refs import redrive_outbox
    from workflows.clock import DELIVERY_HEARTBEAT

REDRIVE_WORKFLOW_ID = "outbox-redrive"
REDRIVE_SCHEDULE_ID = "ehc-outbox-redrive"
#: The activity claims no new row after 15 minutes; one send may then take up to 10 more.
REDRIVE_TIMEOUT = timedelta(minutes=30)


@workflow.defn
class OutboxRedriveWorkflow:
    @workflow.run
    async def run(self) -> dict[str, int]:
        """How many due rows ended each way: sent, retry (channel still down), failed..."""
        return await workflow.execute_activity(
            redrive_outbox,
            start_to_close_timeout=REDRIVE_TIMEOUT,
            heartbeat_timeout=DELIVERY_HEARTBEAT,
            # The next scheduled run tries again anyway.
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
