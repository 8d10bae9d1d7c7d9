"""Opening a duty clock from a workflow: the appeal window a refused re-assessment opens, the
clock for an order when an appeal is upheld (``statutory.clocks.FollowOn``).

Started by the type's name (``DutyWorkflow``) as a child that outlives its parent, so any
workflow can open one without importing the duty workflow itself.
"""

from __future__ import annotations

from datetime import date

from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from statutory.alerts import ADVICE_POLICY, AlertPolicy
    from statutory.clocks import ClockStart, declaration
    from workflows.models import DutyStart, duty_workflow_id

#: The duty workflow's type name (``workflows.duty``).
DUTY_WORKFLOW = "DutyWorkflow"


async def open_clock(
    *,
    process: str,
    variant: str | None,
    on: date,
    case_ref: str,
    caseworker: str,
    team: str,
    policy: AlertPolicy,
    alert_hour_utc: int,
    detail: dict[str, str],
    advice_policy: AlertPolicy = ADVICE_POLICY,
) -> None:
    """Start ``process`` (of kind ``variant``) for the case, its clock starting ``on``."""
    opens = declaration(process).opens_on[0]
    start = ClockStart(
        process=process,
        variant=variant,
        case_ref=case_ref,
        caseworker=caseworker,
        team=team,
        dates={opens: on},
        detail=detail,
    )
    try:
        await workflow.start_child_workflow(
            DUTY_WORKFLOW,
            DutyStart(
                start=start,
                policy=policy,
                alert_hour_utc=alert_hour_utc,
                advice_policy=advice_policy,
            ),
            id=duty_workflow_id(process, case_ref, on, variant),
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
    except WorkflowAlreadyStartedError:
        workflow.logger.info("follow-on workflow already running")
