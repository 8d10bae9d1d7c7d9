"""Starting a child workflow that outlives its parent, once.

A request for advice, a plan's review, a follow-on clock: each is started by the case that
gives rise to it and carries on after that case closes (``ParentClosePolicy.ABANDON``). A
replayed or retried start finds it already running and leaves it as it is.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy


async def start_once(run: Any, arg: Any, *, id: str, what: str, **options: Any) -> None:
    """Start ``run`` (a workflow's run method, or its type's name) with ``arg`` as the child
    ``id``, abandoned when its parent closes; ``what`` names it in the log if it already runs.
    ``options``: the start's other settings (timeouts)."""
    try:
        await workflow.start_child_workflow(
            run, arg, id=id, parent_close_policy=ParentClosePolicy.ABANDON, **options
        )
    except WorkflowAlreadyStartedError:
        workflow.logger.info(f"{what} workflow already running")
