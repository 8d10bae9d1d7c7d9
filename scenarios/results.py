"""What a scenario's replications add up to: weekly series with bands, the in-time rate by month
of issue, when the backlog clears, a summary table, and CSV files.

Bands are the 10th and 90th percentiles across Monte Carlo replications around the median.
"Within 20 weeks" is counted by month of issue, as the national SEN2 return counts it:
including exceptions (every plan) and excluding them (the headline figure, which leaves out
plans where an exception applied; ``statutory.assessment.AssessmentOutcome``).

Costs (when the scenario states them, ``scenarios.costs``) are the capacity's over the horizon:
the same in every replication; divided by the plans each replication issues, and by those it
issues within 20 weeks (excluding exceptions, as the headline), they have bands.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import numpy as np

from scenarios import costs
from scenarios import tribunal as tb
from scenarios.engine import WITHDRAWN, Monthly, Run, series_of
from scenarios.model import Scenario
from statutory.dates import weeks_after

Month = tuple[int, int]
LOW, HIGH = 10, 90


@dataclass(frozen=True, slots=True)
class Band:
    low: float
    median: float
    high: float

    @classmethod
    def of(cls, values: list[float], method: str = "linear") -> Band:
        """Percentiles of the values that are numbers (NaN: no value in that replication)."""
        finite = [v for v in values if not math.isnan(v)]
        if not finite:
            return cls(math.nan, math.nan, math.nan)
        low, median, high = np.percentile(finite, [LOW, 50, HIGH], method=method)  # type: ignore[call-overload]
        return cls(float(low), float(median), float(high))


@dataclass(frozen=True, slots=True)
class Measure:
    key: str
    label: str
    band: Band
    unit: str = ""
    """"%", "week" (a week index; see ``ScenarioResult.week_start``), "£" or "" for counts."""


def percent(numerator: int, denominator: int) -> float:
    return 100 * numerator / denominator if denominator else math.nan


def _pct_including(m: Monthly) -> float:
    return percent(m.within_20_weeks, m.issued)


def _pct_excluding(m: Monthly) -> float:
    return percent(m.within_20_weeks_excluding_exceptions, m.counted_excluding_exceptions)


def _lower(values: list[float]) -> tuple[float, float, float]:
    """10th, 50th, 90th percentiles taken as observed values (a week that happened, or inf)."""
    low, median, high = np.percentile(values, [LOW, 50, HIGH], method="lower")
    return float(low), float(median), float(high)


def cleared_week(series: list[float], threshold: int) -> int | None:
    """First week at or under ``threshold`` (0 if the start was), or None if it never is."""
    for week, value in enumerate(series):
        if value <= threshold:
            return week
    return None


def _sum(months: list[Monthly]) -> Monthly:
    total = Monthly()
    for m in months:
        total.issued += m.issued
        total.within_20_weeks += m.within_20_weeks
        total.counted_excluding_exceptions += m.counted_excluding_exceptions
        total.within_20_weeks_excluding_exceptions += m.within_20_weeks_excluding_exceptions
    return total


class Weekly(Protocol):
    """A replication, or a team's part of one: weekly series by name."""

    weekly: dict[str, list[float]]


R = TypeVar("R", bound=Weekly)


class Summarised(Generic[R]):
    """A result with a summary table: its measures, worked out once (``_measures``), from the
    weekly series of its ``runs`` (over ``weeks`` weeks; a backlog clears at ``threshold``)."""

    def __init__(self, runs: list[R], weeks: int, threshold: int) -> None:
        self.runs = runs
        self.weeks = weeks
        self.threshold = threshold
        self._summary: list[Measure] | None = None
        # Bands across replications, each worked out once: a page, its charts and its report
        # all read the same series.
        self._weekly_bands: dict[str, list[Band]] = {}

    def _measures(self) -> list[Measure]:
        raise NotImplementedError

    def summary(self) -> list[Measure]:
        """The summary table (computed once)."""
        if self._summary is None:
            self._summary = self._measures()
        return self._summary

    def measure(self, key: str) -> Band:
        found = self.find(key)
        if found is None:
            raise KeyError(key)
        return found.band

    def find(self, key: str) -> Measure | None:
        """The summary's measure ``key``, or None (cost measures of a scenario without costs)."""
        return next((m for m in self.summary() if m.key == key), None)

    def weekly(self, name: str) -> list[Band]:
        """The weekly series ``name`` as bands, week by week."""
        if name not in self._weekly_bands:
            self._weekly_bands[name] = self._bands(name)
        return self._weekly_bands[name]

    def _bands(self, name: str) -> list[Band]:
        matrix = np.array([run.weekly[name] for run in self.runs], dtype=float)
        low, median, high = np.nanpercentile(matrix, [LOW, 50, HIGH], axis=0)
        return [
            Band(float(a), float(b), float(c)) for a, b, c in zip(low, median, high, strict=True)
        ]

    def cleared(self, name: str = "past_20_weeks") -> list[int | None]:
        """Per replication, the week the backlog ``name`` clears (None: it does not)."""
        return [cleared_week(run.weekly[name], self.threshold) for run in self.runs]

    def _at(self, name: str, week: int) -> Band:
        return Band.of([run.weekly[name][week] for run in self.runs])

    def _total(self, name: str) -> Band:
        return Band.of([float(sum(run.weekly[name])) for run in self.runs])

    def _weekly(
        self, series: str, label: str, *, key: str | None = None, first_week: bool = True
    ) -> list[Measure]:
        """A weekly series in its first week (``key``_start) and at the end (``key``_end)."""
        key = key or series
        end = Measure(f"{key}_end", f"{label} at the end", self._at(series, self.weeks - 1))
        if not first_week:
            return [end]
        return [Measure(f"{key}_start", f"{label}, first week", self._at(series, 0)), end]

    def _reviews_in_time(self) -> Measure:
        shares = [
            percent(int(sum(r.weekly["reviews_in_time"])), int(sum(r.weekly["reviews_done"])))
            for r in self.runs
        ]
        return Measure("reviews_in_time", "Reviews held by their due date", Band.of(shares), "%")

    def _clearances(self) -> list[Measure]:
        """The weeks the backlogs clear (at or under ``threshold``), as weeks that happened
        (NaN: never)."""
        measures = []
        for key, label, series in (
            ("backlog_cleared", "Assessment backlog cleared (week)", "past_20_weeks"),
            ("review_backlog_cleared", "Review backlog cleared (week)", "review_backlog"),
        ):
            weeks = [math.inf if w is None else float(w) for w in self.cleared(series)]
            band = Band(*(math.nan if math.isinf(v) else v for v in _lower(weeks)))
            measures.append(Measure(key, label, band, "week"))
        return measures


class ScenarioResult(Summarised[Run]):
    """The replications of one scenario, and what they add up to."""

    def __init__(self, scenario: Scenario, runs: list[Run]) -> None:
        if not runs:
            raise ValueError("a result needs at least one replication")
        super().__init__(runs, scenario.scenario.weeks, scenario.report.backlog_cleared_at)
        self.scenario = scenario
        self.series = series_of(scenario)
        """The weekly series its runs record (``engine.SERIES``, then those it states)."""
        first = (scenario.scenario.start.year, scenario.scenario.start.month)
        last = (scenario.end.year, scenario.end.month)
        self._monthly_bands: dict[bool, list[tuple[Month, Band, Band]]] = {}
        self.costs = costs.cost_lines(scenario)
        """The cost of the capacity over the horizon, line by line (None: no costs stated)."""
        self.months: list[Month] = []
        y, m = first
        while (y, m) <= last:
            self.months.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    @property
    def name(self) -> str:
        return self.scenario.name

    def week_start(self, week: int) -> date:
        return weeks_after(self.scenario.scenario.start, week)

    def monthly(self, excluding_exceptions: bool) -> list[tuple[Month, Band, Band]]:
        """By month of issue: plans issued, and the % within 20 weeks."""
        if excluding_exceptions not in self._monthly_bands:
            self._monthly_bands[excluding_exceptions] = self._by_month(excluding_exceptions)
        return self._monthly_bands[excluding_exceptions]

    def _by_month(self, excluding_exceptions: bool) -> list[tuple[Month, Band, Band]]:
        pct = _pct_excluding if excluding_exceptions else _pct_including
        out = []
        for month in self.months:
            counts = [run.monthly.get(month, Monthly()) for run in self.runs]
            out.append(
                (
                    month,
                    Band.of([float(c.issued) for c in counts]),
                    Band.of([pct(c) for c in counts]),
                )
            )
        return out

    def clearance(self, name: str = "past_20_weeks") -> tuple[int | None, float]:
        """Median week of clearance (None if most replications never clear) and share cleared."""
        weeks = self.cleared(name)
        median = _lower([math.inf if w is None else w for w in weeks])[1]
        share = sum(w is not None for w in weeks) / len(weeks)
        return (None if math.isinf(median) else int(median)), share

    def overall(self, excluding_exceptions: bool, months: int | None = None) -> Band:
        """% within 20 weeks over the horizon (or its last ``months`` months)."""
        pct = _pct_excluding if excluding_exceptions else _pct_including
        chosen = self.months[-months:] if months else self.months
        return Band.of(
            [pct(_sum([run.monthly.get(m, Monthly()) for m in chosen])) for run in self.runs]
        )

    def exception_cases(self) -> Band:
        """% of plans issued whose 20 weeks an exception lifted (reg 13(3)): left out of the
        headline, which counts only the plans without one."""
        shares = []
        for run in self.runs:
            total = _sum(list(run.monthly.values()))
            shares.append(percent(total.issued - total.counted_excluding_exceptions, total.issued))
        return Band.of(shares)

    def _cost_measures(self) -> list[Measure]:
        if self.costs is None:
            return []
        spent = costs.total(self.costs)
        issued = [sum(run.weekly["plans_issued"]) for run in self.runs]
        in_time = [
            _sum(list(run.monthly.values())).within_20_weeks_excluding_exceptions
            for run in self.runs
        ]
        return [
            Measure("total_cost", "Total cost", Band(spent, spent, spent), "£"),
            Measure("cost_per_plan", "Cost per plan issued", _per(spent, issued), "£"),
            Measure(
                "cost_per_plan_in_time",
                "Cost per plan within 20 weeks, excl. exceptions",
                _per(spent, in_time),
                "£",
            ),
        ]

    def _withdrawn(self) -> list[Measure]:
        """Requests withdrawn, when the scenario withdraws any: ended without a decision or a
        plan, so in neither plans issued nor the in-time rates (as SEN2 leaves them out)."""
        if WITHDRAWN not in self.series:
            return []
        return [Measure(WITHDRAWN, "Requests withdrawn", self._total(WITHDRAWN))]

    def _tribunal(self) -> list[Measure]:
        """Appeals and orders, when the scenario has ``[tribunal]``: appeals per 100 decisions
        that could be appealed, and the share of the orders complied with (and concessions)
        that met every limit (regs 44-45)."""
        if tb.REGISTERED not in self.series:
            return []

        def per_100(name: str, of: str) -> Band:
            return Band.of(
                [percent(int(sum(r.weekly[name])), int(sum(r.weekly[of]))) for r in self.runs]
            )

        return [
            Measure(tb.REGISTERED, "Appeals registered", self._total(tb.REGISTERED)),
            Measure(
                "appeals_per_100_decisions",
                "Appeals per 100 appealable decisions",
                per_100(tb.REGISTERED, tb.APPEALABLE),
            ),
            Measure(tb.ORDERS, "Tribunal orders and concessions", self._total(tb.ORDERS)),
            Measure(
                tb.CONCESSIONS, "Conceded by the council (reg 45)", self._total(tb.CONCESSIONS)
            ),
            Measure(
                "orders_in_time",
                "Of orders complied with, within every limit",
                per_100(tb.ORDERS_IN_TIME, tb.ORDERS_COMPLIED),
                "%",
            ),
            *self._weekly(tb.ORDERS_PAST_LIMIT, "Orders open past their limit", first_week=False),
        ]

    def _measures(self) -> list[Measure]:
        return [
            Measure("requests", "Requests for assessment", self._total("requests")),
            Measure("plans_issued", "Plans issued", self._total("plans_issued")),
            *self._withdrawn(),
            Measure(
                "within_20_weeks_excluding_exceptions",
                "Within 20 weeks, excl. exceptions (headline)",
                self.overall(True),
                "%",
            ),
            Measure(
                "within_20_weeks_including_exceptions",
                "Within 20 weeks, incl. exceptions",
                self.overall(False),
                "%",
            ),
            Measure(
                "exception_cases",
                "Plans issued with an exception (left out of the headline)",
                self.exception_cases(),
                "%",
            ),
            Measure(
                "within_20_weeks_last_3_months",
                "Within 20 weeks excl. exceptions, last 3 months",
                self.overall(True, 3),
                "%",
            ),
            *self._cost_measures(),
            *self._tribunal(),
            *self._weekly("open_assessments", "Open assessments", first_week=False),
            *self._weekly("past_20_weeks", "Open past 20 weeks"),
            *self._weekly("psychology_waiting", "Waiting for psychology advice", first_week=False),
            *self._weekly("review_backlog", "Reviews overdue"),
            self._reviews_in_time(),
            *self._weekly("caseload_per_caseworker", "Caseload per caseworker", key="caseload"),
            *self._clearances(),
        ]


def _per(spent: float, counts: Sequence[float]) -> Band:
    """``spent`` per unit counted, in each replication (none counted: no value)."""
    return Band.of([spent / n if n else math.nan for n in counts])


def format_value(value: float, unit: str, result: ScenarioResult | None = None) -> str:
    if math.isnan(value):
        return "-"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "£":
        return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"
    if unit == "week":
        week = round(value)
        return f"{week} ({result.week_start(week)})" if result else str(week)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


# --- CSV --------------------------------------------------------------------------------------


def write_csv(result: ScenarioResult, folder: Path) -> list[Path]:
    """weekly.csv, monthly.csv, summary.csv and replications.csv in ``folder``, and costs.csv
    when the scenario states its costs."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = {name: result.weekly(name) for name in result.series}
    weekly = (
        [week, result.week_start(week).isoformat()]
        + [n for name in result.series for n in _band(columns[name][week])]
        for week in range(result.weeks)
    )
    monthly = (
        [f"{month[0]}-{month[1]:02d}", _num(issued.median), *_band(inc), *_band(exc_)]
        for (month, issued, inc), (_, _, exc_) in zip(
            result.monthly(False), result.monthly(True), strict=True
        )
    )
    summary = ([m.key, m.label, m.unit, *_band(m.band)] for m in result.summary())
    replications = (
        _replication(i, run, cleared)
        for i, (run, cleared) in enumerate(zip(result.runs, result.cleared(), strict=True))
    )
    return [
        _write(
            folder / "weekly.csv",
            ["week", "week_start", *(c for name in result.series for c in _band_columns(name))],
            weekly,
        ),
        _write(
            folder / "monthly.csv",
            [
                "month",
                "plans_issued_median",
                *_band_columns("within_20_weeks_incl"),
                *_band_columns("within_20_weeks_excl"),
            ],
            monthly,
        ),
        _write(folder / "summary.csv", ["measure", "label", "unit", *BAND_COLUMNS], summary),
        *_costs_csv(result, folder),
        _write(
            folder / "replications.csv",
            [
                "replication",
                "seed",
                "plans_issued",
                "within_20_weeks_excl_pct",
                "past_20_weeks_end",
                "review_backlog_end",
                "backlog_cleared_week",
                "events",
            ],
            replications,
        ),
    ]


def _costs_csv(result: ScenarioResult, folder: Path) -> list[Path]:
    if result.costs is None:
        return []
    rows: list[list[object]] = [
        [
            line.label,
            line.unit,
            _num(line.quantity),
            _num(line.unit_cost),
            _num(line.total),
            line.basis,
        ]
        for line in result.costs
    ]
    rows.append(["total", "", "", "", _num(costs.total(result.costs)), ""])
    header = ["line", "unit", "quantity", "unit_cost", "total", "basis"]
    return [_write(folder / "costs.csv", header, rows)]


def _replication(i: int, run: Run, cleared: int | None) -> list[object]:
    total = _sum(list(run.monthly.values()))
    return [
        i,
        run.seed,
        total.issued,
        _num(_pct_excluding(total)),
        run.weekly["past_20_weeks"][-1],
        run.weekly["review_backlog"][-1],
        "" if cleared is None else cleared,
        run.events,
    ]


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


#: A band's three values, in CSV column names.
BAND_COLUMNS = ("p10", "median", "p90")


def _band_columns(name: str) -> list[str]:
    return [f"{name}_{column}" for column in BAND_COLUMNS]


def _band(b: Band) -> list[str]:
    return [_num(b.low), _num(b.median), _num(b.high)]


def _num(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
