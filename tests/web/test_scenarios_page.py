"""The scenarios pages (``/scenarios``): the shipped and saved scenarios, a run in the background
with its progress, its summary table (as ``ehc simulate run`` gives it) and charts, a
comparison of finished runs, the report for a board paper and the chart files of each, one run
at a time, bad input, and who may use them."""

from __future__ import annotations

import asyncio
import html
import math
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ehc.settings import Settings
from ehc.web.scenario_files import SHIPPED_FOLDER
from ehc.web.scenario_runs import ScenarioRun, ScenarioRuns, Status
from ehc.web.scenario_view import comparison
from ehc.web.security import REPORT_POLICY
from scenarios import engine, model
from scenarios.compare import Criterion, close_call, rank
from scenarios.report import band_words, summary_rows, team_table
from scenarios.results import Band, ScenarioResult
from tests.web.conftest import SignInAs
from tests.web.signed_in import csrf_of
from tests.web.tables import tables, text

FAST = "shipped:unitary-2020-as-planned"  # about 0.2 s a replication
FAST_TOO = "shipped:unitary-2020-no-extra-staff"
FAST_THIRD = "shipped:unitary-2020-outsourced-reviews"
SLOW = "shipped:england-2024"  # about 20 s a replication: still running when looked at
RUN_PAGE = re.compile(r"^/scenarios/runs/([0-9a-f]{16})$")


def store_of(app: FastAPI) -> ScenarioRuns:
    store: ScenarioRuns = app.state.scenario_runs
    return store


async def start(
    http: httpx.AsyncClient, scenario: str, replications: str, seed: str = "0"
) -> httpx.Response:
    page = await http.get("/scenarios")
    return await http.post(
        "/scenarios/run",
        data={
            "scenario": scenario,
            "replications": replications,
            "seed": seed,
            "csrf_token": csrf_of(page.text),
        },
    )


async def finished(app: FastAPI, response: httpx.Response) -> ScenarioRun:
    """The run a start answered with, once it has ended (waiting on the run, not a clock)."""
    assert response.status_code == 303, response.text
    found = RUN_PAGE.match(response.headers["location"])
    assert found is not None
    run = await asyncio.wait_for(store_of(app).wait(found.group(1)), timeout=300)
    assert run is not None
    return run


async def test_the_shipped_and_saved_scenarios_are_listed_with_their_descriptions(
    analyst: httpx.AsyncClient, web_settings: Settings
) -> None:
    saved = web_settings.data_dir / "scenarios"
    saved.mkdir()
    text_of = (SHIPPED_FOLDER / "unitary-2020-as-planned.toml").read_text(encoding="utf-8")
    (saved / "our-plan.toml").write_text(
        text_of.replace('name = "unitary-2020-as-planned"', 'name = "our-plan-2027"').replace(
            'title = "Unitary council 2020: 4 more caseworkers from Feb 2020, review capacity '
            'from Dec 2020"',
            'title = "Our plan for 2027"',
        ),
        encoding="utf-8",
    )
    (saved / "broken.toml").write_text("[scenario]\nname = 'x'\n", encoding="utf-8")
    page = await analyst.get("/scenarios")
    assert page.status_code == 200
    words = html.unescape(text(page.text))
    for path in SHIPPED_FOLDER.glob("*.toml"):
        assert model.load(path).scenario.title in words
    assert "Caseload per caseworker 300 -> under 200" in words, "a shipped description"
    assert "Our plan for 2027" in words and "Saved by the council" in words
    assert re.search(r'value="saved:broken"[^>]*disabled', page.text)
    assert "This saved file cannot be run" in words
    assert "No scenario has been run yet." in words


async def test_a_run_completes_in_the_background_and_shows_the_cli_s_summary_and_charts(
    analyst: httpx.AsyncClient, web_app: FastAPI
) -> None:
    run = await finished(web_app, await start(analyst, FAST, "2", seed="3"))
    assert run.status is Status.DONE, run.problem
    page = await analyst.get(f"/scenarios/runs/{run.run_id}")
    assert page.status_code == 200
    assert "data-run-progress" not in page.text and "scenario-run.mjs" not in page.text
    # The same figures as `ehc simulate run FILE -n 2 --seed 3`: same seeds, same replications.
    scenario = model.load(SHIPPED_FOLDER / "unitary-2020-as-planned.toml")
    result = ScenarioResult(scenario, engine.replicate(scenario, 2, 3))
    expected = [[r.label, r.median, r.low, r.high] for r in summary_rows(result)]
    assert tables(page.text)["summary"] == expected
    assert "2 replications from seed 3" in text(page.text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text(page.text)), "dates as people write them"
    assert "Within 20 weeks, excl. exceptions (headline)" in page.text
    # Each chart: an image with alt text, served by a route, with a table of its figures.
    for name in ("backlog", "in_time", "caseload"):
        img = re.search(
            rf'<img src="(/scenarios/runs/{run.run_id}/charts/{name}.png)" alt="([^"]+)"', page.text
        )
        assert img is not None, name
        assert len(img.group(2)) > 60, "the alt text says what the chart shows"
        png = await analyst.get(img.group(1))
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert tables(page.text)[f"chart-{name}-table"], name
    # Each chart may be saved as PNG or SVG; the report for a board paper opens in the tab.
    for name in ("backlog", "in_time", "caseload"):
        assert re.search(
            rf'href="/scenarios/runs/{run.run_id}/charts/{name}.png" download>', page.text
        )
        svg = await analyst.get(f"/scenarios/runs/{run.run_id}/charts/{name}.svg")
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert (
            f'filename="unitary-2020-as-planned-{name}.svg"' in svg.headers["content-disposition"]
        )
        assert "<svg" in svg.text
    link = re.search(
        r'<a class="govuk-link" id="report-link" href="([^"]+)">([^<]+)</a>', page.text
    )
    assert link is not None and link.group(2) == "Report for a board paper (HTML)"
    board = await analyst.get(link.group(1))
    assert board.status_code == 200 and board.headers["content-type"].startswith("text/html")
    assert board.headers["content-disposition"].startswith("inline;")  # shown in the tab
    assert 'filename="unitary-2020-as-planned-report.html"' in board.headers["content-disposition"]
    assert board.headers["content-security-policy"] == REPORT_POLICY
    board_tables = tables(board.text)
    assert [row[0] for row in board_tables["summary"]] == [r[0] for r in expected]
    assert "Thurrock Children's Services Overview and Scrutiny, Feb 2020" in html.unescape(
        board.text
    ), "the assumptions, with their sources"
    assert board.text.count('<svg role="img"') == 3
    summary = await analyst.get(f"/scenarios/runs/{run.run_id}/files/summary.csv")
    assert summary.status_code == 200 and summary.text.startswith(
        "measure,label,unit,p10,median,p90"
    )
    assert (
        'filename="unitary-2020-as-planned-summary.csv"' in summary.headers["content-disposition"]
    )
    weeks = tables(page.text)["chart-backlog-table"]
    assert len(weeks) == scenario.scenario.weeks and weeks[0][0] == "6 Jan 2020"
    # The run is kept on disk: a new process (a fresh store) still shows it.
    again = ScenarioRuns(run.folder.parent.parent)
    kept = again.get(run.run_id)
    assert kept is not None and kept.status is Status.DONE
    kept_result = again.result(kept)
    assert kept_result is not None
    assert summary_rows(kept_result) == summary_rows(result)
    listing = await analyst.get("/scenarios")
    assert tables(listing.text)["runs"][0][:3] == [scenario.scenario.title, "2", "3"]


async def test_a_run_under_way_shows_its_progress_refuses_a_second_start_and_can_be_stopped(
    analyst: httpx.AsyncClient, web_app: FastAPI
) -> None:
    started = await start(analyst, SLOW, "1")
    assert started.status_code == 303
    location = started.headers["location"]
    page = await analyst.get(location)
    assert page.status_code == 200
    assert re.search(
        r'role="status" data-run-progress="[^"]+/progress">Replication 1 of 1<', page.text
    )
    assert '<script type="module" src="/static/scenario-run.mjs">' in page.text
    progress = await analyst.get(f"{location}/progress")
    assert progress.json() == {
        "status": "running", "progress": "Replication 1 of 1", "completed": 0,
        "replications": 1, "ended": False,
    }  # fmt: skip
    busy = await start(analyst, FAST, "2")
    assert busy.status_code == 409
    assert "govuk-error-summary" in busy.text
    assert "Another run is under way" in text(busy.text)
    # Stopping ends its processes; the page says so and no longer refreshes.
    stop = await analyst.post(f"{location}/stop", data={"csrf_token": csrf_of(page.text)})
    assert stop.status_code == 303
    run = store_of(web_app).get(location.rsplit("/", 1)[1])
    assert run is not None and run.status is Status.STOPPED and run.finished.is_set()
    page = await analyst.get(location)
    assert "data-run-progress" not in page.text
    assert "Stopped by send-analyst." in text(page.text)
    assert (await analyst.get(f"{location}/progress")).json()["ended"] is True
    assert store_of(web_app).active is None


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"scenario": "", "replications": "20", "seed": "0"}, "scenario", "Choose a scenario to run"),
        ({"scenario": "shipped:nothing", "replications": "20", "seed": "0"}, "scenario", "Choose a scenario to run"),
        ({"scenario": FAST, "replications": "0", "seed": "0"}, "replications", "from 1 to 10,000"),
        ({"scenario": FAST, "replications": "10001", "seed": "0"}, "replications", "from 1 to 10,000"),
        ({"scenario": FAST, "replications": "twenty", "seed": "0"}, "replications", "whole number"),
        ({"scenario": FAST, "replications": "20", "seed": "-1"}, "seed", "0 or more"),
    ],
)  # fmt: skip
async def test_bad_input_is_an_error_summary_with_the_form_refilled(
    analyst: httpx.AsyncClient, web_app: FastAPI, form: dict[str, str], field: str, message: str
) -> None:
    answer = await start(analyst, form["scenario"], form["replications"], form["seed"])
    assert answer.status_code == 400
    assert "<title>Error: " in answer.text
    assert f'href="#{field}"' in answer.text and message in answer.text
    assert f'value="{form["replications"]}"' in answer.text
    assert store_of(web_app).active is None and not store_of(web_app).recent()


async def test_finished_runs_are_compared_by_the_chosen_criterion(
    analyst: httpx.AsyncClient, web_app: FastAPI
) -> None:
    first = await finished(web_app, await start(analyst, FAST, "2", seed="1"))
    second = await finished(web_app, await start(analyst, FAST_TOO, "2", seed="1"))
    odd = await finished(web_app, await start(analyst, FAST_THIRD, "1", seed="2"))
    page = await analyst.get("/scenarios/compare")
    assert page.status_code == 200 and "Choose the runs to compare" in page.text
    query = f"run={first.run_id}&run={second.run_id}&criterion=review-backlog"
    page = await analyst.get(f"/scenarios/compare?{query}")
    assert page.status_code == 200
    ranked = tables(page.text)["ranking"]
    store = store_of(web_app)
    found = [store.result(r) for r in (first, second)]
    results = [r for r in found if r is not None]
    assert len(results) == 2
    best = min(results, key=lambda r: r.measure("review_backlog_end").median)
    assert [row[0] for row in ranked] == ["1", "2"]
    assert ranked[0][1] == best.scenario.scenario.title
    for name in ("compare_past_20_weeks", "compare_in_time"):
        img = re.search(rf'<img src="([^"]+/{name}.png)" alt="([^"]+)"', page.text)
        assert img is not None, name
        assert (await analyst.get(img.group(1))).status_code == 200
        assert tables(page.text)[f"chart-{name}-table"]
    # The comparison's report for a board paper: the same ranking, the charts inlined.
    link = re.search(
        r'id="report-link" href="([^"]+)">Report for a board paper \(HTML\)<', page.text
    )
    assert link is not None
    board = await analyst.get(html.unescape(link.group(1)))
    assert board.status_code == 200
    assert (
        'filename="comparison-review-backlog-report.html"' in board.headers["content-disposition"]
    )
    assert [row[:2] for row in tables(board.text)["ranking"]] == [row[:2] for row in ranked]
    assert board.text.count('<svg role="img"') == 5
    assert "Where the options differ" in board.text
    svg = re.search(r'href="([^"]+/compare_in_time.svg)" download>', page.text)
    assert svg is not None and (await analyst.get(svg.group(1))).status_code == 200
    # Runs that did not meet the same random draws are not compared.
    unfair = await analyst.get(f"/scenarios/compare?run={first.run_id}&run={odd.run_id}")
    assert unfair.status_code == 400 and "Choose runs with the same seed" in unfair.text
    assert "compared-on" not in page.text, "runs of one length: no word about lengths"
    same = await analyst.get(f"/scenarios/compare?run={first.run_id}&run={first.run_id}")
    assert same.status_code == 400 and "at least two" in same.text
    alone = await analyst.get(f"/scenarios/compare?run={first.run_id}")
    assert alone.status_code == 400 and "at least two" in alone.text
    refused = await analyst.get(
        f"/scenarios/compare/report.html?run={first.run_id}&run={odd.run_id}"
    )
    assert refused.status_code == 404


async def test_runs_of_different_lengths_are_compared_on_the_replications_they_share(
    analyst: httpx.AsyncClient, web_app: FastAPI
) -> None:
    longer = await finished(web_app, await start(analyst, FAST, "3", seed="4"))
    shorter = await finished(web_app, await start(analyst, FAST_TOO, "2", seed="4"))
    query = f"run={longer.run_id}&run={shorter.run_id}&criterion=review-backlog"
    page = await analyst.get(f"/scenarios/compare?{query}")
    assert page.status_code == 200
    assert "each is compared on its first 2, as many as the shortest has" in text(page.text)
    # The longer run's first two replications are the run of two on the same seed.
    options = [
        model.load(SHIPPED_FOLDER / f"{name}.toml")
        for name in ("unitary-2020-as-planned", "unitary-2020-no-extra-staff")
    ]
    two = [ScenarioResult(s, engine.replicate(s, 2, 4)) for s in options]
    expected = comparison(rank(two, Criterion.REVIEW_BACKLOG), Criterion.REVIEW_BACKLOG)
    assert tables(page.text)["ranking"] == [
        [str(r.rank), r.title, r.score, *r.cells] for r in expected.rows
    ]
    close = close_call(rank(two, Criterion.REVIEW_BACKLOG), Criterion.REVIEW_BACKLOG)
    assert ('id="close-call"' in page.text) == (close is not None)
    if close is not None:
        assert close in html.unescape(page.text)


async def test_a_run_left_to_choose_runs_until_its_figures_are_precise_and_says_so(
    analyst: httpx.AsyncClient, web_app: FastAPI
) -> None:
    page = await analyst.get("/scenarios")
    assert 'name="replications" type="text" value=""' in page.text or re.search(
        r'name="replications"[^>]*value=""', page.text
    ), "blank by default"
    assert "Leave it blank and the run chooses" in text(page.text)
    run = await finished(web_app, await start(analyst, FAST, "", seed="5"))
    assert run.status is Status.DONE, run.problem
    assert run.automatic
    result = store_of(web_app).result(run)
    assert result is not None
    assert run.replications == len(result.runs) >= 5, "at least the first batch"
    page = await analyst.get(f"/scenarios/runs/{run.run_id}")
    words = text(page.text)
    assert f"{run.replications} (chosen by the run)" in words
    assert re.search(
        rf"{run.replications} replications, (enough for the precision asked|all the 1 min time"
        r" budget allowed); 90% confidence ±[\d.]+ points on % within 20 weeks",
        words,
    ), words
    # The same replications as a run asked for that many on the same seed.
    again = ScenarioResult(result.scenario, engine.replicate(result.scenario, run.replications, 5))
    assert summary_rows(again) == summary_rows(result)
    # Kept on disk with how it was chosen.
    kept = ScenarioRuns(run.folder.parent.parent).get(run.run_id)
    assert kept is not None and kept.automatic and kept.precision == run.precision


@pytest.mark.parametrize("staff_id", ["cw101", "sup-north"])
async def test_only_analysts_and_admins_may_run_scenarios(
    sign_in_as: SignInAs, admin: httpx.AsyncClient, staff_id: str
) -> None:
    http = await sign_in_as(staff_id)
    assert (await http.get("/scenarios")).status_code == 403
    assert (await http.get("/scenarios/compare")).status_code == 403
    assert (await http.get("/scenarios/runs/0123456789abcdef")).status_code == 403
    token = csrf_of((await http.get("/")).text)  # the sign-out form's
    refused = await http.post(
        "/scenarios/run",
        data={"scenario": FAST, "replications": "1", "seed": "0", "csrf_token": token},
    )
    assert refused.status_code == 403
    assert (await admin.get("/scenarios")).status_code == 200
    assert (await admin.get("/scenarios/runs/0123456789abcdef")).status_code == 404
    assert (await admin.get("/scenarios/runs/..%2F..%2Fetc")).status_code == 404


async def test_the_file_routes_serve_only_a_run_s_own_charts_and_tables(
    analyst: httpx.AsyncClient, web_settings: Settings
) -> None:
    folder = web_settings.data_dir / "scenario-runs" / "0123456789abcdef"
    folder.mkdir(parents=True)
    shutil.copy(Path(__file__), folder / "secret.png")
    shutil.copy(Path(__file__), folder / "run.csv")
    answer = await analyst.get("/scenarios/runs/0123456789abcdef/charts/secret.png")
    assert answer.status_code == 404
    shutil.copy(Path(__file__), folder / "secret.svg")
    shutil.copy(Path(__file__), folder / "report.html")
    for path in ("charts/secret.svg", "report.html", "runs.json"):
        assert (await analyst.get(f"/scenarios/runs/0123456789abcdef/{path}")).status_code == 404
    assert (
        await analyst.get("/scenarios/compare/compare-0123456789abcdef/x.svg")
    ).status_code == 404
    assert (await analyst.get("/scenarios/runs/0123456789abcdef/files/run.csv")).status_code == 404


@pytest.mark.parametrize(
    ("band", "unit", "words"),
    [
        (Band(23, 37, 37), "week", "week 37 (weeks 23 to 37)"),
        (Band(23, 37, math.nan), "week", "week 37 (from week 23; some replications never clear)"),
        (Band(37, 37, 37), "week", "week 37"),
        (Band(math.nan, math.nan, math.nan), "week", "Never"),
        (Band(40.0, 46.44, 50.0), "%", "46.4% (40.0% to 50.0%)"),
        (Band(math.nan, math.nan, math.nan), "%", "None"),
        (Band(1200, 1234, 1300), "", "1,234 (1,200 to 1,300)"),
        # A count is whole, even where the median falls between two replications.
        (Band(0.0, 0.0, 0.0), "", "0"),
        (Band(0.4, 2.6, 3.6), "", "3 (0 to 4)"),
    ],
)
def test_a_band_is_written_as_its_median_and_its_10_to_90_range(
    band: Band, unit: str, words: str
) -> None:
    assert band_words(band, unit) == words


async def test_a_run_with_teams_shows_each_team_and_keeps_it_after_a_restart(
    analyst: httpx.AsyncClient, web_app: FastAPI
) -> None:
    run = await finished(web_app, await start(analyst, "shipped:county-two-teams", "1"))
    assert run.status is Status.DONE, run.problem
    page = await analyst.get(f"/scenarios/runs/{run.run_id}")
    scenario = model.load(SHIPPED_FOLDER / "county-two-teams.toml")
    result = ScenarioResult(scenario, engine.replicate(scenario, 1, 0))
    expected = team_table(result)
    assert expected is not None and len(expected.titles) == 2
    shown = tables(page.text)["teams"]
    assert shown == [[row.label, *row.values] for row in expected.rows]
    for name in ("teams", "teams_summary"):
        assert f"/files/{name}.csv" in page.text
        csv_file = await analyst.get(f"/scenarios/runs/{run.run_id}/files/{name}.csv")
        assert csv_file.status_code == 200 and csv_file.text.startswith("team,")
    # A new process reads the teams back from disk.
    kept = ScenarioRuns(run.folder.parent.parent)
    again = kept.get(run.run_id)
    assert again is not None
    kept_result = kept.result(again)
    assert kept_result is not None and team_table(kept_result) == expected
    # A run without teams offers no team files.
    plain = await finished(web_app, await start(analyst, FAST, "1"))
    page = await analyst.get(f"/scenarios/runs/{plain.run_id}")
    assert "teams.csv" not in page.text and "teams" not in tables(page.text)


def test_a_run_under_way_says_about_how_long_is_left(tmp_path: Path) -> None:
    """From the time its finished replications took: 2 of 6 in 20 s leave about 40 s."""
    run = ScenarioRun(
        run_id="0" * 16,
        scenario_key=FAST,
        name="unitary-2020-as-planned",
        title="Unitary",
        replications=6,
        seed=0,
        started_at=datetime.now(UTC),
        folder=tmp_path,
        completed=2,
    )
    run.began -= 20
    assert run.progress == "Replication 3 of 6; about 40 s left"
    run.completed = 0
    assert run.progress == "Replication 1 of 6", "no estimate before a replication ends"
    run.completed, run.automatic = 5, True
    assert run.progress == "Replication 6 of about 6; about 4.0 s left"
