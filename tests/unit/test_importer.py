"""Onboarding a caseload from CSV (``ehc.importer``): parsing and row checks, no server needed.

Every bad row is reported with its row number (the header is row 1) and reason, and reading
never stops at the first one; whole-file problems raise ``FileError``.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from ehc.importer import (
    AssessmentRow,
    BadRow,
    FileError,
    ImportInterrupted,
    Parsed,
    PlanRow,
    check_assessments,
    check_plans,
    parse_day,
    read_rows,
    run_starters,
)
from statutory import assessment as arules
from statutory import review as rrules

TODAY = date(2026, 6, 1)
POLICY = rrules.ReviewPolicy()
PLAN_COLUMNS = (
    "case_ref,plan_date,last_review_date,caseworker,team,date_of_birth,"
    "transfer_kind,transfer_year,move_date,meeting_held_on,next_meeting_on"
)
ASSESSMENT_COLUMNS = (
    "case_ref,received,caseworker,team,date_of_birth,decided_to_assess_on,draft_served_on"
)


def write(tmp_path: Path, lines: list[str], encoding: str = "utf-8", name: str = "x.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def plans(tmp_path: Path, *rows: str, header: str = PLAN_COLUMNS) -> Parsed[PlanRow]:
    return read_rows(write(tmp_path, [header, *rows]), PlanRow)


def bad_rows(parsed: Parsed[PlanRow] | Parsed[AssessmentRow]) -> list[tuple[int, str]]:
    return [(b.row, b.case_ref) for b in parsed.bad]


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-28", date(2025, 2, 28)),
        ("2024-02-29", date(2024, 2, 29)),
        (" 2025-02-28 ", date(2025, 2, 28)),
        ("28/02/2025", date(2025, 2, 28)),  # the UK's DD/MM/YYYY, as Excel writes it
        ("1/2/2025", date(2025, 2, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_day_accepts_iso_and_uk_dates(text: str, expected: date | None) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30",
        "30/02/2025",
        "29/02/2025",
        "06/14/2019",  # US order: there is no month 14
        "20250228",
        "28-02-2025",
        "2025/02/28",
        "28/02/25",
    ],
)
def test_parse_day_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="is not a real date"):
        parse_day(text)


@pytest.mark.parametrize("text", ["yesterday", "2025-W09-5", "Jane Smith"])
def test_parse_day_does_not_repeat_a_cell_not_written_like_a_date(text: str) -> None:
    """A shifted column can put a name in a date column."""
    with pytest.raises(ValueError, match="not a date: use YYYY-MM-DD or DD/MM/YYYY") as refused:
        parse_day(text)
    assert text not in str(refused.value)


def test_parse_day_passes_non_strings_through() -> None:
    day = date(2025, 1, 1)
    assert parse_day(day) is day
    assert parse_day(None) is None


# --- read_rows: a good file -------------------------------------------------------------------


def test_good_plans_file(tmp_path: Path) -> None:
    parsed = plans(
        tmp_path,
        "EHC-2019-0141,2019-06-14,2026-05-20,cw101,north,2011-03-02,,,,,",
        "ehc-2020-0022 , 03/02/2020 ,28/11/2025, CW101 ,north,,primary-secondary,2027,,,",
        "EHC-2020-0187,2020-09-30,,cw102,south,2009-12-01,post16-post16,,2027-09-01,2026-05-01,",
        "EHC-2021-0034,2021-04-12,2025-10-01,cw103,north,,,,,,2026-07-01",
    )
    assert parsed.bad == []
    assert [n for n, _ in parsed.rows] == [2, 3, 4, 5]
    rows = {row.case_ref: row for _, row in parsed.rows}
    assert list(rows) == ["EHC-2019-0141", "EHC-2020-0022", "EHC-2020-0187", "EHC-2021-0034"]
    second = rows["EHC-2020-0022"]
    assert (second.plan_date, second.last_review_date) == (date(2020, 2, 3), date(2025, 11, 28))
    assert (second.caseworker, second.team, second.date_of_birth) == ("cw101", "north", None)
    assert (second.transfer_kind, second.transfer_year) == (
        rrules.TransferKind.PRIMARY_SECONDARY,
        2027,
    )
    third = rows["EHC-2020-0187"]
    assert (third.transfer_year, third.move_date) == (None, date(2027, 9, 1))

    good, bad = check_plans(parsed, POLICY, TODAY)
    assert bad == []
    assert [c.row for c in good] == [2, 3, 4, 5]
    checked = {c.plan.case_ref: c for c in good}
    first = checked["EHC-2019-0141"]
    assert (first.plan.plan_date, first.last_review, first.transfer, first.events) == (
        date(2019, 6, 14),
        date(2026, 5, 20),
        None,
        [],
    )
    assert first.plan.date_of_birth == date(2011, 3, 2)
    assert checked["EHC-2020-0022"].transfer == rrules.PhaseTransfer(
        kind=rrules.TransferKind.PRIMARY_SECONDARY, year=2027
    )
    moving = checked["EHC-2020-0187"]
    assert moving.transfer is not None
    assert (moving.transfer.year, moving.transfer.move_date) == (2027, date(2027, 9, 1))
    assert moving.events == [rrules.MeetingHeld(on=date(2026, 5, 1))]
    assert checked["EHC-2021-0034"].events == [
        rrules.MeetingScheduled(on=TODAY, meeting_date=date(2026, 7, 1))
    ]


def test_columns_in_any_order_with_only_the_required_ones(tmp_path: Path) -> None:
    parsed = plans(
        tmp_path,
        "north , cw017 , 2024-01-10 , EHC-2024-0001",
        header=" team , caseworker ,plan_date,case_ref ",
    )
    assert parsed.bad == []
    [(number, row)] = parsed.rows
    assert (number, row.case_ref, row.plan_date, row.caseworker, row.team) == (
        2,
        "EHC-2024-0001",
        date(2024, 1, 10),
        "cw017",
        "north",
    )
    assert row.last_review_date is None and row.transfer_kind is None


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ["case_ref,plan_date,caseworker,team", "EHC-2024-0001,2024-01-10,cw017,north"],
        "utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = read_rows(path, PlanRow)
    assert parsed.bad == []
    assert [row.case_ref for _, row in parsed.rows] == ["EHC-2024-0001"]


def test_windows_line_endings_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(
        b"case_ref,plan_date,caseworker,team\r\nEHC-2024-0001,2024-01-10,cw017,north\r\n"
    )
    parsed = read_rows(path, PlanRow)
    assert (parsed.bad, [n for n, _ in parsed.rows]) == ([], [2])


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    parsed = plans(
        tmp_path,
        "EHC-2024-0001,2024-01-10,,cw017,north,,,,,,",
        ",,,,,,,,,,",  # row 3: an empty row as Excel saves it
        "  , ,,,,,,,,,",  # row 4: only spaces
        "EHC-2024-0002,2025-02-30,,cw017,north,,,,,,",  # row 5
        "",
        "",
    )
    assert [n for n, _ in parsed.rows] == [2]
    assert bad_rows(parsed) == [(5, "EHC-2024-0002")]


def test_row_numbers_count_an_empty_line(tmp_path: Path) -> None:
    parsed = plans(
        tmp_path,
        "EHC-2024-0001,2024-01-10,,cw017,north,,,,,,",
        "",  # row 3
        "EHC-2024-0002,2025-02-30,,cw017,north,,,,,,",  # row 4
    )
    assert bad_rows(parsed) == [(4, "EHC-2024-0002")]


# --- read_rows: bad rows ----------------------------------------------------------------------


def test_every_bad_row_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    parsed = plans(
        tmp_path,
        "EHC-2024-0001,2024-01-10,,cw017,north,,,,,,",  # 2 good
        "EHC-2024-0002,2025-02-30,,cw017,north,,,,,,",  # 3 impossible date
        "EHC-2024-0003,14/06/2019,,cw017,north,,,,,,",  # 4 good (DD/MM/YYYY)
        "EHC-2024-0004,2024-01-10,,cw017,north,,secondary,2026,,,",  # 5 unknown kind
        "EHC-2024-0005,2024-01-10,,,north,,,,,,",  # 6 no caseworker
        "EHC-2024-0006,,,cw017,north,,,,,,",  # 7 no plan date
        "ehc-2024-0001,2024-02-01,,cw017,north,,,,,,",  # 8 repeats row 2
        "Jane Smith,2024-01-10,,cw017,north,,,,,,",  # 9 a name, not a reference
        "EHC-2024-0009,2024-01-10,,cw017,north,,,,,,,extra",  # 10 too many cells
        "EHC-2024-0010,2024-01-10,,cw017",  # 11 too few cells: no team
        "EHC-2024-0011,31/02/2025,,cw017,north,,,,,,",  # 12 impossible UK date
        "EHC-2024-0012,06/14/2019,,cw017,north,,,,,,",  # 13 US date
        "EHC-2024-0013,2024-01-10,,cw017,north,,primary-secondary,soon,,,",  # 14 bad year
        "EHC-2024-0014,2024-01-10,,Jane Smith,north,,,,,,",  # 15 a name as caseworker
        "EHC-2024-0015,2024-01-10,,cw017,north,2012-03-04,,,,,",  # 16 good
    )
    assert [(n, row.case_ref) for n, row in parsed.rows] == [
        (2, "EHC-2024-0001"),
        (4, "EHC-2024-0003"),
        (16, "EHC-2024-0015"),
    ]
    expected = [
        (3, "EHC-2024-0002", ["plan_date", "'2025-02-30' is not a real date"]),
        (5, "EHC-2024-0004", ["transfer_kind", "primary-secondary"]),
        (6, "EHC-2024-0005", ["caseworker", "not a valid staff id"]),
        (7, "EHC-2024-0006", ["plan_date"]),
        (8, "EHC-2024-0001", ["case_ref repeats row 2"]),
        (9, "", ["case_ref", "not a valid case reference"]),  # the name is not echoed
        (10, "", ["more cells than columns"]),
        (11, "EHC-2024-0010", ["team", "required"]),
        (12, "EHC-2024-0011", ["plan_date", "'31/02/2025' is not a real date"]),
        (13, "EHC-2024-0012", ["plan_date", "'06/14/2019' is not a real date"]),
        (14, "EHC-2024-0013", ["transfer_year", "integer"]),
        (15, "EHC-2024-0014", ["caseworker", "not a valid staff id"]),
    ]
    assert bad_rows(parsed) == [(row, ref) for row, ref, _ in expected]
    for bad, (_, _, words) in zip(parsed.bad, expected, strict=True):
        for word in words:
            assert word in bad.reason, (word, bad)
    assert str(parsed.bad[0]).startswith("row 3 (EHC-2024-0002): plan_date: ")
    assert str(parsed.bad[6]) == "row 10: more cells than columns"


def test_duplicate_is_the_later_row_and_only_good_rows_count(tmp_path: Path) -> None:
    parsed = plans(
        tmp_path,
        "EHC-2024-0001,2025-02-30,,cw017,north,,,,,,",  # 2 bad: does not claim the reference
        "EHC-2024-0001,2024-01-10,,cw017,north,,,,,,",  # 3 good
        " ehc-2024-0001 ,2024-01-11,,cw017,north,,,,,,",  # 4 repeats row 3
        "EHC-2024-0001,2024-01-12,,cw017,north,,,,,,",  # 5 repeats row 3
    )
    assert [n for n, _ in parsed.rows] == [3]
    assert [(b.row, b.reason) for b in parsed.bad] == [
        (2, parsed.bad[0].reason),
        (4, "case_ref repeats row 3 of this file"),
        (5, "case_ref repeats row 3 of this file"),
    ]


def test_bad_row_str() -> None:
    assert (
        str(BadRow(7, "EHC-2024-0001", "plan_date: oops"))
        == "row 7 (EHC-2024-0001): plan_date: oops"
    )
    assert str(BadRow(7, "", "more cells than columns")) == "row 7: more cells than columns"


# --- read_rows: the file as a whole -----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "model", "message"),
    [
        ("case_ref,plan_date,caseworker", PlanRow, "missing column(s) team"),
        ("case_ref,caseworker", PlanRow, "missing column(s) plan_date, team"),
        ("case_ref,plan_date,caseworker,team,notes", PlanRow, "unknown column(s) notes"),
        ("case_ref,plan_date,caseworker,team,Child Name", PlanRow, "unknown column(s) Child Name"),
        ("Case_Ref,plan_date,caseworker,team", PlanRow, "missing column(s) case_ref"),
        ("case_ref,caseworker,team,date_of_birth", AssessmentRow, "missing column(s) received"),
        (
            "case_ref,received,caseworker,team,plan_date",
            AssessmentRow,
            "unknown column(s) plan_date",
        ),
    ],
)
def test_wrong_columns_are_a_file_error(
    tmp_path: Path, header: str, model: type[Any], message: str
) -> None:
    path = write(tmp_path, [header, "EHC-2024-0001,2024-01-10,cw017,north,x"])
    with pytest.raises(FileError) as raised:
        read_rows(path, model)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_unreadable_files_are_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="no such file"):
        read_rows(tmp_path / "missing.csv", PlanRow)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "case_ref,plan_date,caseworker,team\nEHC-1,2024-01-10,Zoë,north\n".encode("latin-1")
    )
    with pytest.raises(FileError, match="not UTF-8"):
        read_rows(latin, PlanRow)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FileError, match="missing column"):
        read_rows(empty, PlanRow)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    parsed = read_rows(write(tmp_path, [PLAN_COLUMNS]), PlanRow)
    assert (parsed.rows, parsed.bad) == ([], [])


# --- check_plans ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2024-01-10,2023-12-31,,,,,,", "before the plan was made"),
        ("2026-06-02,,,,,,,", "the plan date 2026-06-02 is in the future"),
        ("2024-01-10,2026-06-02,,,,,,", "the last review 2026-06-02 is in the future"),
        ("2024-01-10,,2024-01-11,,,,,", "date of birth is after"),
        ("2024-01-10,,,,2026,,,", "without transfer_kind"),
        ("2024-01-10,,,,,2026-09-01,,", "without transfer_kind"),
        ("2024-01-10,,,primary-secondary,,,,", "needs transfer_year"),
        ("2024-01-10,,,post16-post16,2027,,,", "needs the move date"),
        ("2024-01-10,,,primary-secondary,1999,,,", "greater than or equal to 2014"),
        ("2024-01-10,2025-03-01,,,,,2025-02-28,", "before this review cycle began"),
        ("2024-01-10,,,,,,2026-06-02,", "in the future"),
        ("2024-01-10,,,,,,,2026-05-31", "before the day it was arranged"),
        ("2024-01-10,,,,,,2026-05-01,2026-07-01", "not both"),
    ],
)
def test_check_plans_rejects_what_a_live_plan_would(tmp_path: Path, row: str, reason: str) -> None:
    plan_date, rest = row.split(",", 1)
    last_review, dob, kind, year, move, held, upcoming = rest.split(",")
    parsed = plans(
        tmp_path,
        "EHC-2024-0001,2024-01-10,,cw017,north,,,,,,",
        f"EHC-2024-0002,{plan_date},{last_review},cw017,north,{dob},{kind},{year},{move},{held},{upcoming}",
        "EHC-2024-0003,2024-01-10,2025-06-01,cw017,north,,,,,2026-05-01,",
    )
    assert parsed.bad == []
    good, bad = check_plans(parsed, POLICY, TODAY)
    assert [c.row for c in good] == [2, 4]
    assert [(b.row, b.case_ref) for b in bad] == [(3, "EHC-2024-0002")]
    assert reason in bad[0].reason
    assert not bad[0].reason.startswith("EHC-2024-0002"), "the reference is not repeated"


def test_check_plans_accepts_today(tmp_path: Path) -> None:
    parsed = plans(tmp_path, "EHC-2024-0001,2026-06-01,2026-06-01,cw017,north,,,,,2026-06-01,")
    good, bad = check_plans(parsed, POLICY, TODAY)
    assert (len(good), bad) == (1, [])
    assert good[0].events == [rrules.MeetingHeld(on=TODAY)]


def test_post16_move_without_a_move_date_asks_for_the_move_date(tmp_path: Path) -> None:
    parsed = plans(tmp_path, "EHC-2024-0001,2024-01-10,,cw017,north,,post16-post16,,,,")
    _, bad = check_plans(parsed, POLICY, TODAY)
    assert len(bad) == 1
    assert "move_date" in bad[0].reason or "move date" in bad[0].reason, bad[0].reason


# --- check_assessments ------------------------------------------------------------------------


def assessments(tmp_path: Path, *rows: str) -> Parsed[AssessmentRow]:
    return read_rows(write(tmp_path, [ASSESSMENT_COLUMNS, *rows], name="a.csv"), AssessmentRow)


def test_good_assessments_file(tmp_path: Path) -> None:
    parsed = assessments(
        tmp_path,
        "EHC-2026-0301,2026-02-02,cw101,north,2017-05-04,2026-03-10,2026-05-09",
        "EHC-2026-0315,20/03/2026,cw102,north,,2026-04-28,",
        "EHC-2026-0340,2026-05-14,cw103,south,,,",
    )
    assert parsed.bad == []
    good, bad = check_assessments(parsed, TODAY)
    assert bad == []
    assert [c.row for c in good] == [2, 3, 4]
    first, second, third = good
    assert first.request.received == date(2026, 2, 2)
    assert first.request.date_of_birth == date(2017, 5, 4)
    assert first.events == [
        arules.DecidedToAssess(on=date(2026, 3, 10)),
        arules.DraftServed(on=date(2026, 5, 9)),
    ]
    assert second.request.received == date(2026, 3, 20)
    assert second.events == [arules.DecidedToAssess(on=date(2026, 4, 28))]
    assert third.events == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2026-02-02,,,2026-05-09", "draft_served_on needs decided_to_assess_on"),
        ("2026-06-02,,,", "cannot be received in the future"),
        ("2026-02-02,,2026-06-02,", "in the future"),
        ("2026-02-02,2026-02-03,,", "date of birth is after"),
    ],
)
def test_check_assessments_rejects_what_a_live_case_would(
    tmp_path: Path, row: str, reason: str
) -> None:
    received, dob, decided, draft = row.split(",")
    parsed = assessments(
        tmp_path,
        "EHC-2026-0001,2026-02-02,cw101,north,,,",
        f"EHC-2026-0002,{received},cw101,north,{dob},{decided},{draft}",
        "EHC-2026-0003,2026-06-01,cw101,north,,,",
    )
    assert parsed.bad == []
    good, bad = check_assessments(parsed, TODAY)
    assert [c.row for c in good] == [2, 4]
    assert [(b.row, b.case_ref) for b in bad] == [(3, "EHC-2026-0002")]
    assert reason in bad[0].reason


def test_assessment_rows_are_parsed_like_plan_rows(tmp_path: Path) -> None:
    parsed = assessments(
        tmp_path,
        "EHC-2026-0001,2026-02-30,cw101,north,,,",
        "EHC-2026-0002,2026-02-02,cw101,north,,,",
        "ehc-2026-0002,2026-02-03,cw101,north,,,",
        "EHC-2026-0004,2026-02-02,cw101,north,,2026-03-01",
    )
    assert [n for n, _ in parsed.rows] == [3, 5]
    assert bad_rows(parsed) == [(2, "EHC-2026-0001"), (4, "EHC-2026-0002")]
    assert "received" in parsed.bad[0].reason
    assert parsed.bad[1].reason == "case_ref repeats row 3 of this file"


# --- bounded input: the file, its values, its dates ---------------------------------------------


def test_a_folder_given_as_the_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="is a folder; give the CSV file itself"):
        read_rows(tmp_path, PlanRow)


def test_a_value_longer_than_any_column_takes_is_a_file_error_naming_its_line(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        [
            "case_ref,plan_date,caseworker,team",
            "EHC-2024-0001,2024-01-10,cw017,north",
            f"EHC-2024-0002,2024-01-10,cw017,{'n' * 140_000}",
        ],
    )
    with pytest.raises(FileError) as raised:
        read_rows(path, PlanRow)
    message = str(raised.value)
    assert message.startswith(f"{path}: line 3: a value is longer than 131,072 characters")
    assert "\n" not in message and "nnnn" not in message


def test_a_value_over_two_lines_is_a_file_error_naming_its_line(tmp_path: Path) -> None:
    """A quoted line break once became one team, "northsouth"."""
    path = write(
        tmp_path,
        [
            "case_ref,plan_date,caseworker,team",
            "EHC-2024-0001,2024-01-10,cw017,north",
            'EHC-2024-0002,2024-01-10,cw017,"north',
            'south"',
            "EHC-2024-0003,2024-01-10,cw017,north",
        ],
    )
    with pytest.raises(FileError) as raised:
        read_rows(path, PlanRow)
    assert str(raised.value) == (
        f"{path}: line 3: a value runs over 2 lines (to line 4); each value must be on one "
        "line: check the quotes in that row"
    )


def test_a_stray_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "case_ref,plan_date,caseworker,team",
            'EHC-2024-0001,2024-01-10,cw017,"north',
            "EHC-2024-0002,2024-01-10,cw017,north",
            "EHC-2024-0003,2024-01-10,cw017,north",
        ],
    )
    with pytest.raises(FileError, match="line 2: a value runs over 3 lines"):
        read_rows(path, PlanRow)


def test_a_line_separator_inside_a_value_is_not_a_new_row(tmp_path: Path) -> None:
    """Only CR and LF end a CSV line (str.splitlines would also split at U+2028)."""
    path = write(
        tmp_path,
        ["case_ref,plan_date,caseworker,team", "EHC-2024-0001,2024-01-10,cw017,no\u2028rth"],
    )
    parsed = read_rows(path, PlanRow)
    assert ([n for n, _ in parsed.rows], [b.row for b in parsed.bad]) == ([], [2])


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "case_ref,plan_date,caseworker,team\nEHC-1,2024-01-10,cw1,north\nEHC-2,2024-01-10,Zoë,n\n".encode(
            "latin-1"
        )
    )
    with pytest.raises(FileError, match="line 3: not UTF-8 text"):
        read_rows(latin, PlanRow)


def test_names_in_a_row_are_never_repeated(tmp_path: Path) -> None:
    parsed = plans(
        tmp_path,
        "JANE-SMITH,2024-01-10,,cw017,north,,,,,,",  # 2 a name written as a reference
        "jane-smith-2015,2024-01-10,,cw017,north,,,,,,",  # 3 a name and a year
        "EHC-2024-0003,Jane Smith,,cw017,north,,,,,,",  # 4 a name in a date column
    )
    assert bad_rows(parsed) == [(2, ""), (3, ""), (4, "EHC-2024-0003")]
    text = " ".join(str(b) for b in parsed.bad).upper()
    assert "JANE" not in text and "SMITH" not in text
    assert "reads like a person's name" in parsed.bad[0].reason
    assert parsed.bad[2].reason == "plan_date: not a date: use YYYY-MM-DD or DD/MM/YYYY"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("EHC-2024-0001,9999-12-31,,cw017,north,,,,,,", "after 31 Dec 2099"),
        ("EHC-2024-0001,0001-01-01,,cw017,north,,,,,,", "before 1 Sep 2014"),
        ("EHC-2024-0001,2024-01-10,,cw017,north,1990-01-01,,,,,", "25 or over"),
        ("EHC-2024-0001,2024-01-10,,cw017,north,,post16-post16,,9999-12-31,,", "move_date: the"),
        ("EHC-2024-0001,2024-01-10,,cw017,north,,,,,,9999-12-31", "31 Dec 2099"),
        ("EHC-2024-0001,2024-01-10,,cw017,north,,,,,,2029-06-02", "more than 3 years after"),
    ],
)
def test_implausible_dates_are_bad_rows(tmp_path: Path, row: str, reason: str) -> None:
    parsed = plans(tmp_path, row)
    if parsed.bad:
        [bad] = parsed.bad
    else:
        _, [bad] = check_plans(parsed, POLICY, TODAY)
    assert bad.row == 2 and reason in bad.reason, bad


# --- starting: the server going away ------------------------------------------------------------


def test_a_server_gone_mid_import_stops_the_starts_and_says_how_many_were_made() -> None:
    tried: list[int] = []

    def starter(n: int) -> Any:
        async def start() -> bool:
            tried.append(n)
            if n == 2:
                return False  # already there
            if n >= 4:
                raise RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")
            return True

        return start

    done: list[None] = []
    with pytest.raises(ImportInterrupted) as stopped:
        asyncio.run(
            run_starters(
                [(n, f"EHC-{n:04d}", starter(n)) for n in range(1, 11)],
                concurrency=1,
                on_done=lambda: done.append(None),
            )
        )
    interrupted = stopped.value
    assert (interrupted.started, interrupted.existing, interrupted.total) == (2, 1, 10)
    assert interrupted.reason == "the Temporal server stopped answering"
    assert tried == [1, 2, 3, 4], "nothing is tried once the server is gone"
    assert len(done) == 4, "the progress counts the rows tried"
