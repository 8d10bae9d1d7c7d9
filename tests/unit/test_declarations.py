"""Each step is declared once (statutory/processes.py); everything that names a step agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from statutory.catalogue import describe
from statutory.process import Process, StepId, StepKind, step_family
from statutory.processes import PROCESSES

DOC = Path(__file__).resolve().parents[2] / "docs" / "LAW.md"


@pytest.mark.parametrize("process", list(PROCESSES.values()), ids=lambda p: p.name)
def test_docs_show_each_process_exactly_as_declared(process: Process) -> None:
    text = DOC.read_text()
    block = re.search(
        rf"<!-- steps:{process.name} .*?-->\n(.*?)\n<!-- /steps:{process.name} -->", text, re.S
    )
    if process.name == "advice":  # its one step is the assessment's advice row
        assert block is None
        return
    assert block is not None, f"docs/LAW.md has no steps:{process.name} table"
    assert block.group(1) == process.markdown(), (
        "docs/LAW.md is out of date: paste "
        f'`.venv/bin/python -c "from statutory.processes import {process.name.upper()} as p; '
        'print(p.markdown())"`'
    )


def test_step_ids_are_unique_within_a_process_and_known_to_the_catalogue() -> None:
    for process in PROCESSES.values():
        ids = [d.id for d in process.steps]
        assert len(ids) == len(set(ids))
        for d in process.steps:
            info = describe(d.name(1 if d.numbered else None), process.name)
            assert info is not None and info.regulation == d.regulation


def test_every_step_id_is_declared_somewhere() -> None:
    declared = {d.id for p in PROCESSES.values() for d in p.steps}
    assert declared == set(StepId)


def test_numbered_names_and_families() -> None:
    assert step_family("advice-12") == "advice"
    assert step_family("advice:psychological") == "advice"
    assert step_family("setting-reply-3") == "setting-reply"
    assert step_family("advice-circulated") == "advice-circulated"


def test_only_duties_are_statutory() -> None:
    for process in PROCESSES.values():
        for d in process.steps:
            assert d.statutory is (d.kind is StepKind.DUTY)
