"""``ehc overdue`` counts each late statutory step once and refuses a filter that names no one:
the report built on a stand-in for visibility, and the step an assessment publishes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from activities.directory import Directory
from ehc.known import SHOWN, require_known
from ehc.overdue import OverdueReport, overdue_report
from statutory import assessment as rules
from statutory.errors import RuleViolation
from tests.reporting.visibility import Case, Visibility

NOW = datetime(2026, 10, 15, 9, tzinfo=UTC)
TODAY = NOW.date()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def report(cases: list[Case], **filters: object) -> OverdueReport:
    return await overdue_report(Visibility(cases).client, now=NOW, **filters)  # type: ignore[arg-type]


# --- one line per late step -----------------------------------------------------------------


def test_an_assessment_publishes_its_own_next_step_not_its_late_advice() -> None:
    received = ago(80)
    case = rules.open_case(
        rules.AssessmentRequest(
            case_ref="DEMO-0011", received=received, caseworker="cw101", team="north"
        ),
        TODAY,
    )
    for event in (
        rules.DecidedToAssess(on=received + timedelta(days=20)),
        rules.AdviceRequested(
            on=received + timedelta(days=21),
            advice_type=rules.AdviceType.EDUCATIONAL,
            provider="Current school",
        ),
    ):
        case = rules.apply(case, event, TODAY, NOW)
    steps = rules.steps(case, TODAY)
    late = rules.next_deadline(steps)
    assert late is not None and (late.step, late.state.value) == ("advice-1", "overdue")
    own = rules.own_next_deadline(steps)
    assert own is not None and (own.step, own.state.value) == ("final-plan", "open")
    assert rules.is_advice_request("advice-12")
    assert not rules.is_advice_request("advice-circulated")


async def test_a_late_advice_is_listed_once() -> None:
    cases = [
        # an assessment from before advice requests published their own steps
        Case("assessment", "DEMO-0011", "advice-2", ago(9)),
        Case("advice", "DEMO-0011", "advice:educational", ago(9), stage="awaiting-advice"),
        # the same, published as it is now: the case's own step is not due yet
        Case("assessment", "DEMO-0012", "final-plan", ago(-30)),
        Case("advice", "DEMO-0012", "advice:medical", ago(3), stage="awaiting-advice"),
        # a case whose advice requests have no workflows of their own keeps its line
        Case("assessment", "DEMO-0013", "advice-1", ago(5)),
    ]
    found = await report(cases)
    assert [(x.kind, x.case_ref, x.step) for x in found.lines] == [
        ("advice", "DEMO-0011", "advice:educational"),
        ("assessment", "DEMO-0013", "advice-1"),
        ("advice", "DEMO-0012", "advice:medical"),
    ]
    assert (found.totals.overdue_steps, found.totals.overdue_cases) == (3, 3)


async def test_totals_count_steps_and_cases_apart() -> None:
    cases = [
        Case("assessment", "C-1", "final-plan", ago(2)),
        Case("advice", "C-1", "advice:medical", ago(9), stage="awaiting-advice"),
        Case("advice", "C-1", "advice:parent", ago(4), stage="awaiting-advice"),
        Case("review", "C-2", "review-meeting", ago(40), stage="awaiting-meeting"),
        Case("assessment", "C-3", "final-plan", ago(-5)),  # due in 5 days
        Case("assessment", "C-4", "final-plan", ago(-30)),  # not within 14 days
    ]
    found = await report(cases, within_days=14)
    t = found.totals
    assert (t.overdue_steps, t.overdue_cases, t.due_soon_steps, t.due_soon_cases) == (4, 2, 1, 1)
    assert found.model_dump(mode="json")["totals"]["overdue_cases"] == 2


# --- filters that name no one are refused --------------------------------------------------

KNOWN = [
    Case("assessment", "K-1", "final-plan", ago(3), team="north", caseworker="cw101"),
    Case("review", "K-2", "review-meeting", ago(-90), stage="awaiting-meeting", team="east"),
    Case("assessment", "K-3", None, None, stage="closed", team="west", running=False),
]


async def test_an_unknown_team_is_refused_naming_the_known_teams() -> None:
    with pytest.raises(RuleViolation) as refused:
        await report(KNOWN, team="nrth")
    assert str(refused.value) == "--team: no case has team 'nrth' (known: east, north)"


async def test_a_known_team_with_nothing_overdue_is_answered_not_refused() -> None:
    assert (await report(KNOWN, team="east")).lines == []
    assert (await report(KNOWN, team="west")).lines == []  # only closed cases: still a team
    directory = Directory.from_dict(
        {"people": {"sup-s": {"email": "s@x"}}, "teams": {"south": {"supervisor": "sup-s"}}}
    )
    assert (await report(KNOWN, team="south", directory=directory)).lines == []


async def test_an_unknown_caseworker_is_refused_and_a_name_is_not_repeated() -> None:
    with pytest.raises(
        RuleViolation, match=r"^--caseworker: no case has caseworker 'cw999' \(known: cw101\)$"
    ):
        await report(KNOWN, caseworker="cw999")
    with pytest.raises(RuleViolation) as refused:
        await report(KNOWN, caseworker="Jane Smith")
    assert "Jane" not in str(refused.value) and "known: cw101" in str(refused.value)


async def test_a_stage_the_chosen_kind_does_not_have_is_refused() -> None:
    with pytest.raises(
        RuleViolation,
        match=r"^--stage: unknown stage 'awaiting-meeting' \(known: decision, assessment, draft, closed\)$",
    ):
        await report(KNOWN, kinds=("assessment",), stage="awaiting-meeting")
    assert (await report(KNOWN, kinds=("review",), stage="awaiting-meeting")).lines == []


async def test_a_long_list_of_known_values_is_cut_short() -> None:
    staff = [Case("review", f"S-{i}", None, None, caseworker=f"cw{i:03d}") for i in range(40)]
    with pytest.raises(RuleViolation, match=f"and {40 - SHOWN} more\\)$"):
        await require_known("caseworker", "cw999", client=Visibility(staff).client)


async def test_a_caseworker_asking_for_their_own_list_is_known_with_no_case_yet() -> None:
    assert (await report(KNOWN, caseworker="cw777", own_caseworker=True)).lines == []
