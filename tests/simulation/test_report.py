"""The report for a board paper: one page that stands alone, with the summary (or the ranking),
the charts inlined and named for a screen reader, and every figure of the scenario with its
value and its source, or "Assumed" and its note."""

from __future__ import annotations

import math
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pydantic import BaseModel

from scenarios import charts, engine, report
from scenarios.compare import Criterion, rank
from scenarios.model import Figure, Scenario, Sourced
from scenarios.results import Band, Measure, ScenarioResult

from .helpers import variant


class Page(HTMLParser):
    """The page's ids, the text of each table's cells by row, and each SVG's attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.svgs: list[dict[str, str | None]] = []
        self.references: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._head = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        for name in ("aria-labelledby",):
            self.references += (found.get(name) or "").split()
        if tag == "svg":
            self.svgs.append(found)
        if tag == "table":
            self._table = str(found.get("id"))
            self.tables[self._table] = []
        elif tag == "thead":
            self._head = True
        elif tag == "tr" and self._table and not self._head:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table and not self._head:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._head = False
        elif tag in ("td", "th") and self._table and self._cell is not None and not self._head:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, table: str) -> dict[str, list[str]]:
        """The table's rows by their first cell (headings and section rows left out)."""
        return {row[0]: row[1:] for row in self.tables[table] if len(row) > 1}


def _scenario(name: str) -> Scenario:
    return variant(name, {"scenario.weeks": 30})


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    scenario = _scenario("unitary-2020-as-planned")
    return ScenarioResult(scenario, engine.replicate(scenario, 2, 0))


@pytest.fixture(scope="module")
def run_page(result: ScenarioResult, tmp_path_factory: pytest.TempPathFactory) -> Page:
    folder = tmp_path_factory.mktemp("run")
    charts.write_charts(result, folder)
    path = report.write_run_report(result, folder, seed=0)
    assert path == folder / "report.html"
    return Page(path.read_text(encoding="utf-8"))


def test_the_run_report_gives_every_measure_of_the_summary(
    run_page: Page, result: ScenarioResult
) -> None:
    rows = run_page.rows("summary")
    assert list(rows) == [m.label for m in result.summary()]
    plans = result.measure("plans_issued")
    assert rows["Plans issued"][0] == f"{round(plans.median):,}"


def test_a_measure_added_to_the_summary_appears_without_a_change_here(
    result: ScenarioResult, tmp_path: Path
) -> None:
    charts.write_charts(result, tmp_path)
    added = Measure("cost_per_week", "Cost a week", Band(1200.0, 1234.0, 1300.0), "")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(result, "summary", lambda: [*ScenarioResult.summary(result), added])
        page = Page(report.write_run_report(result, tmp_path).read_text(encoding="utf-8"))
    assert page.rows("summary")["Cost a week"] == ["1,234", "1,200", "1,300"]


def test_the_assumptions_give_every_figure_with_its_value_and_source(run_page: Page) -> None:
    rows = run_page.rows("assumptions")
    # A sourced figure, an assumed one with its note, a share as a percentage, a spread.
    assert rows["Caseworkers"] == [
        "5",
        "caseload 300 a caseworker (Thurrock scrutiny papers) over 1,500 plans (assumed)",
        "",
    ]
    assert rows["Psychology per week"] == ["5", "Assumed", "about the assessments agreed a week"]
    assert rows["Statutory share"][:2] == ["55%", "Assumed"]
    assert rows["Decision"][:2] == ["4 to 6 weeks, most likely 5.5", "Assumed"]
    # A dated capacity change by its label, with its source; a group with its note.
    change = rows["Changes: 4 additional caseworkers"]
    assert change[0] == "start 3 Feb 2020; caseworkers 4"
    assert change[1] == "Thurrock Children's Services Overview and Scrutiny, Feb 2020"
    assert rows["Coronavirus"][2] == "Thurrock Oct 2020: 18 valid exceptions in the month"
    # Every row says where its figure comes from.
    assert all(row[1] for row in rows.values())


def test_the_assumptions_name_every_figure_of_the_file(result: ScenarioResult) -> None:
    """Every figure (a table with a value) and every sourced group has a row: counted from
    the scenario itself, so a figure added to the format is reported without a change."""

    def count(value: object) -> int:
        if isinstance(value, Figure):
            return 1
        if isinstance(value, list | tuple):
            return sum(count(v) for v in value)
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, BaseModel):
            own = int(isinstance(value, Sourced))
            return own + sum(count(getattr(value, f)) for f in type(value).model_fields)
        return 0

    scenario = result.scenario
    expected = sum(
        count(getattr(scenario, name))
        for name in type(scenario).model_fields
        if name not in report.NOT_FIGURES
    )
    rows = report.assumptions(scenario)
    choices = [a for a in rows if a.source == report.CHOICE]
    assert len(rows) - len(choices) == expected
    assert all(a.source for a in rows)


def test_the_charts_are_inlined_named_and_described(run_page: Page) -> None:
    assert len(run_page.svgs) == 3
    for svg in run_page.svgs:
        assert svg["role"] == "img"
        assert len((svg["aria-labelledby"] or "").split()) == 2
    assert set(run_page.references) <= set(run_page.ids), "every name points at the page"
    duplicated = [i for i, n in Counter(run_page.ids).items() if n > 1]
    assert not duplicated, "three drawings on one page share no id"


def test_the_report_needs_its_charts_drawn_first(result: ScenarioResult, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"backlog\.svg"):
        report.write_run_report(result, tmp_path)


# --- options compared ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compared(
    result: ScenarioResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[ScenarioResult], Page]:
    other = _scenario("unitary-2020-no-extra-staff")
    results = [result, ScenarioResult(other, engine.replicate(other, 2, 0))]
    folder = tmp_path_factory.mktemp("compare")
    charts.write_comparison_charts(results, folder)
    ranked = rank(results, Criterion.REVIEW_BACKLOG)
    path = report.write_comparison_report(ranked, Criterion.REVIEW_BACKLOG, folder, seed=0)
    return [r.result for r in ranked], Page(path.read_text(encoding="utf-8"))


def test_the_comparison_report_ranks_the_options_best_first(
    compared: tuple[list[ScenarioResult], Page],
) -> None:
    ranked, page = compared
    ranking = page.tables["ranking"]
    assert [row[:2] for row in ranking] == [
        [str(i), r.scenario.scenario.title] for i, r in enumerate(ranked, start=1)
    ]
    best = ranked[0].measure("review_backlog_end").median
    assert ranking[0][2] == f"{round(best):,}"
    measures = page.rows("measures")
    assert list(measures) == [m.label for m in ranked[0].summary()]
    assert len(measures["Plans issued"]) == len(ranked)


def test_the_comparison_report_puts_the_figures_that_differ_first(
    compared: tuple[list[ScenarioResult], Page],
) -> None:
    ranked, page = compared
    differing = page.rows("assumptions-differing")
    common = page.rows("assumptions-common")
    assert not set(differing) & set(common)
    # The extra caseworkers are in one option only; the demand is the same in both.
    extra = differing["Changes: 4 additional caseworkers"]
    has_it = [
        any(c.label == "4 additional caseworkers" for c in r.scenario.capacity.changes)
        for r in ranked
    ]
    assert [v != "Not in this option" for v in extra[: len(ranked)]] == has_it
    assert "Requests per week" in common
    assert len(page.svgs) == 5


@pytest.mark.parametrize(
    ("band", "unit", "words"),
    [
        (Band(23, 37, 37), "week", "week 37 (weeks 23 to 37)"),
        (Band(23, 37, math.nan), "week", "week 37 (from week 23; some replications never clear)"),
        (Band(math.nan, math.nan, math.nan), "week", "Never"),
        (Band(40.0, 46.44, 50.0), "%", "46.4% (40.0% to 50.0%)"),
        (Band(1200, 1234, 1300), "", "1,234 (1,200 to 1,300)"),
    ],
)
def test_a_band_reads_as_its_median_and_its_10_to_90_range(
    band: Band, unit: str, words: str
) -> None:
    assert report.band_words(band, unit) == words


def test_a_measure_only_some_options_have_is_marked_in_the_others(
    compared: tuple[list[ScenarioResult], Page], tmp_path: Path
) -> None:
    ranked, _ = compared
    charts.write_comparison_charts(ranked, tmp_path)
    added = Measure("added_later", "A measure added later", Band(1.0, 2.0, 3.0), "")
    options = rank(ranked, Criterion.IN_TIME)
    first = options[0].result
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(first, "summary", lambda: [*ScenarioResult.summary(first), added])
        path = report.write_comparison_report(options, Criterion.IN_TIME, tmp_path)
    cells = Page(path.read_text(encoding="utf-8")).rows("measures")["A measure added later"]
    assert cells == ["2 (1 to 3)", "Not measured"]
