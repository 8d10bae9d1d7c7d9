"""Area teams: each team's caseworkers carry only its own cases, and lend no hours to another.

One team holding everything is the scenario without teams, draw for draw; teams whose demand
and caseworkers are in the same proportion come to about the pooled service; a team with more
requests than caseworkers falls behind while the other keeps in time, and a caseworker moved to
it by a change line helps it. What it writes: a table by team, ``teams.csv`` and
``teams_summary.csv``, a table in the report. A file whose teams do not hold together is refused
with one line naming the key. ``ehc simulate snapshot --teams`` writes the read model's teams.
"""

from __future__ import annotations

import copy
import csv
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from activities.schema import case_view, ledger_requests
from ehc.ledger_reader import LedgerReader
from ehc.settings import Settings
from ehc.snapshot import measure, read_caseload, scenario_text
from ehc.snapshot.caseload import Caseload, TeamLoad
from ehc.snapshot.measures import Measures, last_twelve_months
from ehc.snapshot.scenario_file import team_names, teams
from scenarios import engine, model
from scenarios.model import ScenarioError
from scenarios.results import ScenarioResult
from scenarios.team_results import TeamResult, team_results

from .helpers import raw
from .test_cli import _ehc
from .test_report import Page
from .test_snapshot import START, TODAY, Council, _invoke, _plans_issued

#: A council in time with 20 caseworkers (about 8 hours a week to spare), an overdue backlog of
#: 40 assessments and 200 annual reviews at the start.
COUNCIL = """
version = 1
[scenario]
name = "two-areas"
title = "A council in time, in two areas"
start = 2023-01-02
weeks = 52

[[start_state.open_assessments]]
stage = "decision"
weeks = [0, 5]
count = 120
assumed = true

[[start_state.open_assessments]]
stage = "advice"
weeks = [6, 12]
count = 120
assumed = true

[[start_state.open_assessments]]
stage = "drafting"
weeks = [12, 16]
count = 40
assumed = true

[[start_state.open_assessments]]
stage = "drafting"
weeks = [20, 30]
count = 40
assumed = true
note = "the overdue backlog"

[[start_state.plans]]
count = 2000
due_from = 2023-01-02
due_to = 2024-01-01
assumed = true

[[start_state.plans]]
count = 200
due_from = 2022-10-03
due_to = 2023-01-01
assumed = true
note = "reviews overdue"

[demand]
requests_per_week = { value = 20, assumed = true }

[decisions]
share_assessed = { value = 1.0, assumed = true }
share_issued = { value = 1.0, assumed = true }

[timings]
decision = { value = [4, 5, 6], assumed = true }
psychology = { value = [1, 2, 4], assumed = true }
other_advice = { value = [2, 4, 6], assumed = true }
drafting = { value = [1, 2, 3], assumed = true }
finalising = { value = [0, 1, 2], assumed = true }

[capacity]
caseworkers = { value = 20, assumed = true }
hours_per_week = { value = 37, assumed = true }
statutory_share = { value = 0.6, assumed = true }
review_share = { value = 0.4, assumed = true }
psychology_per_week = { value = 30, assumed = true }

[capacity.hours_per_task]
decision = { value = 1, assumed = true }
draft = { value = 10, assumed = true }
final = { value = 2, assumed = true }
review = { value = 4, assumed = true }

[reviews]
lead_weeks = { value = 4, assumed = true }
ceasing_share = { value = 0.07, assumed = true }

[priority]
policy = "oldest-first"
"""


def two_teams(east_share: float, east_caseworkers: float, total: float = 20) -> str:
    """East and west: east with ``east_share`` of the requests and ``east_caseworkers``."""
    return f"""
[[teams]]
name = "east"
title = "East"
share_of_requests = {{ value = {east_share}, assumed = true }}
caseworkers = {{ value = {east_caseworkers}, assumed = true }}

[[teams]]
name = "west"
title = "West"
share_of_requests = {{ value = {round(1 - east_share, 9)}, assumed = true }}
caseworkers = {{ value = {total - east_caseworkers}, assumed = true }}
"""


def moved_east(caseworkers: int, start: str = "2023-03-06") -> str:
    """Caseworkers moved from west to east: two change lines."""
    return f"""
[[capacity.changes]]
label = "moved east"
start = {start}
caseworkers = {caseworkers}
team = "east"
assumed = true

[[capacity.changes]]
label = "moved from west"
start = {start}
caseworkers = {-caseworkers}
team = "west"
assumed = true
"""


def _result(text: str, replications: int = 6, seed: int = 5) -> ScenarioResult:
    scenario = model.loads(text, "two-areas")
    return ScenarioResult(scenario, engine.replicate(scenario, replications, seed))


def _team(result: ScenarioResult, name: str) -> TeamResult:
    return next(t for t in team_results(result) if t.name == name)


def _text(data: Any) -> str:
    return json.dumps(data, sort_keys=True)  # NaN (no caseworkers) equal as text


# --- one team is no teams -------------------------------------------------------------------


def one_team(name: str) -> model.Scenario:
    """A shipped scenario with one team holding everything: its caseworkers, and every change
    of caseworkers or reviews outsourced."""
    data = copy.deepcopy(raw(name))
    data["teams"] = [
        {
            "name": "everyone",
            "title": "Everyone",
            "share_of_requests": {"value": 1.0, "assumed": True},
            "caseworkers": copy.deepcopy(data["capacity"]["caseworkers"]),
        }
    ]
    for change in data["capacity"].get("changes", []):
        if change.get("caseworkers") or change.get("reviews_outsourced"):
            change["team"] = "everyone"
    return model.parse(data, f"{name} (one team)")


@pytest.mark.parametrize(
    "name",
    [
        "unitary-2020-as-planned",
        "unitary-2020-outsourced-reviews",
        "unitary-2020-phase-transfers-and-withdrawals",
        "county-psychology-outsourced",
    ],
)
def test_one_team_holding_everything_is_the_scenario_without_teams(name: str) -> None:
    """Exactly: every weekly series, plans by month, events, every case; and the team's own
    series are the council's."""
    pooled = engine.simulate(model.parse(raw(name), name), 3, keep_cases=True)
    teamed = engine.simulate(one_team(name), 3, keep_cases=True)
    assert _text(teamed.weekly) == _text(pooled.weekly)
    assert teamed.monthly == pooled.monthly
    assert teamed.events == pooled.events
    assert [(c.received, c.ending, c.closed_on, c.draft) for c in teamed.cases] == [
        (c.received, c.ending, c.closed_on, c.draft) for c in pooled.cases
    ]
    assert not pooled.teams
    team = teamed.teams["everyone"]
    for series, values in team.weekly.items():
        assert _text(values) == _text(pooled.weekly[series]), series
    issued = sum(m.issued for m in pooled.monthly.values())
    assert team.issued == issued > 0


# --- teams in proportion ---------------------------------------------------------------------


def test_teams_in_proportion_come_to_about_the_pooled_service() -> None:
    """East with 70% of the requests and 70% of the caseworkers, west 30% and 30%: the council's
    figures are about those of one pooled service (hours are not lent, so not exactly)."""
    pooled = _result(COUNCIL)
    teamed = _result(COUNCIL + two_teams(0.7, 14))
    for key, within in (
        ("within_20_weeks_excluding_exceptions", 3.0),
        ("plans_issued", 0.03 * pooled.measure("plans_issued").median),
        ("caseload_end", 0.03 * pooled.measure("caseload_end").median),
        ("backlog_cleared", 3),
    ):
        assert teamed.measure(key).median == pytest.approx(pooled.measure(key).median, abs=within)
    for series, week, within in (("review_backlog", 13, 20), ("past_20_weeks", 4, 8)):
        assert teamed.weekly(series)[week].median == pytest.approx(
            pooled.weekly(series)[week].median, abs=within
        ), series
    east, west = _team(teamed, "east"), _team(teamed, "west")
    requests = teamed.measure("requests").median
    assert east.measure("requests").median / requests == pytest.approx(0.7, abs=0.03)
    assert west.measure("requests").median / requests == pytest.approx(0.3, abs=0.03)
    for team in (east, west):
        assert team.measure("within_20_weeks_excluding_exceptions").median >= 80, team.name


# --- an overloaded team --------------------------------------------------------------------


@pytest.fixture(scope="module")
def overloaded() -> ScenarioResult:
    """East with 70% of the requests and half the caseworkers."""
    return _result(COUNCIL + two_teams(0.7, 10))


def test_an_overloaded_team_falls_behind_while_the_other_keeps_in_time(
    overloaded: ScenarioResult,
) -> None:
    east, west = _team(overloaded, "east"), _team(overloaded, "west")
    assert east.measure("within_20_weeks_excluding_exceptions").median < 20
    assert west.measure("within_20_weeks_excluding_exceptions").median > 90
    assert east.measure("past_20_weeks_end").median > 3 * east.measure("past_20_weeks_start").median
    assert west.measure("past_20_weeks_end").median == 0
    assert east.measure("review_backlog_end").median > east.measure("review_backlog_start").median
    assert west.measure("review_backlog_cleared").median < 10
    # no hours lent: west's go unused while east has none to spare
    assert west.measure("hours_unused").median > 50
    assert east.measure("hours_unused").median < 2
    council = overloaded.weekly("hours_unused")
    assert council[-1].median == pytest.approx(
        east.weekly("hours_unused")[-1].median + west.weekly("hours_unused")[-1].median, abs=1
    )
    # the same council pooled keeps in time
    pooled = _result(COUNCIL)
    assert pooled.measure("past_20_weeks_end").median == 0


def test_moving_a_caseworker_to_the_overloaded_team_helps_it(overloaded: ScenarioResult) -> None:
    moved = _result(COUNCIL + two_teams(0.7, 10) + moved_east(1))
    before, after = _team(overloaded, "east"), _team(moved, "east")
    assert after.weekly("caseworkers")[8].median == 10
    assert after.weekly("caseworkers")[9].median == 11, "from 6 Mar 2023"
    assert _team(moved, "west").weekly("caseworkers")[-1].median == 9
    assert moved.weekly("caseworkers")[-1].median == 20, "the council's total stays"
    assert (
        after.measure("past_20_weeks_end").median
        < 0.85 * before.measure("past_20_weeks_end").median
    )
    assert (
        after.measure("review_backlog_end").median
        < 0.85 * before.measure("review_backlog_end").median
    )
    assert after.measure("plans_issued").median > before.measure("plans_issued").median + 20
    assert _team(moved, "west").measure("past_20_weeks_end").median == 0, "west still in time"


def test_start_state_groups_go_to_their_team_or_are_split_by_share() -> None:
    """84 and 36 of each unnamed group of 120 (70% and 30%); 7 cases: 5 and 2 (largest
    remainder); the group naming west all to west; plans 1,540 and 660 of 2,200. Counted at
    the end of the first week, which closes no case and issues no plan, and whose reviews
    keep every plan (none ceases)."""
    text = (
        COUNCIL.replace("weeks = 52", "weeks = 1")
        .replace("ceasing_share = { value = 0.07", "ceasing_share = { value = 0.0")
        .replace('note = "the overdue backlog"', 'team = "west"')
        + """
[[start_state.open_assessments]]
stage = "decision"
weeks = [0, 2]
count = 7
assumed = true
"""
        + two_teams(0.7, 14)
    )
    run = engine.simulate(model.loads(text, "split"), 0)
    east, west = run.teams["east"].weekly, run.teams["west"].weekly
    assert east["open_assessments"][0] - east["requests"][0] == 84 + 84 + 28 + 5
    assert west["open_assessments"][0] - west["requests"][0] == 36 + 36 + 12 + 40 + 2
    assert (east["plans_in_force"][0], west["plans_in_force"][0]) == (1_540, 660)


# --- what a run writes ----------------------------------------------------------------------


def test_a_run_shows_and_writes_each_team(tmp_path: Path) -> None:
    path = tmp_path / "two-areas.toml"
    path.write_text(COUNCIL.replace("weeks = 52", "weeks = 12") + two_teams(0.7, 10))
    out = tmp_path / "out"
    result = CliRunner().invoke(_ehc(), ["simulate", str(path), "-n", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = result.output.split("By team")[1]
    assert "Within 20 weeks" in table and "Reviews overdue" in table
    rows = {
        cells[1].strip(): [c.strip() for c in cells[2:-1]]
        for cells in (line.split("│") for line in table.splitlines() if line.startswith("│"))
    }
    # As the report gives it: a row a measure, a column a team.
    header = next(line for line in table.splitlines() if line.startswith("┃"))
    assert [c.strip() for c in header.split("┃")[1:-1]] == ["Measure", "East", "West"]
    assert rows["Caseworkers at the end"] == ["10", "10"]
    east, west = (int(v.split(" ")[0].replace(",", "")) for v in rows["Requests for assessment"])
    assert east > west, "requests: east has 70%"
    assert "Reviews held by their due date" in rows
    with (out / "teams.csv").open() as f:
        weekly = list(csv.DictReader(f))
    assert [(r["team"], r["week"]) for r in weekly] == [
        (team, str(week)) for team in ("east", "west") for week in range(12)
    ]
    assert weekly[0]["week_start"] == "2023-01-02"
    assert float(weekly[-1]["caseworkers_median"]) == 10
    with (out / "teams_summary.csv").open() as f:
        summary = {(r["team"], r["measure"]): r for r in csv.DictReader(f)}
    assert float(summary["east", "caseworkers_end"]["median"]) == 10
    assert summary["west", "within_20_weeks_excluding_exceptions"]["unit"] == "%"
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    by_team = page.rows("teams")
    assert by_team["Caseworkers at the end"] == ["10", "10"]
    assert "Review backlog cleared (week)" in by_team
    assert "teams-heading" in page.ids


def test_a_run_without_teams_writes_no_team_files(tmp_path: Path) -> None:
    path = tmp_path / "one-service.toml"
    path.write_text(COUNCIL.replace("weeks = 52", "weeks = 6"))
    out = tmp_path / "out"
    result = CliRunner().invoke(_ehc(), ["simulate", str(path), "-n", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "By team" not in result.output
    assert not (out / "teams.csv").exists() and not (out / "teams_summary.csv").exists()
    assert "teams" not in Page((out / "report.html").read_text(encoding="utf-8")).tables


# --- refused -----------------------------------------------------------------------------------


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        model.loads(text, "council.toml")
    return str(caught.value)


def test_shares_of_requests_must_add_up_to_one() -> None:
    text = COUNCIL + two_teams(0.7, 10).replace("value = 0.3,", "value = 0.2,")
    assert _error(text) == "council.toml: teams: the shares of requests add up to 0.9, not 1"


def test_the_teams_caseworkers_must_add_up_to_the_councils() -> None:
    assert _error(COUNCIL + two_teams(0.7, 10, total=18)) == (
        "council.toml: teams: the teams' caseworkers add up to 18, not capacity.caseworkers "
        "(20); state the council's total there"
    )


def test_an_unknown_team_is_refused_in_a_group_or_a_change() -> None:
    text = COUNCIL.replace('note = "reviews overdue"', 'team = "north"') + two_teams(0.7, 10)
    assert _error(text) == (
        "council.toml: start_state.plans[1]: team 'north' is not one of the [[teams]] (east, west)"
    )
    text = COUNCIL + two_teams(0.7, 10) + moved_east(1).replace('team = "west"', 'team = "wes"')
    assert _error(text) == (
        "council.toml: capacity.changes[1] (moved from west): team 'wes' is not one of the "
        "[[teams]] (east, west)"
    )
    assert _error(COUNCIL + moved_east(1)) == (
        "council.toml: capacity.changes[0] (moved east): team 'east', but the file has no [[teams]]"
    )


def test_a_change_of_caseworkers_names_its_team() -> None:
    text = COUNCIL + two_teams(0.7, 10) + moved_east(2).replace('team = "east"\n', "")
    assert _error(text) == (
        "council.toml: capacity.changes[0] (moved east): name the team whose "
        "caseworkers or reviews change (team = one of east, west); a line for each team"
    )


def test_a_team_cannot_be_left_with_fewer_than_no_caseworkers() -> None:
    text = COUNCIL + two_teams(0.7, 10) + moved_east(-12)  # east 10 - 12, west 10 + 12
    assert _error(text) == (
        "council.toml: capacity.changes[0] (moved east): team 'east' would have -2 "
        "caseworkers from 6 Mar 2023"
    )


def test_psychology_is_one_service_for_every_team() -> None:
    locums = """
[[capacity.changes]]
label = "locums"
start = 2023-02-06
psychology_per_week = 5
team = "east"
assumed = true
"""
    assert _error(COUNCIL + two_teams(0.7, 10) + locums) == (
        "council.toml: capacity.changes[0] (locums): a team's line changes caseworkers or "
        "reviews outsourced; psychology is one county-wide service (no team)"
    )


def test_two_teams_of_one_name_are_refused() -> None:
    text = COUNCIL + two_teams(0.7, 10).replace('name = "west"', 'name = "east"')
    assert _error(text) == "council.toml: teams: 'east' names two teams; each name is one team"


def test_a_team_name_is_a_short_id() -> None:
    text = COUNCIL + two_teams(0.7, 10).replace('name = "west"', 'name = "West Team"')
    assert "council.toml: teams[1].name: String should match pattern" in _error(text)


# --- a snapshot by team ------------------------------------------------------------------------


def test_a_snapshot_by_team_writes_the_read_models_teams(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ehc simulate snapshot --teams``: each team's open cases as its own, its share of the
    requests measured from the ledger, its caseworkers a placeholder that adds up to the
    council's; the file loads and runs by team."""
    council = Council(database_url)
    _plans_issued(council, 30, date(2026, 1, 5))  # SNAP-0001..0030, each a plan of its own
    for days in (10, 20, 30, 40, 50):  # open: SNAP-0031..0035
        council.assessment(START - timedelta(days=days))
    south = [f"SNAP-{n:04d}" for n in (*range(22, 31), 34, 35)]
    north_plans = [f"SNAP-{n:04d}" for n in range(1, 11)]
    with council.ledger.engine.begin() as conn:  # the workflows name a case's team
        for table, refs, team in (
            (ledger_requests, south, "south"),
            (case_view, south, "south"),
        ):
            conn.execute(update(table).where(table.c.case_ref.in_(refs)).values(team=team))
        conn.execute(
            update(case_view)
            .where(case_view.c.case_ref.in_(north_plans), case_view.c.kind == "review")
            .values(team="north")
        )
    ledger = LedgerReader(council.ledger.engine)
    caseload = read_caseload(ledger.engine, START, TODAY, by_team=True)
    assert [(t.name, t.assessments, t.plans) for t in caseload.teams] == [
        ("north", 3, 10),
        ("south", 2, 20),
    ]
    assert (
        {g.team for g in caseload.assessments}
        == {g.team for g in caseload.plans}
        == {
            "north",
            "south",
        }
    )
    assert read_caseload(ledger.engine, START, TODAY).teams == (), "only when asked"

    text = scenario_text(caseload, measure(ledger, START), name="snap", title="Snap", weeks=8)
    scenario = model.loads(text, "snap")
    north, south_team = scenario.teams
    assert (north.name, south_team.name) == ("north", "south")
    assert north.share_of_requests.value == round(24 / 35, 3)
    assert north.share_of_requests.source == (
        "ledger: 24 of 35 requests received 30 Nov 2025 to 29 Nov 2026 were north's"
    )
    assert north.caseworkers.assumed and north.caseworkers.note.startswith("placeholder: ")
    assert scenario.capacity.caseworkers.value == (
        north.caseworkers.value + south_team.caseworkers.value
    )
    assert sum(g.count for g in scenario.start_state.plans if g.team == "north") == 10
    assert "# EDIT: each team's caseworkers are placeholders" in text
    run = engine.simulate(scenario, 0)
    assert set(run.teams) == {"north", "south"}

    settings = Settings(data_dir=tmp_path, database_url=database_url)
    code, output, error = _invoke(
        monkeypatch, settings, "--teams", "--out", str(tmp_path / "t.toml")
    )
    assert (code, error) == (0, None), output
    assert "By team" in output and "Share of requests" in output
    assert re.search(r"north\s+│\s+3 │\s+10 │\s+\d+ │\s+68\.6% │", output)
    assert model.load(tmp_path / "t.toml").teams


def test_a_snapshots_teams_with_few_requests_are_shared_by_open_cases() -> None:
    """Fewer than 20 requests by these teams: each team's share is its share of the open
    assessments, assumed; requests of a team with no open case are left out and said so;
    names become the file's own (a-z, 0-9, -), one a team."""
    caseload = Caseload(
        read_on=date(2026, 12, 2),
        start=date(2026, 11, 30),
        assessments=(),
        plans=(),
        advice_open=0,
        ceasing=0,
        caseworkers=2,
        teams=(
            TeamLoad("North Team", 3, 0, 2),
            TeamLoad("north-team", 1, 0, 0),
            TeamLoad("South", 0, 4, 0),
        ),
    )
    measures = Measures(
        period=last_twelve_months(date(2026, 11, 30)),
        requests=5,
        figures={},
        first_written=None,
        exceptions=(0, 0),
        psychology_returned=0,
        requests_by_team={"North Team": 3, "Old area": 2},
    )
    assert list(team_names(caseload).values()) == ["north-team", "north-team-2", "south"]
    found = teams(caseload, measures)
    assert [share.value for _, share, _ in found] == [0.75, 0.25, 0.0]
    assert all(share.assumed for _, share, _ in found)
    assert found[0][1].note == (
        "only 3 requests received 30 Nov 2025 to 29 Nov 2026, fewer than 20: its share of the "
        "open assessments (3) instead; 2 requests of teams with no open case left out"
    )
    assert [staff.value for _, _, staff in found] == [2.0, 1.0, 1.0], "at least one each"


TRIBUNAL = """
[tribunal]
weeks_to_hearing = { value = [2, 4, 6], assumed = true }
share_conceded = { value = 0.5, assumed = true }
share_withdrawn = { value = 0.0, assumed = true }
share_ordered = { value = 1.0, assumed = true }

[tribunal.share_appealed]
refusal_to_assess = { value = 0.5, assumed = true }
refusal_to_issue = { value = 0.5, assumed = true }
contents = { value = 0.3, assumed = true }

[tribunal.hours_per_task]
notify = { value = 1.5, assumed = true }
draft = { value = 12, assumed = true }
final = { value = 3, assumed = true }
amend = { value = 6, assumed = true }
"""


def test_with_the_tribunal_a_plan_made_under_an_order_joins_its_team_and_orders_take_team_hours() -> (
    None
):
    """Teams and appeals together: a plan made under an order is one of its case's team's
    plans (none is lost to a book no team reads), and the hours the orders take come out of
    the teams' hours, in proportion to them."""
    council = COUNCIL.replace(
        "share_assessed = { value = 1.0", "share_assessed = { value = 0.7"
    ).replace("share_issued = { value = 1.0", "share_issued = { value = 0.8")
    scenario = model.loads(council + two_teams(0.5, 10) + TRIBUNAL, "two-areas")
    simulation = engine._Simulation(scenario, 3, keep_cases=True)
    run = simulation.run()
    plans_under_orders = [
        a.order
        for a in run.appeals
        if a.order is not None
        and a.order.kind in ("assess", "make-plan")
        and a.order.ending == "complied"
    ]
    assert plans_under_orders, "the run made plans under orders"
    assert all(o.book is not None for o in plans_under_orders)
    assert simulation.book.plans == 0, "with teams, the council's own book holds nothing"
    by_team = sum(t.weekly["plans_in_force"][-1] for t in run.teams.values())
    assert by_team == run.weekly["plans_in_force"][-1]
    # The orders' hours: the teams together left the hours the orders did not take.
    without = engine.simulate(model.loads(council + two_teams(0.5, 10), "two-areas"), 3)
    assert sum(run.weekly["hours_unused"]) < sum(without.weekly["hours_unused"])


def test_the_hours_orders_take_come_out_of_each_team_in_proportion_to_its_hours() -> None:
    scenario = model.loads(COUNCIL + two_teams(0.5, 5), "two-areas")  # east 5, west 15
    simulation = engine._Simulation(scenario, 0, keep_cases=False)
    assert simulation.teams is not None
    week = simulation.weeks[0]
    given: list[float] = []

    def work(
        week: Any, queue: Any, book: Any, hours: float, outsourced: int
    ) -> tuple[float, int, int]:
        given.append(hours)
        return 0.0, 0, 0

    simulation.teams.week(week, work, taken=20.0)
    own = [desk.hours[0] for desk in simulation.teams.desks]
    assert own[0] * 3 == pytest.approx(own[1])
    assert given == pytest.approx([h - 20.0 * h / sum(own) for h in own])
    assert sum(own) - sum(given) == pytest.approx(20.0)
