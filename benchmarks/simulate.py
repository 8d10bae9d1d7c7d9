"""Measure the fast scenario engine; print one JSON object per measurement on stdout.

    .venv/bin/python benchmarks/simulate.py            # all of them
    .venv/bin/python benchmarks/simulate.py speed      # some: england, appeals, council,
                                                       # council-serial, faithful, speed
                                                       # (speed-1, speed-2, speed-4: one)

- ``england``: scenarios/files/england-2024.toml, one year, one replication, in a fresh process:
  wall time and peak resident memory (aims: under 60 s and 2 GiB).
- ``appeals``: the same England with ``[tribunal]`` (england-2024-with-appeals.toml), one
  replication in a fresh process: wall and CPU time, with the appeals registered; against
  ``england``, what drawing and working the appeals costs.
- ``council``: scenarios/files/unitary-2020-as-planned.toml, three years, 100 replications, in
  one process per core as ``ehc simulate`` runs them (aim: under 15 s).
- ``council-serial``: the same on one core, for the per-core rate.
- ``speed``: scenarios/files/england-2024.toml, one year, one replication, at 1, 2 and 4 times
  its volume (requests, open assessments and plans at the start, caseworkers and psychology
  capacity all multiplied, so the service is the same at another size), each in a fresh
  process: wall time, CPU time and events a second, one line per volume.
- ``faithful``: 100 closed cases of scenarios/files/county-psychology-outsourced.toml replayed
  through the real assessment workflow on the Temporal time-skipping test server
  (``ehc simulate FILE --engine temporal``), with how many agree with the fast engine.

Each line also gives simulated case events a second: requests, decisions, advice requests and
replies, drafts, final plans and other endings, exceptions, and annual reviews.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenarios import engine, model  # noqa: E402

FILES = ROOT / "scenarios" / "files"
SPEED = ["speed-1", "speed-2", "speed-4"]


def _england() -> dict[str, Any]:
    scenario = model.load(FILES / "england-2024.toml")
    started = time.perf_counter()
    run = engine.simulate(scenario, seed=0)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "benchmark": "england-2024-one-year",
        "weeks": scenario.scenario.weeks,
        "replications": 1,
        "requests": int(sum(run.weekly["requests"])),
        "plans_in_force_end": int(run.weekly["plans_in_force"][-1]),
        "events": run.events,
        "wall_s": round(wall, 2),
        "events_per_s": round(run.events / wall),
        "peak_rss_mib": round(peak_kib / 1024),
        "aim": "wall_s < 60 and peak_rss_mib < 2048",
        "ok": wall < 60 and peak_kib < 2 * 1024 * 1024,
    }


def _appeals() -> dict[str, Any]:
    scenario = model.load(FILES / "england-2024-with-appeals.toml")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    run = engine.simulate(scenario, seed=0)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "benchmark": "england-2024-one-year-with-appeals",
        "weeks": scenario.scenario.weeks,
        "replications": 1,
        "appealable_decisions": int(sum(run.weekly["appealable_decisions"])),
        "appeals_registered": int(sum(run.weekly["appeals_registered"])),
        "events": run.events,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "events_per_s": round(run.events / wall),
    }


def scaled(scenario: model.Scenario, volume: float) -> model.Scenario:
    """``scenario`` with its demand, start state and capacity multiplied by ``volume``."""

    def times(figure: Any) -> Any:
        return figure.model_copy(update={"value": figure.value * volume})

    state = scenario.start_state.model_copy(
        update={
            "open_assessments": [
                g.model_copy(update={"count": round(g.count * volume)})
                for g in scenario.start_state.open_assessments
            ],
            "plans": [
                p.model_copy(update={"count": round(p.count * volume)})
                for p in scenario.start_state.plans
            ],
        }
    )
    demand = scenario.demand.model_copy(
        update={"requests_per_week": times(scenario.demand.requests_per_week)}
    )
    cap = scenario.capacity
    capacity = cap.model_copy(
        update={
            "caseworkers": times(cap.caseworkers),
            "psychology_per_week": times(cap.psychology_per_week),
        }
    )
    return scenario.model_copy(
        update={"start_state": state, "demand": demand, "capacity": capacity}
    )


def _speed(volume: int) -> dict[str, Any]:
    scenario = scaled(model.load(FILES / "england-2024.toml"), volume)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    run = engine.simulate(scenario, seed=0)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "benchmark": "england-2024-one-year-speed",
        "volume": volume,
        "weeks": scenario.scenario.weeks,
        "replications": 1,
        "requests": int(sum(run.weekly["requests"])),
        "events": run.events,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "events_per_s": round(run.events / wall),
        "events_per_cpu_s": round(run.events / cpu),
    }


def _council(workers: int) -> dict[str, Any]:
    scenario = model.load(FILES / "unitary-2020-as-planned.toml")
    started = time.perf_counter()
    runs = engine.replicate(scenario, 100, seed=0, workers=workers)
    wall = time.perf_counter() - started
    events = sum(r.events for r in runs)
    return {
        "benchmark": "council-three-years-100-replications",
        "weeks": scenario.scenario.weeks,
        "replications": len(runs),
        "workers": workers,
        "events": events,
        "wall_s": round(wall, 2),
        "events_per_s": round(events / wall),
        "aim": "wall_s < 15" if workers > 1 else "per-core rate",
        "ok": wall < 15 if workers > 1 else None,
    }


def _faithful(cases: int = 100) -> dict[str, Any]:
    import asyncio
    import tempfile

    from ehc import faithful
    from ehc.logs import configure
    from ehc.temporal import use_project_logging

    configure("WARNING", "json")  # stdout holds only the measurements
    use_project_logging()  # the SDK core's lines too, through the same logging
    server = Path(sys.executable).parent / "temporal-test-server"
    if not server.exists():
        return {"benchmark": "faithful", "skipped": f"no test server at {server} (dev extra)"}
    scenario = model.load(FILES / "county-psychology-outsourced.toml")
    run = engine.simulate(scenario, seed=0, keep_cases=True)
    chosen = [c for c in run.cases if faithful.replayable(c)][:cases]

    async def go(folder: Path) -> list[faithful.Replayed]:
        return await faithful.replay(
            lambda: faithful.time_skipping(server), chosen, faithful.faithful_worker(folder)
        )

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        replayed = asyncio.run(go(Path(folder)))
    wall = time.perf_counter() - started
    agree = [faithful.agreement(r) for r in replayed]
    return {
        "benchmark": "faithful-100-cases-time-skipping",
        "cases": len(agree),
        "agree": sum(a.agrees for a in agree),
        "reminders": sum(a.reminders for a in agree),
        "escalations": sum(a.escalations for a in agree),
        "wall_s": round(wall, 2),
        "cases_per_s": round(len(agree) / wall, 2),
    }


def _in_fresh_process(name: str) -> dict[str, Any]:
    """Run one measurement in a new interpreter, so its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_measure, name).result()


def _measure(name: str) -> dict[str, Any]:
    if name == "england":
        return _england()
    if name == "appeals":
        return _appeals()
    if name == "council":
        return _council(os.cpu_count() or 1)
    if name == "council-serial":
        return _council(1)
    if name == "faithful":
        return _faithful()
    if name.startswith("speed-"):
        return _speed(int(name.removeprefix("speed-")))
    raise SystemExit(
        f"unknown benchmark {name!r} (england, appeals, council, council-serial, faithful, speed)"
    )


def main(argv: list[str]) -> None:
    names = argv or ["england", "appeals", "council", "council-serial", "faithful", "speed"]
    # speed: one fresh process a volume
    names = [n for name in names for n in (SPEED if name == "speed" else [name])]
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
    for name in names:
        result = _in_fresh_process(name)
        print(json.dumps({**result, "machine": machine}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
