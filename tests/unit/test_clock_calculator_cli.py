"""``ehc deadlines reassessment | tribunal-order | transfer-in | transfer-out | appeal``: the
real commands, run as subprocesses.

As in ``test_review_calculator_cli.py``: one example runs as the installed ``ehc`` script, the
rest in children forked from one interpreter that has imported ``ehc.cli.main`` (real process,
real exit status, real stdout and stderr), all at once the first time a test needs them.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.unit.cli_driver import run_all

BASE = ["deadlines"]
ORDER = ["tribunal-order", "--order-date", "2026-03-02"]
KINDS = [
    "assess",
    "reassess",
    "make-plan",
    "reconsider",
    "amend",
    "school",
    "continue",
    "continue-amend",
]

#: Run as the installed ``ehc`` script, one interpreter.
RUNS: dict[str, list[str]] = {
    "reassess-request": ["reassessment", "--requested", "2026-01-05", "--json"],
}

#: Run by forking one interpreter that has imported ``ehc.cli.main``.
FORKED: dict[str, list[str]] = {
    "reassess-both": ["reassessment", "--requested", "2026-01-05", "--decided", "2026-01-19", "--json"],
    "reassess-own-accord": ["reassessment", "--decided", "19/01/2026", "--json"],
    **{f"order-{kind}": [*ORDER, "--order", kind, "--json"] for kind in KINDS},
    "conceded-assess": [*ORDER, "--order", "assess", "--conceded", "--json"],
    "conceded-continue": [*ORDER, "--order", "continue", "--conceded", "--json"],
    "transfer-in-plan": ["transfer-in", "--transfer-date", "2026-09-01", "--plan-date", "2026-02-10", "--json"],
    "transfer-in-review": ["transfer-in", "--transfer-date", "2026-09-01", "--last-review", "2025-08-10", "--json"],
    "transfer-in-leap": ["transfer-in", "--transfer-date", "2024-10-01", "--plan-date", "29/02/2024", "--json"],
    "transfer-out-christmas": ["transfer-out", "--move-date", "2027-01-04", "--aware-on", "2026-12-15", "--json"],
    "transfer-out-in-time": ["transfer-out", "--move-date", "2026-09-05", "--aware-on", "2026-06-01", "--json"],
    "transfer-out-after-move": ["transfer-out", "--move-date", "2026-03-01", "--aware-on", "2026-03-02", "--json"],
    "appeal-notice": ["appeal", "--notice", "2026-03-02", "--json"],
    "appeal-certificate": ["appeal", "--notice", "2026-03-02", "--certificate", "2026-04-17", "--json"],
    "appeal-mediation": [
        "appeal", "--notice", "2026-03-02", "--mediation-wanted", "2026-03-20",
        "--health-mediation", "2026-03-20", "--mediation-declined", "2026-04-03", "--json",
    ],
    # Human output.
    "human-reassess": ["reassessment", "--requested", "2026-01-05", "--decided", "2026-01-19"],
    "human-order": [*ORDER, "--order", "make-plan"],
    "human-conceded": [*ORDER, "--order", "assess", "--conceded"],
    "human-transfer-in": ["transfer-in", "--transfer-date", "2026-09-01", "--plan-date", "2026-02-10"],
    "human-transfer-out": ["transfer-out", "--move-date", "2026-12-28", "--aware-on", "2026-12-19"],
    "human-appeal": ["appeal", "--notice", "2026-03-02", "--certificate", "2026-04-17"],
    "help-order": ["tribunal-order", "--help"],
    # Bad input.
    "reassess-no-date": ["reassessment", "--json"],
    "reassess-decided-first": ["reassessment", "--requested", "2026-01-05", "--decided", "2026-01-04", "--json"],
    "order-unknown": [*ORDER, "--order", "cease", "--json"],
    "order-no-type": [*ORDER, "--json"],
    "order-no-date": ["tribunal-order", "--order", "assess", "--json"],
    "order-conceded-reconsider": [*ORDER, "--order", "reconsider", "--conceded", "--json"],
    "order-too-late": ["tribunal-order", "--order-date", "2100-01-01", "--order", "amend", "--json"],
    "order-not-a-date": ["tribunal-order", "--order-date", "2026-02-30", "--order", "amend", "--json"],
    "transfer-in-both": [
        "transfer-in", "--transfer-date", "2026-09-01", "--plan-date", "2026-01-01",
        "--last-review", "2026-02-01", "--json",
    ],
    "transfer-in-neither": ["transfer-in", "--transfer-date", "2026-09-01", "--json"],
    "transfer-in-no-transfer": ["transfer-in", "--plan-date", "2026-01-01", "--json"],
    "transfer-in-plan-later": ["transfer-in", "--transfer-date", "2026-09-01", "--plan-date", "2026-10-01", "--json"],
    "transfer-out-no-aware": ["transfer-out", "--move-date", "2026-09-01", "--json"],
    "transfer-out-too-early": ["transfer-out", "--move-date", "2014-08-31", "--aware-on", "2014-08-01", "--json"],
    "appeal-no-notice": ["appeal", "--certificate", "2026-04-17", "--json"],
    "appeal-certificate-first": ["appeal", "--notice", "2026-03-02", "--certificate", "2026-03-01", "--json"],
    "appeal-compact-date": ["appeal", "--notice", "20260302", "--json"],
}  # fmt: skip

KEYS = {
    "reassessment": {"decide_by", "final_plan_by"},
    "tribunal-order": {
        *("order", "counted_from", "notify_by", "decide_not_to_issue_by", "draft_by"),
        *("reconsider_by", "continue_from", "final_plan_by"),
    },
    "transfer-in": {"notify_family_by", "review_due_by"},
    "transfer-out": {"transfer_by"},
    "appeal": {"health_body_by", "mediation_by", "certificate_by", "appeal_by"},
}

BAD: dict[str, list[str]] = {
    "reassess-no-date": ["--requested", "--decided"],
    "reassess-decided-first": ["--decided 4 Jan 2026 is before --requested 5 Jan 2026"],
    "order-unknown": ["--order", "'cease'", "assess, reassess, make-plan, reconsider"],
    "order-no-type": ["Missing option '--order'"],
    "order-no-date": ["Missing option '--order-date'"],
    "order-conceded-reconsider": ["--conceded", "reg 45", "reconsider"],
    "order-too-late": ["--order-date", "after 31 Dec 2099"],
    "order-not-a-date": ["--order-date", "'2026-02-30'", "YYYY-MM-DD"],
    "transfer-in-both": ["exactly one of --plan-date and --last-review"],
    "transfer-in-neither": ["exactly one of --plan-date and --last-review"],
    "transfer-in-no-transfer": ["Missing option '--transfer-date'"],
    "transfer-in-plan-later": ["--transfer-date 1 Sep 2026 is before --plan-date 1 Oct 2026"],
    "transfer-out-no-aware": ["Missing option '--aware-on'"],
    "transfer-out-too-early": ["--move-date", "before 1 Sep 2014"],
    "appeal-no-notice": ["Missing option '--notice'"],
    "appeal-certificate-first": ["--certificate 1 Mar 2026 is before --notice 2 Mar 2026"],
    "appeal-compact-date": ["--notice", "'20260302'"],
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
    command = (RUNS | FORKED)[name][0]
    assert set(data) == KEYS[command], set(data) ^ KEYS[command]
    return data


def dated(data: dict[str, Any]) -> dict[str, Any]:
    """The dates given, leaving out the nulls."""
    return {k: v for k, v in data.items() if v is not None}


def test_reassessment(runs: dict[str, Any]) -> None:
    assert as_json(runs, "reassess-request") == {"decide_by": "2026-01-20", "final_plan_by": None}
    both = as_json(runs, "reassess-both")
    assert both == {"decide_by": "2026-01-20", "final_plan_by": "2026-04-27"}
    # Of its own accord (reg 27(2)): no request, the 14 weeks from the decision.
    own = as_json(runs, "reassess-own-accord")
    assert own == {"decide_by": None, "final_plan_by": "2026-04-27"}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("assess", {"notify_by": "2026-03-16", "decide_not_to_issue_by": "2026-05-11", "final_plan_by": "2026-06-08"}),
        ("reassess", {"notify_by": "2026-03-16", "decide_not_to_issue_by": "2026-05-11", "final_plan_by": "2026-06-08"}),
        ("make-plan", {"draft_by": "2026-04-06", "final_plan_by": "2026-05-18"}),
        ("reconsider", {"reconsider_by": "2026-03-16"}),
        ("amend", {"final_plan_by": "2026-04-06"}),
        ("school", {"final_plan_by": "2026-03-16"}),
        ("continue", {"continue_from": "2026-03-02"}),
        ("continue-amend", {"continue_from": "2026-03-02", "final_plan_by": "2026-04-06"}),
    ],
)  # fmt: skip
def test_tribunal_order(runs: dict[str, Any], kind: str, expected: dict[str, str]) -> None:
    data = as_json(runs, f"order-{kind}")
    assert dated(data) == {"order": kind, "counted_from": "order", **expected}


def test_a_concession_counts_from_the_reg_45_notice(runs: dict[str, Any]) -> None:
    conceded = as_json(runs, "conceded-assess")
    ordered = as_json(runs, "order-assess")
    assert conceded["counted_from"] == "reg-45-notice"
    assert {k: v for k, v in conceded.items() if k != "counted_from"} == {
        k: v for k, v in ordered.items() if k != "counted_from"
    }
    assert dated(as_json(runs, "conceded-continue")) == {
        "order": "continue",
        "counted_from": "reg-45-notice",
        "continue_from": "2026-03-02",
    }


def test_transfers(runs: dict[str, Any]) -> None:
    assert as_json(runs, "transfer-in-plan") == {
        "notify_family_by": "2026-10-13",  # reg 15(4): 6 weeks
        "review_due_by": "2027-02-10",  # reg 15(5): 12 months from the plan, the later
    }
    assert as_json(runs, "transfer-in-review") == {
        "notify_family_by": "2026-10-13",
        "review_due_by": "2026-12-01",  # 3 months from the transfer, the later
    }
    assert as_json(runs, "transfer-in-leap")["review_due_by"] == "2025-02-28"
    # reg 15(2): 15 working days from 15 Dec 2026, past Christmas and New Year.
    assert as_json(runs, "transfer-out-christmas") == {"transfer_by": "2027-01-07"}
    assert as_json(runs, "transfer-out-in-time") == {"transfer_by": "2026-09-05"}  # a Saturday
    assert as_json(runs, "transfer-out-after-move") == {"transfer_by": "2026-03-20"}


def test_appeal(runs: dict[str, Any]) -> None:
    assert dated(as_json(runs, "appeal-notice")) == {"appeal_by": "2026-05-02"}
    assert dated(as_json(runs, "appeal-certificate")) == {"appeal_by": "2026-05-17"}
    assert as_json(runs, "appeal-mediation") == {
        "health_body_by": "2026-03-24",
        "mediation_by": "2026-04-19",
        "certificate_by": "2026-04-09",  # Good Friday declined: 7, 8, 9 April
        "appeal_by": "2026-05-02",
    }


def text(runs: dict[str, Any], name: str) -> str:
    result = runs[name]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "{" not in result.stdout and "datetime" not in result.stdout
    return " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "human-reassess",
            ["Re-assessment of an EHC plan", "Decide whether to re-assess, and notify",
             " 20 Jan 2026 ", "reg 25(1)", " 27 Apr 2026 ", "reg 27(2)",
             "the day the request to re-assess was received, 5 Jan 2026",
             "reg 27(3) lifts only the 14 weeks"],
        ),
        (
            "human-order",
            ["Issue the draft plan (5 weeks)", " 6 Apr 2026 ", "reg 44(2)(c)(i), 45(6)",
             " 18 May 2026 ", "the date of the order (reg 44(2)), 2 Mar 2026",
             "An order to make and maintain a plan.",
             "The Tribunal's guidance counts from the day it sends the order out"],
        ),
        (
            "human-conceded",
            [" 16 Mar 2026 ", " 11 May 2026 ", " 8 Jun 2026 ",
             "the council's notice to the Tribunal that it will not oppose the appeal (reg 45), "
             "2 Mar 2026", "Conceded: no order is made"],
        ),
        (
            "human-transfer-in",
            ["Tell the family the plan has transferred", " 13 Oct 2026 ", "reg 15(4)",
             "First review of the transferred plan", " 10 Feb 2027 ", "reg 15(5)"],
        ),
        (
            "human-transfer-out",
            ["Transfer the plan to the new council", " 13 Jan 2027 ", "reg 15(2)",
             "bank holidays"],
        ),
        (
            "human-appeal",
            ["Appeal window closes unless an appeal is registered", " 17 May 2026 ",
             "Tribunal rules r20(1)", "not moved to a working day"],
        ),
    ],
)  # fmt: skip
def test_human_output(runs: dict[str, Any], name: str, words: list[str]) -> None:
    said = text(runs, name)
    for word in words:
        assert word in said, word
    assert "2026-" not in said  # dates as people write them


def test_human_output_shows_only_the_dates_the_order_has(runs: dict[str, Any]) -> None:
    said = text(runs, "human-order")
    assert "Notify that the council will assess" not in said
    assert "Reconsider" not in said


def test_help_says_what_conceded_means(runs: dict[str, Any]) -> None:
    said = text(runs, "help-order")
    assert "reg 45" in said and "--conceded" in said
    for kind in KINDS:
        assert kind in said


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_line_and_status_2(runs: dict[str, Any], name: str) -> None:
    result = runs[name]
    lines = result.stderr.splitlines()
    assert (result.returncode, result.stdout, len(lines)) == (2, "", 1), result.stderr
    assert lines[0].startswith("ehc: ")
    assert [word for word in BAD[name] if word not in lines[0]] == [], lines[0]
