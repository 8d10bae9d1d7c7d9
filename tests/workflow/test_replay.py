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

from ehc.worker import WORKFLOWS
from tests.conftest import HISTORIES

RECORDED = sorted(HISTORIES.glob("*.json"))


def test_there_are_recorded_histories() -> None:
    assert RECORDED, "tests/histories/ holds no recorded history"


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
