"""Scenario files: the shipped ones load, and bad ones are refused with file, key and problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scenarios import engine, model
from scenarios.model import ScenarioError

from .helpers import FILES, raw

SHIPPED = sorted(FILES.glob("*.toml"))


def test_the_shipped_files_are_the_ones_documented() -> None:
    names = {p.stem for p in SHIPPED}
    assert {
        "unitary-2020-as-planned",
        "unitary-2020-no-extra-staff",
        "unitary-2020-outsourced-reviews",
        "unitary-2020-phase-transfers-and-withdrawals",
        "unitary-2020-school-holidays",
        "county-psychology-in-house",
        "county-psychology-locums",
        "county-psychology-outsourced",
        "county-two-teams",
        "england-2024",
        "england-2024-with-appeals",
    } <= names
    readme = (FILES.parent / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert f"{name}.toml" in readme


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_file_loads_and_is_named_after_its_file(path: Path) -> None:
    scenario = model.load(path)
    assert scenario.name == path.stem
    assert path.read_text(encoding="utf-8").startswith("#"), "each file states its assumptions"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_file_runs(path: Path) -> None:
    """Its first 40 weeks (England's first 8, at national scale), through every table it
    states (a school's summer closure included)."""
    scenario = model.load(path)
    weeks = 8 if path.stem.startswith("england-2024") else min(40, scenario.scenario.weeks)
    info = scenario.scenario.model_copy(update={"weeks": weeks})
    run = engine.simulate(scenario.model_copy(update={"scenario": info}), 0)
    assert sum(run.weekly["requests"]) > 0
    assert sum(run.weekly["plans_issued"]) > 0


def test_england_with_appeals_is_england_2024_with_a_tribunal_section() -> None:
    """The same England, every figure as in england-2024.toml, and appeals on top."""
    england, appeals = raw("england-2024"), raw("england-2024-with-appeals")
    tribunal = appeals.pop("tribunal")
    assert model.parse({**england, "tribunal": tribunal}, "england").tribunal is not None
    assert {k: v for k, v in appeals.items() if k != "scenario"} == {
        k: v for k, v in england.items() if k != "scenario"
    }
    assert appeals["scenario"]["start"] == england["scenario"]["start"]
    assert appeals["scenario"]["weeks"] == england["scenario"]["weeks"]


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        model.parse(data, "council.toml")
    return str(caught.value)


def _base() -> dict[str, Any]:
    return copy.deepcopy(raw("unitary-2020-as-planned"))


def test_a_figure_without_source_or_assumption_is_refused() -> None:
    data = _base()
    data["demand"]["requests_per_week"] = {"value": 5.4}
    assert _error(data) == (
        'council.toml: demand.requests_per_week: every figure needs source = "..." or '
        "assumed = true"
    )


def test_a_bare_number_is_refused_with_the_table_to_write() -> None:
    data = _base()
    data["capacity"]["caseworkers"] = 5
    message = _error(data)
    assert message.startswith("council.toml: capacity.caseworkers: give a table { value = 5,")
    assert "not a bare value" in message


def test_source_and_assumed_together_are_refused() -> None:
    data = _base()
    data["decisions"]["share_issued"] = {"value": 0.9, "source": "x", "assumed": True}
    assert "decisions.share_issued: give source" in _error(data)


def test_a_group_of_the_start_state_needs_its_source_too() -> None:
    data = _base()
    del data["start_state"]["open_assessments"][1]["assumed"]
    assert _error(data).startswith("council.toml: start_state.open_assessments[1]: every figure")


def test_unknown_key_is_named() -> None:
    data = _base()
    data["capacity"]["caseworker"] = data["capacity"].pop("caseworkers")
    message = _error(data)
    assert message == "council.toml: capacity.caseworker: unknown key (did you mean 'caseworkers'?)"


def test_missing_section_is_named() -> None:
    data = _base()
    del data["timings"]
    assert _error(data) == "council.toml: timings: missing (required)"


def test_share_out_of_range() -> None:
    data = _base()
    data["decisions"]["share_assessed"]["value"] = 1.2
    assert "decisions.share_assessed: must be at most 1, not 1.2" in _error(data)


@pytest.mark.parametrize(
    ("section", "key", "given", "said"),
    [
        ("decisions", "share_assessed", "most", "decisions.share_assessed: must be a number, not 'most'"),
        ("scenario", "start", "soon", "scenario.start: must be a date written 2026-01-31, not 'soon'"),
        ("scenario", "weeks", 52.5, "scenario.weeks: must be a whole number, not 52.5"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_kind_says_what_the_key_takes(
    section: str, key: str, given: object, said: str
) -> None:
    data = _base()
    if isinstance(data[section][key], dict):
        data[section][key]["value"] = given
    else:
        data[section][key] = given
    assert _error(data) == f"council.toml: {said}"


def test_lead_time_spread_must_be_ordered() -> None:
    data = _base()
    data["timings"]["drafting"]["value"] = [4, 2, 6]
    assert "timings.drafting: needs [low, most likely, high]" in _error(data)


def test_seasonality_needs_twelve_months() -> None:
    data = _base()
    data["demand"]["seasonality"]["value"] = [1.0] * 11
    assert "demand.seasonality: needs 12 monthly factors" in _error(data)


def test_a_closure_exception_states_when_schools_close_not_how_long_it_lasts() -> None:
    data = _base()
    data["exceptions"]["school-closure"] = {"share": 0.1, "weeks": [4, 5, 6], "assumed": True}
    assert _error(data).startswith("council.toml: exceptions.school-closure.weeks: unknown key")


def test_an_unknown_exception_reason_is_refused_with_the_known_ones() -> None:
    data = _base()
    data["exceptions"]["illness"] = {"share": 0.1, "weeks": [4, 5, 6], "assumed": True}
    assert _error(data) == (
        "council.toml: exceptions: 'illness' is not an exception reason; known: school-closure, "
        "early-years-closure, personal-circumstances, absence-from-area, missed-appointment, "
        "coronavirus"
    )


def test_outsourcing_a_number_needs_an_end_date() -> None:
    data = _base()
    data["capacity"]["changes"][0]["reviews_outsourced"] = 100
    assert "capacity.changes[0]: outsourcing a fixed number needs an end date" in _error(data)


def test_scenario_name_is_a_short_id() -> None:
    data = _base()
    data["scenario"]["name"] = "My Council"
    assert "scenario.name: String should match pattern" in _error(data)


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[scenario\nname = 1\n")
    with pytest.raises(ScenarioError, match=r"bad\.toml: not valid TOML"):
        model.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        model.load(tmp_path / "absent.toml")
