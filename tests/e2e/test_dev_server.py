"""Against the real Temporal dev server: visibility finds overdue cases, updates are clean."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from ehc.cases import Assessments, CaseError
from ehc.settings import Settings
from statutory import assessment as rules
from tests.workflow.helpers import quiescent, request, running_worker
from tests.workflow.test_assessment_workflow import case_events

pytestmark = pytest.mark.e2e
T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool], within: float = 30.0
) -> T:
    """Poll an eventually consistent read (visibility) until ``ok`` or time runs out."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await probe()
        if ok(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.25)


async def test_backdated_case_is_found_overdue_by_a_visibility_query(
    dev_server_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_server_env.client
    outbox = Outbox(f"sqlite:///{tmp_path / 'ehc.db'}")
    async with running_worker(client, outbox) as queue:
        # No settling period here: this is about what a backdated case sends once it is over.
        settings = Settings(task_queue=queue, data_dir=tmp_path, settling_working_days=0)
        service = Assessments(client, settings)
        today = datetime.now(UTC).date()
        late = request(today - timedelta(weeks=10))  # no decision to assess after 10 weeks
        fresh = request(today - timedelta(days=1))
        assert await service.start(late)
        assert await service.start(fresh)
        assert not await service.start(late), "a second start must not create a second case"

        def refs(cases: list[object]) -> set[str]:
            return {c.case_ref for c in cases}  # type: ignore[attr-defined]

        overdue = await eventually(
            lambda: service.list(overdue_on=datetime.now(UTC)),
            lambda cases: late.case_ref in refs(cases),
        )
        assert late.case_ref in refs(overdue)
        assert fresh.case_ref not in refs(overdue)
        mine = next(c for c in overdue if c.case_ref == late.case_ref)
        assert mine.next_step == "decide-to-assess"
        assert mine.days_overdue(today) == 70 - 42
        assert mine.stage == "decision"

        # The backdated case got its escalation once, not the stale reminders before it.
        view = await eventually(lambda: service.view(late.case_ref), lambda v: len(v.alerts) >= 1)
        assert [(a.step, a.kind.value, a.level) for a in view.alerts] == [
            ("decide-to-assess", "escalation", 2)
        ]
        # One alert, to everyone on its rung of the ladder (escalation 2: supervisor, manager).
        rows = outbox.messages(case_ref=late.case_ref)
        assert {r["idempotency_key"].split("|")[0] for r in rows} == {view.alerts[0].key}

        # Recording the decision takes it off the overdue list.
        await service.record(late.case_ref, rules.DecidedToAssess(on=today))
        overdue = await eventually(
            lambda: service.list(overdue_on=datetime.now(UTC)),
            lambda cases: late.case_ref not in refs(cases),
        )
        assert late.case_ref not in refs(overdue)


async def test_rejected_event_writes_nothing_to_history(
    dev_server_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_server_env.client
    async with running_worker(client, Outbox(f"sqlite:///{tmp_path / 'ehc.db'}")) as queue:
        service = Assessments(client, Settings(task_queue=queue, data_dir=tmp_path))
        req = request(datetime.now(UTC).date() - timedelta(days=3))
        await service.start(req)
        handle = client.get_workflow_handle(f"assessment-{req.case_ref}")
        await quiescent(handle)
        before = case_events(await handle.fetch_history())
        with pytest.raises(CaseError, match="rejected: Draft plan served can only be recorded"):
            await service.record(req.case_ref, rules.DraftServed(on=req.received))
        after = case_events(await handle.fetch_history())
        with pytest.raises(CaseError, match="no assessment with case reference NOPE-1"):
            await service.view("NOPE-1")
        await handle.terminate("test over")
    # Nothing about the case was written (the server may still log the workflow task that
    # ran the validator when the task also carries SDK bookkeeping).
    assert after == before
