"""Due rules as data: how a step's date follows from a case's legal dates ("anchors").

The processes declared in ``statutory.clock_processes`` state each limit as one of these
rules, beside its regulation, so the calculator, the workflow and the docs read the same
arithmetic. An anchor not yet known (no decision recorded yet) gives no date: the step is not
yet due. The counting conventions are ``statutory.dates``'s; working days are England and
Wales's (``statutory.working_days``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from statutory.dates import months_after, weeks_after
from statutory.working_days import is_working_day

Dates = Mapping[str, date]


def working_days_beginning_with(start: date, days: int) -> date:
    """The last of ``days`` working days beginning with ``start`` (``start`` counts when it is
    a working day): reg 15(2)'s 15 working days, reg 33's 3."""
    if days < 1:
        raise ValueError("a period of working days lasts at least one day")
    day, counted = start, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class After:
    """``weeks``/``days``/``months`` from an anchor ("N weeks from X" is X + 7N), or the
    last of ``working_days`` working days beginning with it; nothing added: the day itself."""

    anchor: str
    weeks: int = 0
    days: int = 0
    months: int = 0
    working_days: int = 0

    def on(self, dates: Dates, variant: str | None = None) -> date | None:
        start = dates.get(self.anchor)
        if start is None:
            return None
        if self.working_days:
            return working_days_beginning_with(start, self.working_days)
        return weeks_after(months_after(start, self.months), self.weeks) + timedelta(self.days)

    def anchors(self) -> frozenset[str]:
        return frozenset({self.anchor})


@dataclass(frozen=True, slots=True)
class Latest:
    """The later of the rules whose anchors are known ("whichever is later")."""

    rules: tuple[Rule, ...]

    def on(self, dates: Dates, variant: str | None = None) -> date | None:
        found = [d for r in self.rules if (d := r.on(dates, variant)) is not None]
        return max(found) if found else None

    def anchors(self) -> frozenset[str]:
        return frozenset().union(*(r.anchors() for r in self.rules))


@dataclass(frozen=True, slots=True)
class FirstKnown:
    """The first rule whose anchor is known (the last review if there was one, else the
    plan's date)."""

    rules: tuple[Rule, ...]

    def on(self, dates: Dates, variant: str | None = None) -> date | None:
        for rule in self.rules:
            day = rule.on(dates, variant)
            if day is not None:
                return day
        return None

    def anchors(self) -> frozenset[str]:
        return frozenset().union(*(r.anchors() for r in self.rules))


@dataclass(frozen=True, slots=True)
class ByVariant:
    """A limit that depends on the kind of case (the type of a Tribunal order); a variant
    with no rule here has no such step."""

    rules: Mapping[str, Rule] = field(default_factory=dict)

    def on(self, dates: Dates, variant: str | None = None) -> date | None:
        rule = self.rules.get(variant or "")
        return rule.on(dates, variant) if rule else None

    def anchors(self) -> frozenset[str]:
        return frozenset().union(*(r.anchors() for r in self.rules.values()))

    def applies(self, variant: str | None) -> bool:
        return (variant or "") in self.rules


Rule = After | Latest | FirstKnown | ByVariant
