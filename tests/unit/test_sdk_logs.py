"""The Temporal SDK's log lines: silent on a person's terminal unless EHC_LOG_LEVEL=DEBUG,
and always in the project's structlog format (never the Rust core's coloured lines)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from ehc import logs
from tests.unit.cli_driver import EHC, ROOT

BIN = Path(sys.executable).parent


@pytest.fixture
def restored() -> Iterator[None]:
    """``configure`` changes process-wide logging: put it back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {
        name: logging.getLogger(name).level for name in (logs.SDK_LOGGER, "temporalio.workflow")
    }
    yield
    root.handlers[:], root.level = handlers, level
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)
    structlog.reset_defaults()


def emit() -> None:
    logging.getLogger("temporalio.worker._worker").warning("worker internals")
    logging.getLogger("temporalio.workflow").warning("not written to the ledger")


def test_a_terminal_sees_the_projects_lines_but_not_the_sdks(
    restored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("INFO", "console")
    emit()
    err = capsys.readouterr().err
    assert "worker internals" not in err
    assert "not written to the ledger" in err  # the project's own workflow code
    assert logs.sdk_core_level() == "WARN"


def test_debug_shows_sdk_lines_in_the_projects_format(
    restored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("DEBUG", "console")
    emit()
    err = capsys.readouterr().err
    assert "worker internals" in err and "temporalio.worker._worker" in err
    assert "_record" not in err and "_from_structlog" not in err
    assert logs.sdk_core_level() == "INFO"


def test_json_keeps_sdk_warnings_for_machines(
    restored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("INFO", "json")
    emit()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["logger"], line["level"]) for line in lines] == [
        ("temporalio.worker._worker", "warning"),
        ("temporalio.workflow", "warning"),
    ]
    assert all(set(line) == {"event", "logger", "level", "timestamp"} for line in lines)


@pytest.mark.skipif(
    not (BIN / "temporal-test-server").exists(), reason="needs the Temporal test server (dev extra)"
)
def test_the_rust_core_goes_through_structlog_too(tmp_path: Path) -> None:
    """A worker against the test server makes the core warn ("Temporal Server 1.16.0 or newer
    is required..."): at the default level a person sees nothing of it; at DEBUG it comes in
    structlog's format, named by its logger."""
    scenario = ROOT / "scenarios" / "files" / "county-psychology-in-house.toml"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    args = [*EHC, "simulate", "run", str(scenario), "--engine", "temporal", "--cases", "1"]
    procs = {
        level: subprocess.Popen(
            [*args, "--out", str(tmp_path / level)],
            env={
                **base,
                "EHC_LOG_FORMAT": "console",
                "EHC_LOG_LEVEL": level,
                "EHC_DATA_DIR": str(tmp_path / level),
                "PYTHONPATH": str(ROOT),
            },
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for level in ("INFO", "DEBUG")
    }
    done = {level: proc.communicate(timeout=300) for level, proc in procs.items()}
    for level, proc in procs.items():
        assert proc.returncode == 0, done[level]
    # Left alone, the core writes its own coloured lines to stdout, among the results.
    quiet = "".join(done["INFO"])
    assert "sdk_core" not in quiet and "WARN" not in quiet, quiet
    out, err = done["DEBUG"]
    assert "temporalio.sdk_core" in err
    assert "WARN" not in out and "sdk_core" not in out, out
