"""``ehc deadlines assessment``: the real command, run as a subprocess.

Each ``ehc`` process spends about a second importing, so the suite runs them all at once, in
parallel, the first time a test needs one. The cases the brief names run as the installed
``ehc`` script; further cases run in one extra interpreter that imports ``ehc.cli.main`` once
and forks a fresh child per invocation (real process, real exit status, real stdout/stderr),
so that they cost milliseconds rather than a second each.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date
from typing import Any

import pytest

from ehc.text import day
from tests.unit.cli_driver import run_all

BASE = ["deadlines", "assessment"]
R = ["--received", "2025-05-21"]
ABSENCE = "absence-from-area:2025-06-01:2025-07-15"  # 45 days

#: Run as the installed ``ehc`` script, one interpreter each.
RUNS: dict[str, list[str]] = {
    "plain": [*R, "--json"],
    "draft-and-advice": [
        *R,
        "--draft-served",
        "2025-09-01",
        "--advice-requested",
        "2025-07-10",
        "--advice-requested",
        "2025-07-03",
        "--json",
    ],
    "exception": [*R, "--exception", ABSENCE, "--json"],
    "human": [
        *R,
        "--draft-served",
        "2025-09-01",
        "--advice-requested",
        "2025-07-10",
        "--exception",
        ABSENCE,
    ],
    "bad-date": ["--received", "2025-02-30", "--json"],
    "end-before-start": [*R, "--exception", "personal-circumstances:2025-07-01:2025-06-01"],
    "unknown-reason": [*R, "--exception", "holiday:2025-07-01:2025-08-01"],
    "missing-received": ["--json"],
    "malformed-exception": [*R, "--exception", "absence-from-area:2025-06-01"],
}

#: Run by forking one interpreter that has imported ``ehc.cli.main``.
FORKED: dict[str, list[str]] = {
    "draft": [*R, "--draft-served", "2025-09-01", "--json"],
    "two-exceptions": [
        *R,
        "--exception",
        "personal-circumstances:2025-06-05:2025-06-14",
        "--exception",
        "personal-circumstances:2025-06-01:2025-06-10",
        "--json",
    ],
    "missed-appointment": [
        *R,
        "--advice-requested",
        "2025-07-10",
        "--exception",
        "missed-appointment:2025-07-14:2025-07-20",
        "--json",
    ],
    "too-many-parts": [*R, "--exception", f"{ABSENCE}:2025-08-01"],
    "bad-exception-date": [*R, "--exception", "personal-circumstances:2025-06-31:2025-07-01"],
    "short-absence": [*R, "--exception", "absence-from-area:2025-06-01:2025-06-27"],
    "draft-before-request": [*R, "--draft-served", "2025-05-20"],
    "exception-before-request": [*R, "--exception", "personal-circumstances:2025-01-06:2025-01-10"],
    "covid-outside-2020": [*R, "--exception", "coronavirus:2025-06-01:2025-06-10"],
    # Dates no case can have: refused in one line, never a traceback or a case in year 1.
    "received-9999": ["--received", "9999-12-31", "--json"],
    "received-year-1": ["--received", "0001-01-01", "--json"],
    "exception-to-9999": [*R, "--exception", "absence-from-area:2025-06-01:9999-12-31"],
    "closure-outside-window": [
        *R,
        "--advice-requested",
        "2025-06-02",
        "--exception",
        "school-closure:2025-07-21:2025-08-31",
    ],
    "no-such-option": [*R, "--recieved-late"],
    "compact-date": ["--received", "20250521", "--json"],
    "week-date": ["--received", "2025-W21-3", "--json"],
    "compact-exception-date": [*R, "--exception", "personal-circumstances:20250601:2025-06-05"],
}


BAD = [
    "bad-date",
    "end-before-start",
    "unknown-reason",
    "missing-received",
    "malformed-exception",
    "too-many-parts",
    "bad-exception-date",
    "short-absence",
    "draft-before-request",
    "exception-before-request",
    "covid-outside-2020",
    "closure-outside-window",
    "no-such-option",
    "compact-date",
    "week-date",
    "compact-exception-date",
    "received-9999",
    "received-year-1",
    "exception-to-9999",
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    # Nothing may be written into the repository.
    return run_all(BASE, RUNS, FORKED, tmp_path_factory.mktemp("cli"))


def as_json(runs: dict[str, subprocess.CompletedProcess[str]], name: str) -> dict[str, Any]:
    result = runs[name]
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


#: Keys the audit adds to the calculator's (statutory/audit.py; test_calculator_audit.py).
AUDIT_KEYS = {"as_of", "not_audited", "steps", "outcome"}


def test_plain_request_gives_the_ombudsman_dates(runs: dict[str, Any]) -> None:
    data = as_json(runs, "plain")
    assert {k: v for k, v in data.items() if k not in AUDIT_KEYS} == {
        "received": "2025-05-21",
        "decide_to_assess_by": "2025-07-02",
        "decide_not_to_issue_by": "2025-09-10",
        "latest_draft_by": "2025-09-23",
        "final_plan_by": "2025-10-08",
        "exceptions_apply": False,
        "operational_decide_to_assess_by": "2025-07-02",
        "operational_decide_not_to_issue_by": "2025-09-10",
        "operational_final_plan_by": "2025-10-08",
        "exceptions": [],
    }
    assert runs["plain"].stderr == ""
    # Audited as of today (no --on): no decision yet, so the first step is overdue.
    assert data["not_audited"] is None
    assert [s["step"] for s in data["steps"]] == [
        "decide-to-assess",
        "decide-not-to-issue",
        "draft-served",
        "final-plan",
    ]
    assert data["steps"][0]["status"] == "overdue"
    assert data["outcome"] is None


def test_dates_without_a_decision_are_planned_not_audited(runs: dict[str, Any]) -> None:
    # A draft needs a decision to assess first: without one (and without --on) the command
    # gives the dates, checked by the rules, and says why there are no statuses.
    for name in ["draft", "draft-and-advice", "missed-appointment"]:
        data = as_json(runs, name)
        assert data["steps"] is None and data["outcome"] is None and data["as_of"] is None
        assert data["not_audited"].startswith("--"), data["not_audited"]
    assert "--draft-served 2025-09-01" in as_json(runs, "draft")["not_audited"]
    human = " ".join(runs["human"].stdout.split())
    assert "No statuses: the history cannot be audited as of" in human


def test_draft_served_gives_representations_close(runs: dict[str, Any]) -> None:
    for name in ["draft-and-advice", "draft"]:
        data = as_json(runs, name)
        assert data["representations_close"] == "2025-09-15"  # served + 14 (reg 13(1))
        assert data["final_plan_by"] == "2025-10-08"
    assert "representations_close" not in as_json(runs, "plain")
    assert "advice_due_by" not in as_json(runs, "draft")


def test_advice_due_dates_in_the_order_given(runs: dict[str, Any]) -> None:
    data = as_json(runs, "draft-and-advice")
    assert data["advice_due_by"] == ["2025-08-21", "2025-08-14"]
    assert data["operational_advice_due_by"] == ["2025-08-21", "2025-08-14"]
    assert data["exceptions_apply"] is False
    assert "advice_due_by" not in as_json(runs, "plain")


def test_exception_moves_operational_dates_only(runs: dict[str, Any]) -> None:
    data = as_json(runs, "exception")
    assert data["exceptions_apply"] is True
    assert data["final_plan_by"] == "2025-10-08"  # the statutory date never moves
    assert data["decide_to_assess_by"] == "2025-07-02"
    assert data["operational_final_plan_by"] == "2025-11-22"  # + 45 days
    assert data["operational_decide_to_assess_by"] == "2025-08-16"
    assert data["operational_decide_not_to_issue_by"] == "2025-10-25"
    assert data["exceptions"] == [
        {
            "reason": "absence-from-area",
            "start": "2025-06-01",
            "end": "2025-07-15",
            "regulation": "reg 5(4)(d), 8(2)(b), 10(4)(d), 13(3)(d)",
            "lifts": ["decide-to-assess", "decide-not-to-issue", "final-plan", "advice"],
        }
    ]


def test_two_overlapping_exceptions_count_once(runs: dict[str, Any]) -> None:
    # 1..14 June: 14 days, not 10 + 10.
    result = runs["two-exceptions"]
    assert "Traceback" not in result.stderr
    data = as_json(runs, "two-exceptions")
    assert data["operational_final_plan_by"] == "2025-10-22"
    assert [e["start"] for e in data["exceptions"]] == ["2025-06-05", "2025-06-01"]


def test_missed_appointment_lifts_advice_not_the_final_plan(runs: dict[str, Any]) -> None:
    data = as_json(runs, "missed-appointment")
    assert data["operational_final_plan_by"] == "2025-10-08"
    assert data["advice_due_by"] == ["2025-08-21"]
    assert data["operational_advice_due_by"] == ["2025-08-28"]  # + 7 days
    assert data["exceptions_apply"] is True
    assert data["exceptions"][0]["lifts"] == ["advice"]


@pytest.mark.parametrize("name", BAD)
def test_bad_input_is_one_line_and_status_2(runs: dict[str, Any], name: str) -> None:
    result = runs[name]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ehc: ")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad-date", ["--received", "2025-02-30"]),
        ("end-before-start", ["--exception", "before it starts"]),
        ("unknown-reason", ["--exception", "holiday"]),
        ("missing-received", ["--received"]),
        ("malformed-exception", ["REASON:START:END"]),
        ("too-many-parts", ["REASON:START:END"]),
        ("bad-exception-date", ["2025-06-31"]),
        ("short-absence", ["4 continuous weeks"]),
        ("draft-before-request", ["--draft-served", "before the request was received"]),
        ("exception-before-request", ["before the request was received"]),
        ("covid-outside-2020", ["reg 2A"]),
        ("received-9999", ["--received", "after 31 Dec 2099"]),
        ("received-year-1", ["--received", "before 1 Sep 2014"]),
        ("exception-to-9999", ["--exception", "after 31 Dec 2099"]),
        ("closure-outside-window", ["14 Jul 2025", "25 Aug 2025"]),
        ("no-such-option", ["--recieved-late"]),
    ],
)
def test_bad_input_says_what_is_wrong(runs: dict[str, Any], name: str, words: list[str]) -> None:
    message = runs[name].stderr
    for word in words:
        assert word in message


def test_only_yyyy_mm_dd_or_dd_mm_yyyy_dates_are_accepted(runs: dict[str, Any]) -> None:
    # date.fromisoformat alone would take 20250521 and 2025-W21-3 on Python 3.11+.
    for name, text in [
        ("compact-date", "20250521"),
        ("week-date", "2025-W21-3"),
        ("compact-exception-date", "20250601"),
    ]:
        message = f"'{text}' is not a real date: use YYYY-MM-DD or DD/MM/YYYY"
        assert message in runs[name].stderr


def test_human_output_names_every_regulation(runs: dict[str, Any]) -> None:
    result = runs["human"]
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for regulation in ["reg 4(1), 5(1)", "reg 8(1)", "reg 10(1)", "reg 13(1)", "reg 13(2)"]:
        assert regulation in text
    for iso in ["2025-05-21", "2025-07-02", "2025-08-21", "2025-09-10", "2025-09-15", "2025-10-08"]:
        assert day(date.fromisoformat(iso)) in text, iso
    assert "22 Nov 2025" in text  # the final plan's target after the 45-day absence
    flat = " ".join(text.split())
    assert "absence from the area, 1 Jun 2025 to 15 Jul 2025 (45 days;" in flat
    assert "reg 5(4)(d), 8(2)(b), 10(4)(d), 13(3)(d)" in flat
    assert "Traceback" not in result.stderr
