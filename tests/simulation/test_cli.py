"""``ehc simulate``: the sub-app as ``ehc`` registers it (``app.add_typer(..., name="simulate")``)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ehc.cli import simulate
from ehc.cli.common import BAD_INPUT, Fail

from .helpers import shipped

PNG = b"\x89PNG\r\n\x1a\n"


def _ehc() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Stands in for ehc.cli.main."""

    app.add_typer(simulate.app, name="simulate")
    return app


def _invoke(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(_ehc(), ["simulate", *args])
    return result.exit_code, result.output, result.exception


@pytest.fixture
def short_scenario(tmp_path: Path) -> Path:
    """The unitary council file cut to 30 weeks, to keep the test quick."""
    text = shipped("unitary-2020-as-planned").read_text(encoding="utf-8")
    path = tmp_path / "short.toml"
    path.write_text(text.replace("weeks = 156", "weeks = 30"), encoding="utf-8")
    return path


def test_simulate_file_prints_a_summary_and_writes_csv_and_charts(
    short_scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, output, error = _invoke(
        str(short_scenario), "--replications", "3", "--seed", "4", "--out", str(out)
    )
    assert error is None and code == 0, output
    assert "Within 20 weeks, excl. exceptions (headline)" in output
    assert "3 replications from seed 4" in output
    assert not re.search(r"\d{4}-\d{2}-\d{2}", output), "days as people write them"
    assert re.search(r"Cost per plan issued\s+│\s+£\d{1,3}(,\d{3})*\s", output), "pounds"
    wrote = re.search(rf"Wrote (\d+) files to {re.escape(str(out))}/", output)
    assert wrote and int(wrote[1]) == len(list(out.iterdir())), "as many files as it says"
    assert (out / "costs.csv").exists(), "the file states its costs"
    for chart in ("backlog.png", "in_time.png", "caseload.png"):
        assert (out / chart).read_bytes().startswith(PNG)
    with (out / "weekly.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30
    assert rows[0]["week_start"] == "2020-01-06"
    assert float(rows[0]["open_assessments_median"]) > 50
    with (out / "replications.csv").open() as f:
        assert [r["seed"] for r in csv.DictReader(f)] == [str(4 * 1_000_003 + i) for i in range(3)]


def test_the_same_seed_writes_the_same_numbers(short_scenario: Path, tmp_path: Path) -> None:
    for run in ("a", "b"):
        code, output, _ = _invoke(str(short_scenario), "-n", "2", "--out", str(tmp_path / run))
        assert code == 0, output
    assert (tmp_path / "a" / "weekly.csv").read_text() == (
        tmp_path / "b" / "weekly.csv"
    ).read_text()


def _replications(output: str) -> int:
    return int(re.search(r"(\d+) replications from seed", output)[1])  # type: ignore[index]


def test_without_replications_it_runs_until_precise_then_says_how_precise(
    short_scenario: Path, tmp_path: Path
) -> None:
    code, output, error = _invoke(
        str(short_scenario), "--precision", "50", "--precision-weeks", "50", "--out", str(tmp_path)
    )
    assert error is None and code == 0, output
    assert "unitary-2020-as-planned: 30 weeks; replications until ±50.0 points" in output
    assert "5 replications from seed 0" in output, "a loose target: the minimum"
    assert re.search(
        r"5 replications, enough for the precision asked; 90% confidence ±\d+\.\d points on "
        r"% within 20 weeks",
        output,
    )
    with (tmp_path / "replications.csv").open() as f:
        assert len(list(csv.DictReader(f))) == 5


def test_the_replications_chosen_give_the_numbers_of_that_many_given(
    short_scenario: Path, tmp_path: Path
) -> None:
    """Without a time budget the choice depends only on the results: the same seed runs the
    same replications, batch after batch, as one run of that many."""
    chosen = ("--precision", "3", "--precision-weeks", "5", "--time-budget", "0", "--seed", "2")
    code, output, _ = _invoke(str(short_scenario), *chosen, "--out", str(tmp_path / "auto"))
    assert code == 0, output
    n = _replications(output)
    assert n > 5, "more than the first batch"
    code, output, _ = _invoke(
        str(short_scenario), "-n", str(n), "--seed", "2", "--out", str(tmp_path / "given")
    )
    assert code == 0, output
    assert f"{n} replications; 90% confidence" in output
    for name in ("weekly.csv", "replications.csv", "summary.csv"):
        assert (tmp_path / "auto" / name).read_text() == (tmp_path / "given" / name).read_text()


def test_a_spent_time_budget_stops_after_the_first_batch(
    short_scenario: Path, tmp_path: Path
) -> None:
    tight = ("--precision", "0.01", "--time-budget", "0.001")
    code, output, error = _invoke(str(short_scenario), *tight, "--out", str(tmp_path))
    assert error is None and code == 0, output
    assert "or 0.001 s; timing the first 5…" in output
    assert "5 replications, all the 0.001 s time budget allowed; 90% confidence" in output
    assert "(asked: ±0.01)" in output


def test_compare_ranks_the_options(tmp_path: Path) -> None:
    files = [shipped("unitary-2020-no-extra-staff"), shipped("unitary-2020-as-planned")]
    loose = ("--precision", "50", "--precision-weeks", "50")
    code, output, error = _invoke(
        "compare", *map(str, files), *loose, "--rank-by", "end-backlog", "--out", str(tmp_path)
    )
    assert error is None and code == 0, output
    assert "Options ranked by end-backlog" in output
    assert "2 options: 156 weeks; replications of each until" in output
    assert "5 replications each, same seeds from 0" in output
    assert re.search(
        r"5 replications each, enough .*; 90% confidence at most ±[\d.]+ points", output
    )
    header = next(line for line in output.splitlines() if line.startswith("┃ Measure"))
    assert re.search(r"1\. unitary-2020-as.*2\. unitary-2020-no", header), (
        "the council that added staff ranks first: the first column"
    )
    assert (tmp_path / "compare_in_time.png").read_bytes().startswith(PNG)
    with (tmp_path / "compare.csv").open() as f:
        ranks = {(r["rank"], r["scenario"]) for r in csv.DictReader(f)}
    assert ranks == {("1", "unitary-2020-as-planned"), ("2", "unitary-2020-no-extra-staff")}


def _failure(*args: str) -> Fail:
    _, output, error = _invoke(*args)
    assert isinstance(error, Fail), output
    return error


def test_a_bad_scenario_is_one_line_naming_file_key_and_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    text = shipped("unitary-2020-as-planned").read_text(encoding="utf-8")
    path.write_text(
        text.replace("share_issued = { value = 0.95, assumed = true }", "share_issued = 0.95")
    )
    error = _failure(str(path))
    assert error.code == BAD_INPUT
    assert str(error).startswith(f"{path}: decisions.share_issued: give a table")


def test_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    error = _failure(str(tmp_path / "absent.toml"))
    assert (error.code, str(error)) == (
        BAD_INPUT,
        f"{tmp_path / 'absent.toml'}: no such scenario file",
    )


def test_compare_needs_two_distinct_options() -> None:
    one = str(shipped("unitary-2020-as-planned"))
    assert str(_failure("compare", one)) == "compare needs at least two scenario files"
    assert "names must differ" in str(_failure("compare", one, one))


def test_usage_errors_are_typer_usage_errors() -> None:
    code, _, _ = _invoke(str(shipped("unitary-2020-as-planned")), "--replications", "0")
    assert code == 2


def test_engine_temporal_checks_both_engines_agree(tmp_path: Path) -> None:
    """``--engine temporal``: closed cases of a fast run replayed through the real workflows."""
    code, output, error = _invoke(
        str(shipped("county-psychology-outsourced")),
        "--engine",
        "temporal",
        "--cases",
        "4",
        "--reviews",
        "0",  # the reviews' replay: tests/simulation/test_review_agreement.py
        "--out",
        str(tmp_path),
    )
    assert error is None and code == 0, output
    assert "Closed cases replayed" in output
    with (tmp_path / "agreement.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert all(r["outcome"] == r["deadlines"] == r["alerts"] == "True" for r in rows)


def test_the_ranking_table_names_every_option_in_full() -> None:
    """Options sharing a long beginning ("county-psychology-...") must not all read the same."""
    from rich.console import Console

    from scenarios import compare, engine, results

    from .helpers import variant

    found = []
    for name in ("county-psychology-in-house", "county-psychology-outsourced"):
        scenario = variant(name, {"scenario.weeks": 2})
        found.append(results.ScenarioResult(scenario, [engine.simulate(scenario, 0)]))
    ranked = compare.rank(found, compare.Criterion.CLEARANCE)
    console = Console(width=160, record=True, highlight=False)
    console.print(simulate.ranking_table(ranked, compare.Criterion.CLEARANCE, 1, 0))
    text = console.export_text()
    header = text.split("┃")[1:]
    named = [cell.strip() for cell in header if re.match(r"\s*[12]\. ", cell)]
    assert named == [f"{r.rank}. {r.result.name}" for r in ranked], "one column an option"
    assert "…" not in text.split("┡")[1].split("└")[0], "no cell cut short"
    assert "Ranked by clearance" in text
    for r in ranked:
        assert f"{r.rank}. {r.result.name}: {r.result.scenario.scenario.title}" in text


def test_a_refusal_naming_a_table_in_brackets_prints_it(tmp_path: Path) -> None:
    """Rich would read "[capacity.costs]" as markup and drop it from the one-line error."""
    import subprocess
    import sys

    text = shipped("county-psychology-outsourced").read_text(encoding="utf-8")
    bad = tmp_path / "council.toml"
    bad.write_text(text.replace("cost_per_assessment", "# cost_per_assessment"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ehc.cli.main", "simulate", str(bad), "-n", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == BAD_INPUT, done.stderr
    assert "psychology_outsourced needs cost_per_assessment when [capacity.costs] is given" in (
        " ".join(done.stderr.split())
    )
