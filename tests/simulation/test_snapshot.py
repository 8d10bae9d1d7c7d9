"""``ehc simulate snapshot``: the start state read from the read model, the figures measured
from the ledger, and the file written from them, on a database filled as the workflows fill it
(each case's steps, outcome and view made by the rules core, written by the activities' own
writers). tests/e2e/test_simulate_snapshot.py runs the command on the real workflows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypedDict

import pytest
import typer
from typer.testing import CliRunner

from activities.ledger import Ledger
from activities.read_model import ReadModelWriter
from activities.schema import ledger_requests, ledger_steps
from ehc.cli import simulate_snapshot as command
from ehc.cli.common import BAD_INPUT, Fail
from ehc.ledger_reader import LedgerReader
from ehc.settings import Settings
from ehc.snapshot.caseload import AssessmentGroup, PlanGroup, read_caseload, week_reached
from ehc.snapshot.measures import ENOUGH, last_twelve_months, measure
from ehc.snapshot.scenario_file import scenario_text
from scenarios import engine, model, results
from scenarios.model import Stage
from statutory import assessment as rules
from statutory import review as review_rules
from statutory.ledger import OutcomeRecord, completed_steps, request_record
from statutory.read_model import case_view
from workflows.models import advice_workflow_id, assessment_workflow_id, review_workflow_id

START = date(2026, 11, 30)  # a Monday
TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
PSYCHOLOGY = (rules.AdviceType.PSYCHOLOGICAL, "Educational Psychology Service")
SCHOOL = (rules.AdviceType.EDUCATIONAL, "Current school")


class Whose(TypedDict):
    """Whose case a record is about, as every ledger record and view says."""

    case_ref: str
    caseworker: str
    team: str


class Council:
    """A reporting database written as the workflows write it: for each case, its request,
    its completed steps and outcome to the ledger, and its view to the read model."""

    def __init__(self, url: str) -> None:
        self.ledger = Ledger(url)
        self.views = ReadModelWriter(self.ledger.engine)
        self.cases = 0

    def _ref(self, prefix: str) -> str:
        self.cases += 1
        return f"{prefix}-{self.cases:04d}"

    def assessment(
        self, received: date, *events: rules.AssessmentEvent, caseworker: str = "cw101"
    ) -> rules.AssessmentCase:
        ref = self._ref("SNAP")
        request = rules.AssessmentRequest(
            case_ref=ref, received=received, caseworker=caseworker, team="north"
        )
        case = rules.open_case(request, TODAY)
        for event in events:
            case = rules.apply(case, event, TODAY, NOW)
        wf = assessment_workflow_id(ref)
        whose: Whose = {"case_ref": ref, "caseworker": caseworker, "team": "north"}
        self.ledger.put_request(request_record(workflow_id=wf, received=received, **whose))
        steps = rules.steps(case, TODAY)
        details = {
            f"advice-{a.id}": {"advice_type": a.advice_type.value, "provider": a.provider}
            for a in case.advice
        }
        self.ledger.put_steps(
            completed_steps(
                steps, workflow_id=wf, process="assessment", cycle=0, details=details, **whose
            )
        )
        if case.closed:
            outcome = rules.outcome(case)
            self.ledger.put_outcome(
                OutcomeRecord(
                    key=f"{wf}:0:outcome",
                    workflow_id=wf,
                    process="assessment",
                    cycle=0,
                    ended_on=outcome.ended_on,
                    outcome=outcome.model_dump(mode="json"),
                    **whose,
                )
            )
        nxt = rules.own_next_deadline(steps)
        self.views.put(
            case_view(
                workflow_id=wf,
                kind="assessment",
                cycle=0,
                stage=case.stage.value,
                is_open=not case.closed,
                steps=steps,
                next_step=nxt,
                next_name=nxt.step if nxt else None,
                final_plan_due=case.dates().final_plan.due,
                version=1,
                updated_at=NOW,
                **whose,
            )
        )
        if case.final_issued_on is not None:  # the plan's review workflow starts
            self.plan(case.final_issued_on, caseworker=caseworker, ref=ref)
        for a in case.advice:  # each request for advice keeps its own clock, and its own row
            self.views.put(
                case_view(
                    workflow_id=advice_workflow_id(ref, a.advice_type.value, a.id),
                    kind="advice",
                    cycle=0,
                    stage="awaiting" if a.outstanding else "received",
                    is_open=a.outstanding and not case.closed,
                    steps=[],
                    next_step=None,
                    next_name=None,
                    provider=a.provider,
                    version=1,
                    updated_at=NOW,
                    **whose,
                )
            )
        return case

    def plan(
        self,
        plan_date: date,
        *events: review_rules.ReviewEvent,
        caseworker: str = "cw201",
        ref: str | None = None,
    ) -> review_rules.ReviewCycle:
        """A plan's review workflow in its first cycle; a concluded cycle is reported to the
        ledger and its view is the next cycle's, as the workflow continues as new."""
        ref = ref or self._ref("PLAN")
        record = review_rules.PlanRecord(
            case_ref=ref, plan_date=plan_date, caseworker=caseworker, team="south"
        )
        cycle = review_rules.first_cycle(record)
        for event in events:
            cycle = review_rules.apply(cycle, event, TODAY, NOW)
        cycle = review_rules.expire(cycle, TODAY)  # a plan ceased once its appeal window ends
        wf = review_workflow_id(ref)
        whose: Whose = {"case_ref": ref, "caseworker": caseworker, "team": "south"}
        if cycle.stage in (review_rules.Stage.CONCLUDED, review_rules.Stage.ENDED):
            outcome = review_rules.outcome(cycle)
            self.ledger.put_outcome(
                OutcomeRecord(
                    key=f"{wf}:{cycle.cycle}:outcome",
                    workflow_id=wf,
                    process="review",
                    cycle=cycle.cycle,
                    ended_on=outcome.ended_on or outcome.decision_on or TODAY,
                    outcome=outcome.model_dump(mode="json"),
                    **whose,
                )
            )
        if cycle.stage is review_rules.Stage.CONCLUDED:
            cycle = review_rules.next_cycle(cycle)
        steps = review_rules.steps(cycle, TODAY)
        nxt = review_rules.next_deadline(steps)
        self.views.put(
            case_view(
                workflow_id=wf,
                kind="review",
                cycle=cycle.cycle,
                stage=cycle.stage.value,
                is_open=cycle.stage is not review_rules.Stage.ENDED,
                steps=steps,
                next_step=nxt,
                next_name=nxt.step if nxt else None,
                review_due=cycle.dates().review_due_by,
                version=1,
                updated_at=NOW,
                **whose,
            )
        )
        return cycle

    def written_since(self, day: date) -> None:
        """As if the ledger had been written since ``day`` (the writer stamps the real time)."""
        with self.ledger.engine.begin() as conn:
            for table in (ledger_requests, ledger_steps):
                conn.execute(
                    table.update().values(
                        recorded_at=datetime(day.year, day.month, day.day, tzinfo=UTC)
                    )
                )


@pytest.fixture
def council(database_url: str) -> Council:
    return Council(database_url)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _advice(on: date, *kinds: tuple[rules.AdviceType, str]) -> list[rules.AssessmentEvent]:
    return [rules.AdviceRequested(on=on, advice_type=t, provider=p) for t, p in kinds]


# --- the start state -----------------------------------------------------------------------


def test_open_assessments_are_grouped_by_stage_and_weeks_since_the_request(
    council: Council,
) -> None:
    day0 = START - _days(1)  # week 0: received in the 7 days before the start
    council.assessment(day0)
    council.assessment(day0 - _days(20))  # week 2
    council.assessment(TODAY)  # received after the start: week 0
    council.assessment(day0 - _days(7 * 21))  # decision still not made: overdue
    agreed = day0 - _days(7 * 9)
    council.assessment(agreed, rules.DecidedToAssess(on=agreed + _days(30)))  # none asked yet
    council.assessment(
        agreed, rules.DecidedToAssess(on=agreed + _days(30)), *_advice(agreed + _days(31), SCHOOL)
    )
    drafting = day0 - _days(7 * 19)
    council.assessment(
        drafting,
        rules.DecidedToAssess(on=drafting + _days(30)),
        *_advice(drafting + _days(31), SCHOOL, PSYCHOLOGY),
        rules.AdviceReceived(on=drafting + _days(60), advice_id=1),
        rules.AdviceReceived(on=drafting + _days(70), advice_id=2),
    )
    served = day0 - _days(7 * 20)
    council.assessment(
        served,
        rules.DecidedToAssess(on=served + _days(30)),
        *_advice(served + _days(31), SCHOOL),
        rules.AdviceReceived(on=served + _days(60), advice_id=1),
        rules.DraftServed(on=served + _days(100)),
    )
    council.assessment(day0 - _days(30), rules.DecidedNotToAssess(on=day0))  # closed

    caseload = read_caseload(council.ledger.engine, START, TODAY)

    assert caseload.assessments == (
        AssessmentGroup(Stage.DECISION, (0, 2), 3),
        AssessmentGroup(Stage.DECISION, (21, 21), 1),
        AssessmentGroup(Stage.ADVICE, (9, 9), 2),
        AssessmentGroup(Stage.DRAFTING, (19, 19), 1),
        AssessmentGroup(Stage.FINALISING, (20, 20), 1),
    )
    assert caseload.by_stage()[Stage.DECISION] == (4, 1)
    assert caseload.advice_open == 1, "the school's advice on the case agreed 9 weeks ago"
    assert caseload.caseworkers == 1


def test_week_reached_counts_as_the_simulator_ages_a_case() -> None:
    assert week_reached(START - _days(1), START) == 0
    assert week_reached(START - _days(7), START) == 0
    assert week_reached(START - _days(8), START) == 1
    assert week_reached(START + _days(2), START) == 0


def test_plans_are_grouped_by_the_month_their_next_review_is_due(council: Council) -> None:
    council.plan(date(2025, 11, 10))  # due 10 Nov 2026: overdue
    council.plan(date(2025, 11, 20))  # due 20 Nov 2026: overdue
    council.plan(date(2025, 12, 1))  # due 1 Dec 2026: the start's month, not overdue
    council.plan(date(2026, 3, 5))  # due 5 Mar 2027
    held = date(2026, 11, 2)
    # Met and awaiting the decision: reviewed, so next due 12 months from the meeting.
    council.plan(date(2025, 12, 20), review_rules.MeetingHeld(on=held))
    # Decided to cease: left out, it needs no further review.
    council.plan(
        date(2025, 12, 20),
        review_rules.MeetingHeld(on=held),
        review_rules.DecisionNotified(on=held + _days(7), decision=review_rules.Decision.CEASE),
    )

    caseload = read_caseload(council.ledger.engine, START, TODAY)

    assert caseload.plans == (
        PlanGroup(date(2026, 11, 10), date(2026, 11, 20), 2),
        PlanGroup(date(2026, 12, 1), date(2026, 12, 1), 1),
        PlanGroup(date(2027, 3, 5), date(2027, 3, 5), 1),
        PlanGroup(date(2027, 11, 2), date(2027, 11, 2), 1),
    )
    assert caseload.plans_overdue() == 2
    assert caseload.ceasing == 1


# --- the figures -----------------------------------------------------------------------------


def _plans_issued(council: Council, n: int, first: date) -> None:
    """``n`` assessments from request to final plan, each step a fixed time apart: decided in
    5 weeks, psychology advice in 6 weeks from the request for it, the school's in 3, the
    draft 2 weeks after the last advice, the final a week after the 15 days of representations
    (reg 13(1): the day of service is the first of them)."""
    for i in range(n):
        received = first + _days(i)
        decided = received + _days(35)
        psychology_in = decided + _days(42)
        draft = psychology_in + _days(14)
        council.assessment(
            received,
            rules.DecidedToAssess(on=decided),
            *_advice(decided, PSYCHOLOGY, SCHOOL),
            rules.AdviceReceived(on=decided + _days(21), advice_id=2),
            rules.AdviceReceived(on=psychology_in, advice_id=1),
            rules.DraftServed(on=draft),
            rules.FinalPlanIssued(on=draft + _days(15 + 7)),
            caseworker=f"cw{100 + i % 3}",
        )


def test_figures_are_measured_from_the_ledger_with_what_was_counted(council: Council) -> None:
    when = last_twelve_months(START)
    assert str(when) == "30 Nov 2025 to 29 Nov 2026"
    _plans_issued(council, 24, date(2026, 1, 5))
    for i in range(6):  # refused
        received = date(2026, 3, 2) + _days(i)
        council.assessment(received, rules.DecidedNotToAssess(on=received + _days(28)))
    council.assessment(date(2025, 6, 2))  # received before the period: not counted
    council.written_since(date(2024, 1, 1))

    measures = measure(LedgerReader(council.ledger.engine), START)
    f = measures.figures

    requests = f["demand.requests_per_week"]
    assert requests.value == round(30 / (365 / 7), 2)
    assert requests.source == "ledger: 30 requests received 30 Nov 2025 to 29 Nov 2026"
    assert requests.note == "", "the ledger covers the whole period"
    assert f["decisions.share_assessed"].value == round(24 / 30, 3)
    assert f["decisions.share_assessed"].source == (
        "ledger: 24 of 30 decisions whether to assess, made 30 Nov 2025 to 29 Nov 2026, "
        "were to assess"
    )
    assert (f["decisions.share_issued"].value, f["decisions.share_issued"].assumed) == (1.0, False)
    assert "24 of 24 assessments" in str(f["decisions.share_issued"].source)
    assert f["timings.decision"].value == (4.0, 5.0, 5.0), "24 at 5 weeks, 6 refusals at 4"
    assert f["timings.psychology"].value == (6.0, 6.0, 6.0)
    assert "24 psychology advice returned" in str(f["timings.psychology"].source)
    assert f["timings.other_advice"].value == (3.0, 3.0, 3.0)
    assert f["timings.drafting"].value == (2.0, 2.0, 2.0)
    assert f["timings.finalising"].value == (1.0, 1.0, 1.0)
    assert f["demand.annual_growth"].assumed, "fewer than 20 requests the year before"
    assert measures.psychology_returned == 24


def test_a_figure_with_too_few_cases_is_assumed_saying_why(council: Council) -> None:
    _plans_issued(council, ENOUGH - 1, date(2026, 1, 5))
    measures = measure(LedgerReader(council.ledger.engine), START)
    f = measures.figures

    issued = f["decisions.share_issued"]
    assert issued.assumed and issued.value == 0.844
    assert issued.note.startswith(
        "only 19 assessments ended with a decision on the plan 30 Nov 2025 to 29 Nov 2026, "
        "fewer than 20"
    )
    assert f["timings.decision"].assumed and f["timings.decision"].value == (4, 5.5, 6)
    ceasing = f["reviews.ceasing_share"]
    assert ceasing.assumed and ceasing.note.startswith("no review decisions")
    requests = f["demand.requests_per_week"]
    assert requests.assumed and requests.value == round(19 / (365 / 7), 2)
    assert "first written on" not in requests.note
    assert measures.partial, "the ledger was written today, inside the period"


def test_reviews_cease_and_are_held_early_as_the_ledger_says(council: Council) -> None:
    for i in range(ENOUGH + 5):
        plan_date = date(2025, 6, 2) + _days(i)  # due 2 Jun 2026 on
        held = plan_date + _days(365 - 28)  # 4 weeks before it is due
        decision = review_rules.Decision.CEASE if i < 5 else review_rules.Decision.MAINTAIN
        council.plan(
            plan_date,
            review_rules.MeetingHeld(on=held),
            review_rules.DecisionNotified(on=held + _days(14), decision=decision),
        )
    f = measure(LedgerReader(council.ledger.engine), START).figures

    assert f["reviews.ceasing_share"].value == round(5 / 25, 3)
    assert f["reviews.ceasing_share"].source == (
        "ledger: 5 of 25 review decisions in cycles ended 30 Nov 2025 to 29 Nov 2026 were to "
        "cease the plan"
    )
    assert f["reviews.lead_weeks"].value == 4.0


# --- the file --------------------------------------------------------------------------------


def _busy_council(council: Council) -> None:
    _plans_issued(council, 24, date(2026, 1, 5))
    council.assessment(START - _days(10))
    agreed = START - _days(7 * 25)
    council.assessment(
        agreed, rules.DecidedToAssess(on=agreed + _days(30)), *_advice(agreed + _days(31), SCHOOL)
    )
    council.plan(date(2025, 10, 1))


def test_the_file_loads_runs_and_names_no_one(council: Council, tmp_path: Path) -> None:
    _busy_council(council)
    ledger = LedgerReader(council.ledger.engine)
    caseload = read_caseload(ledger.engine, START, TODAY)
    measures = measure(ledger, START)
    text = scenario_text(caseload, measures, name="snap", title="Snap", weeks=8)
    scenario = model.loads(text, "snap")

    assert scenario.scenario.start == START and scenario.scenario.weeks == 8
    assert [(g.stage, g.weeks, g.count) for g in scenario.start_state.open_assessments] == [
        (Stage.DECISION, (1, 1), 1),
        (Stage.ADVICE, (24, 24), 1),
    ]
    assert sum(p.count for p in scenario.start_state.plans) == 24 + 1
    assert (
        scenario.demand.requests_per_week.source
        == measures.figures["demand.requests_per_week"].source
    )
    # Capacity and priority: placeholders the analyst is told to edit.
    assert all(
        getattr(scenario.capacity, k).assumed
        for k in ("caseworkers", "hours_per_week", "psychology_per_week")
    )
    assert scenario.capacity.caseworkers.note.startswith("placeholder: 4 caseworkers are named")
    # Costs too, so that a first run already reports cost per plan.
    costs = scenario.capacity.costs
    assert costs is not None and costs.caseworker_week.assumed
    assert costs.caseworker_week.value == 781 and costs.psychology_assessment.value == 649
    # The comments are where the analyst reads them: the header first, each EDIT right above
    # the table it is about.
    assert text.startswith("# Snap\n#\n# Written by `ehc simulate snapshot` on 2 Dec 2026 ")
    assert re.search(r"\n\n# EDIT: capacity is not in the ledger.*\n(# .*\n)*\[capacity\]\n", text)
    assert re.search(r"\n\n# EDIT: the order ready work is done in .*\n\[priority\]\n", text)
    # Only dates, stages and counts: no case reference, caseworker or provider.
    assert not re.search(r"SNAP-|PLAN-|cw\d|north|south|School|Psychology Service", text)
    result = results.ScenarioResult(scenario, [engine.simulate(scenario, 0)])
    assert result.weekly("open_assessments"), "it runs"
    assert result.find("total_cost") is not None


# --- the command ---------------------------------------------------------------------------


def _invoke(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str
) -> tuple[int, str, BaseException | None]:
    monkeypatch.setattr(command, "get_settings", lambda: settings)
    monkeypatch.setattr(command, "today_utc", lambda: TODAY)
    app = typer.Typer()
    app.command()(command.snapshot)
    app.command("other")(lambda: None)  # two commands: the first argument names one
    result = CliRunner().invoke(app, ["snapshot", *args])
    return result.exit_code, result.output, result.exception


def test_the_command_writes_the_file_and_prints_what_it_wrote(
    council: Council, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _busy_council(council)
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    code, output, error = _invoke(monkeypatch, settings)
    assert (code, error) == (0, None), output

    written = tmp_path / "scenarios" / "snapshot-2026-11-30.toml"
    scenario = model.load(written)
    assert scenario.scenario.start == START, "the Monday of this week"
    assert scenario.scenario.weeks == 52
    assert re.search(r"advice: agreed to assess, advice awaited\s+│\s+1 │\s+1 │", output)
    assert "Plans in force: 25, 1 of them with the review overdue." in output
    assert "Figures for 30 Nov 2025 to 29 Nov 2026" in output
    assert "ledger: 26 requests received 30 Nov 2025 to 29 Nov 2026" in output
    assert f"Wrote {written}: edit [capacity] and [priority]" in output

    code, output, error = _invoke(monkeypatch, settings)
    assert isinstance(error, Fail) and error.code == BAD_INPUT
    assert str(error) == f"{written}: already exists (give --force to replace it)"

    out = tmp_path / "mine.toml"
    code, output, error = _invoke(
        monkeypatch, settings, "--out", str(out), "--as-of", "2026-10-05", "--weeks", "10",
        "--name", "october", "--title", "Two more psychologists from March",
    )  # fmt: skip
    assert (code, error) == (0, None), output
    mine = model.load(out)
    assert (mine.name, mine.scenario.start, mine.scenario.weeks, mine.scenario.title) == (
        "october",
        date(2026, 10, 5),
        10,
        "Two more psychologists from March",
    )
    assert "5 Oct 2025 to 4 Oct 2026" in str(mine.demand.requests_per_week.source)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "2027-01-04"), "--as-of: 4 Jan 2027 is after today; the open cases are today's"),
        (("--name", "Our Council"), "--name: 'Our Council' is not a name: 2-64 lower-case letters, digits and hyphens"),
        (("--title", " "), "--title: give 1 to 200 characters"),
    ],
)  # fmt: skip
def test_bad_options_are_refused_in_one_line(
    args: Sequence[str],
    message: str,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    _, output, error = _invoke(monkeypatch, settings, *args)
    assert isinstance(error, Fail) and error.code == BAD_INPUT, output
    assert str(error) == message


def test_no_database_or_an_empty_caseload_is_refused(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = Settings(data_dir=tmp_path / "absent")
    _, _, error = _invoke(monkeypatch, nowhere)
    assert isinstance(error, Fail) and error.code == BAD_INPUT
    assert str(error) == (
        f"no database at {tmp_path / 'absent' / 'ehc.db'}: start the system (`ehc up`) or set "
        "EHC_DATABASE_URL"
    )
    assert not (tmp_path / "absent").exists(), "nothing created"

    Council(database_url)  # the tables, and nothing in them
    _, _, error = _invoke(monkeypatch, Settings(data_dir=tmp_path, database_url=database_url))
    assert isinstance(error, Fail) and error.code == BAD_INPUT
    assert str(error).startswith("the read model holds no open assessment or plan")
