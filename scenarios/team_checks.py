"""Whether a scenario's area teams (``[[teams]]``) hold together: checked when a file loads.

The teams' shares of requests add up to 1, and their caseworkers to ``capacity.caseworkers``
(the council's total, which costs count: the split and the total are never two councils). A
start-state group or a change names only a team of the file; with teams, a change of
caseworkers or of reviews outsourced names its team, and a line naming a team changes one of
those (psychology is one county-wide service). Each problem is one line, ``key: problem``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statutory.dates import as_written

if TYPE_CHECKING:
    from scenarios.model import CapacityChange, OpenAssessments, Plans, Scenario


def problems(scenario: Scenario) -> list[str]:
    """What is wrong with the scenario's teams, each as ``key: problem`` (none: they hold
    together). The teams' shares of requests add up to 1 and their caseworkers to
    ``capacity.caseworkers`` (the council's total, which costs count); every team named by a
    start-state group or a change is one of them; with teams, a change of caseworkers or of
    reviews outsourced names its team, and one that names a team changes one of them
    (psychology is one county-wide service)."""
    teams = [t.name for t in scenario.teams]
    known = ", ".join(teams)
    found: list[str] = []
    if len(set(teams)) != len(teams):
        twice = sorted({n for n in teams if teams.count(n) > 1})
        found.append(f"teams: '{twice[0]}' names two teams; each name is one team")
    if teams:
        shares = sum(t.share_of_requests.value for t in scenario.teams)
        if abs(shares - 1) > 1e-6:
            found.append(f"teams: the shares of requests add up to {shares:g}, not 1")
        staff = sum(t.caseworkers.value for t in scenario.teams)
        total = scenario.capacity.caseworkers.value
        if abs(staff - total) > 1e-6:
            found.append(
                f"teams: the teams' caseworkers add up to {staff:g}, not capacity.caseworkers "
                f"({total:g}); state the council's total there"
            )
    state = scenario.start_state
    places: list[tuple[str, OpenAssessments | Plans | CapacityChange]] = [
        (f"start_state.open_assessments[{i}]", g) for i, g in enumerate(state.open_assessments)
    ]
    places += [(f"start_state.plans[{i}]", g) for i, g in enumerate(state.plans)]
    places += [
        (f"capacity.changes[{i}] ({c.label})", c) for i, c in enumerate(scenario.capacity.changes)
    ]
    for where, group in places:
        if group.team is not None and group.team not in teams:
            found.append(
                f"{where}: team '{group.team}' is not one of the [[teams]] ({known})"
                if teams
                else f"{where}: team '{group.team}', but the file has no [[teams]]"
            )
    for i, change in enumerate(scenario.capacity.changes):
        where = f"capacity.changes[{i}] ({change.label})"
        teamwork = change.caseworkers or change.reviews_outsourced
        if teams and teamwork and change.team is None:
            found.append(
                f"{where}: name the team whose caseworkers or reviews change (team = one of "
                f"{known}); a line for each team"
            )
        if change.team in teams and not teamwork:
            found.append(
                f"{where}: a team's line changes caseworkers or reviews outsourced; psychology "
                "is one county-wide service (no team)"
            )
    found += _never_below_none(scenario)
    return found


def _never_below_none(scenario: Scenario) -> list[str]:
    """A team's change lines never leave it fewer than no caseworkers (the council's count
    and its teams' would then differ)."""
    found: list[str] = []
    changes = list(enumerate(scenario.capacity.changes))
    for team in scenario.teams:
        lines = [(i, c) for i, c in changes if c.team == team.name and c.caseworkers]
        for i, change in lines:
            day = change.start
            there = team.caseworkers.value + sum(
                c.caseworkers
                for _, c in lines
                if c.start <= day and (c.end is None or c.end >= day)
            )
            if there < 0:
                found.append(
                    f"capacity.changes[{i}] ({change.label}): team '{team.name}' would have "
                    f"{there:g} caseworkers from {as_written(day)}"
                )
    return found
