"""README's assessment example, run line by line on the real system, escalates nobody.

The request was received months before the case is entered; its history is recorded after the
start, one line at a time, as the README shows. No step was missed, so no supervisor or manager
may hear otherwise; the same goes for a case imported from a CSV and then brought up to date.
"""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

import pytest

from activities.ledger import Ledger
from activities.outbox import Outbox
from tests.e2e.test_cli_system import ehc, system_env, system_up

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
__all__ = ["system_env"]  # the fixture, imported for pytest


def readme_lines(case_ref: str) -> list[list[str]]:
    """The README's `ehc assessment start|record <case_ref>` lines, continuations joined."""
    text = (ROOT / "README.md").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        if not line.startswith(f"ehc assessment start {case_ref}") and not line.startswith(
            f"ehc assessment record {case_ref}"
        ):
            continue
        words = shlex.split(line, comments=True)
        if words[:2] == ["ehc", "assessment"] and words[2:4] in (
            ["start", case_ref],
            ["record", case_ref],
        ):
            out.append(words[1:])
    return out


def wait_for_outcome(ledger: Ledger, case_ref: str) -> None:
    """The outcome is written once the case's own alerts have all been delivered."""
    for _ in range(600):
        if ledger.outcomes(case_ref=case_ref):
            return
        time.sleep(0.1)
    pytest.fail(f"{case_ref} has no outcome in the ledger after a minute")


def test_readme_example_and_an_import_escalate_nobody(
    system_env: dict[str, str], tmp_path: Path
) -> None:
    lines = readme_lines("EHC-2026-0147")
    assert [w[1] for w in lines][:2] == ["start", "record"] and len(lines) == 9
    database = f"sqlite:///{tmp_path / 'data' / 'ehc.db'}"
    with system_up(system_env, tmp_path / "up.log", "--no-demo"):
        for words in lines:
            result = ehc(system_env, *words)
            assert result.returncode == 0, (words, result.stderr)
        imported = ehc(system_env, "import", "assessments", str(ROOT / "samples/assessments.csv"))
        assert imported.returncode == 0, imported.stderr
        # EHC-2026-0301 was imported with its draft served on 9 Oct: the plan went out on 26 Oct.
        final = ehc(
            system_env,
            "assessment",
            "record",
            "EHC-2026-0301",
            "final-issued",
            "--on",
            "2026-10-26",
        )
        assert final.returncode == 0, final.stderr
        ledger = Ledger(database)
        wait_for_outcome(ledger, "EHC-2026-0147")
        wait_for_outcome(ledger, "EHC-2026-0301")
        shown = ehc(system_env, "assessment", "show", "EHC-2026-0147", "--json")
        assert shown.returncode == 0, shown.stderr
        case = ehc(system_env, "case", "EHC-2026-0147")
        assert case.returncode == 0, case.stderr

    steps = {s["step"]: s["state"] for s in json.loads(shown.stdout)["steps"]}
    assert steps == {
        "decide-to-assess": "met",
        "advice-1": "excepted",
        "decide-not-to-issue": "not-applicable",
        "draft-served": "met",
        "setting-reply-1": "met",
        "final-plan": "excepted",
    }
    assert "missed" not in case.stdout.lower() or "no statutory step missed" in case.stdout.lower()
    escalated = [
        r["idempotency_key"]
        for ref in ("EHC-2026-0147", "EHC-2026-0301")
        for r in Outbox(database).messages(case_ref=ref)
        if r["kind"] == "escalation"
    ]
    assert escalated == []
