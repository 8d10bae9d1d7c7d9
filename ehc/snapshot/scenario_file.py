"""The scenario file ``ehc simulate snapshot`` writes, built with tomlkit, comments included.

The start state and the measured figures, each with its source; capacity and the priority
policy are in neither the read model nor the ledger, so they are written as assumed
placeholders, with ``# EDIT`` comments for the analyst. A caseload read by team gives
``[[teams]]``: each team's share of requests measured from the ledger, its caseworkers a
placeholder, and each start-state group its team. The file is checked with
``scenarios.model.loads`` before it is written.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable

import tomlkit
from tomlkit.items import AoT, Comment, InlineTable, Table
from tomlkit.toml_document import TOMLDocument

from ehc.snapshot.caseload import STAGE_WORDS, Caseload, TeamLoad
from ehc.snapshot.measures import ENOUGH, Figure, Measures, too_few
from ehc.text import day, period
from scenarios import model

# Capacity placeholders, as the shipped scenarios assume them.
PLACEHOLDERS: dict[str, float] = {
    "hours_per_week": 37,
    "statutory_share": 0.55,
    "review_share": 0.55,
}
TASK_HOURS: dict[str, float] = {"decision": 1.5, "draft": 12, "final": 3, "review": 4.5}
# Cost placeholders, the shipped councils' published unit costs (docs/SCENARIO_FIGURES.md), so
# that results carry costs from the first run; the analyst sets the council's own.
COSTS: dict[str, tuple[float, str]] = {
    "caseworker_week": (781, "a SEND caseworker a week with on-costs, Essex 2021"),
    "psychology_assessment": (649, "an in-house psychology assessment, Wokingham 2023"),
}


def capacity(caseload: Caseload, measures: Measures) -> dict[str, Figure]:
    """Capacity as assumed placeholders, each with a note of what the engine knows about it."""
    staff = caseload.caseworkers
    out = {
        "capacity.caseworkers": Figure(
            float(max(1, staff)),
            note=f"placeholder: {staff:,} caseworkers are named on open cases; set the "
            "full-time equivalent",
        )
    }
    out |= {
        f"capacity.{key}": Figure(value, note="placeholder: edit")
        for key, value in PLACEHOLDERS.items()
    }
    when, returned = measures.period, measures.psychology_returned
    demand = measures.figures["demand.requests_per_week"].value
    share = measures.figures["decisions.share_assessed"].value
    assert isinstance(demand, float) and isinstance(share, float)
    rate = round(demand * share, 1)
    note = (
        f"placeholder: what the demand above needs ({demand:g} requests a week x {share:g} "
        f"assessed); {returned:,} psychology advice returned {when} "
        f"({returned / when.weeks:.1f} a week)"
    )
    out["capacity.psychology_per_week"] = Figure(rate, note=note)
    out |= {
        f"capacity.hours_per_task.{key}": Figure(value, note="placeholder: edit")
        for key, value in TASK_HOURS.items()
    }
    out |= {
        f"capacity.costs.{key}": Figure(value, note=f"placeholder: {words}; set the council's own")
        for key, (value, words) in COSTS.items()
    }
    return out


def team_names(caseload: Caseload) -> dict[str, str]:
    """Each team's name in the file (``a-z 0-9 -``), by its name in the read model."""
    names: dict[str, str] = {}
    for load in caseload.teams:
        slug = re.sub(r"[^a-z0-9]+", "-", load.name.lower()).strip("-")[:60] or "team"
        name, n = slug, 1
        while name in names.values():
            n += 1
            name = f"{slug}-{n}"
        names[load.name] = name
    return names


def teams(caseload: Caseload, measures: Measures) -> list[tuple[TeamLoad, Figure, Figure]]:
    """Each team with its share of requests, measured from the ledger (the requests received
    in the period by these teams; with fewer than ``ENOUGH``, its share of the open
    assessments, assumed), and its caseworkers, a placeholder."""
    if not caseload.teams:
        return []
    when = measures.period
    received = {t.name: measures.requests_by_team.get(t.name, 0) for t in caseload.teams}
    total = sum(received.values())
    others = sum(measures.requests_by_team.values()) - total
    left_out = f"; {others:,} requests of teams with no open case left out" if others else ""
    measured = total >= ENOUGH
    weights = received if measured else {t.name: t.assessments for t in caseload.teams}
    shares = _shares([weights[t.name] for t in caseload.teams])
    out = []
    for load, share in zip(caseload.teams, shares, strict=True):
        if measured:
            requests = Figure(
                share,
                f"ledger: {received[load.name]:,} of {total:,} requests received {when} were "
                f"{load.name}'s",
                left_out.removeprefix("; "),
            )
        else:
            requests = Figure(
                share,
                note=too_few(
                    total,
                    "requests received",
                    when,
                    f"its share of the open assessments ({load.assessments:,}) instead{left_out}",
                ),
            )
        staff = Figure(
            _staff_placeholder(load),
            note=f"placeholder: {load.caseworkers:,} caseworkers are named on the team's open "
            "cases; set the full-time equivalent (the teams' add up to capacity.caseworkers)",
        )
        out.append((load, requests, staff))
    return out


def _staff_placeholder(load: TeamLoad) -> float:
    """A team's caseworkers until the council sets them: those named on its open cases."""
    return float(max(1, load.caseworkers))


def _shares(weights: list[int]) -> list[float]:
    """``weights`` as shares to 3 decimal places that add up to 1 (equal, if all are none)."""
    total = sum(weights)
    if not total:
        weights, total = [1] * len(weights), len(weights)
    shares = [round(w / total, 3) for w in weights[:-1]]
    return [*shares, round(1 - sum(shares), 3)]


def scenario_text(
    caseload: Caseload, measures: Measures, *, name: str, title: str, weeks: int
) -> str:
    """The scenario file, checked with ``scenarios.model.loads``."""
    figures = measures.figures | capacity(caseload, measures)
    by_team = teams(caseload, measures)
    if by_team:
        figures["capacity.caseworkers"] = Figure(
            float(sum(_staff_placeholder(load) for load, _, _ in by_team)),
            note="placeholder: the teams' caseworkers added up; set each team's in [[teams]]",
        )
    names = team_names(caseload)
    doc = tomlkit.document()
    for comment in _comments(_header(caseload, measures, title)):
        doc.add(comment)
    doc.add(tomlkit.nl())
    doc.add("version", 1)
    doc.add(tomlkit.nl())
    doc.add(
        "scenario",
        {
            "name": name,
            "title": title,
            "description": "Start state from the read model; figures from the ledger, "
            f"{measures.period}.",
            "start": caseload.start,
            "weeks": weeks,
        },
    )
    if caseload.assessments or caseload.plans:
        doc.add("start_state", _start_state(caseload, names))
    months = ", ".join(f"{m} {n}" for m, n in measures.requests_by_month) or "none"
    _add_below(
        doc,
        "demand",
        _figures(figures, "demand"),
        f"Requests received by month: {months}. Add seasonality (12 factors) if they vary by "
        "season.",
    )
    doc.add("decisions", _figures(figures, "decisions"))
    _add_below(doc, "timings", _figures(figures, "timings"), "[low, most likely, high] weeks.")
    capacity_table = _figures(figures, "capacity")
    capacity_table.add("hours_per_task", _figures(figures, "capacity.hours_per_task"))
    capacity_table.add("costs", _figures(figures, "capacity.costs"))
    _add_below(
        doc,
        "capacity",
        capacity_table,
        "EDIT: capacity is not in the ledger. Each figure is a placeholder: set the council's "
        "own (scenarios/README.md, [capacity]).",
    )
    if by_team:
        doc.add(tomlkit.nl())
        for line in _comments(
            [
                "EDIT: each team's caseworkers are placeholders; its share of requests is "
                "measured (scenarios/README.md, [[teams]])."
            ]
        ):
            doc.add(line)
        doc.add("teams", _teams(by_team, names))
    doc.add("reviews", _figures(figures, "reviews"))
    policies = ", ".join(p.value for p in model.Policy)
    _add_below(
        doc,
        "priority",
        tomlkit.table().add("policy", model.Policy.OLDEST_FIRST.value),
        f"EDIT: the order ready work is done in ({policies}).",
    )
    text = tomlkit.dumps(doc)
    model.loads(text, f"snapshot {name}")  # a mistake here is a bug: refuse to write it
    return text


def _header(caseload: Caseload, measures: Measures, title: str) -> list[str]:
    """What the file is, where each part came from and what is left to edit."""
    when = measures.period
    lines = [
        title,
        "",
        f"Written by `ehc simulate snapshot` on {day(caseload.read_on)} from the reporting "
        "database.",
        f"Start state: the open assessments and the plans in force as the read model held them "
        f"on {day(caseload.read_on)}, by stage and weeks since the request on "
        f"{day(caseload.start)}, and by the month each plan's next review falls due. No case or "
        "person is named: only dates, stages and counts.",
        f"Measured from the ledger over {when}: demand, the decisions, lead times and reviews "
        f"(each source says what was counted). A figure with fewer than {ENOUGH} cases behind "
        "it is assumed; its note says why.",
        "Lead times are the time cases took, waits for caseworker and psychology time included.",
    ]
    if measures.partial and measures.first_written is not None:
        lines.append(
            f"The ledger was first written on {day(measures.first_written)}: cases closed "
            "before then are counted only if they were entered since."
        )
    excepted, ended = measures.exceptions
    lines.append(
        f"Not written: exceptions ({excepted:,} of {ended:,} assessments that ended {when} had "
        "one applied to the 20-week limit; the ledger does not keep the reason: add "
        "[exceptions.<reason>] tables, scenarios/README.md)"
        + (f"; {caseload.ceasing:,} plans being ceased" if caseload.ceasing else "")
        + "."
    )
    lines.append("EDIT [capacity] and [priority]: placeholders, not measured.")
    return lines


def _teams(by_team: list[tuple[TeamLoad, Figure, Figure]], names: dict[str, str]) -> AoT:
    tables = tomlkit.aot()
    for load, requests, staff in by_team:
        table = tomlkit.table()
        table.add("name", names[load.name])
        table.add("title", load.name[:120])
        table.add("share_of_requests", _inline(requests))
        table.add("caseworkers", _inline(staff))
        tables.append(table)
    return tables


def _start_state(caseload: Caseload, names: dict[str, str]) -> Table:
    """The open assessments and the plans, each group with where it was read (and its team,
    by its name in the file, when read by team)."""
    read = f"read model, {day(caseload.read_on)}"
    state = tomlkit.table(is_super_table=True)
    if caseload.assessments:
        state.add(
            "open_assessments",
            _tables(
                {
                    "stage": g.stage.value,
                    "weeks": list(g.weeks),
                    "count": g.count,
                    **({"team": names[g.team]} if g.team is not None else {}),
                    "source": f"{read}: {g.count:,} open assessments at {g.stage.value} "
                    f"({STAGE_WORDS[g.stage]}), {_weeks_words(g.weeks)} since the request",
                }
                for g in caseload.assessments
            ),
        )
    if caseload.plans:
        state.add(
            "plans",
            _tables(
                {
                    "count": p.count,
                    "due_from": p.due_from,
                    "due_to": p.due_to,
                    **({"team": names[p.team]} if p.team is not None else {}),
                    "source": f"{read}: plans whose next review is due "
                    f"{period(p.due_from, p.due_to)}"
                    + (" (overdue)" if p.due_to < caseload.start else ""),
                }
                for p in caseload.plans
            ),
        )
    return state


def _tables(rows: Iterable[dict[str, object]]) -> AoT:
    tables = tomlkit.aot()
    for row in rows:
        tables.append(tomlkit.item(row))
    return tables


def _weeks_words(weeks: tuple[int, int]) -> str:
    low, high = weeks
    return f"{low} weeks" if low == high else f"{low}-{high} weeks"


def _figures(figures: dict[str, Figure], section: str) -> Table:
    """The figures of ``section`` (not those of its subtables), each an inline table."""
    prefix = section + "."
    table = tomlkit.table()
    for key, figure in figures.items():
        name = key.removeprefix(prefix)
        if key.startswith(prefix) and "." not in name:
            table.add(name, _inline(figure))
    return table


def _inline(figure: Figure) -> InlineTable:
    inline = tomlkit.inline_table()
    # A lead time's three weeks are written as floats; every value to 3 decimal places.
    value = figure.value
    inline["value"] = (
        [round(float(v), 3) for v in value] if isinstance(value, tuple) else round(value, 3)
    )
    if figure.assumed:
        inline["assumed"] = True
    else:
        inline["source"] = figure.source
    if figure.note:
        inline["note"] = figure.note
    return inline


def _add_below(doc: TOMLDocument, key: str, table: Table, comment: str) -> None:
    """``table`` after a blank line and ``comment``, the comment right above its header."""
    doc.add(tomlkit.nl())
    for line in _comments([comment]):
        doc.add(line)
    doc.add(key, table)
    table.trivia.indent = ""  # tomlkit parts a header from a comment above it by a blank line


def _comments(lines: Iterable[str], width: int = 98) -> list[Comment]:
    """Lines as TOML comments, wrapped at ``width``; an empty line is a bare ``#``."""
    return [
        tomlkit.comment(wrapped)
        for line in lines
        for wrapped in (textwrap.wrap(line, width - 2) or [""])
    ]
