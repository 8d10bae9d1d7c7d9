"""A caseworker keeps a re-assessment and a plan transferred in with the CLI on the real
system (`ehc up`): starts them, records what happened, shows them, meets a refusal, and a
supervisor sees a back-entered re-assessment past its date in `ehc overdue`."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.test_cli_system import ehc, system_env, system_up

pytestmark = pytest.mark.e2e
__all__ = ["system_env"]  # the fixture, imported for pytest


def ok(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = ehc(env, *args)
    assert result.returncode == 0, (args, result.stderr)
    return result


def until_listed(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``ehc args`` once the case it names shows in visibility (eventually consistent)."""
    for _ in range(120):
        result = ehc(env, *args)
        if "may not show yet" not in result.stderr:
            return result
        time.sleep(0.25)
    return result


def test_a_reassessment_and_a_transfer_in_kept_with_the_cli(
    system_env: dict[str, str], tmp_path: Path
) -> None:
    today = datetime.now(UTC).date()
    requested = today - timedelta(days=150)
    decided = requested + timedelta(days=10)
    with system_up(system_env, tmp_path / "up.log", "--no-demo"):
        started = ok(
            system_env,
            "reassessment",
            "start",
            "EHC-2026-0801",
            "--caseworker",
            "cw101",
            "--team",
            "north",
            "--requested",
            requested.isoformat(),
        )
        assert "reassessment-EHC-2026-0801-" in started.stdout
        again = ehc(
            system_env,
            "reassessment",
            "start",
            "EHC-2026-0801",
            "--caseworker",
            "cw101",
            "--team",
            "north",
            "--requested",
            requested.isoformat(),
        )
        assert again.returncode == 2 and "already started" in again.stderr
        decided_line = until_listed(
            system_env,
            "reassessment",
            "record",
            "EHC-2026-0801",
            "decided",
            "--choice",
            "reassess",
            "--on",
            decided.isoformat(),
        )
        assert decided_line.returncode == 0, decided_line.stderr
        assert "Finalise the amended or replacement plan" in decided_line.stdout
        refused = ehc(
            system_env, "reassessment", "record", "EHC-2026-0801", "decided", "--choice", "refuse"
        )
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1
        assert "already recorded" in refused.stderr
        shown = ok(system_env, "reassessment", "show", "EHC-2026-0801")
        assert "reg 27(2)" in shown.stdout and "overdue" in shown.stdout
        view = json.loads(ok(system_env, "reassessment", "show", "EHC-2026-0801", "--json").stdout)
        assert view["case"]["dates"]["decided"] == decided.isoformat()

        ok(
            system_env,
            "transfer-in",
            "start",
            "EHC-2026-0802",
            "--caseworker",
            "cw101",
            "--team",
            "north",
            "--transfer",
            (today - timedelta(days=20)).isoformat(),
            "--plan",
            (today - timedelta(days=200)).isoformat(),
            "--from-council",
            "886",
        )
        notified = until_listed(
            system_env, "transfer-in", "record", "EHC-2026-0802", "family-notified"
        )
        assert notified.returncode == 0, notified.stderr
        assert "family told of the transfer" in notified.stdout
        closed = json.loads(
            ok(system_env, "transfer-in", "list", "--all", "--json").stdout.splitlines()[0]
        )
        assert closed["case_ref"] == "EHC-2026-0802"

        for _ in range(120):  # the read model is written by the workflow's activity
            overdue = ok(system_env, "overdue", "--kind", "reassessment", "--json")
            lines = json.loads(overdue.stdout)["lines"]
            if lines:
                break
            time.sleep(0.25)
    assert [(x["case_ref"], x["step"], x["regulation"]) for x in lines] == [
        ("EHC-2026-0801", "reassessment-plan", "reg 27(2)")
    ]
