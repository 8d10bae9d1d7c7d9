"""What a scenario's capacity costs over its horizon, line by line, from its capacity schedule.

Costs follow the capacity stated, not the work done: caseworkers and in-house psychologists are
paid every week they are in post, used or not; a line with ``cost_per_week`` (locums, agency
staff) every week it runs; an outsourced number as contracted, for the cases its schedule puts
inside the horizon (``scenarios.calendar`` spreads it, as the engine does). The figures come
from ``[capacity.costs]`` and the changes' own costs (``scenarios.model``); a scenario without
``[capacity.costs]`` has no cost lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.calendar import applies, period_weeks, spread
from scenarios.model import CapacityChange, Figure, Scenario
from statutory.dates import weeks_after


@dataclass(frozen=True, slots=True)
class CostLine:
    """One line of the bill: ``quantity`` units of ``unit`` at ``unit_cost`` pounds each."""

    label: str
    unit: str
    quantity: float
    unit_cost: float
    figure: Figure[float]
    """The figure the unit cost comes from (its source, or that it is assumed)."""

    @property
    def total(self) -> float:
        return self.quantity * self.unit_cost

    @property
    def basis(self) -> str:
        """Where the unit cost comes from, as written in the file."""
        if self.figure.source:
            return self.figure.source
        return "assumed" + (f" ({self.figure.note})" if self.figure.note else "")


def _weeks_running(change: CapacityChange, scenario: Scenario) -> int:
    info = scenario.scenario
    return sum(
        applies(change.start, change.end, weeks_after(info.start, w)) for w in range(info.weeks)
    )


def _contracted(change: CapacityChange, number: int, scenario: Scenario) -> int:
    """How many of an outsourced ``number`` its schedule puts inside the horizon."""
    info = scenario.scenario
    first, n = period_weeks(change, info.start)
    return sum(
        spread(number, n, (weeks_after(info.start, w) - first).days // 7) for w in range(info.weeks)
    )


def _change_lines(change: CapacityChange, scenario: Scenario) -> list[CostLine]:
    costs = scenario.capacity.costs
    assert costs is not None
    label = change.label
    lines: list[CostLine] = []
    if change.weekly_capacity:
        weeks = _weeks_running(change, scenario)
        if change.cost_per_week is not None:
            lines.append(
                CostLine(label, "week", weeks, change.cost_per_week.value, change.cost_per_week)
            )
        else:
            if change.caseworkers:
                rate = costs.caseworker_week
                lines.append(
                    CostLine(label, "caseworker-week", change.caseworkers * weeks, rate.value, rate)
                )
            if change.psychology_per_week:
                rate = costs.psychology_assessment
                quantity = change.psychology_per_week * weeks
                lines.append(CostLine(label, "assessment of capacity", quantity, rate.value, rate))
    for number, price, unit in (
        (change.psychology_outsourced, change.cost_per_assessment, "assessment outsourced"),
        (change.reviews_outsourced, change.cost_per_review, "review outsourced"),
    ):
        if number:
            assert price is not None  # the model refuses an outsourced number without a price
            lines.append(
                CostLine(label, unit, _contracted(change, number, scenario), price.value, price)
            )
    return lines


def cost_lines(scenario: Scenario) -> list[CostLine] | None:
    """The scenario's cost over its horizon, line by line; None when it states no costs."""
    capacity = scenario.capacity
    costs = capacity.costs
    if costs is None:
        return None
    weeks = scenario.scenario.weeks
    lines = [
        CostLine(
            "caseworkers in post",
            "caseworker-week",
            capacity.caseworkers.value * weeks,
            costs.caseworker_week.value,
            costs.caseworker_week,
        ),
        CostLine(
            "psychology in house",
            "assessment of capacity",
            capacity.psychology_per_week.value * weeks,
            costs.psychology_assessment.value,
            costs.psychology_assessment,
        ),
    ]
    for change in capacity.changes:
        lines += _change_lines(change, scenario)
    return lines


def total(lines: list[CostLine]) -> float:
    return sum(line.total for line in lines)
