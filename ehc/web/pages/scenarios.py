"""The scenarios pages: run a scenario in the background, watch it, see its charts, compare.

``GET /scenarios`` lists the shipped and saved scenarios and the recent runs, with the form
that starts one (``POST /scenarios/run``: the scenario, replications and seed, with
``ehc simulate``'s defaults and bounds). ``GET /scenarios/runs/{run_id}`` shows its progress
and, once done, the summary table and the charts, each with the table of its figures. While
it runs the page offers a link to check again; with JavaScript, a small script asks
``/scenarios/runs/{run_id}/progress`` every few seconds and updates the words in place (a
``<meta>`` refresh would reload under a screen reader's feet, WCAG 2.2.1). A run under way
may be stopped (``POST /scenarios/runs/{run_id}/stop``). ``GET /scenarios/compare`` ranks
finished runs side by side by a chosen criterion, as ``ehc simulate compare`` does.

A finished run, and a comparison, offer their report for a board paper
(``scenarios.report``: one HTML page with the charts inlined and its styles in it), shown in
the tab under its own sandboxed policy (``security.REPORT_POLICY``: the service's would refuse
the page's styles) and named for saving. Each chart may be saved as PNG or SVG.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ehc.web.auth import User, require
from ehc.web.context import WebContext, web_context
from ehc.web.csrf import verify_csrf
from ehc.web.nav import roles_for
from ehc.web.render import render
from ehc.web.scenario_files import SAVED_FOLDER_WORDS, ScenarioFile, scenario_files
from ehc.web.scenario_runs import (
    DEFAULT_SEED,
    MAX_REPLICATIONS,
    MAX_SEED,
    MIN_REPLICATIONS,
    RUN_TABLES,
    RunInProgress,
    ScenarioRun,
    ScenarioRuns,
)
from ehc.web.scenario_view import comparison, comparison_charts, run_charts
from ehc.web.security import REPORT_POLICY
from scenarios.compare import DESCRIPTION, Criterion, close_call, rank
from scenarios.replication_words import target_words
from scenarios.replications import Rule
from scenarios.report import clearance_words, criterion_heading, summary_rows, team_table
from scenarios.results import ScenarioResult


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    store: ScenarioRuns | None = getattr(app.state, "scenario_runs", None)
    if store is not None:
        await store.close()


router = APIRouter(lifespan=_lifespan)

Analyst = Annotated[User, Depends(require(*roles_for("/scenarios")))]
Context = Annotated[WebContext, Depends(web_context)]


def scenario_runs(request: Request) -> ScenarioRuns:
    """Dependency: this process's runs (made on first use, kept on the app)."""
    store: ScenarioRuns | None = getattr(request.app.state, "scenario_runs", None)
    if store is None:
        store = ScenarioRuns(web_context(request).settings.data_dir)
        request.app.state.scenario_runs = store
    return store


Runs = Annotated[ScenarioRuns, Depends(scenario_runs)]


# --- starting a run -------------------------------------------------------------------------


@dataclass(slots=True)
class StartForm:
    scenario: str = ""
    replications: str = ""
    """Blank: as many as the precision needs (``scenarios.replications.Rule()``)."""
    seed: str = str(DEFAULT_SEED)
    errors: list[tuple[str, str]] = field(default_factory=list)


def _whole(text: str, low: int, high: int) -> int | None:
    text = text.strip().replace(",", "")
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if low <= number <= high else None


def read_start_form(
    form: Mapping[str, object], files: list[ScenarioFile]
) -> tuple[StartForm, ScenarioFile | None, int | None, int]:
    """The scenario, replications (None: left blank, for the run to choose) and seed asked
    for, or the errors naming their fields."""
    given = StartForm(
        scenario=str(form.get("scenario") or ""),
        replications=str(form.get("replications") or ""),
        seed=str(form.get("seed") or ""),
    )
    chosen = next((f for f in files if f.key == given.scenario), None)
    if chosen is None:
        given.errors.append(("scenario", "Choose a scenario to run"))
    elif chosen.scenario is None:
        given.errors.append(("scenario", f"{chosen.path.name} cannot be run: {chosen.problem}"))
    blank = not given.replications.strip()
    replications = None if blank else _whole(given.replications, MIN_REPLICATIONS, MAX_REPLICATIONS)
    if replications is None and not blank:
        given.errors.append(
            (
                "replications",
                f"Enter the number of replications as a whole number from {MIN_REPLICATIONS} "
                f"to {MAX_REPLICATIONS:,}",
            )
        )
    seed = _whole(given.seed, DEFAULT_SEED, MAX_SEED)
    if seed is None:
        given.errors.append(("seed", "Enter the seed as a whole number, 0 or more"))
    return given, chosen, replications, seed or 0


async def _list_page(
    request: Request,
    ctx: WebContext,
    store: ScenarioRuns,
    form: StartForm,
    status_code: int = 200,
) -> Response:
    data_dir = ctx.settings.data_dir
    return render(
        request,
        "scenarios/index.html",
        status_code=status_code,
        files=await asyncio.to_thread(scenario_files, data_dir),
        saved_folder=SAVED_FOLDER_WORDS,
        runs=await asyncio.to_thread(store.recent),
        active=store.active,
        form=form,
        errors=form.errors,
        min_replications=MIN_REPLICATIONS,
        max_replications=MAX_REPLICATIONS,
        precision_target=target_words(Rule()),
    )


@router.get("/scenarios")
async def scenarios_page(request: Request, user: Analyst, ctx: Context, store: Runs) -> Response:
    """The scenarios, the recent runs, and the form that starts a run."""
    return await _list_page(request, ctx, store, StartForm())


@router.post("/scenarios/run", dependencies=[Depends(verify_csrf)])
async def start_run(request: Request, user: Analyst, ctx: Context, store: Runs) -> Response:
    """Start a run in the background and show its page (303); a bad form is shown again with
    an error summary (400); a start while another run is under way is refused (409)."""
    files = await asyncio.to_thread(scenario_files, ctx.settings.data_dir)
    form, chosen, replications, seed = read_start_form(await request.form(), files)
    if form.errors or chosen is None or chosen.scenario is None:
        return await _list_page(request, ctx, store, form, status_code=400)
    try:
        run = store.start(chosen.key, chosen.scenario, replications, seed)
    except RunInProgress as busy:
        form.errors.append(
            (
                "scenario",
                f"Another run is under way ({busy.run.title}: {busy.run.progress.lower()}). "
                "Start this one when it has finished.",
            )
        )
        return await _list_page(request, ctx, store, form, status_code=409)
    return RedirectResponse(f"/scenarios/runs/{run.run_id}", status_code=303)


# --- a run's page ---------------------------------------------------------------------------


def _run_or_404(store: ScenarioRuns, run_id: str) -> ScenarioRun:
    run = store.get(run_id)
    if run is None:
        raise HTTPException(404)
    return run


@router.get("/scenarios/runs/{run_id}")
async def run_page(request: Request, run_id: str, user: Analyst, store: Runs) -> Response:
    """A run: its progress while it runs, then its summary table and charts."""
    run = _run_or_404(store, run_id)
    result = await asyncio.to_thread(store.result, run)
    base = f"/scenarios/runs/{run.run_id}/charts"
    return render(
        request,
        "scenarios/run.html",
        run=run,
        running=not run.ended,
        summary=summary_rows(result) if result else [],
        clearance=clearance_words(result) if result else "",
        charts=await asyncio.to_thread(run_charts, result, base) if result else [],
        tables=[t for t in RUN_TABLES if store.table_path(run.run_id, t)] if result else [],
        teams=team_table(result) if result else None,
        report=result is not None and store.report_path(run.run_id) is not None,
    )


@router.get("/scenarios/runs/{run_id}/progress")
async def run_progress(run_id: str, user: Analyst, store: Runs) -> JSONResponse:
    """How far a run has got, for the run page's script: its status and progress in words."""
    run = _run_or_404(store, run_id)
    return JSONResponse(
        {
            "status": run.status.value,
            "progress": run.progress,
            "completed": run.completed,
            "replications": run.replications,
            "ended": run.ended,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/scenarios/runs/{run_id}/stop", dependencies=[Depends(verify_csrf)])
async def stop_run(run_id: str, user: Analyst, store: Runs) -> Response:
    """Stop a run under way (a run started by mistake need not hold the simulator)."""
    run = _run_or_404(store, run_id)
    await store.stop(run.run_id, by=user.staff_id)
    return RedirectResponse(f"/scenarios/runs/{run.run_id}", status_code=303)


@router.get("/scenarios/runs/{run_id}/charts/{name}.png")
async def run_chart(run_id: str, name: str, user: Analyst, store: Runs) -> Response:
    """One of a finished run's PNG charts."""
    path = store.chart_path(run_id, name)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="image/png")


def _svg(path: Path | None, filename: str) -> Response:
    """A chart's SVG, to save (opened in a tab, the service's policy would refuse its
    styles)."""
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="image/svg+xml", filename=filename)


@router.get("/scenarios/runs/{run_id}/charts/{name}.svg")
async def run_chart_svg(run_id: str, name: str, user: Analyst, store: Runs) -> Response:
    """One of a finished run's SVG charts, as a file to save."""
    run = _run_or_404(store, run_id)
    return _svg(store.chart_path(run.run_id, name, ".svg"), f"{run.name}-{name}.svg")


def _report(path: Path, filename: str) -> Response:
    """A report page, inline under its own sandboxed policy, named for saving."""
    return FileResponse(
        path,
        media_type="text/html",
        filename=filename,
        content_disposition_type="inline",
        headers={"Content-Security-Policy": REPORT_POLICY},
    )


@router.get("/scenarios/runs/{run_id}/report.html")
async def run_report(run_id: str, user: Analyst, store: Runs) -> Response:
    """A finished run's report for a board paper, shown in the browser (or saved)."""
    run = _run_or_404(store, run_id)
    path = store.report_path(run.run_id)
    if path is None:
        raise HTTPException(404)
    return _report(path, f"{run.name}-report.html")


@router.get("/scenarios/runs/{run_id}/files/{name}.csv")
async def run_table(run_id: str, name: str, user: Analyst, store: Runs) -> Response:
    """One of a finished run's CSV files (as ``ehc simulate run`` writes them)."""
    run = _run_or_404(store, run_id)
    path = store.table_path(run.run_id, name)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="text/csv", filename=f"{run.name}-{name}.csv")


# --- comparing runs -------------------------------------------------------------------------


def _compare_errors(chosen: list[ScenarioRun], asked: int) -> list[tuple[str, str]]:
    if asked < 2 or len(chosen) < 2:
        return [("run", "Choose at least two finished runs to compare")]
    names = [r.name for r in chosen]
    if len(set(names)) != len(names):
        return [("run", "Choose runs of different scenarios: two of them are the same one")]
    if len({r.seed for r in chosen}) > 1:
        return [("run", "Choose runs with the same seed, so each option meets the same requests")]
    return []


@dataclass(slots=True)
class CompareForm:
    """What the comparison form asked for, and what is wrong with it."""

    finished: list[ScenarioRun]
    chosen: list[ScenarioRun]
    criterion: Criterion
    asked: bool
    errors: list[tuple[str, str]]

    @property
    def query(self) -> str:
        """The form's answer again, for a link to its report."""
        return urlencode(
            [("run", r.run_id) for r in self.chosen] + [("criterion", self.criterion.value)]
        )


async def read_compare_form(request: Request, store: ScenarioRuns) -> CompareForm:
    finished = await asyncio.to_thread(store.finished_runs)
    asked = request.query_params.getlist("run")
    criterion_text = request.query_params.get("criterion") or Criterion.CLEARANCE.value
    errors: list[tuple[str, str]] = []
    try:
        criterion = Criterion(criterion_text)
    except ValueError:
        criterion = Criterion.CLEARANCE
        errors.append(("criterion", "Choose how the options are ranked"))
    by_id = {r.run_id: r for r in finished}
    chosen = [by_id[a] for a in dict.fromkeys(asked) if a in by_id]
    if asked:
        errors += _compare_errors(chosen, len(asked))
    return CompareForm(finished, chosen, criterion, bool(asked), errors)


@router.get("/scenarios/compare")
async def compare_page(request: Request, user: Analyst, store: Runs) -> Response:
    """Finished runs ranked side by side by a criterion (``ehc simulate compare``)."""
    form = await read_compare_form(request, store)
    table = None
    charts = []
    compared_on = ""
    close: str | None = None
    if form.asked and not form.errors:
        found = await asyncio.to_thread(store.compared, form.chosen)
        ranked = rank(found, form.criterion)
        table = comparison(ranked, form.criterion)
        close = close_call(ranked, form.criterion)
        folder, _ = await store.comparison_charts(form.chosen)
        compared_on = _compared_on(form.chosen, found)
        charts = await asyncio.to_thread(comparison_charts, found, f"/scenarios/compare/{folder}")
    return render(
        request,
        "scenarios/compare.html",
        status_code=400 if form.errors else 200,
        finished=form.finished,
        chosen={r.run_id for r in form.chosen},
        criterion=form.criterion,
        criteria=[(c, criterion_heading(c), DESCRIPTION[c]) for c in Criterion],
        errors=form.errors,
        table=table,
        charts=charts,
        report=f"/scenarios/compare/report.html?{form.query}" if table else None,
        compared_on=compared_on,
        close_call=close,
    )


def _compared_on(chosen: list[ScenarioRun], found: list[ScenarioResult]) -> str:
    """Which replications a comparison of runs of different lengths stands on (none: all)."""
    if len({run.replications for run in chosen}) <= 1 or not found:
        return ""
    n = len(found[0].runs)
    return (
        f"The runs have different numbers of replications: each is compared on its first "
        f"{n:,}, as many as the shortest has, so that every option meets the same requests."
    )


@router.get("/scenarios/compare/report.html")
async def comparison_report(request: Request, user: Analyst, store: Runs) -> Response:
    """The report for a board paper of the runs compared (the comparison page's query), shown
    in the browser (or saved)."""
    form = await read_compare_form(request, store)
    if not form.asked or form.errors:
        raise HTTPException(404)
    path = await store.comparison_report(form.chosen, form.criterion)
    return _report(path, f"comparison-{form.criterion.value}-report.html")


@router.get("/scenarios/compare/{folder}/{name}.png")
async def comparison_chart(folder: str, name: str, user: Analyst, store: Runs) -> Response:
    """One of a comparison's PNG charts."""
    path = store.chart_path(folder, name) if folder.startswith("compare-") else None
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="image/png")


@router.get("/scenarios/compare/{folder}/{name}.svg")
async def comparison_chart_svg(folder: str, name: str, user: Analyst, store: Runs) -> Response:
    """One of a comparison's SVG charts, as a file to save."""
    path = store.chart_path(folder, name, ".svg") if folder.startswith("compare-") else None
    return _svg(path, f"{name}.svg")
