"""Fixed seeds give the same runs: every shipped scenario's output, committed as JSON.

Each shipped scenario (``scenarios/files/*.toml``) is simulated with fixed seeds, keeping its
cases; the complete weekly series, the plans issued by month, the count of case events and a
digest (sha256) of every case's facts and dates are compared exactly with
``tests/simulation/snapshots/fixed_seed.json``. The council scenarios run in full (seeds 0 and
1); England runs its first 8 weeks at full scale and a whole year at a tenth of its volume
(demand, start state and capacity all divided by 10); four variants cover what no shipped file
does (``VARIANTS``). Any change to what the simulator computes shows here; a change meant only
to make it faster must leave the file as it is. After an intended change of results::

    EHC_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/simulation/test_fixed_seed.py

The engine keeps a few dates on each case and counts plans in time without building the rules
core's models; the last tests hold those shortcuts equal to ``statutory.assessment``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from scenarios import casefile, engine, model
from scenarios.casefile import SimCase
from statutory import assessment as rules

from .helpers import FILES, raw, variant

SNAPSHOT = Path(__file__).parent / "snapshots" / "fixed_seed.json"
UPDATE = os.environ.get("EHC_UPDATE_SNAPSHOTS") == "1"
COUNCILS = sorted(p.stem for p in FILES.glob("*.toml") if not p.stem.startswith("england-2024"))
SEEDS = (0, 1)


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def case_facts(case: SimCase) -> list[Any]:
    """What a case is: its dates, exceptions, stage and ending (not the engine's scheduling)."""
    return [
        case.id,
        case.received.isoformat(),
        [
            [s.reason.value, _day(s.period.start), _day(s.period.end), s.advice_id]
            for s in case.spans
        ],
        case.stage,
        case.ending.value if case.ending else None,
        *map(_day, (case.decided, case.ep_done, case.other_done, case.draft, case.closed_on)),
        _day(case.final_due),
        _day(case.final_target),
        [_day(d) for d in case.advice_targets] if case.advice_targets else None,
    ]


def cases_digest(cases: list[SimCase]) -> str:
    text = json.dumps([case_facts(c) for c in cases], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def summary(run: engine.Run) -> dict[str, Any]:
    """The run as JSON data: weekly series, monthly counts, events, cases (count and digest)."""
    return {
        "weekly": run.weekly,
        "monthly": {
            f"{y}-{m:02d}": [
                x.issued,
                x.within_20_weeks,
                x.counted_excluding_exceptions,
                x.within_20_weeks_excluding_exceptions,
            ]
            for (y, m), x in sorted(run.monthly.items())
        },
        "events": run.events,
        "cases": len(run.cases),
        "cases_sha256": cases_digest(run.cases),
    }


def england_tenth(name: str = "england-2024") -> model.Scenario:
    """England 2024 for a whole year at a tenth of its volume: requests, open assessments,
    plans, caseworkers and psychology capacity all divided by 10 (the shares of appeals and
    the Tribunal's timings, where stated, as they are)."""
    data = copy.deepcopy(raw(name))
    for group in data["start_state"]["open_assessments"] + data["start_state"]["plans"]:
        group["count"] = round(group["count"] / 10)
    for figure in (
        data["demand"]["requests_per_week"],
        data["capacity"]["caseworkers"],
        data["capacity"]["psychology_per_week"],
    ):
        figure["value"] = round(figure["value"] / 10, 1)
    return model.parse(data, f"{name} (a tenth)")


def _runs() -> list[tuple[str, model.Scenario, int]]:
    councils = [(name, model.load(FILES / f"{name}.toml")) for name in COUNCILS]
    out = [(f"{name} seed {seed}", s, seed) for name, s in councils for seed in SEEDS]
    england = model.load(FILES / "england-2024.toml")
    info = england.scenario.model_copy(update={"weeks": 8})
    out.append(("england-2024 8 weeks seed 0", england.model_copy(update={"scenario": info}), 0))
    out.append(("england-2024 a tenth seed 0", england_tenth(), 0))
    with_appeals = "england-2024-with-appeals"
    out.append((f"{with_appeals} a tenth seed 0", england_tenth(with_appeals), 0))
    out += [
        (f"{name} {what} seed {seed}", variant(name, changes), seed)
        for name, what, changes, seed in VARIANTS
    ]
    return out


#: What no shipped file does: the other priority policies, many exceptions of every kind
#: (pauses, missed appointments, coronavirus), and lead times of no time at all (a step ready
#: in the week the one before it was done).
VARIANTS: list[tuple[str, str, dict[str, Any], int]] = [
    (
        "unitary-2020-as-planned",
        "nearest-deadline-first",
        {"priority.policy": "nearest-deadline-first"},
        0,
    ),
    ("unitary-2020-as-planned", "new-in-time-first", {"priority.policy": "new-in-time-first"}, 0),
    (
        "unitary-2020-as-planned",
        "many exceptions",
        {
            "exceptions.personal-circumstances.share": 0.2,
            "exceptions.coronavirus.share": 0.5,
            "exceptions.absence-from-area": {"share": 0.1, "weeks": [1, 4, 8], "assumed": True},
            "exceptions.missed-appointment": {"share": 0.3, "weeks": [1, 2, 3], "assumed": True},
        },
        3,
    ),
    (
        "county-psychology-outsourced",
        "no lead times",
        {
            f"timings.{step}": {"value": [0, 0, 1], "assumed": True}
            for step in ("decision", "psychology", "other_advice", "drafting", "finalising")
        }
        | {"exceptions.personal-circumstances.share": 0.1},
        0,
    ),
]


RUNS = _runs()


def _canonical(data: Any) -> str:
    # NaN (no caseworkers) compares equal as text, not as a float
    return json.dumps(data, indent=1, sort_keys=True)


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    if UPDATE:
        return {}
    stored: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return stored


def test_the_snapshot_covers_every_shipped_scenario() -> None:
    names = {p.stem for p in FILES.glob("*.toml")}
    assert names == {label.split(" ")[0] for label, _, _ in RUNS}


@pytest.mark.parametrize(("label", "scenario", "seed"), RUNS, ids=[r[0] for r in RUNS])
def test_a_fixed_seed_gives_the_recorded_run(
    label: str, scenario: model.Scenario, seed: int, snapshot: dict[str, Any]
) -> None:
    run = engine.simulate(scenario, seed, keep_cases=True)
    got = summary(run)
    if UPDATE:
        stored = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.exists() else {}
        stored[label] = got
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(_canonical(stored) + "\n", encoding="utf-8")
        return
    assert label in snapshot, f"no snapshot for {label}: run with EHC_UPDATE_SNAPSHOTS=1"
    want = snapshot[label]
    for key in ("events", "cases", "cases_sha256"):
        assert got[key] == want[key], f"{label}: {key}"
    assert _canonical(got["monthly"]) == _canonical(want["monthly"]), f"{label}: monthly"
    for series, values in want["weekly"].items():
        assert _canonical(got["weekly"][series]) == _canonical(values), f"{label}: {series}"
    assert set(got["weekly"]) == set(want["weekly"])
    # keeping the cases changes nothing of the run
    plain = engine.simulate(scenario, seed)
    assert _canonical(summary(plain) | {"cases": 0, "cases_sha256": ""}) == _canonical(
        got | {"cases": 0, "cases_sha256": ""}
    )


@pytest.fixture(scope="module")
def exceptional() -> engine.Run:
    _, scenario, seed = next(r for r in RUNS if "many exceptions" in r[0])
    return engine.simulate(scenario, seed, keep_cases=True)


def test_the_engines_shortcuts_give_the_rules_answers(exceptional: engine.Run) -> None:
    """What the engine keeps on a case, and how it counts a plan in time, are what
    ``statutory.assessment`` gives for the case (``case.dates``: ``assessment_dates``;
    ``casefile.outcome``: ``outcome`` of the case as the rules core's model)."""
    cases = exceptional.cases
    assert sum(bool(c.pauses) for c in cases) > 100
    assert sum(c.advice_targets is not None and len(set(c.advice_targets)) == 2 for c in cases)
    for case in cases:
        d = case.dates
        assert case.decide_target == d.decide_to_assess.target, case.ref
        assert (case.final_due, case.final_target) == (d.final_plan.due, d.final_plan.target)
        if case.decided is not None:
            assert case.advice_targets == (d.advice[0].target, d.advice[1].target), case.ref
        if case.ending is rules.Ending.PLAN_ISSUED:
            o = casefile.outcome(case)
            want = (o.within_20_weeks, o.within_20_weeks_excluding_exceptions)
            assert casefile.issued_in_time(case) == want, case.ref


def _counts_on(days: casefile.Days, day: int) -> bool:
    ends = [*days[1::2], None]
    return any(
        first <= day and (end is None or day < end)
        for first, end in zip(days[::2], ends, strict=True)
    )


def test_overdue_days_are_the_days_a_case_is_past_a_target(exceptional: engine.Run) -> None:
    """``overdue_days``, which the weekly count keeps, against ``next_target`` day by day."""
    cases = exceptional.cases
    assert {c.stage for c in cases} == set(range(casefile.CLOSED + 1)), "every stage"
    assert any(len(c.overdue_days()) > 1 for c in cases), "a gap while other advice is late"
    for case in cases:
        days = case.overdue_days()
        if case.stage == casefile.CLOSED:
            assert days == ()
            continue
        for as_of in (case.received + timedelta(days=n) for n in range(0, 400)):
            overdue = case.final_target < as_of or case.next_target(as_of) < as_of
            assert _counts_on(days, as_of.toordinal()) == overdue, (case.ref, as_of)
