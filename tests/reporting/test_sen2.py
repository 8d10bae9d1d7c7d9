"""The SEN2 assessment timeliness table from ledger rows (statutory/sen2.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

from statutory.sen2 import COLUMNS, sen2_table, to_csv
from tests.reporting.rows import plan, request, step


def _rows() -> tuple[list, list, list]:  # type: ignore[type-arg]
    steps = [
        # received 2026-01-05 (due 6 weeks later), decided in time in February
        step("decide-to-assess", date(2026, 2, 2), due=date(2026, 2, 16), ref="S-1"),
        # received 2025-12-22, decided late in February 2026
        step("decide-to-assess", date(2026, 2, 10), due=date(2026, 2, 2), met=False, ref="S-2"),
        # received 2026-01-12, refused in time in February
        step("decide-to-assess", date(2026, 2, 3), due=date(2026, 2, 23), ref="S-3"),
    ]
    outcomes = [
        plan(
            date(2026, 2, 20),
            in_time=False,
            ending="not-assessed",
            ref="S-3",
            received=date(2026, 1, 12),
        ),
        plan(date(2026, 5, 20), in_time=True, ref="S-1", received=date(2026, 1, 5)),
        plan(
            date(2026, 6, 1), in_time=False, exception=True, ref="S-2", received=date(2025, 12, 22)
        ),
        plan(
            date(2026, 6, 2),
            in_time=False,
            ending="withdrawn",
            ref="S-4",
            received=date(2026, 3, 2),
        ),
    ]
    return [], steps, outcomes


def test_requests_are_known_from_decisions_and_outcomes_until_recorded() -> None:
    requests, steps, outcomes = _rows()
    table = sen2_table(2026, requests, steps, outcomes)
    assert not table.requests_complete
    by = {r["period"]: r for r in table.rows}
    assert [r["period"] for r in table.rows][-1] == "2026" and len(table.rows) == 13
    assert by["2026-01"]["requests_received"] == 2  # S-1, S-3 (S-2 arrived in 2025)
    assert by["2026-03"]["requests_received"] == 1  # S-4, withdrawn before any decision
    year = by["2026"]
    assert year["requests_received"] == 3
    assert (year["decisions_made"], year["agreed_to_assess"], year["refused_to_assess"]) == (
        3,
        2,
        1,
    )
    assert year["decisions_within_6_weeks"] == 2
    assert (year["plans_issued"], year["plans_within_20_weeks"]) == (2, 1)
    assert year["percent_within_20_weeks_including_exceptions"] == "50.0"
    assert (year["exception_cases"], year["plans_excluding_exceptions"]) == (1, 1)
    assert year["plans_within_20_weeks_excluding_exceptions"] == 1
    assert year["percent_within_20_weeks_excluding_exceptions"] == "100.0"
    assert year["withdrawn"] == 1
    assert by["2026-04"]["percent_within_20_weeks_including_exceptions"] == ""


def test_request_records_win_and_count_requests_awaiting_a_decision() -> None:
    _, steps, outcomes = _rows()
    waiting = request(date(2026, 11, 30), "S-9")
    moved = request(date(2026, 1, 6), "S-1")  # the record's day beats the derived one
    table = sen2_table(2026, [waiting, moved], steps, outcomes)
    assert table.requests_complete
    by = {r["period"]: r for r in table.rows}
    assert by["2026-11"]["requests_received"] == 1
    assert by["2026"]["requests_received"] == 4


def test_the_csv_has_the_documented_columns_in_order() -> None:
    _, steps, outcomes = _rows()
    text = to_csv(sen2_table(2026, [], steps, outcomes))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [name for name, _ in COLUMNS]
    assert len(rows) == 13 and rows[-1]["plans_issued"] == "2"
    assert all(description for _, description in COLUMNS)
