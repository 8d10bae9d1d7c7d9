"""``ehc deadlines assessment|review`` audit a written history: one row per history.

Every row is the command line of a history, audited as of a fixed day (``--on``), with the
status the truth table (statutory/steps.py) must give each step and the outcome. Together the
rows cover every status: met, excepted, late, not-applicable, open and overdue. They run as
forked children of one interpreter that has imported the CLI (tests/unit/cli_driver.py).
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.unit.cli_driver import run_all

# Received Monday 5 Jan 2026: decide by 16 Feb (6 weeks), refuse by 27 Apr (16 weeks), final
# plan by 25 May (20 weeks); the latest draft is 10 May.
R = ["assessment", "--received", "2026-01-05"]
DECIDED = ["--decided-to-assess", "2026-02-02"]
ASKED = ["--advice-requested", "2026-02-03"]  # advice due 17 Mar
ANSWERED = ["--advice-received", "1:2026-03-10"]
ISSUED = ["--draft-served", "2026-04-20", "--final-issued", "2026-05-11"]
# README's example: received 1 Jun 2026, 42 days' absence from the area.
README = [
    "assessment",
    "--received", "2026-06-01",
    "--decided-to-assess", "2026-07-01",
    "--advice-requested", "2026-07-02:2026-07-03",
    "--exception", "absence-from-area:2026-07-10:2026-08-20",
    "--advice-received", "1:2026-09-01",
    "--draft-served", "2026-10-01",
    "--final-issued", "2026-10-20",
]  # fmt: skip
ON = ["--on", "2026-06-01"]

MET, EXCEPTED, LATE = "met", "excepted", "late"
NA, OPEN, OVERDUE = "not-applicable", "open", "overdue"

#: name: (command line, {step: status}, outcome fields or None while the case is open).
ASSESSMENTS: dict[str, tuple[list[str], dict[str, str], dict[str, Any] | None]] = {
    "all-on-time": (
        [*R, *DECIDED, *ASKED, *ANSWERED, *ISSUED, *ON],
        {
            "decide-to-assess": MET,
            "advice-1": MET,
            "decide-not-to-issue": NA,  # the 16-week limit binds a refusal only
            "draft-served": MET,
            "final-plan": MET,
        },
        {
            "ending": "plan-issued",
            "within_20_weeks": True,
            "within_20_weeks_excluding_exceptions": True,
            "within_operational_target": True,
            "decided_to_assess_within_6_weeks": True,
            "refusal_within_16_weeks": None,
            "exceptions_apply": False,
            "weeks_taken": 18.0,
        },
    ),
    "excepted-readme": (
        [*README, "--on", "2026-12-01"],
        {
            "decide-to-assess": MET,
            "advice-1": EXCEPTED,  # due 14 Aug, received 1 Sep: the absence lifts reg 8(1)
            "decide-not-to-issue": NA,
            "draft-served": MET,
            "final-plan": EXCEPTED,  # due 19 Oct, issued 20 Oct: reg 13(3)(d)
        },
        {
            "ending": "plan-issued",
            "within_20_weeks": False,
            "within_20_weeks_excluding_exceptions": None,  # left out of the headline figure
            "within_operational_target": True,
            "exceptions_apply": True,
        },
    ),
    "late": (
        [
            *R,
            "--decided-to-assess",
            "2026-03-02",
            "--advice-requested",
            "2026-03-03",  # due 14 Apr
            "--advice-received",
            "1:2026-05-01",
            "--draft-served",
            "2026-05-15",
            "--final-issued",
            "2026-06-08",
            "--on",
            "2026-07-01",
        ],
        {
            "decide-to-assess": LATE,
            "advice-1": LATE,
            "decide-not-to-issue": NA,
            "draft-served": LATE,
            "final-plan": LATE,
        },
        {
            "within_20_weeks": False,
            "within_20_weeks_excluding_exceptions": False,
            "within_operational_target": False,
            "decided_to_assess_within_6_weeks": False,
        },
    ),
    "one-request-excepted": (
        [
            *R,
            *DECIDED,
            *ASKED,
            "--exception",
            "missed-appointment:2026-03-01:2026-03-20:1",  # 20 days, advice 1 only
            "--advice-received",
            "1:2026-04-01",
            *ISSUED,
            *ON,
        ],
        {"advice-1": EXCEPTED, "final-plan": MET},
        {"exceptions_apply": False, "within_20_weeks_excluding_exceptions": True},
    ),
    "refused-within-16-weeks": (
        [*R, *DECIDED, *ASKED, *ANSWERED, "--decided-not-to-issue", "2026-04-20", *ON],
        {
            "decide-to-assess": MET,
            "advice-1": MET,
            "decide-not-to-issue": MET,
            "draft-served": NA,
            "final-plan": NA,
        },
        {"ending": "not-issued", "refusal_within_16_weeks": True, "within_20_weeks": None},
    ),
    "refused-late": (
        [*R, *DECIDED, *ASKED, *ANSWERED, "--decided-not-to-issue", "2026-05-04", *ON],
        {"decide-not-to-issue": LATE, "draft-served": NA, "final-plan": NA},
        {"ending": "not-issued", "refusal_within_16_weeks": False},
    ),
    "not-assessed": (
        [
            *R,
            "--decided-not-to-assess",
            "2026-02-10",
            "--exception",
            "personal-circumstances:2026-01-20:2026-01-30",  # recorded before the case closed
            *ON,
        ],
        {
            "decide-to-assess": MET,
            "decide-not-to-issue": NA,  # everything after a decision not to assess
            "draft-served": NA,
            "final-plan": NA,
        },
        {
            "ending": "not-assessed",
            "decided_to_assess_within_6_weeks": True,
            "exceptions_apply": True,
        },
    ),
    "withdrawn-with-advice-outstanding": (
        [*R, *DECIDED, *ASKED, "--withdrawn", "2026-03-01", *ON],
        {
            "decide-to-assess": MET,
            "advice-1": NA,  # advice after the withdrawal is not required
            "decide-not-to-issue": NA,
            "draft-served": NA,
            "final-plan": NA,
        },
        {"ending": "withdrawn", "within_20_weeks": None},
    ),
    "advice-set-aside": (
        [
            *R,
            *DECIDED,
            *ASKED,
            "--advice-requested",
            "2026-02-04",
            *ANSWERED,
            "--advice-not-needed",
            "2:earlier-advice-sufficient",
            *ISSUED,
            *ON,
        ],
        {"advice-1": MET, "advice-2": NA, "final-plan": MET},
        {"advice_not_needed": {"earlier-advice-sufficient": 1}, "within_20_weeks": True},
    ),
    "open": (
        [*R, *DECIDED, *ASKED, "--on", "2026-03-01"],
        {
            "decide-to-assess": MET,
            "advice-1": OPEN,
            "decide-not-to-issue": OPEN,
            "draft-served": OPEN,
            "final-plan": OPEN,
        },
        None,
    ),
    "overdue": (
        [*R, *DECIDED, *ASKED, *ON],
        {
            "decide-to-assess": MET,
            "advice-1": OVERDUE,
            "decide-not-to-issue": OVERDUE,
            "draft-served": OVERDUE,
            "final-plan": OVERDUE,
        },
        None,
    ),
    "no-decision-yet": (
        [*R, "--on", "2026-02-17"],
        {"decide-to-assess": OVERDUE, "final-plan": OPEN},
        None,
    ),
    "set-aside-so-the-plan-can-be-issued": (
        [*R, *DECIDED, *ASKED, *ISSUED, "--advice-not-needed", "1:earlier-advice-sufficient", *ON],
        {"advice-1": NA, "final-plan": MET},
        {"ending": "plan-issued", "advice_not_needed": {"earlier-advice-sufficient": 1}},
    ),
}

# Reviews: the last review concluded 1 Mar 2025, so this one is due by 1 Mar 2026; arranging
# the meeting is due 6 weeks before, 18 Jan.
LR = ["review", "--last-review", "2025-03-01"]
HELD = ["--meeting", "2026-02-02"]  # report by 16 Feb, decision by 2 Mar

REVIEWS: dict[str, tuple[list[str], dict[str, str], dict[str, Any] | None]] = {
    "amend-on-time": (
        [
            *LR,
            "--meeting-scheduled",
            "2026-01-05",
            *HELD,
            "--invitations-sent",
            "2026-01-10",
            "--advice-circulated",
            "2026-01-15",
            "--report-sent",
            "2026-02-10",
            "--decision",
            "2026-02-20:amend",
            "--amendment-notice",
            "2026-02-20",
            "--final-amended",
            "2026-04-01",
            "--on",
            "2026-06-01",
        ],
        {
            "arrange-meeting": MET,
            "invitations": MET,
            "advice-circulated": MET,
            "review-meeting": MET,
            "report": MET,
            "decision": MET,
            "amendment-notice": MET,
            "final-amended-plan": MET,
        },
        {
            "decision": "amend",
            "reviewed_within_12_months": True,
            "decision_within_4_weeks": True,
            "amended_within_12_weeks": True,
            "next_anchor": "2026-02-20",
            "plan_ended": None,
        },
    ),
    "maintain-late": (
        [
            *LR,
            "--meeting",
            "2026-03-10",
            "--report-sent",
            "2026-04-01",
            "--decision",
            "2026-04-20:maintain",
            "--on",
            "2026-06-01",
        ],
        {
            "arrange-meeting": LATE,
            "invitations": NA,  # the meeting was held without them on record
            "review-meeting": LATE,
            "report": LATE,
            "decision": LATE,
        },
        {
            "decision": "maintain",
            "reviewed_within_12_months": False,
            "decision_within_4_weeks": False,
            "amended_within_12_weeks": None,
            "next_anchor": "2026-04-20",
        },
    ),
    "arranged-open": (
        [*LR, "--meeting-scheduled", "2026-01-05", "--meeting", "2026-02-20", "--on", "2026-01-20"],
        {"arrange-meeting": MET, "invitations": OPEN, "review-meeting": OPEN},
        None,
    ),
    "nothing-done-overdue": (
        [*LR, "--on", "2026-03-05"],
        {"arrange-meeting": OVERDUE, "review-meeting": OVERDUE},
        None,
    ),
    "cease-window-closes": (
        [*LR, *HELD, "--decision", "2026-02-20:cease", "--on", "2026-05-01"],
        {"review-meeting": MET, "decision": MET, "report": NA},
        {"decision": "cease", "plan_ended": "ceased", "ended_on": "2026-04-20"},
    ),
    "cease-under-appeal": (
        [
            *LR,
            *HELD,
            "--decision",
            "2026-02-20:cease",
            "--appeal-lodged",
            "2026-03-01",
            "--on",
            "2026-05-01",
        ],
        {"decision": MET},
        None,
    ),
    "appeal-keeps-the-plan": (
        [
            *LR,
            *HELD,
            "--decision",
            "2026-02-20:cease",
            "--appeal-lodged",
            "2026-03-01",
            "--appeal-concluded",
            "2026-04-15:continues",
            "--on",
            "2026-05-01",
        ],
        {"decision": MET},
        {"plan_ended": None, "next_anchor": "2026-02-20"},
    ),
    "transferred-out": (
        [*LR, "--transferred-out", "2026-01-10", "--on", "2026-02-01"],
        {"arrange-meeting": NA, "review-meeting": NA},
        {"plan_ended": "transferred-out", "ended_on": "2026-01-10"},
    ),
}

OUTSTANDING = [*R, *DECIDED, *ASKED, *ISSUED, *ON]

#: Histories the rules refuse: (command line, words the one line must hold).
REFUSED: dict[str, tuple[list[str], list[str]]] = {
    "final-with-advice-outstanding": (
        OUTSTANDING,
        ["--final-issued 2026-05-11", "advice 1", "outstanding", "reg 6(1)"],
    ),
    "after-the-audit-day": (
        [*R, *DECIDED, *ASKED, *ISSUED, "--on", "2026-05-01"],
        ["--final-issued 2026-05-11", "in the future"],
    ),
    "draft-without-a-decision": (
        [*R, "--draft-served", "2026-04-20", *ON],
        ["--draft-served 2026-04-20", "stage is assessing;"],
    ),
    "advice-before-the-decision": (
        [*R, "--decided-to-assess", "2026-02-10", "--advice-requested", "2026-02-03", *ON],
        ["--advice-requested 2026-02-03", "--decided-to-assess 2026-02-10", "must come first"],
    ),
    "advice-out-of-order": (
        [*R, *DECIDED, "--advice-requested", "2026-02-10", *ASKED, *ON],
        ["--advice-requested 2026-02-03", "date order"],
    ),
    "no-such-request": (
        [*R, *DECIDED, *ASKED, "--advice-received", "2:2026-03-10", *ON],
        ["--advice-received 2:2026-03-10", "no advice request 2"],
    ),
    "received-twice": (
        [*R, *DECIDED, *ASKED, *ANSWERED, "--advice-not-needed", "1:request-withdrawn", *ON],
        ["--advice-not-needed 1:request-withdrawn", "already received"],
    ),
    "bad-reason": (
        [*R, *DECIDED, *ASKED, "--advice-not-needed", "1:lost", *ON],
        ["--advice-not-needed 1:lost", "earlier-advice-sufficient"],
    ),
    "bad-index": (
        [*R, *DECIDED, *ASKED, "--advice-received", "first:2026-03-10", *ON],
        ["--advice-received first:2026-03-10", "number"],
    ),
    "impossible-day": (
        [*R, *DECIDED, *ASKED, "--advice-received", "1:2026-02-30", *ON],
        ["--advice-received 1:2026-02-30", "'2026-02-30' is not a real date"],
    ),
    "missed-appointment-for-no-request": (
        [*R, *DECIDED, *ASKED, "--exception", "missed-appointment:2026-03-01:2026-03-05", *ON],
        ["--exception missed-appointment:2026-03-01:2026-03-05", "advice id"],
    ),
    "closure-without-educational-advice": (
        [*R, *DECIDED, *ASKED, "--exception", "school-closure:2026-02-05:2026-03-10", *ON],
        ["--exception school-closure:2026-02-05:2026-03-10", "educational advice"],
    ),
    "review-decision-without-kind": (
        [*LR, *HELD, "--decision", "2026-02-20", "--on", "2026-06-01"],
        ["--decision 2026-02-20", "maintain, amend or cease"],
    ),
    "review-decision-before-meeting": (
        [*LR, *HELD, "--decision", "2026-01-20:maintain", "--on", "2026-06-01"],
        ["--decision 2026-01-20:maintain", "--meeting 2026-02-02", "must come first"],
    ),
    "review-invitations-unscheduled": (
        [*LR, "--invitations-sent", "2026-01-10", *HELD, "--on", "2026-06-01"],
        ["--invitations-sent 2026-01-10", "schedule the meeting first"],
    ),
    "review-amended-plan-too-soon": (
        [
            *LR,
            *HELD,
            "--decision",
            "2026-02-20:amend",
            "--amendment-notice",
            "2026-02-20",
            "--final-amended",
            "2026-02-25",
            "--on",
            "2026-06-01",
        ],
        ["--final-amended 2026-02-25", "15 days", "reg 22(2)"],
    ),
    "review-appeal-after-the-window": (
        [
            *LR,
            *HELD,
            "--decision",
            "2026-02-20:cease",
            "--appeal-lodged",
            "2026-05-01",
            "--on",
            "2026-06-01",
        ],
        ["--appeal-lodged 2026-05-01", "the plan ceased"],
    ),
}

#: The educational advice a closure needs, asked for within its window: accepted.
CLOSURE = [
    *R, *DECIDED, *ASKED, "--advice-type", "1:educational",
    "--exception", "school-closure:2026-02-05:2026-03-10", "--on", "2026-03-01",
]  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    forked = {name: [*args, "--json"] for name, (args, _, _) in (ASSESSMENTS | REVIEWS).items()}
    forked |= {name: [*args, "--json"] for name, (args, _) in REFUSED.items()}
    forked["closure"] = [*CLOSURE, "--json"]
    forked["set-aside-human"] = [*OUTSTANDING, "--advice-not-needed", "1:earlier-advice-sufficient"]
    forked["readme-human"] = [*README, "--on", "2026-12-01"]
    forked["review-human"] = [*REVIEWS["amend-on-time"][0]]
    forked["open-review-human"] = [*REVIEWS["arranged-open"][0]]
    return run_all(["deadlines"], {}, forked, tmp_path_factory.mktemp("audit"))


def audited(runs: dict[str, subprocess.CompletedProcess[str]], name: str) -> dict[str, Any]:
    result = runs[name]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["not_audited"] is None
    return data


@pytest.mark.parametrize("name", [*ASSESSMENTS, *REVIEWS])
def test_each_step_has_the_status_of_the_truth_table(runs: dict[str, Any], name: str) -> None:
    args, statuses, outcome = (ASSESSMENTS | REVIEWS)[name]
    data = audited(runs, name)
    assert data["as_of"] == args[args.index("--on") + 1]
    got = {s["step"]: s["status"] for s in data["steps"]}
    assert {step: got.get(step) for step in statuses} == statuses, got
    if outcome is None:
        assert data["outcome"] is None
    else:
        assert data["outcome"] is not None
        assert {k: data["outcome"][k] for k in outcome} == outcome, data["outcome"]


def test_every_status_of_the_truth_table_is_covered() -> None:
    seen = {s for _, statuses, _ in (ASSESSMENTS | REVIEWS).values() for s in statuses.values()}
    assert seen == {MET, EXCEPTED, LATE, NA, OPEN, OVERDUE}


def test_steps_carry_their_dates_and_source(runs: dict[str, Any]) -> None:
    steps = {s["step"]: s for s in audited(runs, "excepted-readme")["steps"]}
    assert steps["final-plan"] == {
        "step": "final-plan",
        "label": "Issue the final EHC plan",
        "regulation": "reg 13(2)",
        "statutory": True,
        "due": "2026-10-19",  # 20 weeks: the statutory date never moves
        "operational_due": "2026-11-30",  # + the 42 days' absence
        "done_on": "2026-10-20",
        "status": EXCEPTED,
    }
    assert steps["advice-1"]["due"] == "2026-08-14"  # 6 weeks from the adviser's receipt
    assert steps["decide-not-to-issue"]["statutory"] is False


def test_an_audited_history_keeps_the_calculator_keys(runs: dict[str, Any]) -> None:
    data = audited(runs, "excepted-readme")
    assert data["final_plan_by"] == "2026-10-19"
    assert data["operational_final_plan_by"] == "2026-11-30"
    assert data["advice_due_by"] == ["2026-08-14"]
    assert data["representations_close"] == "2026-10-15"
    assert data["exceptions"][0]["lifts"] == [
        "decide-to-assess",
        "decide-not-to-issue",
        "final-plan",
        "advice",
    ]
    one = audited(runs, "one-request-excepted")
    assert one["exceptions"][0]["lifts"] == ["advice-1"]
    assert one["operational_advice_due_by"] == ["2026-04-06"]  # 17 Mar + 20 days


def test_outcome_has_every_field_but_the_reference(runs: dict[str, Any]) -> None:
    outcome = audited(runs, "all-on-time")["outcome"]
    assert set(outcome) == {
        "ending",
        "ended_on",
        "weeks_taken",
        "final_plan_due",
        "exceptions_apply",
        "within_20_weeks",
        "within_20_weeks_excluding_exceptions",
        "within_operational_target",
        "decided_to_assess_within_6_weeks",
        "refusal_within_16_weeks",
        "advice_not_needed",
    }
    review = audited(runs, "amend-on-time")["outcome"]
    assert "case_ref" not in review
    assert review["review_due_by"] == "2026-03-01"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_history_the_rules_refuse_is_one_line_and_status_2(
    runs: dict[str, Any], name: str
) -> None:
    result = runs[name]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ehc: ")
    for word in REFUSED[name][1]:
        assert word in lines[0], (word, lines[0])


def test_setting_the_advice_aside_lets_the_plan_be_issued(runs: dict[str, Any]) -> None:
    refused = runs["final-with-advice-outstanding"]
    assert refused.returncode == 2
    data = audited(runs, "set-aside-so-the-plan-can-be-issued")
    assert data["outcome"]["ending"] == "plan-issued"
    human = runs["set-aside-human"]
    assert human.returncode == 0, human.stderr
    flat = " ".join(human.stdout.split())
    assert "1 request for advice set aside: earlier advice is sufficient" in flat


def test_a_closure_counts_with_educational_advice_in_its_window(runs: dict[str, Any]) -> None:
    data = audited(runs, "closure")
    assert data["exceptions_apply"] is True
    assert data["operational_final_plan_by"] == "2026-06-28"  # 25 May + 34 days


def test_human_output_has_a_status_column_and_the_outcome(runs: dict[str, Any]) -> None:
    result = runs["readme-human"]
    assert result.returncode == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "statuses as of 1 Dec 2026" in flat
    assert "Status" in flat
    assert "done on time" in flat
    assert "not required" in flat
    assert "exception" in flat and "lifted" in flat
    assert (
        "Outcome: final plan issued on 20 Oct 2026, 20.1 weeks after the request; "
        "within 20 weeks: no (an exception applied: the headline figure leaves the case out); "
        "within the target after exceptions: yes; "
        "decided whether to assess within 6 weeks: yes." in flat
    )
    review = " ".join(runs["review-human"].stdout.split())
    assert "Arrange the review meeting" in review
    assert (
        "Outcome: meeting held 2 Feb 2026; decision to amend the plan notified 20 Feb 2026; "
        "reviewed within 12 months: yes; decision within 4 weeks: yes; amended plan within "
        "12 weeks of the meeting: yes; the next cycle runs from 20 Feb 2026." in review
    )
    waiting = " ".join(runs["open-review-human"].stdout.split())
    assert "Outcome: none yet; on 20 Jan 2026 the review is open" in waiting
    assert "17 days left" in waiting and "due, " not in waiting  # invitations by 6 Feb
