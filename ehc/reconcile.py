"""Rebuilding the read model from Temporal (``ehc db reconcile``).

The workflows keep the read model current themselves; this is for when it cannot be: a
database restored from a backup, a read model emptied, a council moving its cases in from
another system. Every open case workflow is listed by visibility and asked for its latest
view (the ``view`` query), a bounded number at a time, and each view is written as the
workflow would write it (never over a newer one). Rows of cases the read model still holds as
open whose workflows are no longer running (ended, terminated, timed out) are marked closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities.read_model import ReadModelWriter
from ehc.overdue import KINDS
from statutory.read_model import CaseView
from workflows import search_attributes as sa

#: The case workflows' query for their latest view (``workflows.case.CaseWorkflow.view``).
VIEW_QUERY = "view"
#: Queries in flight at once: each needs a worker to answer it.
DEFAULT_CONCURRENCY = 16
#: Seconds to wait for one answer (a query waits for a worker; with none it waits for ever).
QUERY_TIMEOUT = 20.0


@dataclass
class Reconciled:
    listed: int = 0
    """Open case workflows Temporal listed."""
    written: int = 0
    """Views written: missing from the read model, or newer than the row there."""
    current: int = 0
    """Views the read model already had (or had newer)."""
    closed: int = 0
    """Rows marked closed: their workflows are no longer running."""
    unanswered: list[str] = field(default_factory=list)
    """Workflows that gave no view: no worker answered in time, or one has not run yet."""


def open_cases_query(task_queue: str | None = None) -> str:
    """Visibility's query for every running case workflow (on ``task_queue``, if given)."""
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    query = f"ExecutionStatus = 'Running' AND {sa.KIND.name} IN ({kinds})"
    if task_queue is not None:
        if "'" in task_queue or "\\" in task_queue:
            raise ValueError(f"task queue {task_queue!r} cannot be put in a query")
        query += f" AND TaskQueue = '{task_queue}'"
    return query


async def reconcile(
    client: Client,
    writer: ReadModelWriter,
    *,
    task_queue: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = QUERY_TIMEOUT,
    listed: Callable[[int], None] | None = None,
    answered: Callable[[], None] | None = None,
) -> Reconciled:
    """Bring the read model up to what Temporal holds now: the cases on ``task_queue`` (the
    workers' queue, whose workers answer the queries), or every case.

    ``listed(n)`` is called once the open cases are listed, ``answered()`` as each has been
    asked (for a progress bar).
    """
    ids = [wf.id async for wf in client.list_workflows(open_cases_query(task_queue))]
    if listed is not None:
        listed(len(ids))
    gate = asyncio.Semaphore(concurrency)
    result = Reconciled(listed=len(ids))

    async def view_of(workflow_id: str) -> CaseView | None:
        async with gate:
            try:
                async with asyncio.timeout(timeout):
                    view: CaseView | None = await client.get_workflow_handle(workflow_id).query(
                        VIEW_QUERY, result_type=CaseView
                    )
            except (RPCError, WorkflowQueryFailedError, TimeoutError):
                view = None
            finally:
                if answered is not None:
                    answered()
        if view is None:
            result.unanswered.append(workflow_id)
        return view

    views = [v for v in await asyncio.gather(*(view_of(i) for i in ids)) if v is not None]
    result.written = await asyncio.to_thread(writer.put_many, views)
    result.current = len(views) - result.written

    # Held as open here, not listed as running: check each (one may have started meanwhile).
    candidates = await asyncio.to_thread(writer.open_workflows) - set(ids)

    async def ended(workflow_id: str) -> bool:
        async with gate:
            try:
                described = await client.get_workflow_handle(workflow_id).describe()
            except RPCError as error:
                return error.status == RPCStatusCode.NOT_FOUND  # gone from Temporal
        return described.status != WorkflowExecutionStatus.RUNNING

    checked = await asyncio.gather(*(ended(i) for i in sorted(candidates)))
    gone = [i for i, is_ended in zip(sorted(candidates), checked, strict=True) if is_ended]
    result.closed = await asyncio.to_thread(writer.close, gone)
    result.unanswered.sort()
    return result
