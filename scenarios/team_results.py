"""What each team's part of the replications adds up to (a scenario with ``[[teams]]``).

An area manager's view of a run: each team's weekly series with bands (``scenarios.series.TEAM_SERIES``:
open past 20 weeks, plans issued and issued within 20 weeks, reviews overdue, caseload per
caseworker...) and a summary, read as the council's are (``scenarios.results``: the median and
the 10th and 90th percentiles across replications). "Within 20 weeks" counts the team's plans
over the whole run, as the national return counts them. ``write_csv`` writes ``teams.csv`` (the
weekly series, one row a team and week) and ``teams_summary.csv`` (the summary by team).
"""

from __future__ import annotations

import math
from pathlib import Path

from scenarios.model import Team
from scenarios.results import (
    BAND_COLUMNS,
    Band,
    Measure,
    ScenarioResult,
    Summarised,
    _band,
    _band_columns,
    _write,
    percent,
)
from scenarios.series import TEAM_SERIES
from scenarios.teams import TeamRun


class TeamResult(Summarised[TeamRun]):
    """One team's part of a scenario's replications: its summary table is the team's."""

    def __init__(self, team: Team, result: ScenarioResult) -> None:
        super().__init__(
            [run.teams[team.name] for run in result.runs], result.weeks, result.threshold
        )
        self.team = team
        self.result = result

    @property
    def name(self) -> str:
        return self.team.name

    @property
    def title(self) -> str:
        return self.team.title

    def _measures(self) -> list[Measure]:
        runs = self.runs
        return [
            Measure("requests", "Requests for assessment", self._total("requests")),
            Measure("plans_issued", "Plans issued", self._total("plans_issued")),
            Measure(
                "within_20_weeks_excluding_exceptions",
                "Within 20 weeks, excl. exceptions (headline)",
                Band.of(
                    [
                        percent(
                            r.within_20_weeks_excluding_exceptions, r.counted_excluding_exceptions
                        )
                        for r in runs
                    ]
                ),
                "%",
            ),
            Measure(
                "within_20_weeks_including_exceptions",
                "Within 20 weeks, incl. exceptions",
                Band.of([percent(r.within_20_weeks, r.issued) for r in runs]),
                "%",
            ),
            *self._weekly("past_20_weeks", "Open past 20 weeks"),
            *self._weekly("review_backlog", "Reviews overdue"),
            self._reviews_in_time(),
            *self._weekly("caseworkers", "Caseworkers"),
            *self._weekly("caseload_per_caseworker", "Caseload per caseworker", key="caseload"),
            Measure(
                "hours_unused",
                "Caseworker hours unused a week, on average",
                Band.of([_mean(r.weekly["hours_unused"]) for r in runs]),
            ),
            *self._clearances(),
        ]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def team_results(result: ScenarioResult) -> list[TeamResult]:
    """Each team's result, in the file's order (none: a scenario without teams, or runs that
    did not keep the teams' parts)."""
    teams = result.scenario.teams
    if not teams or any(not run.teams for run in result.runs):
        return []
    return [TeamResult(team, result) for team in teams]


def write_csv(result: ScenarioResult, folder: Path) -> list[Path]:
    """``teams.csv`` (each team's weekly series: ``team``, ``week``, ``week_start``, then
    ``<series>_p10``, ``_median``, ``_p90``) and ``teams_summary.csv`` (each team's summary:
    ``team``, ``measure``, ``label``, ``unit``, ``p10``, ``median``, ``p90``) in ``folder``;
    nothing for a scenario without teams."""
    found = team_results(result)
    if not found:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    weekly = (
        [team.name, week, result.week_start(week).isoformat()]
        + [n for name in TEAM_SERIES for n in _band(team.weekly(name)[week])]
        for team in found
        for week in range(result.weeks)
    )
    summary = (
        [team.name, m.key, m.label, m.unit, *_band(m.band)]
        for team in found
        for m in team.summary()
    )
    return [
        _write(
            folder / "teams.csv",
            [
                "team",
                "week",
                "week_start",
                *(c for name in TEAM_SERIES for c in _band_columns(name)),
            ],
            weekly,
        ),
        _write(
            folder / "teams_summary.csv",
            ["team", "measure", "label", "unit", *BAND_COLUMNS],
            summary,
        ),
    ]
