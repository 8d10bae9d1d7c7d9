"""The duty-clock command groups are built from the declarations: every legal date is a
``start`` option, every action is listed by ``record``, advice only where a process keeps it,
and a refusal that needs no server is one line with exit status 2."""

from __future__ import annotations

import subprocess

import pytest
from typer.testing import CliRunner

from ehc.cli.main import COMMANDS, app
from statutory.clock_processes import CLOCKS
from tests.unit.cli_driver import EHC, ROOT

runner = CliRunner()


def ehc(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), terminal_width=400)
    return result.exit_code, result.output


@pytest.mark.parametrize("process", CLOCKS)
def test_every_process_is_a_command_group(process: str) -> None:
    assert process in COMMANDS
    code, text = ehc(process, "--help")
    assert code == 0
    for command in ("start", "record", "exception", "withdraw", "reassign", "show", "list"):
        assert command in text
    assert ("advice" in text.split("Commands")[-1]) is CLOCKS[process].advice


@pytest.mark.parametrize("process", CLOCKS)
def test_start_takes_each_legal_date_and_kind(process: str) -> None:
    declared = CLOCKS[process]
    code, text = ehc(process, "start", "--help")
    assert code == 0
    for anchor in declared.anchors:
        assert f"--{anchor.name}" in text
    assert ("--kind" in text) is bool(declared.variants)
    for variant in declared.variants:
        assert variant in text


@pytest.mark.parametrize("process", CLOCKS)
def test_record_lists_every_action_with_its_title_and_choices(process: str) -> None:
    code, text = ehc(process, "record", "--help")
    assert code == 0
    flat = " ".join(text.split())
    for action in CLOCKS[process].actions:
        assert f"{action.name}: {action.title}" in flat
        for choice in action.choices:
            assert choice in flat


def test_exception_reasons_are_the_process_own() -> None:
    code, text = ehc("transfer-out", "exception", "--help")
    assert code == 0 and "--reason" in text
    code, text = ehc("reassessment", "exception", "--help")
    flat = " ".join(text.split())
    assert "school-closure (at least" in flat and "personal-circumstances" in flat


def refused(*args: str) -> str:
    """``ehc args`` as a user runs it, refused: exit 2 and one line on stderr (returned)."""
    # No Temporal address that answers: the refusal must come before any server is asked.
    env = {"TEMPORAL_ADDRESS": "127.0.0.1:9", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [*EHC, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and not done.stdout
    return done.stderr


def test_an_unknown_action_is_refused_before_any_server_is_asked() -> None:
    line = refused("appeal", "record", "EHC-2026-0147", "appeal-lodged")
    assert "has no action 'appeal-lodged'" in line and "appeal-registered" in line


def test_a_date_that_is_not_one_is_refused_naming_its_option() -> None:
    line = refused(
        "appeal",
        "start",
        "EHC-2026-0147",
        "--caseworker",
        "cw1",
        "--team",
        "north",
        "--kind",
        "contents",
        "--notice",
        "31/02/2026",
    )
    assert line.startswith("ehc: --notice:")
