"""The SEN2 person-level return (statutory/sen2.py) and the monthly timeliness summary
(statutory/sen2_timeliness.py), from hand-made ledger rows."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from statutory.ledger import OutcomeRecord
from statutory.sen2 import (
    JOIN_KEY,
    MODULES,
    InvalidCode,
    Module,
    census_date,
    markdown,
    module_csv,
    sen2_return,
    unconfirmed_codes,
    validate,
)
from statutory.sen2_timeliness import COLUMNS, sen2_table, to_csv
from tests.reporting.rows import plan, request, review_outcome, step

DOC = Path(__file__).resolve().parents[2] / "docs" / "REPORTING.md"


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


def _clock(
    process: str, ref: str, ended: date, ending: str, *, dates: dict[str, str], **detail: str
) -> OutcomeRecord:
    """A duty-clock outcome as the clock contract writes it (statutory/clocks.py)."""
    outcome: dict[str, Any] = {
        "case_ref": ref,
        "process": process,
        "variant": None,
        "opened_on": min(dates.values()),
        "ending": ending,
        "ended_on": ended.isoformat(),
        "dates": dates,
        "detail": detail,
        "steps": {},
        "in_time": True,
    }
    return OutcomeRecord(
        key=f"{process}-{ref}:0:outcome",
        workflow_id=f"{process}-{ref}",
        case_ref=ref,
        process=process,
        cycle=0,
        ended_on=ended,
        caseworker="cw1",
        team="north",
        outcome=outcome,
    )


def _by_ref(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r[JOIN_KEY]: r for r in rows}


# The monthly timeliness summary (kept for GET /sen2/{year} without a module).


def test_summary_knows_requests_from_decisions_and_outcomes_until_recorded() -> None:
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


def test_summary_request_records_win_and_count_requests_awaiting_a_decision() -> None:
    _, steps, outcomes = _rows()
    waiting = request(date(2026, 11, 30), "S-9")
    moved = request(date(2026, 1, 6), "S-1")  # the record's day beats the derived one
    table = sen2_table(2026, [waiting, moved], steps, outcomes)
    assert table.requests_complete
    by = {r["period"]: r for r in table.rows}
    assert by["2026-11"]["requests_received"] == 1
    assert by["2026"]["requests_received"] == 4


def test_summary_csv_has_the_documented_columns_in_order() -> None:
    _, steps, outcomes = _rows()
    text = to_csv(sen2_table(2026, [], steps, outcomes))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [name for name, _ in COLUMNS]
    assert len(rows) == 13 and rows[-1]["plans_issued"] == "2"
    assert all(description for _, description in COLUMNS)


# The person-level return.


def test_census_date_is_the_third_thursday_of_the_next_january() -> None:
    # the DfE's census dates for the 2024 and 2025 collections
    assert census_date(2023) == date(2024, 1, 18)
    assert census_date(2024) == date(2025, 1, 16)
    assert census_date(2025) == date(2026, 1, 15)


def test_requests_carry_their_decision_and_an_earlier_decision_is_historical() -> None:
    _, steps, outcomes = _rows()
    steps.append(step("decide-to-assess", date(2025, 11, 3), ref="S-5"))  # still assessing
    waiting = request(date(2026, 12, 1), "S-9")  # no decision by 31 December
    later = request(date(2027, 1, 4), "S-10")  # the next year's return
    found = sen2_return(2026, [waiting, later], steps, outcomes)
    rows = _by_ref(found.modules[Module.REQUESTS])
    assert rows["S-1"] == {
        JOIN_KEY: "S-1",
        "ReceivedDate": "2026-01-05",
        "RequestOutcomeDate": "2026-02-02",
        "RequestOutcome": "A",
    }
    assert rows["S-2"]["ReceivedDate"] == "2025-12-22"  # decided in 2026: in this return
    assert (rows["S-3"]["RequestOutcome"], rows["S-3"]["RequestOutcomeDate"]) == ("B", "2026-02-03")
    assert (rows["S-4"]["RequestOutcome"], rows["S-4"]["RequestOutcomeDate"]) == ("C", "2026-06-02")
    assert rows["S-5"]["RequestOutcome"] == "H"  # decided in 2025, assessment continues
    assert (rows["S-9"]["RequestOutcome"], rows["S-9"]["RequestOutcomeDate"]) == ("W", "")
    assert "S-10" not in rows
    assert found.requests_complete


def test_assessments_carry_their_outcome_and_the_week20_exception_flag() -> None:
    _, steps, outcomes = _rows()
    steps += [
        step("draft-served", date(2026, 4, 20), ref="S-1"),
        # S-5: decided in 2025, an exception recorded on a step, no decision on a plan yet
        step("decide-to-assess", date(2025, 11, 3), ref="S-5"),
        step("advice", date(2025, 12, 20), ref="S-5", exception=True),
        # S-6: decided to assess, then not to issue (reg 10)
        step("decide-to-assess", date(2026, 3, 2), ref="S-6"),
    ]
    outcomes.append(plan(date(2026, 7, 1), in_time=False, ending="not-issued", ref="S-6"))
    rows = _by_ref(sen2_return(2026, [], steps, outcomes).modules[Module.ASSESSMENTS])
    assert set(rows) == {"S-1", "S-2", "S-5", "S-6"}  # S-3 refused, S-4 withdrawn before
    assert rows["S-1"] == {
        JOIN_KEY: "S-1",
        "AssessmentOutcome": "A",
        "AssessmentOutcomeDate": "2026-04-20",  # the draft plan: the decision to issue
        "Week20": "0",
    }
    assert (rows["S-2"]["AssessmentOutcomeDate"], rows["S-2"]["Week20"]) == ("2026-06-01", "1")
    assert rows["S-5"] == {
        JOIN_KEY: "S-5",
        "AssessmentOutcome": "W",
        "AssessmentOutcomeDate": "",
        "Week20": "1",
    }
    assert (rows["S-6"]["AssessmentOutcome"], rows["S-6"]["Week20"]) == ("B", "0")


def test_named_plans_carry_start_cease_and_the_transfer_out_reason() -> None:
    _, steps, outcomes = _rows()
    outcomes += [
        plan(date(2024, 3, 1), in_time=True, ref="P-1"),  # ceased by review in 2026
        review_outcome(
            date(2026, 9, 1),
            decision="cease",
            amended_in_time=None,
            ref="P-1",
            plan_ended="ceased",
            ended_on="2026-09-01",
        ),
        plan(date(2023, 5, 1), in_time=True, ref="P-2"),  # transferred out in 2026
        _clock(
            "transfer-out", "P-2", date(2026, 4, 30), "transferred", dates={"move": "2026-04-01"}
        ),
        plan(date(2022, 5, 1), in_time=True, ref="P-3"),  # ended before the year
        review_outcome(
            date(2025, 6, 1),
            decision="cease",
            amended_in_time=None,
            ref="P-3",
            plan_ended="ceased",
            ended_on="2025-06-01",
        ),
    ]
    rows = _by_ref(sen2_return(2026, [], steps, outcomes).modules[Module.NAMED_PLANS])
    assert set(rows) == {"S-1", "S-2", "P-1", "P-2"}
    assert rows["S-1"] == {
        JOIN_KEY: "S-1",
        "StartDate": "2026-05-20",
        "CeaseDate": "",
        "CeaseReason": "",
    }
    assert (rows["P-1"]["CeaseDate"], rows["P-1"]["CeaseReason"]) == ("2026-09-01", "")
    assert (rows["P-2"]["CeaseDate"], rows["P-2"]["CeaseReason"]) == ("2026-04-30", "5")


def test_active_plans_on_the_census_date_with_reviews_and_transfers_in() -> None:
    _, steps, outcomes = _rows()
    outcomes += [
        # P-4: imported as maintained; reviewed and maintained before the census date
        review_outcome(
            date(2026, 10, 20),
            decision="maintain",
            amended_in_time=None,
            ref="P-4",
            meeting_held_on="2026-10-01",
            decision_on="2026-10-20",
        ),
        # P-5: transferred in during 2026 from council 886
        _clock(
            "transfer-in",
            "P-5",
            date(2026, 8, 1),
            "reviewed",
            dates={"transfer": "2026-03-02", "plan": "2025-01-10"},
            from_council="886",
        ),
        # P-6: plan issued in 2025 and ceased after review in January, before the census
        plan(date(2025, 2, 3), in_time=True, ref="P-6"),
        review_outcome(
            date(2027, 1, 5),
            decision="cease",
            amended_in_time=None,
            ref="P-6",
            plan_ended="ceased",
            ended_on="2027-01-05",
        ),
    ]
    # S-1's annual review meeting held in December; its decision not yet made
    steps.append(step("review-meeting", date(2026, 12, 10), process="review", cycle=1, ref="S-1"))
    found = sen2_return(2026, [], steps, outcomes)
    rows = _by_ref(found.modules[Module.ACTIVE_PLANS])
    assert found.census == date(2027, 1, 21)
    assert set(rows) == {"S-1", "S-2", "P-4", "P-5"}  # P-6 ceased before the census date
    assert rows["P-4"] == {
        JOIN_KEY: "P-4",
        "TransferLA": "",
        "ReviewMeeting": "2026-10-01",
        "ReviewOutcome": "M",
        "LastReview": "2026-10-20",
    }
    assert rows["P-5"]["TransferLA"] == "886"
    assert (rows["S-1"]["ReviewMeeting"], rows["S-1"]["ReviewOutcome"]) == ("2026-12-10", "")
    transfers = found.modules[Module.TRANSFERS_IN]
    assert transfers == [{JOIN_KEY: "P-5", "TransferLA": "886", "TransferDate": "2026-03-02"}]


def test_every_code_written_is_in_the_dfe_list_and_every_column_is_documented() -> None:
    _, steps, outcomes = _rows()
    found = sen2_return(2026, [request(date(2026, 12, 1), "S-9")], steps, outcomes)
    for module in Module:
        rows = found.modules[module]
        validate(module, rows)  # raises on a code the DfE does not list
        text = module_csv(module, rows)
        parsed = list(csv.DictReader(io.StringIO(text)))
        assert text.splitlines()[0].split(",") == [c.name for c in MODULES[module]]
        assert len(parsed) == len(rows)
        assert all(c.meaning for c in MODULES[module])
    written = {r["RequestOutcome"] for r in found.modules[Module.REQUESTS]}
    assert written == {"A", "B", "C", "W"}
    assert "RequestOutcome=W" in unconfirmed_codes(Module.REQUESTS, found.modules[Module.REQUESTS])


def test_a_code_outside_the_dfe_list_is_refused() -> None:
    bad = {JOIN_KEY: "S-1", "AssessmentOutcome": "Y", "AssessmentOutcomeDate": "", "Week20": "0"}
    with pytest.raises(InvalidCode, match="AssessmentOutcome 'Y'"):
        module_csv(Module.ASSESSMENTS, [bad])
    with pytest.raises(InvalidCode, match="Week20 is empty"):
        validate(Module.ASSESSMENTS, [{**bad, "AssessmentOutcome": "A", "Week20": ""}])


@pytest.mark.parametrize("module", list(Module))
def test_docs_show_each_module_exactly_as_declared(module: Module) -> None:
    block = re.search(
        rf"<!-- sen2:{module} .*?-->\n(.*?)\n<!-- /sen2:{module} -->", DOC.read_text(), re.S
    )
    assert block is not None, f"docs/REPORTING.md has no sen2:{module} block"
    assert block.group(1) == markdown(module), (
        "docs/REPORTING.md is out of date: paste "
        f"`.venv/bin/python -c \"from statutory.sen2 import markdown; print(markdown('{module}'))\"`"
    )
