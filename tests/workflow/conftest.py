"""Workflow-test hygiene: nothing a test started outlives it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from tests.workflow.helpers import STARTED


@pytest_asyncio.fixture(autouse=True)
async def terminate_leftovers(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[None]:
    STARTED.clear()
    yield
    for workflow_id in STARTED:
        with contextlib.suppress(RPCError):  # already closed, or never started
            await time_skipping_env.client.get_workflow_handle(workflow_id).terminate("test over")
    STARTED.clear()
