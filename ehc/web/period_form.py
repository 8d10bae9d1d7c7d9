"""The performance page's period picker: a month, a quarter or a year, and a team.

A GET form (bookmarkable; the CSV link carries the same query) with one select, ``period``,
whose options are grouped into quarters, months and years and whose values are
``ehc kpi --period``'s (``2026-Q3``, ``2026-10``, ``2026``), and a team select. Periods are
calendar periods (``statutory.periods``); any period ``ehc kpi`` takes may be asked for by
address, even one older than those listed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from ehc.web.forms import Choice
from statutory.dates import MONTHS
from statutory.errors import RuleViolation
from statutory.periods import Granularity, Period, month, parse_period, year

MONTHS_LISTED = 24
QUARTERS_LISTED = 8
YEARS_LISTED = 6


def quarter_of(day: date) -> Period:
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def period_words(p: Period) -> str:
    """ "Oct 2026", "Oct to Dec 2026", "2026": a period as the page names it."""
    match p.granularity:
        case Granularity.MONTH:
            return f"{MONTHS[p.start.month - 1]} {p.start.year}"
        case Granularity.QUARTER:
            return f"{MONTHS[p.start.month - 1]} to {MONTHS[p.end.month - 1]} {p.end.year}"
        case _:
            return str(p.start.year)


@dataclass(frozen=True, slots=True)
class OptionGroup:
    label: str
    options: list[Choice]


@dataclass(slots=True)
class PeriodForm:
    """What the form shows (its options, what is chosen) and what was wrong with the query."""

    period: Period | None
    asked: str
    """The period as asked for (shown chosen again when it cannot be used)."""
    team: str | None
    periods: list[OptionGroup]
    teams: list[Choice]
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def query(self) -> str:
        """The chosen period and team as a query string (for the CSV link)."""
        if self.period is None:
            return ""
        team = f"&team={self.team}" if self.team else ""
        return f"period={self.period.label}{team}"


def _listed(today: date) -> list[OptionGroup]:
    q = today.year * 4 + (today.month - 1) // 3
    quarters = [parse_period(f"{i // 4}-Q{i % 4 + 1}") for i in range(q, q - QUARTERS_LISTED, -1)]
    m = today.year * 12 + today.month - 1
    months = [month(i // 12, i % 12 + 1) for i in range(m, m - MONTHS_LISTED, -1)]
    years = [year(today.year - i) for i in range(YEARS_LISTED)]

    def option(p: Period) -> Choice:
        words = period_words(p)
        if p.start <= today <= p.end:
            words += " (to date)"
        return Choice(p.label, words)

    return [
        OptionGroup("Quarters", [option(p) for p in quarters]),
        OptionGroup("Months", [option(p) for p in months]),
        OptionGroup("Years", [option(p) for p in years]),
    ]


_GROUP_OF = {Granularity.QUARTER: 0, Granularity.MONTH: 1, Granularity.YEAR: 2}


def _with(groups: list[OptionGroup], chosen: Period | None) -> list[OptionGroup]:
    """A period asked for by address but not listed (an older one) is added to its group, so
    it shows as chosen."""
    if chosen is None or any(o.value == chosen.label for g in groups for o in g.options):
        return groups
    index = _GROUP_OF[chosen.granularity]
    group = groups[index]
    added = OptionGroup(group.label, [*group.options, Choice(chosen.label, period_words(chosen))])
    return [added if i == index else g for i, g in enumerate(groups)]


def read_period_form(
    query: Mapping[str, str], today: date, known_teams: Collection[str]
) -> PeriodForm:
    """The period and team asked for; with nothing asked, the current quarter to date and
    every team. A period or team that cannot be used is an error naming its field."""
    errors: list[tuple[str, str]] = []
    asked = (query.get("period") or "").strip()
    chosen: Period | None = quarter_of(today)
    if asked:
        try:
            chosen = parse_period(asked)
        except RuleViolation as error:
            chosen = None
            errors.append(("period", str(error)))
    team = (query.get("team") or "").strip() or None
    if team is not None and team not in known_teams:
        errors.append(("team", "Choose a team from the list, or all teams"))
    teams = [Choice("", "All teams")] + [Choice(t, t) for t in sorted(known_teams)]
    return PeriodForm(
        period=chosen,
        asked=asked or (chosen.label if chosen else ""),
        team=team,
        periods=_with(_listed(today), chosen),
        teams=teams,
        errors=errors,
    )
