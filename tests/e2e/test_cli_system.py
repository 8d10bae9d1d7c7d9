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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ehc import demo
from ehc.demo import is_closed as demo_closed
from statutory.assessment import FinalPlanIssued

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
        "EHC_WEB_PORT": str(free_port()),
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


def refs(env: dict[str, str], *args: str, until: Callable[[set[str]], bool]) -> set[str]:
    """Case refs listed by ``ehc <args> --json``, asked again (visibility is eventually
    consistent) until ``until`` holds or a minute has passed."""
    found: set[str] = set()
    for _ in range(240):
        result = ehc(env, *args, "--json")
        assert result.returncode == 0, result.stderr
        found = {json.loads(line)["case_ref"] for line in result.stdout.splitlines()}
        if until(found):
            break
        time.sleep(0.25)
    return found


def test_up_demo_overdue_ctrl_c_and_restart(system_env: dict[str, str], tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    open_cases = [c for c in demo.caseload(today) if not demo_closed(c, today)]
    log = tmp_path / "up.log"
    with system_up(system_env, log) as proc:
        want = {c.request.case_ref for c in open_cases}
        running = refs(system_env, "assessment", "list", until=want.__eq__)
        assert running == want
        overdue = sorted(refs(system_env, "assessment", "list", "--overdue", until=bool))
        assert overdue and set(overdue) < running
        # Demo plans, and a plan for each demo assessment that issued its final plan.
        issued = [
            c for c in demo.caseload(today) if any(isinstance(e, FinalPlanIssued) for e in c.events)
        ]
        expected = {p.plan.case_ref for p in demo.plans(today)}
        expected |= {c.request.case_ref for c in issued}
        assert refs(system_env, "review", "list", until=expected.__eq__) == expected
        assert refs(system_env, "review", "list", "--overdue", until=bool)
        shown = ehc(system_env, "assessment", "show", overdue[0], "--json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["case"]["request"]["case_ref"] == overdue[0]
        rejected = ehc(system_env, "assessment", "record", overdue[0], "final-issued")
        assert rejected.returncode == 2
        assert rejected.stderr.count("\n") == 1 and "rejected" in rejected.stderr
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
    unreachable = ehc(system_env, "assessment", "list")
    assert unreachable.returncode == 1
    assert "cannot reach Temporal" in unreachable.stderr and "make run" in unreachable.stderr

    with system_up(system_env, log):
        again = refs(system_env, "assessment", "list", until=running.__eq__)
        assert again == running, "the cases did not survive a restart"
        demo_again = ehc(system_env, "demo")
        assert demo_again.returncode == 0
        assert " 0 started" in demo_again.stdout
