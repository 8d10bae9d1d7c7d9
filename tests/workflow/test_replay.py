"""Recorded histories must replay on today's workflow code: a determinism guard.

One history per workflow type and path, plus those of runs started before a patch until it
retires: docs/CONTRIBUTING.md says when to re-record (``EHC_RECORD_HISTORIES=1``) and when an
older history may go.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from ehc.worker import WORKFLOW_RUNNER, WORKFLOWS
from tests.conftest import HISTORIES
from workflows.duty import DutyWorkflow

RECORDED = sorted(HISTORIES.glob("*.json"))

#: The duty clocks' paths (``workflows.duty``), each recorded by tests/workflow/
#: test_duty_workflow.py: one workflow type, so each path keeps its own history.
DUTY_PATHS = (
    "duty_reassessment_plan_issued",  # decided to re-assess, advice, plan issued late
    "duty_reassessment_refused",  # refused: ends, and opens the appeal window
    "duty_appeal_lapse",  # that window closing with no appeal registered
    "duty_tribunal_order",  # an order to make a plan: draft and final plan, late
    "duty_transfer_in",  # starts the plan's review; family told in time
    "duty_transfer_out",  # the plan transferred after its date
)


def test_there_are_recorded_histories() -> None:
    assert RECORDED, "tests/histories/ holds no recorded history"


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=WORKFLOWS, data_converter=pydantic_data_converter, workflow_runner=WORKFLOW_RUNNER
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


@pytest.mark.parametrize("name", DUTY_PATHS)
async def test_each_duty_path_has_a_history_that_replays_on_the_duty_workflow(name: str) -> None:
    path = HISTORIES / f"{name}.json"
    assert path.exists(), f"record {path.name}: EHC_RECORD_HISTORIES=1 (docs/CONTRIBUTING.md)"
    history = WorkflowHistory.from_json(name, path.read_text())
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.workflow_type.name == "DutyWorkflow"
    replayer = Replayer(
        workflows=[DutyWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=WORKFLOW_RUNNER,
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
