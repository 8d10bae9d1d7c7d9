"""A one-page HTML report of a run, or of options compared, for a board paper.

The page stands alone (one file to attach or print): its charts are the SVG files that
``scenarios.charts`` writes beside it, inlined, each named and described in words for a
screen reader; its styles are in the page. It gives the summary table (or the ranking and
every measure side by side), a table by team for a scenario with teams, the charts, and the
assumptions: every figure of the scenario
with its value and its source, or "Assumed", and the file's note. Tables are built from
``ScenarioResult.summary()`` and from the scenario's own fields, so a measure or a figure
added there appears here without a change.

Also here, because the web pages say the same: what each chart shows, in words (its alt
text), and how a ranking criterion reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from itertools import groupby
from pathlib import Path
from typing import Any, Protocol, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from pydantic import BaseModel

from scenarios import tribunal as tb
from scenarios.compare import DESCRIPTION, RANKED_MEASURE, Criterion, Ranked, close_call
from scenarios.model import Figure, Policy, Scenario, Sourced
from scenarios.results import Band, Month, ScenarioResult, format_value
from scenarios.team_results import team_results
from statutory.dates import MONTHS, as_written


class _Sectioned(Protocol):
    @property
    def section(self) -> str: ...


A = TypeVar("A", bound=_Sectioned)

TEMPLATES = Path(__file__).parent / "templates"

#: A month with fewer plans issued than this is drawn hollow: its percentage rests on few.
FEW_PLANS = 10

#: The lines of the backlog chart, in its order and words.
BACKLOG_LINES = (
    ("open_assessments", "Open assessments"),
    ("past_20_weeks", "Open past 20 weeks"),
    ("psychology_waiting", "Waiting for psychology advice"),
    ("review_backlog", "Annual reviews overdue"),
)
RUN_CHART_TITLES = {
    "backlog": "Backlog each week",
    "in_time": "Plans issued within 20 weeks, by month of issue",
    "caseload": "Caseload per caseworker (plans and open assessments)",
}
#: The comparison charts of a weekly measure: ``compare_<series>``, and their titles.
COMPARED_LINES = (
    ("past_20_weeks", "Open assessments past 20 weeks"),
    ("review_backlog", "Annual reviews overdue"),
    ("psychology_waiting", "Waiting for psychology advice"),
    ("caseload_per_caseworker", "Caseload per caseworker"),
)
COMPARISON_IN_TIME_TITLE = "Within 20 weeks excl. exceptions, by month of issue"

#: Each criterion as the pages and the report name it (``DESCRIPTION`` says how it ranks).
CRITERION_WORDS = {
    Criterion.CLEARANCE: "When the assessment backlog clears",
    Criterion.IN_TIME: "Plans issued within 20 weeks",
    Criterion.END_BACKLOG: "Assessments open past 20 weeks at the end",
    Criterion.REVIEW_BACKLOG: "Annual reviews overdue at the end",
}


def criterion_heading(criterion: Criterion) -> str:
    """ "When the assessment backlog clears": the criterion as a heading (a criterion added
    to ``scenarios.compare`` without words here is named by its value)."""
    return CRITERION_WORDS.get(criterion) or criterion.value.replace("-", " ").capitalize()


#: The criteria that rank by a count, written whole (``scenarios.compare`` says which measure).
_COUNTED = (Criterion.END_BACKLOG, Criterion.REVIEW_BACKLOG)


def policy_words(policy: Policy) -> str:
    """ "new in time first": a priority policy as a label reads it."""
    return policy.value.replace("-", " ")


# --- figures in words ---------------------------------------------------------------------------


def value_words(value: float, unit: str, result: ScenarioResult | None = None) -> str:
    """One figure as a person reads it: "46.4%", "1,234", "week 12 (30 Mar 2020)". A count
    (no unit) is a whole number of cases: a median across replications may fall between two
    and is rounded; a unit this page does not know is written as ``format_value`` writes it."""
    if unit == "week":
        return _week_words(value, result)
    if math.isnan(value):
        return "None"
    if unit == "":
        return f"{round(value):,}"
    return format_value(value, unit, result)


def _week_words(value: float, result: ScenarioResult | None, band: str = "") -> str:
    """A week of the run and the day it starts; NaN: the backlog never cleared."""
    if math.isnan(value):
        return "Never"
    week = round(value)
    inside = "; ".join(
        p for p in (as_written(result.week_start(week)) if result else "", band) if p
    )
    return f"week {week} ({inside})" if inside else f"week {week}"


def band_words(band: Band, unit: str = "", result: ScenarioResult | None = None) -> str:
    """ "120 (100 to 140)": the median and, when they differ from it, the 10% and 90% values
    ("week 37 (21 Sep 2020; weeks 23 to 37)" for a week)."""
    if unit == "week":
        # A 90% value of NaN: the slowest replications never cleared.
        low, high = (("never" if math.isnan(v) else str(round(v))) for v in (band.low, band.high))
        if math.isnan(band.median) or low == high == str(round(band.median)):
            return _week_words(band.median, result)
        spread = (
            f"weeks {low} to {high}"
            if high != "never"
            else f"from week {low}; some replications never clear"
        )
        return _week_words(band.median, result, spread)
    median = value_words(band.median, unit)
    if math.isnan(band.median):
        return median
    low, high = value_words(band.low, unit), value_words(band.high, unit)
    return median if low == high == median else f"{median} ({low} to {high})"


def month_words(month: Month) -> str:
    return f"{MONTHS[month[1] - 1]} {month[0]}"


def clearance_words(result: ScenarioResult) -> str:
    cleared, share = result.clearance()
    if cleared is None:
        return f"The assessment backlog does not clear ({share:.0%} of replications clear it)."
    return (
        f"The assessment backlog clears in week {cleared} "
        f"({as_written(result.week_start(cleared))}), in {share:.0%} of replications."
    )


def tribunal_words(result: ScenarioResult) -> str:
    """The appeals and orders of a run with ``[tribunal]``, in a sentence (medians); empty
    without it."""
    registered = result.find(tb.REGISTERED)
    if registered is None:
        return ""
    per_100 = result.measure("appeals_per_100_decisions").median
    orders = result.measure(tb.ORDERS).median
    in_time = result.measure("orders_in_time").median
    complied = (
        "none complied with yet"
        if math.isnan(in_time)
        else f"{value_words(in_time, '%')} of those complied with met every limit"
    )
    return (
        f"{value_words(registered.band.median, '')} appeals to the Tribunal registered "
        f"({value_words(per_100, '')} per 100 appealable decisions); "
        f"{value_words(orders, '')} orders and concessions, {complied}."
    )


def criterion_words(ranked: Ranked, criterion: Criterion) -> str:
    """An option's value of the criterion: a week named by its day, a count whole."""
    result = ranked.result
    if criterion in _COUNTED:
        return value_words(result.measure(RANKED_MEASURE[criterion]).median, "")
    if criterion is not Criterion.CLEARANCE:
        return ranked.score
    week, share = result.clearance()
    if week is None:
        return f"Does not clear ({share:.0%} of replications clear)"
    return f"week {week} ({as_written(result.week_start(week))}; {share:.0%} of replications clear)"


# --- what each chart shows ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartText:
    """A chart's file name (without .png or .svg), title, and what it shows in words."""

    name: str
    title: str
    description: str


BAND_NOTE = "median across replications, with the 10% to 90% band"


def _span(result: ScenarioResult) -> str:
    return (
        f"{as_written(result.week_start(0))} to {as_written(result.week_start(result.weeks - 1))}"
    )


def _start_and_end(label: str, bands: Sequence[Band]) -> str:
    return (
        f"{label.lower()} {value_words(bands[0].median, '')} in the first week, "
        f"{value_words(bands[-1].median, '')} in the last"
    )


def changes_words(scenario: Scenario) -> str:
    """The dated changes the charts mark, as a sentence (empty when there are none)."""
    found = dated_changes(scenario)
    if not found:
        return ""
    return (
        "Dashed vertical lines mark the changes: "
        + "; ".join(f"{as_written(day)}, {label}" for day, label in found)
        + "."
    )


def dated_changes(scenario: Scenario) -> list[tuple[date, str]]:
    """Each capacity change (its start, and its end) and each change of priority that falls
    within the scenario's span, by date."""
    found: list[tuple[date, str]] = []
    for change in scenario.capacity.changes:
        found.append((change.start, change.label))
        if change.end is not None:
            found.append((change.end, f"end of {change.label}"))
    for policy in scenario.priority.changes:
        found.append((policy.start, f"priority: {policy_words(policy.policy)}"))
    first, last = scenario.scenario.start, scenario.end
    return sorted(((d, label) for d, label in found if first <= d <= last), key=lambda c: c[0])


def _few_words(monthly: Sequence[tuple[Month, Band, Band]]) -> str:
    months = [month for month, issued, _ in monthly if issued.median < FEW_PLANS]
    if not months:
        return ""
    return (
        f"Months with fewer than {FEW_PLANS} plans issued, whose percentage rests on few plans, "
        f"are drawn hollow: {', '.join(month_words(m) for m in months)}."
    )


def run_chart_texts(result: ScenarioResult) -> list[ChartText]:
    """The three charts of a run: backlog, in_time, caseload."""
    span = _span(result)
    changes = changes_words(result.scenario)
    monthly = result.monthly(True)
    issued = [n.median for _, n, _ in monthly]
    caseload = result.weekly("caseload_per_caseworker")
    target = result.scenario.report.caseload_target
    finite = [n for n in issued if not math.isnan(n)] or [0.0]
    return [
        ChartText(
            "backlog",
            RUN_CHART_TITLES["backlog"],
            f"Line chart of the backlog each week from {span} ({BAND_NOTE}): "
            + "; ".join(_start_and_end(label, result.weekly(name)) for name, label in BACKLOG_LINES)
            + ". "
            + changes,
        ),
        ChartText(
            "in_time",
            RUN_CHART_TITLES["in_time"],
            "Line chart of the percentage of new plans issued within 20 weeks, each month from "
            f"{month_words(result.months[0])} to {month_words(result.months[-1])}, excluding "
            "exceptions (the headline figure, with its band) and including them, over bars of "
            f"the plans issued each month ({value_words(min(finite), '')} to "
            f"{value_words(max(finite), '')} a month). Over the whole run: "
            f"{band_words(result.overall(True), '%')} excluding exceptions. "
            + " ".join(p for p in (_few_words(monthly), changes) if p),
        ),
        ChartText(
            "caseload",
            RUN_CHART_TITLES["caseload"],
            f"Line chart of the caseload per caseworker each week from {span} ({BAND_NOTE}): "
            + _start_and_end("Caseload per caseworker", caseload)
            + "."
            + (
                f" A dashed line marks the target of {target:,} cases per caseworker."
                if target
                else ""
            )
            + (f" {changes}" if changes else ""),
        ),
    ]


def comparison_chart_texts(results: Sequence[ScenarioResult]) -> list[ChartText]:
    """The comparison charts: one per weekly measure (``compare_<series>``), then the in-time
    rate by month (``compare_in_time``)."""
    texts = [
        ChartText(
            f"compare_{series}",
            title,
            f"Line chart of {title.lower()} each week, one line per option ("
            + "; ".join(
                f"{r.scenario.scenario.title}: "
                f"{value_words(r.weekly(series)[-1].median, '')} in the last week"
                for r in results
            )
            + ").",
        )
        for series, title in COMPARED_LINES
    ]
    texts.append(
        ChartText(
            "compare_in_time",
            COMPARISON_IN_TIME_TITLE,
            "Line chart of the percentage of new plans issued within 20 weeks excluding "
            "exceptions, by month of issue, one line per option, over bars of the plans each "
            "option issues each month ("
            + "; ".join(
                f"{r.scenario.scenario.title}: {band_words(r.overall(True), '%')} over the run"
                for r in results
            )
            + f"). Months with fewer than {FEW_PLANS} plans issued are drawn hollow.",
        )
    )
    return texts


# --- the assumptions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assumption:
    """One figure (or group of figures) of a scenario: where it sits, its value, its source."""

    section: str
    what: str
    value: str
    source: str
    """The source, or "Assumed"."""
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.section, self.what


NOT_FIGURES = ("scenario", "report", "version")
"""Top-level tables that state no figure about the world."""
CHOICE = "Chosen in the scenario"
_SOURCE_FIELDS = ("source", "assumed", "note", "label")


def _words(name: str) -> str:
    return name.replace("_", " ").replace("-", " ")


def _number(value: float, key: str) -> str:
    if "share" in key or key.endswith("growth"):
        return f"{value * 100:.4g}%"
    if "cost" in key:
        return f"£{value:,.0f}" if float(value).is_integer() else f"£{value:,.2f}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}"


def _value(value: Any, key: str) -> str:
    """A figure's value as the report writes it; ``key`` (its dotted place) tells a share (a
    percentage), a cost (pounds) or a spread of weeks."""
    match value:
        case bool():
            return "yes" if value else "no"
        case Enum():
            return _words(str(value.value)).replace("-", " ")
        case date():
            return as_written(value)
        case int() | float():
            return _number(value, key)
        case (low, mode, high) if "weeks" in key or "timings" in key:
            return f"{_number(low, key)} to {_number(high, key)}{_weeks(key)}, most likely {_number(mode, key)}"
        case (low, high) if "weeks" in key:
            return f"{_number(low, key)} to {_number(high, key)}{_weeks(key)}"
        case tuple() | list() if len(value) == 12 and all(
            isinstance(v, int | float) for v in value
        ):  # monthly factors (twelve closures are not months)
            return ", ".join(
                f"{month} {_number(v, key)}" for month, v in zip(MONTHS, value, strict=True)
            )
        case tuple() | list():
            return ", ".join(_value(v, key) for v in value)
    return str(value)


def _weeks(key: str) -> str:
    """The unit after a spread of weeks, unless its name says it ("weeks 2 to 8")."""
    return "" if "weeks" in key.rsplit(".", 1)[-1] else " weeks"


def _source(figure: Figure[Any] | Sourced) -> str:
    return "Assumed" if figure.assumed else figure.source or ""


def _is_nested(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, BaseModel) for v in value)
    return isinstance(value, BaseModel | dict)


def _walk(value: Any, section: str, path: list[str], rows: list[Assumption]) -> None:
    """``value``'s figures as rows; ``path``: its place, in words (the section first)."""
    key = ".".join(path)
    what = ": ".join(path[1:]) or path[0]
    what = what[:1].upper() + what[1:]
    if value is None:
        return
    if isinstance(value, Figure):
        rows.append(Assumption(section, what, _value(value.value, key), _source(value), value.note))
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value, start=1):
            label = getattr(item, "label", None)
            name = f"{path[-1]}: {label}" if label else f"{path[-1]} {i}"
            _walk(item, section, [*path[:-1], name], rows)
        return
    if isinstance(value, dict):
        for name, item in value.items():
            _walk(item, section, [*path, _words(str(name))], rows)
        return
    if not isinstance(value, BaseModel):
        return
    # A group: its own plain values in one row (the fields it was given), its figures after.
    given = [
        (name, getattr(value, name))
        for name in type(value).model_fields
        if name in value.model_fields_set and name not in _SOURCE_FIELDS
    ]
    plain = [(n, v) for n, v in given if not _is_nested(v) and not isinstance(v, Figure)]
    if plain:
        words = "; ".join(f"{_words(n)} {_value(v, f'{key}.{n}')}" for n, v in plain)
        source = _source(value) if isinstance(value, Sourced) else CHOICE
        note = value.note if isinstance(value, Sourced) else ""
        rows.append(Assumption(section, what, words, source, note))
    for name in type(value).model_fields:
        item = getattr(value, name)
        if name not in _SOURCE_FIELDS and (isinstance(item, Figure) or _is_nested(item)):
            _walk(item, section, [*path, _words(name)], rows)


def assumptions(scenario: Scenario) -> list[Assumption]:
    """Every figure of the scenario, section by section, in the file's order."""
    rows: list[Assumption] = []
    for name in type(scenario).model_fields:
        if name not in NOT_FIGURES:
            _walk(getattr(scenario, name), _words(name).capitalize(), [_words(name)], rows)
    return rows


@dataclass(frozen=True, slots=True)
class ComparedAssumption:
    """One figure across the options: its value in each (None: not in that option)."""

    section: str
    what: str
    values: list[str | None]
    sources: list[str]
    """The distinct sources (with the options' numbers when they differ)."""
    notes: list[str]

    @property
    def same(self) -> bool:
        return len(set(self.values)) == 1


def compared_assumptions(scenarios: Sequence[Scenario]) -> list[ComparedAssumption]:
    """Every figure of any option, in the order first met, with each option's value."""
    per_option = [{a.key: a for a in assumptions(s)} for s in scenarios]
    keys = list(dict.fromkeys(k for found in per_option for k in found))
    sections = list(dict.fromkeys(section for section, _ in keys))
    keys.sort(
        key=lambda k: sections.index(k[0])
    )  # a figure only a later option has: in its section
    rows = []
    for key in keys:
        found = [option.get(key) for option in per_option]
        sources = _distinct([(i, a.source) for i, a in enumerate(found) if a is not None])
        notes = _distinct([(i, a.note) for i, a in enumerate(found) if a is not None and a.note])
        rows.append(
            ComparedAssumption(
                key[0], key[1], [a.value if a else None for a in found], sources, notes
            )
        )
    return rows


def _distinct(given: list[tuple[int, str]]) -> list[str]:
    """The texts, once each; prefixed by the options' numbers where the options differ."""
    texts = list(dict.fromkeys(t for _, t in given))
    if len(texts) <= 1:
        return texts
    return [
        f"Options {', '.join(str(i + 1) for i, t in given if t == text)}: {text}" for text in texts
    ]


def by_section(rows: Sequence[A]) -> list[tuple[str, list[A]]]:
    """The rows grouped by their section, in their order."""
    return [(section, list(group)) for section, group in groupby(rows, key=lambda r: r.section)]


# --- the page -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryRow:
    key: str
    label: str
    median: str
    low: str
    high: str


def summary_rows(result: ScenarioResult) -> list[SummaryRow]:
    """Every measure of ``result.summary()``: its median and its 10% and 90% values (the
    report's summary table, and the web page's)."""
    return [
        SummaryRow(
            m.key,
            m.label,
            value_words(m.band.median, m.unit, result),
            value_words(m.band.low, m.unit, result),
            value_words(m.band.high, m.unit, result),
        )
        for m in result.summary()
    ]


@dataclass(frozen=True, slots=True)
class ChartOnPage:
    text: ChartText
    svg: Markup


@dataclass(frozen=True, slots=True)
class Option:
    rank: int
    title: str
    name: str
    score: str
    period: str


@dataclass(frozen=True, slots=True)
class MeasureRow:
    label: str
    values: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TeamTable:
    """Each team's measures side by side: a column a team (by its title), a row a measure."""

    titles: list[str]
    rows: list[MeasureRow]


def team_table(result: ScenarioResult) -> TeamTable | None:
    """The report's table by team (``team_results``); None for a scenario without teams."""
    found = team_results(result)
    if not found:
        return None
    first = found[0].summary()
    return TeamTable(
        [team.title for team in found],
        [
            MeasureRow(
                m.label,
                [band_words(team.summary()[i].band, m.unit, result) for team in found],
            )
            for i, m in enumerate(first)
        ],
    )


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')


def inline_svg(path: Path, prefix: str, text: ChartText) -> Markup:
    """The SVG file as markup for the page: without its XML prologue, its ids made unique to
    the page (``prefix``), named and described for a screen reader by its ``title`` and
    ``desc``."""
    svg = path.read_text(encoding="utf-8")
    svg = svg[svg.index("<svg") :]
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    opening = svg.index(">") + 1
    named = (
        f'<title id="{prefix}-title">{escape(text.title)}</title>'
        f'<desc id="{prefix}-desc">{escape(text.description)}</desc>'
    )
    head = svg[: opening - 1].replace(
        "<svg ", f'<svg role="img" aria-labelledby="{prefix}-title {prefix}-desc" ', 1
    )
    return Markup(f"{head}>{named}{svg[opening:]}")


def _charts(folder: Path, texts: Sequence[ChartText]) -> list[ChartOnPage]:
    missing = [t.name for t in texts if not (folder / f"{t.name}.svg").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: no {', '.join(f'{n}.svg' for n in missing)}: draw the charts first "
            "(scenarios.charts)"
        )
    return [
        ChartOnPage(t, inline_svg(folder / f"{t.name}.svg", f"chart-{t.name}", t)) for t in texts
    ]


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _runs_words(result: ScenarioResult, seed: int | None) -> str:
    n = len(result.runs)
    runs = f"{n:,} replication{'s' if n != 1 else ''}"
    return f"{runs} from seed {seed}" if seed is not None else runs


def _period(result: ScenarioResult) -> str:
    scenario = result.scenario
    return (
        f"{as_written(scenario.scenario.start)} to {as_written(scenario.end)} "
        f"({scenario.scenario.weeks:,} weeks)"
    )


def write_run_report(
    result: ScenarioResult, folder: Path, *, seed: int | None = None, name: str = "report.html"
) -> Path:
    """``report.html`` in ``folder``, beside the charts ``scenarios.charts.write_charts`` wrote
    there (their SVG files are inlined: the page stands alone). ``seed``: the run's, to say."""
    texts = run_chart_texts(result)
    page = (
        _environment()
        .get_template("report.html")
        .render(
            kind="run",
            title=result.scenario.scenario.title,
            description=result.scenario.scenario.description,
            facts=[
                ("Scenario", result.name),
                ("Period", _period(result)),
                ("Replications", _runs_words(result, seed)),
            ],
            findings=[w for w in (clearance_words(result), tribunal_words(result)) if w],
            summary=summary_rows(result),
            teams=team_table(result),
            charts=_charts(folder, texts),
            assumptions=by_section(assumptions(result.scenario)),
        )
    )
    path = folder / name
    path.write_text(page, encoding="utf-8")
    return path


def write_comparison_report(
    ranked: list[Ranked],
    criterion: Criterion,
    folder: Path,
    *,
    seed: int | None = None,
    name: str = "report.html",
) -> Path:
    """``report.html`` in ``folder``: the options ranked by ``criterion``, every measure side
    by side, the charts ``scenarios.charts.write_comparison_charts`` wrote there (inlined),
    and the assumptions, those that differ between the options first."""
    if not ranked:
        raise ValueError("a comparison needs at least one option")
    results = [r.result for r in ranked]
    by_key = [{m.key: m for m in r.summary()} for r in results]
    # Every option's measures, in the order met: an option may have some the others lack.
    labels = list({key: (m.label, m.unit) for found in by_key for key, m in found.items()}.items())
    compared = compared_assumptions([r.scenario for r in results])
    first = results[0]
    page = (
        _environment()
        .get_template("report.html")
        .render(
            kind="comparison",
            title=f"Options compared: {criterion_heading(criterion).lower()}",
            description=f"Ranked best first by the {DESCRIPTION[criterion]}.",
            facts=[
                ("Options", f"{len(results):,}"),
                (
                    "Replications",
                    _runs_words(first, seed) + " each; every option meets the same requests",
                ),
            ],
            criterion=criterion_heading(criterion),
            close_call=close_call(ranked, criterion),
            options=[
                Option(
                    r.rank,
                    r.result.scenario.scenario.title,
                    r.result.name,
                    criterion_words(r, criterion),
                    _period(r.result),
                )
                for r in ranked
            ],
            measures=[
                MeasureRow(
                    label,
                    [
                        band_words(found[key].band, unit, r) if key in found else "Not measured"
                        for r, found in zip(results, by_key, strict=True)
                    ],
                )
                for key, (label, unit) in labels
            ],
            charts=_charts(folder, comparison_chart_texts(results)),
            differing=by_section([a for a in compared if not a.same]),
            common=by_section([a for a in compared if a.same]),
        )
    )
    path = folder / name
    path.write_text(page, encoding="utf-8")
    return path
