"""What caseworkers read: dates as "1 Dec 2026", events in date order, words not reprs.

The show commands' printing is driven here without a server: the views are built from the
rules exactly as the workflows' timeline queries build them, and the chronology by
``ehc.chronology.build`` (pure). Typed dates (YYYY-MM-DD or DD/MM/YYYY) go through the one
parser the importer also uses.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pytest

from ehc import wording
from ehc.cases import CaseSummary
from ehc.chronology import Chronology, build
from ehc.cli import common
from ehc.cli.assessment import _print_view as print_assessment
from ehc.cli.case import print_chronology
from ehc.cli.listing import print_cases
from ehc.cli.review import _print_view as print_review
from ehc.text import day, moment, parse_day
from statutory import assessment as a
from statutory import exceptions as exc
from statutory import review as r
from statutory.ledger import StepRecord
from statutory.steps import STATE_WORDS, StepState
from tests.unit.cli_driver import run_all
from workflows.models import AssessmentView, KeyDates, ReviewView

TODAY = date(2026, 12, 2)
STAMP = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
REF = "EHC-2026-0147"
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")

#: The README's case, with the exception typed on 13 Oct, after later events, for 10 Jul to 20 Aug.
ASSESSMENT_EVENTS: list[a.AssessmentEvent] = [
    a.DecidedToAssess(on=date(2026, 7, 1)),
    a.AdviceRequested(
        on=date(2026, 7, 2),
        advice_type=a.AdviceType.PSYCHOLOGICAL,
        provider="Educational Psychology Service",
        adviser_received=date(2026, 7, 3),
    ),
    a.AdviceReceived(on=date(2026, 9, 1), advice_id=1),
    a.DraftServed(on=date(2026, 10, 1)),
    a.SettingConsulted(on=date(2026, 10, 2), setting="Local special school"),
    a.SettingReplied(on=date(2026, 10, 12), consultation_id=1),
    a.ExceptionRecorded(
        on=date(2026, 10, 13),
        reason=exc.Reason.ABSENCE_FROM_AREA,
        start=date(2026, 7, 10),
        end=date(2026, 8, 20),
        note="family abroad",
    ),
    a.FinalPlanIssued(on=date(2026, 10, 20), representations_received=True),
]
TRANSFER = r.PhaseTransfer(kind=r.TransferKind.SECONDARY_POST16, year=2028)
REVIEW_EVENTS: list[r.ReviewEvent] = [
    r.TransferSet(on=date(2026, 9, 1), transfer=TRANSFER),
    r.MeetingScheduled(on=date(2026, 9, 2), meeting_date=date(2026, 11, 1)),
    r.MeetingHeld(on=date(2026, 11, 1)),
    r.DecisionNotified(on=date(2026, 11, 20), decision=r.Decision.AMEND),
    r.AmendmentNoticeSent(on=date(2026, 11, 20)),
]


def assessment_view(events: list[a.AssessmentEvent]) -> AssessmentView:
    """As ``AssessmentWorkflow.timeline`` builds it."""
    request = a.AssessmentRequest(
        case_ref=REF, received=date(2026, 6, 1), caseworker="cw101", team="north"
    )
    case = a.open_case(request, request.received)
    for event in events:
        case = a.apply(case, event, TODAY, STAMP)
    steps = a.steps(case, TODAY)
    d = case.dates()
    return AssessmentView(
        workflow_id=f"assessment-{REF}",
        as_of=TODAY,
        case=case,
        key_dates=KeyDates.of(d),
        steps=steps,
        next_step=a.next_deadline(steps),
        alerts=[],
        outcome=a.outcome(case) if case.closed else None,
    )


def review_view(events: list[r.ReviewEvent]) -> ReviewView:
    """As ``ReviewWorkflow.timeline`` builds it."""
    plan = r.PlanRecord(
        case_ref=REF, plan_date=date(2025, 11, 25), caseworker="cw101", team="north"
    )
    cycle = r.first_cycle(plan)
    for event in events:
        cycle = r.apply(cycle, event, TODAY, STAMP)
    steps = r.steps(cycle, TODAY)
    return ReviewView(
        workflow_id=f"review-{REF}",
        as_of=TODAY,
        cycle=cycle,
        stage=cycle.stage,
        key_dates=cycle.dates(),
        transfer_in_this_cycle=cycle.transfer_applies(),
        steps=steps,
        next_step=r.next_deadline(steps),
        alerts=[],
        previous=[],
    )


def ledger_step(
    step: str, due: date, done: date, *, exception: bool, statutory: bool
) -> StepRecord:
    return StepRecord(
        key=f"assessment-OLD:0:{step}",
        workflow_id="assessment-OLD",
        case_ref=REF,
        process="assessment",
        cycle=0,
        step=step,
        regulation="reg 4(1), 5(1)",
        due=due,
        target=due,
        completed_on=done,
        met=done <= due,
        exception_applies=exception,
        statutory=statutory,
        caseworker="cw101",
        team="north",
    )


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """What the CLI printer writes, one wide line per row (no wrapping inside cells)."""
    monkeypatch.setattr(common.out, "width", 400)

    def capture(show: Any, *args: Any) -> str:
        with common.out.capture() as captured:
            show(*args)
        return captured.get()

    yield capture


def assert_plain(text: str) -> None:
    """No repr, no enum key, no ISO date, no Python boolean reaches a person."""
    assert "<" not in text and "{'" not in text and "[]" not in text, text
    for word in ("True", "False", "None"):
        assert not re.search(rf"\b{word}\b", text), (word, text)
    assert not ISO.search(text), ISO.search(text)
    for key in ("secondary-post16", "absence-from-area", "plan-issued", "not-applicable"):
        assert key not in text, key


# --- the helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (date(2026, 12, 1), "1 Dec 2026"),
        (date(2026, 1, 31), "31 Jan 2026"),
        (date(2024, 2, 29), "29 Feb 2024"),
        (date(2025, 9, 10), "10 Sep 2025"),
    ],
)
def test_a_day_reads_as_people_write_it(value: date, said: str) -> None:
    assert day(value) == said
    assert day(None) == ""
    assert moment(datetime(2026, 12, 1, 8, 5, tzinfo=UTC)) == "1 Dec 2026 08:05"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("01/12/2026", date(2026, 12, 1)),
        ("1/12/2026", date(2026, 12, 1)),
        (" 29/02/2024 ", date(2024, 2, 29)),
    ],
)
def test_dates_are_typed_iso_or_day_month_year(text: str, value: date) -> None:
    assert parse_day(text) == value
    assert common.parse_date(text, "--on") == value


@pytest.mark.parametrize(
    "text", ["31/02/2025", "12/31/2025", "2025-02-30", "20250521", "2025-W21-3", "1 Dec 2026"]
)
def test_anything_else_is_refused_in_one_sentence(text: str) -> None:
    with pytest.raises(common.Fail) as refused:
        common.parse_date(text, "--on")
    assert str(refused.value) == (
        f"--on: '{text}' is not a real date: use YYYY-MM-DD or DD/MM/YYYY"
    )
    assert refused.value.code == common.BAD_INPUT


def test_every_value_of_the_rules_has_words() -> None:
    tables: list[tuple[dict[Any, str], type[StrEnum]]] = [
        (wording.ASSESSMENT_STAGE, a.Stage),
        (wording.REVIEW_STAGE, r.Stage),
        (wording.ENDING, a.Ending),
        (wording.DECISION, r.Decision),
        (wording.PLAN_ENDING, r.PlanEnding),
        (wording.TRANSFER, r.TransferKind),
        (wording.ADVICE_TYPE, a.AdviceType),
        (wording.ADVICE_NOT_NEEDED, a.AdviceNotNeededReason),
        (wording.REASON, exc.Reason),
    ]
    for table, enum in tables:
        assert set(table) == set(enum), enum


#: One event of every type either process knows, with every optional field given.
EVERY_EVENT: list[a.AssessmentEvent | r.ReviewEvent] = [
    *ASSESSMENT_EVENTS,
    a.DecidedNotToAssess(on=TODAY),
    a.AdviceNotNeeded(
        on=TODAY, advice_id=2, reason=a.AdviceNotNeededReason.EARLIER_ADVICE_SUFFICIENT
    ),
    a.DecidedNotToIssue(on=TODAY),
    a.Withdrawn(on=TODAY, reason="the family moved away"),
    a.CaseworkerReassigned(on=TODAY, caseworker="cw202", team="south"),
    *REVIEW_EVENTS,
    r.InvitationsSent(on=TODAY),
    r.AdviceCirculated(on=TODAY),
    r.ReportSent(on=TODAY),
    r.FinalAmendedPlanIssued(on=TODAY, representations_received=True),
    r.MediationWanted(on=TODAY),
    r.MediationCertificateIssued(on=TODAY),
    r.AppealLodged(on=TODAY),
    r.AppealConcluded(on=TODAY, plan_continues=False),
    r.TransferredOut(on=TODAY, reason="moved to another authority"),
    r.TransferSet(on=TODAY, transfer=None),
    r.TransferSet(
        on=TODAY,
        transfer=r.PhaseTransfer(
            kind=r.TransferKind.POST16_POST16, year=2027, move_date=date(2027, 7, 31)
        ),
    ),
    r.ReviewAdviceRequested(on=TODAY, advice_type="social-care", provider="Children's services"),
    r.ReviewAdviceReceived(on=TODAY, advice_id=1),
    r.CaseworkerReassigned(on=TODAY, caseworker="cw202"),
]


def test_every_event_reads_as_words() -> None:
    assert {e.type for e in EVERY_EVENT} >= set(a.EVENT_TYPES) | set(r.EVENT_TYPES)
    for event in EVERY_EVENT:
        said = wording.event(event)
        text = f"{said.what} | {said.detail}"
        assert_plain(text)
        assert said.what[0].isupper(), text
        assert "-" not in event.type or event.type not in said.what, text  # not its key
        if type(event).model_fields.keys() <= {"type", "on"}:
            assert said.what == event.title, event.type


def test_booleans_and_transfers_are_sentences() -> None:
    issued = wording.event(a.FinalPlanIssued(on=TODAY, representations_received=True))
    assert issued.detail == "representations received before the 15 days ran out"
    assert wording.event(a.FinalPlanIssued(on=TODAY)).detail == ""
    assert wording.event(REVIEW_EVENTS[0]).what == "Transfer: secondary to post-16 in 2028"
    ceased = wording.event(r.AppealConcluded(on=TODAY, plan_continues=False))
    assert ceased.what == "Appeal concluded: the plan ceases"


def test_an_exception_is_shown_over_its_period_not_the_day_it_was_typed() -> None:
    said = wording.event(next(e for e in ASSESSMENT_EVENTS if e.type == "exception"))
    assert (said.on, said.until) == (date(2026, 7, 10), date(2026, 8, 20))
    assert said.what == "Exception: absence from the area, 10 Jul 2026 to 20 Aug 2026"
    assert said.regulation == exc.REGULATION[exc.Reason.ABSENCE_FROM_AREA]
    assert "recorded 13 Oct 2026" in said.detail and "family abroad" in said.detail


# --- the show commands ---------------------------------------------------------------------


def test_assessment_show_lists_events_in_date_order(printed: Any) -> None:
    text = printed(print_assessment, assessment_view(ASSESSMENT_EVENTS))
    assert_plain(text)
    order = [
        "Decided to assess",
        "Advice requested: psychological advice from Educational Psychology Service",
        "Exception: absence from the area, 10 Jul 2026 to 20 Aug 2026 (reg 5(4)(d)",
        "Advice received",
        "Draft plan served",
        "Final plan issued",
    ]
    where = [text.index(line) for line in order]
    assert where == sorted(where)
    assert "Request received 1 Jun 2026" in text
    assert "representations received before the 15 days ran out" in text
    # Step statuses in the truth table's words: the plan was late, but an exception lifted it.
    assert STATE_WORDS[StepState.EXCEPTED] in text and STATE_WORDS[StepState.MET] in text
    assert "Outcome: final plan issued on 20 Oct 2026" in text


def test_review_show_words_the_transfer_and_the_decision(printed: Any) -> None:
    text = printed(print_review, review_view(REVIEW_EVENTS))
    assert_plain(text)
    assert "Transfer: secondary to post-16 in 2028" in text
    assert "Decision notified: amend the plan" in text
    assert "Review meeting arranged for 1 Nov 2026" in text
    assert "17 days overdue" in text  # the report was due 15 Nov


# --- the chronology ----------------------------------------------------------------------------


def chronology(**ledger: Any) -> Chronology:
    return build(
        REF,
        TODAY,
        assessment=assessment_view(ASSESSMENT_EVENTS),
        review=review_view(REVIEW_EVENTS),
        steps=ledger.get("steps", []),
        outcomes=[],
    )


def test_the_chronology_is_in_date_order_with_the_exception_at_its_start() -> None:
    c = chronology()
    days = [e.day for e in c.entries]
    assert days == sorted(days)
    exception = next(e for e in c.entries if e.event == "exception")
    assert (exception.day, exception.until) == (date(2026, 7, 10), date(2026, 8, 20))
    before = [e.what for e in c.entries if e.day < exception.day]
    assert "Advice requested: psychological advice from Educational Psychology Service" in before
    assert c.model_dump(mode="json")["entries"][0]["day"] == "2025-11-25"  # JSON stays ISO


def test_missed_counts_statutory_duties_done_late_or_overdue_only() -> None:
    # Open in the review: the report, overdue (statutory). Done in the assessment: the advice
    # and the final plan after their limits, both lifted by the exception (not missed).
    assert chronology().missed == 1
    old = date(2025, 1, 10)
    steps = [
        ledger_step("decide-to-assess", old, date(2025, 1, 20), exception=False, statutory=True),
        ledger_step("final-plan", old, date(2025, 1, 20), exception=True, statutory=True),
        ledger_step("draft", old, date(2025, 1, 20), exception=False, statutory=False),
    ]
    c = chronology(steps=steps)
    assert c.missed == 2
    entries = {e.step: e for e in c.entries if e.process == "assessment" and e.step}
    assert entries["decide-to-assess"].missed and entries["decide-to-assess"].kind == "late"
    assert not entries["final-plan"].missed and entries["final-plan"].kind == "done"
    assert not entries["draft"].missed


def test_case_prints_words_and_counts_missed_steps(printed: Any) -> None:
    text = printed(print_chronology, chronology())
    assert_plain(text)
    assert "1 statutory step missed." in text
    assert "Next: Send the report of the review meeting by 15 Nov 2026, reg 20(7)." in text
    for status in ("done on time", "overdue", "done after the limit, which an exception lifted"):
        assert status in text
    quiet = build(REF, TODAY, assessment=None, review=None, steps=[], outcomes=[])
    assert "No statutory step missed." in printed(print_chronology, quiet)


# --- through the command line ------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    assessment = ["deadlines", "assessment"]
    forked = {
        "iso": [*assessment, "--received", "2025-05-21", "--json"],
        "uk": [*assessment, "--received", "21/05/2025", "--json"],
        "uk-exception": [
            *assessment,
            "--received",
            "21/05/2025",
            "--exception",
            "absence-from-area:01/06/2025:15/07/2025",
        ],
        "not-a-day": [*assessment, "--received", "31/02/2025"],
        "review-uk": ["deadlines", "review", "--plan-date", "10/01/2025"],
    }
    return run_all([], {}, forked, tmp_path_factory.mktemp("cli"))


def test_the_cli_takes_day_month_year(runs: dict[str, Any]) -> None:
    assert runs["uk"].returncode == 0, runs["uk"].stderr
    assert runs["uk"].stdout == runs["iso"].stdout  # JSON: the same ISO dates either way
    human = " ".join(runs["uk-exception"].stdout.split())
    assert "Exception: absence from the area, 1 Jun 2025 to 15 Jul 2025 (45 days;" in human
    assert not ISO.search(human)
    assert "Annual review: cycle from 10 Jan 2025" in runs["review-uk"].stdout
    refused = runs["not-a-day"]
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == (
        "ehc: --received: '31/02/2025' is not a real date: use YYYY-MM-DD or DD/MM/YYYY\n"
    )


def test_case_lists_and_alerts_are_worded(printed: Any) -> None:
    late = CaseSummary(
        case_ref=REF,
        stage="decision",
        next_step="decide-to-assess",
        next_deadline=date(2026, 11, 30),
        caseworker="cw101",
        team="north",
        final_plan_due=date(2027, 2, 1),
        running=True,
    )
    now = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    text = printed(
        lambda: print_cases(
            [late],
            process="assessment",
            title="Assessments",
            now=now,
            as_json=False,
            due_column="Final plan due",
        )
    )
    assert_plain(text)
    for said in (
        "deciding whether to assess",
        "Decide whether to assess, and notify",
        "30 Nov 2026",
        "2 days",
        "1 Feb 2027",
        "1 case.",
    ):
        assert said in text, said
    assert (
        wording.alert("reminder", 14, date(2026, 12, 5))
        == "Reminder, 14 days before the target, 5 Dec 2026"
    )
    assert wording.alert("escalation", 2) == "Escalation 2"
    assert wording.stage("review", "awaiting-meeting") == "waiting for the review meeting"


def test_the_appeal_window_against_ceasing_is_said_as_it_stands() -> None:
    """Tribunal rules r20(1)(c): 2 months from the decision, or 1 month from a mediation
    certificate if later; with mediation asked for and no certificate, no closing day yet."""
    plan = r.PlanRecord(
        case_ref="EHC-2026-0147", plan_date=date(2025, 1, 10), caseworker="cw101", team="north"
    )
    at = datetime(2026, 6, 1, tzinfo=UTC)

    def after(*events: r.ReviewEvent) -> r.ReviewCycle:
        cycle = r.first_cycle(plan)
        for e in events:
            cycle = r.apply(cycle, e, date(2026, 6, 1), at)
        return cycle

    held = [
        r.MeetingHeld(on=date(2025, 11, 1)),
        r.DecisionNotified(on=date(2025, 11, 25), decision=r.Decision.CEASE),
    ]
    assert wording.appeal_window(after(held[0])) is None
    assert wording.appeal_window(after(*held)) == (
        "open until 25 Jan 2026 (2 months from the decision); the plan ceases after that"
    )
    asked = [*held, r.MediationWanted(on=date(2026, 1, 20))]
    assert wording.appeal_window(after(*asked)) == (
        "mediation asked for 20 Jan 2026: open until 1 month from the mediation certificate, "
        "not yet recorded (at least until 25 Jan 2026)"
    )
    certified = [*asked, r.MediationCertificateIssued(on=date(2026, 2, 20))]
    assert wording.appeal_window(after(*certified)) == (
        "open until 20 Mar 2026 (1 month from the mediation certificate); the plan ceases "
        "after that"
    )
    lodged = after(*certified, r.AppealLodged(on=date(2026, 3, 1)))
    assert wording.appeal_window(lodged) == (
        "appeal lodged 1 Mar 2026: the plan stays in force until it ends"
    )
    assert_plain(wording.appeal_window(lodged) or "")
