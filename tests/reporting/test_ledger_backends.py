"""The ledger on SQLite and PostgreSQL: each row written once, read back by day, team, case."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from activities.ledger import Ledger
from ehc.ledger_reader import LedgerReader
from statutory.ledger import request_record
from tests.reporting.rows import plan, step


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ehc.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_rows_are_written_once_and_read_back_by_day_team_and_case(url: str) -> None:
    ledger = Ledger(url)
    rows = [
        step("decide-to-assess", date(2026, 1, 10), ref="L-1"),
        step("advice-1", date(2026, 2, 10), ref="L-1", provider="EPS", advice_type="psychological"),
        step("decide-to-assess", date(2026, 3, 10), ref="L-2", team="south"),
    ]
    assert ledger.put_steps(rows) == 3
    assert ledger.put_steps(rows) == 0, "a retried activity must not write twice"
    assert ledger.put_outcome(plan(date(2026, 5, 1), in_time=True, ref="L-1"))
    assert not ledger.put_outcome(plan(date(2026, 5, 1), in_time=True, ref="L-1"))
    request = request_record(
        workflow_id="assessment-L-1",
        case_ref="L-1",
        received=date(2026, 1, 2),
        caseworker="cw1",
        team="north",
    )
    assert ledger.put_request(request) and not ledger.put_request(request)

    reader = LedgerReader(url)
    assert [s.step for s in reader.steps(date(2026, 2, 1), date(2026, 2, 28))] == ["advice-1"]
    assert reader.steps(date(2026, 2, 1))[0].detail == {
        "provider": "EPS",
        "advice_type": "psychological",
    }
    assert [s.case_ref for s in reader.steps(team="south")] == ["L-2"]
    assert len(reader.steps(case_ref="L-1")) == 2
    outcome = reader.outcomes(date(2026, 1, 1))[0]
    assert outcome.outcome["within_20_weeks"] is True and outcome.ended_on == date(2026, 5, 1)
    assert reader.requests(date(2026, 1, 1), date(2026, 1, 31)) == [request]
    reader.close()
    ledger.engine.dispose()
