"""Both engines agree case by case: the fast engine's outcomes and alerts are the ones the real
assessment workflow produces, replayed on the Temporal time-skipping test server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from ehc import faithful
from scenarios import casefile, engine
from scenarios.casefile import SimCase
from statutory import assessment as rules
from statutory import exceptions as exc
from statutory.bounds import HORIZON
from tests.conftest import BIN

from .helpers import variant


def _summer(share: float, start: date, end: date) -> dict[str, Any]:
    return {"share": share, "closures": [{"start": start, "end": end}], "assumed": True}


def _sample() -> list[SimCase]:
    """A dozen closed cases of a county run with many exceptions: every ending, on time and
    late, with and without exceptions (personal circumstances, absence, missed appointment,
    a school's and an early-years provider's summer closure)."""
    scenario = variant(
        "county-psychology-outsourced",
        {
            "scenario.weeks": 60,
            "exceptions.personal-circumstances.share": 0.15,
            "exceptions.absence-from-area": {"share": 0.1, "weeks": [4, 6, 8], "assumed": True},
            "exceptions.missed-appointment.share": 0.3,
            "exceptions.school-closure": _summer(0.5, date(2023, 7, 24), date(2023, 9, 4)),
            "exceptions.early-years-closure": _summer(0.3, date(2023, 7, 31), date(2023, 9, 1)),
        },
    )
    run = engine.simulate(scenario, 11, keep_cases=True)
    new = [c for c in run.cases if c.received >= scenario.scenario.start and faithful.replayable(c)]

    def pick(test: object, n: int) -> list[SimCase]:
        return [c for c in new if test(c)][:n]  # type: ignore[operator]

    out: dict[int, SimCase] = {}
    for group in (
        pick(lambda c: c.ending is rules.Ending.NOT_ASSESSED, 2),
        pick(lambda c: c.ending is rules.Ending.NOT_ISSUED, 1),
        pick(lambda c: casefile.outcome(c).within_20_weeks is True, 2),
        pick(lambda c: casefile.outcome(c).within_20_weeks is False, 2),
        pick(
            lambda c: c.ending is rules.Ending.PLAN_ISSUED and casefile.outcome(c).exceptions_apply,
            2,
        ),
        pick(lambda c: any(s.advice_id for s in c.recorded_spans()), 2),
        *(pick(lambda c, r=reason: _closed_for(c, r), 1) for reason in casefile.CLOSURES),
    ):
        out.update((c.id, c) for c in group)
    return list(out.values())


def _closed_for(case: SimCase, reason: exc.Reason) -> bool:
    """A plan issued with an exception for a closure of ``reason``'s kind of setting."""
    return case.ending is rules.Ending.PLAN_ISSUED and any(
        s.reason is reason for s in case.recorded_spans()
    )


async def test_fast_and_faithful_engines_agree_case_by_case(tmp_path: Path) -> None:
    cases = _sample()
    outcomes = [casefile.outcome(c) for c in cases]
    assert {o.ending for o in outcomes} == set(rules.Ending) - {rules.Ending.WITHDRAWN}
    assert {o.within_20_weeks for o in outcomes} == {None, True, False}
    assert any(o.exceptions_apply for o in outcomes)
    assert any(s.advice_id for c in cases for s in c.recorded_spans())
    assert {s.reason for c in cases for s in c.recorded_spans()} >= casefile.CLOSURES
    # Its own test server: the replay moves the server's clock on by years, and a session
    # server left stalled by another test would fail this one (and the other way round).
    replayed = await faithful.replay(
        lambda: faithful.time_skipping(BIN / "temporal-test-server"),
        cases,
        faithful.faithful_worker(tmp_path),
    )
    for r in replayed:
        assert r.outcome == casefile.outcome(r.case), r.case.ref
        assert r.deadlines == faithful.expected_deadlines(r.case), r.case.ref
        assert r.alerts == casefile.expected_alerts(r.case), r.case.ref
    kinds = {a.kind for r in replayed for a in r.alerts}
    assert len(kinds) == 2, "the sample earned reminders and escalations"


async def test_coronavirus_cases_are_refused() -> None:
    """Their exception has fixed dates (1 May - 25 Sep 2020): they cannot be moved in time."""
    scenario = variant(
        "unitary-2020-as-planned", {"scenario.weeks": 40, "exceptions.coronavirus.share": 1.0}
    )
    run = engine.simulate(scenario, 1, keep_cases=True)
    covid = [c for c in run.cases if c.ending and not faithful.replayable(c)]
    assert covid
    with pytest.raises(faithful.FaithfulError, match="coronavirus"):
        await faithful.replay_case(None, "unused", covid[0], "X")  # type: ignore[arg-type]


def test_a_case_fits_on_the_server_only_when_its_dates_stay_before_2100() -> None:
    case = next(c for c in _sample() if c.closed_on is not None)
    length = case.closed_on - case.received if case.closed_on else None
    assert length is not None
    last_start = HORIZON - length - faithful.AFTER_THE_CASE
    assert faithful.fits(case, last_start)
    assert not faithful.fits(case, last_start + timedelta(days=1))


async def test_cases_that_would_pass_2099_go_on_to_a_fresh_server(tmp_path: Path) -> None:
    """A server's clock only moves forward, by each case's length: when the next case would
    pass 2099 (the last year a case may have), the replay goes on on a fresh server."""
    cases = [c for c in _sample() if not c.spans][:3]
    assert all(c.closed_on and c.closed_on > c.received for c in cases)
    first = cases[0]
    assert first.closed_on is not None
    aged = HORIZON - (first.closed_on - first.received) - faithful.AFTER_THE_CASE
    servers: list[date] = []

    @asynccontextmanager
    async def environment() -> AsyncIterator[WorkflowEnvironment]:
        async with faithful.time_skipping(BIN / "temporal-test-server") as env:
            if not servers:  # the first server, aged: room for the first case only
                now = await env.get_current_time()
                await env.sleep(datetime.combine(aged, time(), UTC) - now)
            servers.append((await env.get_current_time()).date())
            yield env

    replayed = await faithful.replay(environment, cases, faithful.faithful_worker(tmp_path))
    assert len(servers) == 2 and servers[0] == aged
    assert [r.case for r in replayed] == cases
    for r in replayed:
        assert faithful.agreement(r).agrees, r.case.ref
