"""``ehc deadlines review``: the real command, run as a subprocess.

As in ``test_calculator_cli.py``: the IPSEA example runs as the installed ``ehc`` script, and the
rest run in one extra interpreter that imports ``ehc.cli.main`` once and forks a fresh child per
invocation (real process, real exit status, real stdout/stderr), all at once, the first time a
test needs them.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.unit.cli_driver import run_all

BASE = ["deadlines", "review"]

# IPSEA: meeting 1 Nov 2025, decision sent 25 Nov 2025 -> next review due by 25 Nov 2026.
IPSEA = ["--last-review", "2024-11-25", "--meeting", "2025-11-01", "--decision", "2025-11-25"]
P = ["--plan-date", "2025-01-10"]
LR = ["--last-review", "2024-03-01"]  # review due 1 Mar 2025: a Feb 2025 transfer is in cycle

#: Run as the installed ``ehc`` script, one interpreter each.
RUNS: dict[str, list[str]] = {
    "ipsea": [*IPSEA, "--json"],
}

#: Run by forking one interpreter that has imported ``ehc.cli.main``.
FORKED: dict[str, list[str]] = {
    "ipsea-meeting": [*IPSEA, "--anchor", "meeting", "--json"],
    "ipsea-decision": [*IPSEA, "--anchor", "decision", "--json"],
    "amend": [*IPSEA, "--amendment-notice", "2025-11-25", "--json"],
    "late-notice": [*IPSEA, "--amendment-notice", "2026-01-10", "--json"],
    "leap-plan": ["--plan-date", "2024-02-29", "--json"],
    "decision-only": [*P, "--decision", "2025-12-20", "--json"],
    "meeting-only-meeting-anchor": [*P, "--meeting", "2025-12-01", "--anchor", "meeting", "--json"],
    "early-years-school": [*LR, "--transfer", "early-years-school", "--transfer-year", "2025", "--json"],
    "infant-junior": [*LR, "--transfer", "infant-junior", "--transfer-year", "2025", "--json"],
    "primary-secondary": [*LR, "--transfer", "primary-secondary", "--transfer-year", "2025", "--json"],
    "middle-secondary": [*LR, "--transfer", "middle-secondary", "--transfer-year", "2025", "--json"],
    "secondary-post16": [*LR, "--transfer", "secondary-post16", "--transfer-year", "2025", "--json"],
    "post16-move": [*LR, "--transfer", "post16-post16", "--move-date", "2025-07-31", "--json"],
    "post16-move-leap": ["--last-review", "2023-06-01", "--transfer", "post16-post16", "--move-date", "2024-07-31", "--json"],
    "transfer-later": [*LR, "--transfer", "primary-secondary", "--transfer-year", "2027", "--json"],
    "transfer-boundary-in": ["--last-review", "2024-02-15", "--transfer", "primary-secondary", "--transfer-year", "2026", "--json"],
    "transfer-boundary-out": ["--last-review", "2024-02-14", "--transfer", "primary-secondary", "--transfer-year", "2026", "--json"],
    "under-five": [*P, "--dob", "2022-05-01", "--json"],
    "under-five-3": [*P, "--dob", "2022-05-01", "--under-five-months", "3", "--json"],
    "five-today": [*P, "--dob", "2020-01-10", "--json"],
    "human": [*IPSEA, "--amendment-notice", "2025-11-25", "--transfer", "primary-secondary", "--transfer-year", "2026"],
    # Bad input.
    "both-starts": ["--plan-date", "2025-01-10", "--last-review", "2025-02-01", "--json"],
    "neither-start": ["--meeting", "2025-11-01", "--json"],
    "impossible-plan-date": ["--plan-date", "2025-02-30", "--json"],
    "impossible-meeting": [*P, "--meeting", "2025-11-31", "--json"],
    "compact-date": ["--plan-date", "20250110", "--json"],
    "plan-date-9999": ["--plan-date", "9999-12-31", "--json"],
    "dob-over-25": ["--plan-date", "2026-01-01", "--dob", "1995-01-01", "--json"],
    "unknown-transfer": [*P, "--transfer", "secondary", "--transfer-year", "2026", "--json"],
    "post16-without-move": [*P, "--transfer", "post16-post16", "--transfer-year", "2026", "--json"],
    "transfer-without-year": [*P, "--transfer", "primary-secondary", "--json"],
    "year-without-transfer": [*P, "--transfer-year", "2026", "--json"],
    "move-without-transfer": [*P, "--move-date", "2026-09-01", "--json"],
    "year-out-of-range": [*P, "--transfer", "primary-secondary", "--transfer-year", "1999", "--json"],
    "year-not-a-number": [*P, "--transfer", "primary-secondary", "--transfer-year", "next", "--json"],
    "decision-before-meeting": [*IPSEA[:4], "--decision", "2025-10-31", "--json"],
    "notice-before-meeting": [*IPSEA[:4], "--amendment-notice", "2025-10-31", "--json"],
    "meeting-before-start": [*P, "--meeting", "2025-01-09", "--json"],
    "dob-after-start": [*P, "--dob", "2025-01-11", "--json"],
    "under-five-7": [*P, "--dob", "2022-05-01", "--under-five-months", "7", "--json"],
    "under-five-2": [*P, "--under-five-months", "2", "--json"],
    "bad-anchor": [*IPSEA, "--anchor", "review", "--json"],
    "no-such-option": [*P, "--meeting-date", "2025-11-01"],
    "notice-before-decision": [*IPSEA, "--amendment-notice", "2025-11-10", "--json"],
}  # fmt: skip


#: Every key, always present (null where not applicable): scripts depend on them.
KEYS = {
    "anchor",
    "review_due_by",
    "under_five_review_by",
    "invitations_by",
    "advice_circulated_by",
    "report_by",
    "decision_by",
    "amendment_notice_by",
    "representations_close",
    "final_amended_plan_by",
    "amended_within_12_weeks_by",
    "next_review_due_by",
    "phase_transfer_deadline",
    "latest_meeting_for_phase_transfer",
    "latest_amendment_notice_for_phase_transfer",
    "phase_transfer_in_this_cycle",
    "category",
    # The audit of the history (statutory/audit.py): null when it is only planned.
    "as_of",
    "not_audited",
    "steps",
    "outcome",
}
AUDIT_KEYS = {"as_of", "not_audited", "steps", "outcome"}
MEETING_KEYS = [
    "invitations_by",
    "advice_circulated_by",
    "report_by",
    "decision_by",
    "amendment_notice_by",
    "final_amended_plan_by",
    "amended_within_12_weeks_by",
]
TRANSFER_KEYS = [
    "phase_transfer_deadline",
    "latest_meeting_for_phase_transfer",
    "latest_amendment_notice_for_phase_transfer",
]

BAD: dict[str, list[str]] = {
    "both-starts": ["exactly one of --plan-date and --last-review"],
    "neither-start": ["exactly one of --plan-date and --last-review"],
    "impossible-plan-date": ["--plan-date", "'2025-02-30'", "YYYY-MM-DD"],
    "impossible-meeting": ["--meeting", "'2025-11-31'"],
    "compact-date": ["--plan-date", "'20250110'"],
    "plan-date-9999": ["--plan-date", "after 31 Dec 2099"],
    "dob-over-25": ["--dob", "0 to 25"],
    "unknown-transfer": ["--transfer", "'secondary'", "primary-secondary"],
    "post16-without-move": ["post16-post16", "--move-date"],
    "transfer-without-year": ["--transfer-year"],
    "year-without-transfer": ["need --transfer"],
    "move-without-transfer": ["need --transfer"],
    "year-out-of-range": ["--transfer", "2014"],
    "year-not-a-number": ["--transfer-year", "valid integer"],
    "decision-before-meeting": [
        "--decision 2025-10-31",
        "this review's stage is waiting for the review meeting",
        "dated before --meeting 2025-11-01",
    ],
    "notice-before-meeting": [
        "--amendment-notice 2025-10-31",
        "this review's stage is waiting for the review meeting",
        "dated before --meeting 2025-11-01",
    ],
    "meeting-before-start": ["--meeting", "2025-01-09", "before this review cycle began"],
    "dob-after-start": ["--dob", "2025-01-11"],
    "under-five-7": ["--under-five-months", "3 to 6"],
    "under-five-2": ["--under-five-months", "3 to 6"],
    "bad-anchor": ["--anchor", "'review'", "decision or meeting"],
    "no-such-option": ["--meeting-date"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    # Nothing may be written into the repository.
    return run_all(BASE, RUNS, FORKED, tmp_path_factory.mktemp("cli"))


def as_json(runs: dict[str, subprocess.CompletedProcess[str]], name: str) -> dict[str, Any]:
    result = runs[name]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    assert set(data) == KEYS, set(data) ^ KEYS
    return data


def dates(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in AUDIT_KEYS}


def test_ipsea_example(runs: dict[str, Any]) -> None:
    assert dates(as_json(runs, "ipsea")) == {
        "anchor": "2024-11-25",
        "review_due_by": "2025-11-25",  # CFA s44(1): 12 months
        "under_five_review_by": None,
        "invitations_by": "2025-10-18",  # reg 20(3): 2 weeks before
        "advice_circulated_by": "2025-10-18",  # reg 20(4)
        "report_by": "2025-11-15",  # reg 20(7): within 2 weeks
        "decision_by": "2025-11-29",  # reg 20(10): within 4 weeks
        "amendment_notice_by": "2025-11-29",  # with the decision (Devon)
        "representations_close": None,
        "final_amended_plan_by": "2026-01-24",  # no notice yet: meeting + 12 weeks
        "amended_within_12_weeks_by": "2026-01-24",
        "next_review_due_by": "2026-11-25",  # from the decision (IPSEA)
        "phase_transfer_deadline": None,
        "latest_meeting_for_phase_transfer": None,
        "latest_amendment_notice_for_phase_transfer": None,
        "phase_transfer_in_this_cycle": False,
        "category": "other",
    }
    assert as_json(runs, "ipsea-decision") == as_json(runs, "ipsea")
    # The decision's kind is not given: the dates are planned, not audited.
    ipsea = as_json(runs, "ipsea")
    assert ipsea["steps"] is None and ipsea["outcome"] is None
    assert ipsea["not_audited"].startswith("--decision 2025-11-25: say which decision it was")


def test_anchor_meeting_runs_the_next_cycle_from_the_meeting(runs: dict[str, Any]) -> None:
    data = as_json(runs, "ipsea-meeting")
    assert data["next_review_due_by"] == "2026-11-01"
    assert {k: v for k, v in data.items() if k != "next_review_due_by"} == {
        k: v for k, v in as_json(runs, "ipsea").items() if k != "next_review_due_by"
    }
    only = as_json(runs, "meeting-only-meeting-anchor")
    assert only["next_review_due_by"] == "2026-12-01"
    assert only["decision_by"] == "2025-12-29"


def test_amendment_notice_gives_representations_and_final_plan(runs: dict[str, Any]) -> None:
    data = as_json(runs, "amend")
    assert data["representations_close"] == "2025-12-09"  # reg 22(2): 15 days incl. the notice
    assert data["final_amended_plan_by"] == "2026-01-20"  # reg 22(3): notice + 8 weeks
    assert data["amended_within_12_weeks_by"] == "2026-01-24"  # meeting + 84 days
    late = as_json(runs, "late-notice")
    assert late["final_amended_plan_by"] == "2026-03-07"
    assert late["amended_within_12_weeks_by"] == "2026-01-24"  # the KPI never moves


def test_plan_date_only_leaves_everything_else_null(runs: dict[str, Any]) -> None:
    data = as_json(runs, "leap-plan")
    assert data["anchor"] == "2024-02-29"
    assert data["review_due_by"] == "2025-02-28"  # 29 Feb -> 28 Feb
    assert data["phase_transfer_in_this_cycle"] is False
    assert data["category"] == "other"
    for key in (
        KEYS
        - AUDIT_KEYS
        - {
            "anchor",
            "review_due_by",
            "phase_transfer_in_this_cycle",
            "category",
        }
    ):
        assert data[key] is None, key


def test_decision_without_meeting(runs: dict[str, Any]) -> None:
    data = as_json(runs, "decision-only")
    assert data["next_review_due_by"] == "2026-12-20"
    assert data["review_due_by"] == "2026-01-10"
    for key in MEETING_KEYS:
        assert data[key] is None, key


@pytest.mark.parametrize(
    ("name", "deadline", "latest_meeting", "latest_notice", "category"),
    [
        ("early-years-school", "2025-02-15", "2024-11-23", "2024-12-21", "other"),
        ("infant-junior", "2025-02-15", "2024-11-23", "2024-12-21", "other"),
        ("primary-secondary", "2025-02-15", "2024-11-23", "2024-12-21", "secondary-transfer"),
        ("middle-secondary", "2025-02-15", "2024-11-23", "2024-12-21", "secondary-transfer"),
        ("secondary-post16", "2025-03-31", "2025-01-06", "2025-02-03", "post16-transfer"),
        ("post16-move", "2025-02-28", "2024-12-06", "2025-01-03", "post16-transfer"),
        ("post16-move-leap", "2024-02-29", "2023-12-07", "2024-01-04", "post16-transfer"),
    ],
)
def test_phase_transfer_dates(
    runs: dict[str, Any],
    name: str,
    deadline: str,
    latest_meeting: str,
    latest_notice: str,
    category: str,
) -> None:
    data = as_json(runs, name)
    assert [data[k] for k in TRANSFER_KEYS] == [deadline, latest_meeting, latest_notice]
    assert data["phase_transfer_in_this_cycle"] is True
    assert data["category"] == category
    for key in MEETING_KEYS:
        assert data[key] is None, key


def test_phase_transfer_in_this_cycle_boundary(runs: dict[str, Any]) -> None:
    # Review due 15 Feb 2025: the next one is due 15 Feb 2026, the deadline itself.
    assert as_json(runs, "transfer-boundary-in")["phase_transfer_in_this_cycle"] is True
    out = as_json(runs, "transfer-boundary-out")
    assert out["phase_transfer_in_this_cycle"] is False
    assert out["phase_transfer_deadline"] == "2026-02-15"  # still shown
    assert out["latest_meeting_for_phase_transfer"] == "2025-11-23"
    later = as_json(runs, "transfer-later")
    assert later["phase_transfer_in_this_cycle"] is False
    assert later["phase_transfer_deadline"] == "2027-02-15"


def test_under_five_review(runs: dict[str, Any]) -> None:
    assert as_json(runs, "under-five")["under_five_review_by"] == "2025-07-10"  # + 6 months
    assert as_json(runs, "under-five-3")["under_five_review_by"] == "2025-04-10"  # + 3 months
    five = as_json(runs, "five-today")  # 5 on the plan date
    assert five["under_five_review_by"] is None
    assert five["review_due_by"] == "2026-01-10"


def test_human_output_names_every_regulation(runs: dict[str, Any]) -> None:
    result = runs["human"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    text = result.stdout
    for regulation in [
        "CFA s44(1), reg 18",
        "reg 20(3)",
        "reg 20(4)",
        "reg 20(7)",
        "reg 20(10)",
        "reg 22(2)",
        "reg 22(3)",
        "reg 18, 22(3)",
    ]:
        assert regulation in text, regulation
    for day in [
        "25 Nov 2025",
        "18 Oct 2025",
        "15 Nov 2025",
        "29 Nov 2025",
        "9 Dec 2025",
        "20 Jan 2026",
        "25 Nov 2026",
        "15 Feb 2026",
        "23 Nov 2025",
        "21 Dec 2025",
    ]:
        assert f" {day} " in text, day
    assert "from the decision" in text
    assert (
        "Counted in timeliness reports under a transfer to secondary school "
        "(secondary-transfer in JSON and CSV)."
    ) in " ".join(text.split())
    assert "Under-5 review" not in text  # no date of birth: no row


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_line_and_status_2(runs: dict[str, Any], name: str) -> None:
    result = runs[name]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ehc: ")
    assert result.stdout == ""
    for word in BAD[name]:
        assert word in lines[0], (word, lines[0])


def test_amendment_notice_before_the_decision_is_bad_input(runs: dict[str, Any]) -> None:
    result = runs["notice-before-decision"]
    assert result.returncode == 2, result.stdout
