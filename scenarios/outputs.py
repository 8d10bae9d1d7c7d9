"""Every file a run of one scenario writes: the CSV files (``scenarios.results``, and
``scenarios.team_results`` with teams), the charts (``scenarios.charts``) and the report for a
board paper (``scenarios.report``). ``ehc simulate run`` and the web's scenario runs both write
them here, so the two keep the same files."""

from __future__ import annotations

from pathlib import Path

from scenarios import charts, report, results, team_results
from scenarios.results import ScenarioResult


def write_run(
    result: ScenarioResult, folder: Path, *, seed: int | None = None, name: str = "report.html"
) -> list[Path]:
    """The run's files in ``folder``, the report (``name``) last; ``seed``: the run's, to say."""
    written = results.write_csv(result, folder) + team_results.write_csv(result, folder)
    written += charts.write_charts(result, folder)
    written.append(report.write_run_report(result, folder, seed=seed, name=name))
    return written
