"""The read model on SQLite and PostgreSQL: a late or retried write never overwrites a newer
view; the overdue list read from it is the list visibility gives; its lists and steps."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from activities.digest import compose
from activities.directory import Directory
from activities.read_model import ReadModelWriter
from activities.schema import case_view, step_view
from ehc.digest import due_in_read_model
from ehc.overdue import OverdueReport, overdue_report, read_model_report
from ehc.read_model import ReadModel
from statutory import assessment as rules
from statutory.catalogue import StepInfo, describe
from statutory.errors import RuleViolation
from statutory.read_model import CaseView
from statutory.read_model import case_view as build_view
from statutory.steps import StepState
from tests.reporting.visibility import Case, Visibility

NOW = datetime(2026, 10, 15, 9, tzinfo=UTC)
TODAY = NOW.date()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ehc.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def writer(url: str) -> ReadModelWriter:
    return ReadModelWriter(url)


@pytest.fixture
def read_model(writer: ReadModelWriter) -> ReadModel:
    return ReadModel(writer.engine, migrate=False)


def assessment_view(
    ref: str = "RM-0001",
    *,
    received: date = ago(60),
    events: tuple[rules.AssessmentEvent, ...] = (),
    version: int = 10,
    team: str = "north",
) -> CaseView:
    """A real assessment's view, built as its workflow builds it."""
    case = rules.open_case(
        rules.AssessmentRequest(case_ref=ref, received=received, caseworker="cw101", team=team),
        TODAY,
    )
    for event in events:
        case = rules.apply(case, event, TODAY, NOW)
    steps = rules.steps(case, TODAY)
    nxt = rules.own_next_deadline(steps)
    return build_view(
        workflow_id=f"assessment-{ref}",
        case_ref=ref,
        kind="assessment",
        cycle=0,
        stage=case.stage.value,
        caseworker=case.caseworker,
        team=case.team,
        is_open=not case.closed,
        steps=steps,
        next_step=nxt,
        next_name=nxt.step if nxt else None,
        final_plan_due=case.dates().final_plan.due,
        version=version,
        updated_at=NOW,
    )


def described(case: Case) -> StepInfo:
    info = describe(case.next_step, case.kind)
    assert info is not None, case.next_step
    return info


def listed_view(case: Case, version: int = 5) -> CaseView:
    """The view of a case the visibility stand-in lists with the same attributes."""
    suffix = "-educational-1" if case.kind == "advice" else ""
    return CaseView(
        workflow_id=f"{case.kind}-{case.case_ref}{suffix}",
        case_ref=case.case_ref,
        kind=case.kind,
        stage=case.stage,
        caseworker=case.caseworker,
        team=case.team,
        is_open=case.running,
        next_step=case.next_step,
        # As the case describes its step: the rules' catalogue, as visibility's lines do.
        next_label=described(case).label,
        next_regulation=described(case).regulation,
        next_statutory=described(case).statutory,
        next_due=case.next_deadline,
        version=version,
        updated_at=NOW,
    )


# --- ordered and idempotent writes ----------------------------------------------------------


def stored(read_model: ReadModel, workflow_id: str) -> tuple[int, str]:
    row = read_model.case(workflow_id)
    assert row is not None
    return row.version, row.stage


def test_a_late_or_retried_write_never_overwrites_a_newer_view(
    writer: ReadModelWriter, read_model: ReadModel
) -> None:
    requested = assessment_view(version=7)
    decided = assessment_view(events=(rules.DecidedToAssess(on=ago(30)),), version=12)
    assert writer.put(decided)
    assert not writer.put(requested), "an older view arrived late: nothing changes"
    assert not writer.put(decided), "the same view retried: nothing changes"
    assert stored(read_model, decided.workflow_id) == (12, "assessment")
    # Its steps are the newer view's: the decision done, the final plan open.
    steps = {s.step: s for s in read_model.steps(decided.workflow_id)}
    assert steps["decide-to-assess"].status is StepState.MET
    assert steps["decide-to-assess"].done_on == ago(30)
    later = assessment_view(
        events=(
            rules.DecidedToAssess(on=ago(30)),
            rules.AdviceRequested(
                on=ago(29), advice_type=rules.AdviceType.MEDICAL, provider="Paediatrics"
            ),
        ),
        version=20,
    )
    assert writer.put(later)
    assert {s.step for s in read_model.steps(later.workflow_id)} == {s.step for s in later.steps}
    assert "advice-1" in {s.step for s in read_model.steps(later.workflow_id)}


def test_a_later_review_cycle_wins_though_its_history_starts_again(
    writer: ReadModelWriter, read_model: ReadModel
) -> None:
    first = listed_view(Case("review", "RM-0002", "review-meeting", ago(3)), version=90)
    first = first.model_copy(update={"cycle": 1, "stage": "concluded"})
    second = first.model_copy(update={"cycle": 2, "version": 4, "stage": "awaiting-meeting"})
    assert writer.put(second)
    assert not writer.put(first), "the old cycle's last view arrived after the new cycle's"
    assert stored(read_model, first.workflow_id) == (4, "awaiting-meeting")


def test_concurrent_writes_in_any_order_leave_the_newest(
    writer: ReadModelWriter, read_model: ReadModel
) -> None:
    views = [
        listed_view(Case("assessment", "RM-0003", "final-plan", ago(-n), stage=f"s{n}"), n)
        for n in range(1, 41)
    ]
    random.Random(7).shuffle(views)
    chunks = [views[i::4] for i in range(4)]
    threads = [threading.Thread(target=lambda c=c: [writer.put(v) for v in c]) for c in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stored(read_model, "assessment-RM-0003") == (40, "s40")
    with writer.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(case_view)) == 1


def test_closing_marks_only_the_cases_named(writer: ReadModelWriter, read_model: ReadModel) -> None:
    a = listed_view(Case("assessment", "RM-0004", "final-plan", ago(2)))
    b = listed_view(Case("assessment", "RM-0005", "final-plan", ago(2)))
    writer.put_many([a, b])
    assert writer.open_workflows() == {a.workflow_id, b.workflow_id}
    assert writer.close([a.workflow_id]) == 1
    assert writer.close([a.workflow_id]) == 0
    assert [c.case_ref for c in read_model.cases()] == ["RM-0005"]
    assert {c.case_ref for c in read_model.cases(open_only=False)} == {"RM-0004", "RM-0005"}


# --- the overdue list: the same lines as visibility's ----------------------------------------

CASES = [
    Case("assessment", "DEMO-0011", "advice-2", ago(9)),
    Case("advice", "DEMO-0011", "advice:educational", ago(9), stage="awaiting-advice"),
    Case("assessment", "DEMO-0012", "final-plan", ago(-30)),
    Case("advice", "DEMO-0012", "advice:medical", ago(3), stage="awaiting-advice"),
    Case("assessment", "DEMO-0013", "decide-to-assess", ago(5), team="south", caseworker="cw202"),
    Case("review", "DEMO-0014", "review-meeting", ago(40), stage="awaiting-meeting"),
    Case("review", "DEMO-0015", "decision", ago(-10), stage="awaiting-decision", team="east"),
    Case("assessment", "DEMO-0016", "final-plan", ago(0)),  # due today: not overdue yet
    Case("assessment", "DEMO-0017", "final-plan", ago(100), running=False),
]
FILTERS: list[dict[str, object]] = [
    {},
    {"within_days": 14},
    {"within_days": 40},
    {"team": "north"},
    {"caseworker": "cw202"},
    {"kinds": ("review",), "stage": "awaiting-meeting"},
    {"kinds": ("assessment", "advice"), "within_days": 30},
]


def comparable(report: OverdueReport) -> dict[str, object]:
    return report.model_dump(exclude={"read_at", "query_seconds", "freshness"})


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) for f in FILTERS])
async def test_the_read_model_lists_what_visibility_lists(
    writer: ReadModelWriter, read_model: ReadModel, filters: dict[str, object]
) -> None:
    writer.put_many(listed_view(c) for c in CASES)
    visibility = await overdue_report(Visibility(CASES).client, now=NOW, **filters)  # type: ignore[arg-type]
    ours = await read_model_report(read_model, now=NOW, **filters)  # type: ignore[arg-type]
    assert comparable(ours) == comparable(visibility)
    assert ours.freshness.startswith("Read from the read model at 15 Oct 2026 09:00:00 UTC")
    assert read_model.overdue(today=TODAY, **filters) == ours.lines  # type: ignore[arg-type]


async def test_a_step_is_listed_in_its_cases_own_words(
    writer: ReadModelWriter, read_model: ReadModel
) -> None:
    """A review's request for advice is published as ``advice:<type>`` like an assessment's,
    but it is a planning date (reg 20(4)), not the 6 weeks of reg 8(1): the line says so."""
    case = Case("advice", "DEMO-0021", "advice:medical", ago(4), stage="awaiting-advice")
    view = listed_view(case).model_copy(
        update={
            "next_label": "Medical advice from Community Paediatrics",
            "next_regulation": "reg 20(4)",
            "next_statutory": False,
        }
    )
    writer.put_many([view])
    (found,) = read_model.overdue(today=TODAY)
    assert (found.label, found.regulation, found.statutory) == (
        "Medical advice from Community Paediatrics",
        "reg 20(4)",
        False,
    )


async def test_the_whole_list_in_order(writer: ReadModelWriter, read_model: ReadModel) -> None:
    writer.put_many(listed_view(c) for c in CASES)
    found = await read_model_report(read_model, now=NOW, within_days=14)
    assert [(x.kind, x.case_ref, x.days_overdue) for x in found.lines] == [
        ("review", "DEMO-0014", 40),
        ("advice", "DEMO-0011", 9),  # listed once: not again as its assessment's step
        ("assessment", "DEMO-0013", 5),
        ("advice", "DEMO-0012", 3),
        ("assessment", "DEMO-0016", 0),
        ("review", "DEMO-0015", -10),
    ]
    assert (found.totals.overdue_steps, found.totals.due_soon_steps) == (4, 2)


async def test_a_filter_that_names_no_one_is_refused_naming_the_known_ones(
    writer: ReadModelWriter, read_model: ReadModel
) -> None:
    writer.put_many(listed_view(c) for c in CASES)
    with pytest.raises(RuleViolation) as refused:
        await read_model_report(read_model, now=NOW, team="nrth")
    assert str(refused.value) == "--team: no case has team 'nrth' (known: east, north, south)"
    with pytest.raises(RuleViolation, match=r"known: .*cw101.*cw202"):
        await read_model_report(read_model, now=NOW, caseworker="cw999")
    with pytest.raises(RuleViolation, match=r"known: .*west"):
        directory = Directory.from_dict({"teams": {"west": {}}})
        await read_model_report(read_model, now=NOW, team="nrth", directory=directory)
    with pytest.raises(RuleViolation, match="that is not a team id"):
        await read_model_report(read_model, now=NOW, team="Jane Smith")
    # Known with nothing overdue: a team only on a closed case, one in the directory, a
    # caseworker asking for their own list.
    closed = listed_view(Case("assessment", "DEMO-0018", "final-plan", ago(9), team="west"))
    writer.put(closed.model_copy(update={"is_open": False}))
    assert (await read_model_report(read_model, now=NOW, team="west")).lines == []
    directory = Directory.from_dict({"teams": {"central": {}}})
    assert (
        await read_model_report(read_model, now=NOW, team="central", directory=directory)
    ).lines == []
    mine = await read_model_report(read_model, now=NOW, caseworker="cw303", own_caseworker=True)
    assert mine.lines == []
    with pytest.raises(RuleViolation, match="--stage: unknown stage 'decision'"):
        await read_model_report(read_model, now=NOW, kinds=("review",), stage="decision")


async def test_the_digest_finds_what_is_due_each_case_once(
    writer: ReadModelWriter, read_model: ReadModel
) -> None:
    writer.put_many(listed_view(c) for c in CASES)
    found = await due_in_read_model(read_model)(NOW + timedelta(days=15))
    assert sorted((kind, c.case_ref) for kind, c in found) == [
        ("advice", "DEMO-0011"),
        ("advice", "DEMO-0012"),
        ("assessment", "DEMO-0013"),
        ("assessment", "DEMO-0016"),
        ("review", "DEMO-0014"),
        ("review", "DEMO-0015"),
    ]
    north = [(k, c) for k, c in found if c.team == "north"]
    message = compose("north", "2026-W42", north, TODAY)
    assert "Overdue (3):" in message.body and "Due within two weeks (1):" in message.body


# --- cases, steps, and what filters may name -------------------------------------------------


def test_cases_steps_and_names(writer: ReadModelWriter, read_model: ReadModel) -> None:
    writer.put_many(listed_view(c) for c in CASES)
    real = assessment_view("RM-0006", received=ago(50), events=(rules.DecidedToAssess(on=ago(10)),))
    writer.put(real)
    north = read_model.cases(team="north")
    # By next target: the review 40 days late, then the advice and its assessment (9 days).
    assert [c.case_ref for c in north][:3] == ["DEMO-0014", "DEMO-0011", "DEMO-0011"]
    assert [c.kind for c in read_model.cases(kinds=("review",))] == ["review", "review"]
    assert [c.case_ref for c in read_model.cases(caseworker="cw202")] == ["DEMO-0013"]
    mine = read_model.case(real.workflow_id)
    assert mine is not None
    assert (mine.final_plan_due, mine.next_step) == (ago(50) + timedelta(weeks=20), "final-plan")
    assert mine.next_due == mine.next_deadline
    # By case reference or workflow id; an open step judged again on the day asked.
    steps = read_model.steps("RM-0006")
    assert steps == read_model.steps(real.workflow_id)
    plan = next(s for s in steps if s.step == "final-plan")
    assert plan.status is StepState.OPEN and plan.regulation == "reg 13(2)"
    later = plan.operational_due + timedelta(days=1)
    judged = next(s for s in read_model.steps("RM-0006", today=later) if s.step == "final-plan")
    assert judged.status is StepState.OVERDUE
    assert read_model.teams() == ["east", "north", "south"]
    assert read_model.caseworkers() == ["cw101", "cw202"]
    assert read_model.caseworkers(team="south") == ["cw202"]
    assert "awaiting-meeting" in read_model.stages()
    assert read_model.teams(open_only=True) == ["east", "north", "south"]
    with writer.engine.begin() as conn:
        conn.execute(delete(step_view))
    assert read_model.steps("RM-0006") == []


async def test_an_empty_read_model_says_how_to_fill_it(
    writer: ReadModelWriter, read_model: ReadModel
) -> None:
    found = await read_model_report(read_model, now=NOW)
    assert found.lines == [] and "holds no case yet" in found.freshness
    assert "ehc db reconcile" in found.freshness
    writer.put(listed_view(Case("assessment", "RM-0007", "final-plan", ago(-40))))
    assert "holds no case" not in (await read_model_report(read_model, now=NOW)).freshness
