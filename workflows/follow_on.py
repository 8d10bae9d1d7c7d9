"""Opening a duty clock from a workflow: the appeal window a refused re-assessment opens, the
clock for an order when an appeal is upheld (``statutory.clocks.FollowOn``).

Started by the type's name (``DutyWorkflow``) as a child that outlives its parent, from the
ending case and its start's alert settings; by name, so that this module need not import the
duty workflow that calls it.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from statutory.clocks import ClockCase, ClockStart, FollowOn, declaration
    from workflows.children import start_once
    from workflows.models import DutyStart, duty_workflow_id

#: The duty workflow's type name (``workflows.duty``).
DUTY_WORKFLOW = "DutyWorkflow"


async def open_clock(follow_on: FollowOn, case: ClockCase, parent: DutyStart) -> None:
    """Start the process ``case``'s ending opens, its clock starting the day the ending was
    recorded, for the same holder and with ``parent``'s alert settings."""
    opens = declaration(follow_on.process).opens_on[0]
    route = {"route": follow_on.route} if follow_on.route else {}
    start = ClockStart(
        process=follow_on.process,
        variant=follow_on.variant,
        case_ref=case.case_ref,
        caseworker=case.caseworker,
        team=case.team,
        dates={opens: follow_on.on},
        detail={**route, "arose_from": case.process},
    )
    await start_once(
        DUTY_WORKFLOW,
        DutyStart(
            start=start,
            policy=parent.policy,
            alert_hour_utc=parent.alert_hour_utc,
            advice_policy=parent.advice_policy,
        ),
        id=duty_workflow_id(follow_on.process, case.case_ref, follow_on.on, follow_on.variant),
        what="follow-on",
    )
