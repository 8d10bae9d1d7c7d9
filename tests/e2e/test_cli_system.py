"""`ehc up` as a user runs it: starts, loads the demo, answers the CLI, stops cleanly on
Ctrl-C, and finds the same cases after a restart."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
EHC = [sys.executable, "-m", "ehc.cli.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def system_env(tmp_path: Path) -> dict[str, str]:
    port, ui = free_port(), free_port()
    return {
        **os.environ,
        "EHC_DATA_DIR": str(tmp_path / "data"),
        "EHC_SERVER_PORT": str(port),
        "EHC_UI_PORT": str(ui),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
        "EHC_LOG_FORMAT": "json",
    }


@contextmanager
def system_up(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    with log.open("a") as stderr:
        proc = subprocess.Popen(
            [*EHC, "up", *args], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        try:
            assert proc.stdout is not None
            for line in proc.stdout:  # blocks until the banner, or EOF if it died
                if "is running" in line:
                    break
            else:
                pytest.fail(f"ehc up exited {proc.wait()}: {log.read_text()[-2000:]}")
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                proc.wait(60)


def ehc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EHC, *args], env=env, capture_output=True, text=True, timeout=120)


def overdue_refs(env: dict[str, str], minimum: int) -> list[str]:
    # Visibility is eventually consistent: ask again until the demo's cases have been indexed.
    for _ in range(120):
        result = ehc(env, "assessment", "list", "--overdue", "--json")
        assert result.returncode == 0, result.stderr
        refs = [json.loads(line)["case_ref"] for line in result.stdout.splitlines()]
        if len(refs) >= minimum:
            return refs
        time.sleep(0.25)
    return refs


def test_up_demo_overdue_ctrl_c_and_restart(system_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "up.log"
    with system_up(system_env, log) as proc:
        refs = overdue_refs(system_env, minimum=5)
        assert refs and all(r.startswith("DEMO-") for r in refs)
        shown = ehc(system_env, "assessment", "show", refs[0], "--json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["case"]["request"]["case_ref"] == refs[0]
        rejected = ehc(system_env, "assessment", "record", refs[0], "final-issued")
        assert rejected.returncode == 2
        assert rejected.stderr.count("\n") == 1 and "rejected" in rejected.stderr
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
    unreachable = ehc(system_env, "assessment", "list")
    assert unreachable.returncode == 1
    assert "cannot reach Temporal" in unreachable.stderr and "make run" in unreachable.stderr

    with system_up(system_env, log):
        again = overdue_refs(system_env, minimum=len(refs))
        assert set(again) == set(refs), "the cases did not survive a restart"
        demo = ehc(system_env, "demo")
        assert demo.returncode == 0
        assert " 0 started" in demo.stdout
