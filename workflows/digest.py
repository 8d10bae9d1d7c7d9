"""The weekly digest: one run per week, started by a Temporal schedule (``ehc digest``).

It asks the digest activity to send each team's supervisor what is overdue or due within two
weeks in their team. The run's scheduled time makes the week, so a retried or repeated run
never sends a week's digest twice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.models import DigestRequest, DigestResult

SEND_DIGESTS = "send_digests"
DIGEST_WORKFLOW_ID = "weekly-digest"
DIGEST_SCHEDULE_ID = "ehc-weekly-digest"


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self, request: DigestRequest) -> DigestResult:
        as_of = request.as_of or workflow.now()
        result: DigestResult = await workflow.execute_activity(
            SEND_DIGESTS,
            request.model_copy(update={"as_of": as_of}),
            result_type=DigestResult,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(minutes=5)),
        )
        return result
