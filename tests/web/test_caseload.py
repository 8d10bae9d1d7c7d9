"""The grouping and RAG rules behind My cases and Team, without a browser or a database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from ehc.overdue import OverdueLine
from ehc.web import caseload as c
from statutory.steps import Rag

TODAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Row:
    """A case row as the read model gives it (only what the rules read)."""

    case_ref: str
    kind: str = "assessment"
    stage: str = "decision"
    next_due: date | None = None
    next_step: str | None = "decision"
    caseworker: str = "cw101"
    team: str = "north"
    provider: str | None = None
    review_due: date | None = None
    phase_transfer_due: date | None = None
    workflow_id: str = ""
    next_label: str | None = "Decision whether to assess"
    next_regulation: str | None = "reg 4(1)"


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_rag_is_red_once_the_target_passed_amber_within_the_window_green_later() -> None:
    assert c.rag_for(-1, 14) is Rag.RED
    assert c.rag_for(0, 14) is Rag.AMBER
    assert c.rag_for(14, 14) is Rag.AMBER
    assert c.rag_for(15, 14) is Rag.GREEN
    assert c.rag_for(None, 14) is None
    assert c.rag_words(Rag.RED) == "Red: overdue"
    assert c.when_words(-3) == "3 days overdue"
    assert c.when_words(0) == "due today"
    assert c.when_words(None) == "no statutory step open"


def test_my_cases_puts_each_case_in_the_section_of_its_most_pressing_step() -> None:
    rows = [
        Row("EHC-101", next_due=days(-2)),
        Row("EHC-102", next_due=days(14)),
        Row("EHC-103", next_due=days(15)),
        Row("EHC-104", next_due=days(-9)),
        # A case on track whose request for advice is late is overdue, advice under it.
        Row("EHC-105", next_due=days(40)),
        Row(
            "EHC-105",
            kind="advice",
            stage="awaiting-advice",
            next_step="advice",
            next_due=days(-1),
            provider="EPS",
            workflow_id="advice-EHC-105-ep-1",
        ),
        Row("EHC-106", next_step=None, next_due=None),
    ]
    mine = c.my_cases(rows, today=TODAY, amber_days=14)
    assert [g.case_ref for g in mine.overdue] == ["EHC-104", "EHC-101", "EHC-105"]
    assert [g.case_ref for g in mine.due_soon] == ["EHC-102"]
    assert [g.case_ref for g in mine.later] == ["EHC-103", "EHC-106"]
    late_advice = mine.overdue[2]
    assert [x.kind for x in late_advice.lines] == ["assessment", "advice"]
    assert late_advice.advice[0].provider == "EPS"
    assert late_advice.own[0].rag is Rag.GREEN
    assert mine.later[1].lines[0].when == "no statutory step open"
    assert mine.case_count == 6


def test_my_cases_filters_keep_only_matching_workflows() -> None:
    rows = [
        Row("EHC-201", next_due=days(-2)),
        Row("EHC-202", kind="review", stage="awaiting-meeting", next_due=days(3)),
        Row("EHC-201", kind="advice", stage="awaiting-advice", next_due=days(5)),
    ]
    reviews = c.my_cases(rows, today=TODAY, amber_days=14, kind="review")
    assert [g.case_ref for g in reviews.due_soon] == ["EHC-202"]
    assert reviews.overdue == [] and reviews.later == []
    advice = c.my_cases(rows, today=TODAY, amber_days=14, stage="awaiting-advice")
    assert [(g.case_ref, [x.kind for x in g.lines]) for g in advice.due_soon] == [
        ("EHC-201", ["advice"])
    ]


def line(ref: str, days_overdue: int, caseworker: str = "cw101", stage: str = "s") -> OverdueLine:
    return OverdueLine(
        kind="assessment",
        case_ref=ref,
        stage=stage,
        step="decision",
        label="Decision",
        regulation="reg 4(1)",
        statutory=True,
        deadline=TODAY - timedelta(days=days_overdue),
        days_overdue=days_overdue,
        caseworker=caseworker,
        team="north",
    )


def test_tallies_count_overdue_and_due_soon_steps_by_caseworker() -> None:
    lines = [
        line("EHC-301", 3, "cw101"),
        line("EHC-302", 0, "cw101"),  # due today: not overdue yet
        line("EHC-303", 1, "cw102"),
        line("EHC-304", 7, "cw102"),
        line("EHC-305", -5, "cw103"),
    ]
    tallies = c.tally_by(lines, lambda x: x.caseworker)
    assert [(t.name, t.overdue, t.due_soon) for t in tallies] == [
        ("cw102", 2, 0),
        ("cw101", 1, 1),
        ("cw103", 0, 1),
    ]
    total = c.tally_total(tallies)
    assert (total.overdue, total.due_soon, total.total) == (3, 2, 5)


def test_caseload_is_rated_against_the_target_and_leaves_out_advice() -> None:
    rows = [Row(f"EHC-4{i:02}", caseworker="cw101") for i in range(3)]
    rows += [Row(f"EHC-5{i:02}", kind="review", caseworker="cw102") for i in range(5)]
    rows += [Row("EHC-500", kind="advice", caseworker="cw102") for _ in range(4)]
    counts = [
        (cw, kind, n) for (cw, kind), n in Counter((r.caseworker, r.kind) for r in rows).items()
    ]
    lines = c.caseloads(counts, target=3, amber_margin=1, caseworkers=["cw103"])
    assert [(x.caseworker, x.assessments, x.reviews, x.rag) for x in lines] == [
        ("cw102", 0, 5, Rag.RED),
        ("cw101", 3, 0, Rag.GREEN),
        ("cw103", 0, 0, Rag.GREEN),
    ]
    assert c.caseload_rag(4, 3, 1) is Rag.AMBER
    assert lines[0].rag_text == "Red: well over target"


def test_advice_overdue_is_counted_by_provider() -> None:
    rows = [
        Row("EHC-601", kind="advice", next_due=days(-10), provider="EPS", workflow_id="a1"),
        Row("EHC-602", kind="advice", next_due=days(-2), provider="EPS", workflow_id="a2"),
        Row("EHC-603", kind="advice", next_due=days(-4), provider="Health", workflow_id="a3"),
        Row("EHC-604", kind="advice", next_due=days(0), provider="Health", workflow_id="a4"),
        Row("EHC-605", next_due=days(-30)),  # the case's own step, not advice
    ]
    late = c.advice_overdue(rows, today=TODAY, amber_days=14)
    assert [x.case_ref for x in late] == ["EHC-601", "EHC-603", "EHC-602"]
    assert [(t.provider, t.overdue, t.most_days_overdue) for t in c.by_provider(late)] == [
        ("EPS", 2, 10),
        ("Health", 1, 4),
    ]


def test_reviews_due_within_three_months_still_to_hold() -> None:
    rows = [
        Row("EHC-701", kind="review", stage="awaiting-meeting", review_due=days(-3)),
        Row("EHC-702", kind="review", stage="awaiting-meeting", review_due=date(2027, 3, 1)),
        Row("EHC-703", kind="review", stage="awaiting-meeting", review_due=date(2027, 3, 2)),
        Row("EHC-704", kind="review", stage="awaiting-decision", review_due=days(5)),
    ]
    due = c.reviews_due(rows, today=TODAY, amber_days=14)
    assert [(x.case_ref, x.rag) for x in due] == [("EHC-701", Rag.RED), ("EHC-702", Rag.GREEN)]
    assert due[0].when == "3 days overdue"


def test_phase_transfers_name_their_reg_18_deadline_and_latest_meeting() -> None:
    rows = [
        Row(
            "EHC-801", kind="review", stage="awaiting-meeting", phase_transfer_due=date(2027, 3, 31)
        ),
        Row("EHC-802", kind="review", stage="amending", phase_transfer_due=date(2027, 2, 15)),
        Row("EHC-803", kind="review", stage="concluded", phase_transfer_due=date(2027, 2, 15)),
        Row("EHC-804", kind="review", stage="awaiting-meeting", phase_transfer_due=None),
    ]
    found = c.phase_transfers(rows, today=TODAY, amber_days=14)
    assert [(x.case_ref, x.deadline_rule) for x in found] == [
        ("EHC-802", "15 February (reg 18)"),
        ("EHC-801", "31 March (reg 18)"),
    ]
    assert found[0].meeting_by == date(2027, 2, 15) - timedelta(weeks=12)
    assert c.transfers_by_deadline(found) == [(date(2027, 2, 15), 1), (date(2027, 3, 31), 1)]
