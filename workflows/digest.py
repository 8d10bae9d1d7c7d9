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
    from statutory.digest import DigestRequest, DigestResult
    from workflows.activity_refs import send_digests

DIGEST_WORKFLOW_ID = "weekly-digest"
DIGEST_SCHEDULE_ID = "ehc-weekly-digest"


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self, request: DigestRequest) -> DigestResult:
        as_of = request.as_of or workflow.now()
        return await workflow.execute_activity(
            send_digests,
            request.model_copy(update={"as_of": as_of}),
            start_to_close_timeout=timedelta(minutes=10),
            # The activity's fifth attempt is its last (activities.digest.LAST_ATTEMPT).
            retry_policy=RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(minutes=5)),
        )
