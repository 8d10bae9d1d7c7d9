"""Onboarding an existing caseload from a case-management system's CSV export.

Every row is checked against the same rules as a live case before anything is started, and
every bad row is reported with its row number (the header is row 1) and reason. Starting is
idempotent: a case that already has its workflow is counted as "already there", never
duplicated, so an import cut short (the server went away) is finished by running it again.
A file that cannot be read as a whole (not there, a folder, not UTF-8, a value running over
two lines or longer than any column takes) is refused before any row is checked, naming the
line. A value that may be a name is never repeated. Column references: README.md
("Importing a caseload") and ``samples/``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from ehc import text
from statutory import assessment as arules
from statutory import clocks
from statutory import review as rrules
from statutory.bounds import CaseDay
from statutory.errors import RuleViolation
from statutory.identifiers import CASE_REF_PATTERN, CaseRef, StaffId, TeamId, looks_like_a_name

if TYPE_CHECKING:
    from temporalio.client import Client

    from ehc.settings import Settings

CASE_REF = re.compile(CASE_REF_PATTERN)
#: A cell written only with what dates are written with: safe to repeat in a message.
DATE_LIKE = re.compile(r"[0-9/ -]{1,12}")
#: A caseload export is a few megabytes; anything far larger is not one.
MAX_FILE_BYTES = 64 * 1024 * 1024


def parse_day(value: object) -> object:
    """Dates as YYYY-MM-DD or the UK's DD/MM/YYYY (``ehc.text``, as on the command line);
    empty cells are None. A cell that is not a date is repeated only if it is written like
    one (a shifted column can put a name in a date column)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return text.parse_day(value)
    except ValueError:
        if DATE_LIKE.fullmatch(value.strip()):
            raise
        raise ValueError("not a date: use YYYY-MM-DD or DD/MM/YYYY") from None


#: Date columns: the cell read by ``parse_day`` (so blank is none), then checked as a day
#: a case can have; a date of birth, as a date (the rules check its age).
Day = Annotated[CaseDay, BeforeValidator(parse_day)]
DayOrBlank = Annotated[CaseDay | None, BeforeValidator(parse_day)]
BirthDay = Annotated[date | None, BeforeValidator(parse_day)]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class CsvRow(BaseModel):
    """A row of a caseload export: a column the model does not name is refused, and each
    cell is read without the spaces around it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanRow(CsvRow):
    """One plan. Required: case_ref, plan_date, caseworker, team."""

    case_ref: CaseRef
    plan_date: Day
    last_review_date: DayOrBlank = None
    caseworker: StaffId
    team: TeamId
    date_of_birth: BirthDay = None
    transfer_kind: rrules.TransferKind | None = None
    transfer_year: int | None = None
    move_date: DayOrBlank = None
    meeting_held_on: DayOrBlank = None
    next_meeting_on: DayOrBlank = None

    _blanks = field_validator("transfer_kind", "transfer_year", mode="before")(_blank_to_none)

    def plan(self) -> rrules.PlanRecord:
        """The plan, from the columns of the same names (checked by the rules)."""
        return rrules.PlanRecord.model_validate(self, from_attributes=True)

    def transfer(self) -> rrules.PhaseTransfer | None:
        if self.transfer_kind is None:
            if self.transfer_year is not None or self.move_date is not None:
                raise RuleViolation("transfer_year/move_date given without transfer_kind")
            return None
        if self.transfer_kind is rrules.TransferKind.POST16_POST16 and self.move_date is None:
            raise RuleViolation("a post16-post16 transfer needs the move date (column move_date)")
        year = self.transfer_year or (self.move_date.year if self.move_date else None)
        if year is None:
            raise RuleViolation(f"transfer_kind {self.transfer_kind.value} needs transfer_year")
        try:
            return rrules.PhaseTransfer(
                kind=self.transfer_kind, year=year, move_date=self.move_date
            )
        except ValidationError as error:
            raise RuleViolation(error.errors()[0]["msg"].removeprefix("Value error, ")) from None

    def events(self, today: date) -> list[rrules.ReviewEvent]:
        out: list[rrules.ReviewEvent] = []
        if self.next_meeting_on is not None:
            if self.meeting_held_on is not None:
                raise RuleViolation("give meeting_held_on or next_meeting_on, not both")
            out.append(rrules.MeetingScheduled(on=today, meeting_date=self.next_meeting_on))
        if self.meeting_held_on is not None:
            out.append(rrules.MeetingHeld(on=self.meeting_held_on))
        return out


class AssessmentRow(CsvRow):
    """One open assessment. Required: case_ref, received, caseworker, team."""

    case_ref: CaseRef
    received: Day
    caseworker: StaffId
    team: TeamId
    date_of_birth: BirthDay = None
    decided_to_assess_on: DayOrBlank = None
    draft_served_on: DayOrBlank = None

    def request(self) -> arules.AssessmentRequest:
        """The request, from the columns of the same names (checked by the rules)."""
        return arules.AssessmentRequest.model_validate(self, from_attributes=True)

    def events(self) -> list[arules.AssessmentEvent]:
        out: list[arules.AssessmentEvent] = []
        if self.decided_to_assess_on:
            out.append(arules.DecidedToAssess(on=self.decided_to_assess_on))
        if self.draft_served_on:
            if not self.decided_to_assess_on:
                raise RuleViolation("draft_served_on needs decided_to_assess_on")
            out.append(arules.DraftServed(on=self.draft_served_on))
        return out


class TransferInRow(CsvRow):
    """One plan transferred in from another council (reg 15). Required: case_ref, caseworker,
    team, transfer_date, and plan_date or last_review."""

    case_ref: CaseRef
    caseworker: StaffId
    team: TeamId
    transfer_date: Day
    plan_date: DayOrBlank = None
    last_review: DayOrBlank = None
    from_council: Annotated[str | None, Field(max_length=40, pattern=r"^[A-Za-z0-9 -]*$")] = None
    """The council's code (SEN2 reads it): a code, never a name of a person."""

    _blanks = field_validator("from_council", mode="before")(_blank_to_none)

    def start(self) -> clocks.ClockStart:
        """The transfer's clock, from the columns (checked by the rules on opening)."""
        dates = {"transfer": self.transfer_date, "plan": self.plan_date}
        dates["last-review"] = self.last_review
        return clocks.ClockStart(
            process="transfer-in",
            case_ref=self.case_ref,
            caseworker=self.caseworker,
            team=self.team,
            dates={name: day for name, day in dates.items() if day is not None},
            detail={"from_council": self.from_council} if self.from_council else {},
        )


Row = TypeVar("Row", PlanRow, AssessmentRow, TransferInRow)


@dataclass(frozen=True, slots=True)
class BadRow:
    row: int
    case_ref: str
    reason: str

    def __str__(self) -> str:
        ref = f" ({self.case_ref})" if self.case_ref else ""
        return f"row {self.row}{ref}: {self.reason}"


@dataclass
class Parsed(Generic[Row]):
    rows: list[tuple[int, Row]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


class FileError(ValueError):
    """The file as a whole cannot be read (missing, a folder, wrong columns, not CSV); the
    message is one line, naming the line of the file where it can."""


def _text_of(path: Path) -> str:
    """The file's text, or ``FileError`` saying why it cannot be read."""
    try:
        if path.is_dir():
            raise FileError(f"{path}: is a folder; give the CSV file itself")
        if path.exists() and not path.is_file():
            raise FileError(f"{path}: is not a file; give the CSV file itself")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FileError(
                f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, far more than a "
                "caseload export; split it into smaller files"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileError(f"{path}: no such file") from None
    except OSError as error:
        raise FileError(f"{path}: cannot be read ({error.strerror or 'unreadable'})") from None
    try:
        return raw.decode("utf-8-sig")  # Excel's UTF-8 export starts with a BOM
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise FileError(
            f"{path}: line {line}: not UTF-8 text; save the export as CSV UTF-8"
        ) from None


def read_rows(path: Path, model: type[Row]) -> Parsed[Row]:
    """Parse and validate every row; never stops at the first bad one."""
    lines = csv.reader(io.StringIO(_text_of(path), newline=""))
    try:
        return _parse(path, lines, model)
    except csv.Error as error:
        limit = csv.field_size_limit()
        reason = (
            f"a value is longer than {limit:,} characters, and no column takes more than 40"
            if "field larger than field limit" in str(error)
            else f"not readable as CSV ({error})"
        )
        raise FileError(f"{path}: line {lines.line_num}: {reason}") from None


def _parse(path: Path, lines: Any, model: type[Row]) -> Parsed[Row]:  # lines: csv.reader
    """Rows from a ``csv.reader``; each record must lie on one line of the file: no column
    takes a line break, and a stray quote makes the lines after it one value, rows and all."""
    columns = [c.strip() for c in next(lines, [])]
    if lines.line_num > 1:
        raise FileError(f"{path}: line 1: a column name runs over more than one line")
    known = set(model.model_fields)
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    if missing := sorted(required - set(columns)):
        raise FileError(f"{path}: missing column(s) {', '.join(missing)}")
    if unknown := sorted(set(columns) - known):
        raise FileError(
            f"{path}: unknown column(s) {', '.join(unknown)} (known: {', '.join(model.model_fields)})"
        )
    if twice := sorted({c for c in columns if columns.count(c) > 1}):
        raise FileError(f"{path}: column(s) {', '.join(twice)} given more than once")
    parsed: Parsed[Row] = Parsed()
    seen: dict[str, int] = {}
    end = lines.line_num
    for values in lines:
        # The file's own line numbers, blank lines included.
        number, end = end + 1, lines.line_num
        if end > number:
            raise FileError(
                f"{path}: line {number}: a value runs over {end - number + 1} lines (to line "
                f"{end}); each value must be on one line: check the quotes in that row"
            )
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) > len(columns):
            parsed.bad.append(BadRow(number, "", "more cells than columns"))
            continue
        cells = dict(zip(columns, values, strict=False))  # a short row: the rest are absent
        # Only echo a reference that looks like one: a bad one may be a child's name.
        ref = (cells.get("case_ref") or "").strip().upper().replace("/", "-")
        ref = ref if CASE_REF.fullmatch(ref) and not looks_like_a_name(ref) else ""
        try:
            row = model.model_validate(cells)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            parsed.bad.append(BadRow(number, ref, f"{where}: {message}" if where else message))
            continue
        if row.case_ref in seen:
            parsed.bad.append(
                BadRow(number, ref, f"case_ref repeats row {seen[row.case_ref]} of this file")
            )
            continue
        seen[row.case_ref] = number
        parsed.rows.append((number, row))
    return parsed


@dataclass
class ImportReport:
    rows: int = 0
    started: int = 0
    already_there: int = 0
    bad: list[BadRow] = field(default_factory=list)


Starter = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    row: int
    plan: rrules.PlanRecord
    last_review: date | None
    transfer: rrules.PhaseTransfer | None
    events: list[rrules.ReviewEvent]

    @property
    def case_ref(self) -> str:
        return self.plan.case_ref

    def starter(self, client: Client, settings: Settings, today: date) -> Starter:
        from ehc.reviews import Reviews  # Temporal: only once rows are to be started

        return lambda: Reviews(client, settings).start(
            self.plan,
            last_review=self.last_review,
            transfer=self.transfer,
            prior_events=self.events,
            today=today,
        )


@dataclass(frozen=True, slots=True)
class CheckedAssessment:
    row: int
    request: arules.AssessmentRequest
    events: list[arules.AssessmentEvent]

    @property
    def case_ref(self) -> str:
        return self.request.case_ref

    def starter(self, client: Client, settings: Settings, today: date) -> Starter:
        from ehc.cases import Assessments  # Temporal: only once rows are to be started

        return lambda: Assessments(client, settings).start(self.request, self.events, today=today)


@dataclass(frozen=True, slots=True)
class CheckedDuty:
    """A duty clock to start (a plan transferred in), checked by its process's rules."""

    row: int
    start: clocks.ClockStart

    @property
    def case_ref(self) -> str:
        return self.start.case_ref

    def starter(self, client: Client, settings: Settings, today: date) -> Starter:
        async def go() -> bool:
            from ehc.duties import AlreadyStarted, Duties  # Temporal: only once rows are started

            try:
                await Duties(client, settings).start(self.start, today=today)
            except AlreadyStarted:
                return False
            return True

        return go


def check_transfers_in(
    parsed: Parsed[TransferInRow], today: date
) -> tuple[list[CheckedDuty], list[BadRow]]:
    """Check each transfer row against the transfer rules (reg 15), as a live one would be."""

    def checked(number: int, row: TransferInRow) -> CheckedDuty:
        start = row.start()
        clocks.open_case(start, today)
        return CheckedDuty(number, start)

    return _each_row(parsed, checked, (RuleViolation, ValidationError))


def check_plans(
    parsed: Parsed[PlanRow], policy: rrules.ReviewPolicy, today: date
) -> tuple[list[CheckedPlan], list[BadRow]]:
    """Check each plan row against the review rules, as a live plan would be."""
    # Temporal's client comes with these: imported here so ``ehc import --help`` is quick.
    from ehc.cases import CaseError
    from ehc.reviews import checked_first_cycle

    def checked(number: int, row: PlanRow) -> CheckedPlan:
        plan, transfer, events = row.plan(), row.transfer(), row.events(today)
        checked_first_cycle(
            plan,
            last_review=row.last_review_date,
            transfer=transfer,
            prior_events=events,
            policy=policy,
            today=today,
        )
        return CheckedPlan(number, plan, row.last_review_date, transfer, events)

    return _each_row(parsed, checked, (RuleViolation, CaseError, ValidationError))


def check_assessments(
    parsed: Parsed[AssessmentRow], today: date
) -> tuple[list[CheckedAssessment], list[BadRow]]:
    """Check each assessment row against the assessment rules, as a live request would be."""
    from ehc.cases import CaseError, checked_assessment  # as in ``check_plans``

    def checked(number: int, row: AssessmentRow) -> CheckedAssessment:
        request, events = row.request(), row.events()
        checked_assessment(request, events, today)
        return CheckedAssessment(number, request, events)

    return _each_row(parsed, checked, (RuleViolation, CaseError, ValidationError))


Checked = TypeVar("Checked")


def _each_row(
    parsed: Parsed[Row],
    check: Callable[[int, Row], Checked],
    refusals: tuple[type[Exception], ...],
) -> tuple[list[Checked], list[BadRow]]:
    """The rows ``check`` passes, and each row it refuses (one of ``refusals``) with why."""
    good: list[Checked] = []
    bad: list[BadRow] = []
    for number, row in parsed.rows:
        try:
            good.append(check(number, row))
        except refusals as error:
            bad.append(BadRow(number, row.case_ref, _reason(error, row.case_ref)))
    return good, bad


def _reason(error: Exception, case_ref: str) -> str:
    if isinstance(error, ValidationError):
        return str(error.errors()[0]["msg"]).removeprefix("Value error, ")
    return str(error).removeprefix(f"{case_ref}: ")


class ImportInterrupted(RuntimeError):
    """Temporal stopped answering part-way through the starts; what was done by then.

    Nothing is half-done (each start either happened or did not), and starting is idempotent,
    so running the same import again finishes it.
    """

    def __init__(
        self, started: int, existing: int, total: int, reason: str, failures: list[BadRow]
    ) -> None:
        super().__init__(reason)
        self.started = started
        self.existing = existing
        self.total = total
        self.reason = reason
        self.failures = failures


async def run_starters(
    starters: Iterable[tuple[int, str, Starter]],
    concurrency: int,
    on_done: Callable[[], Any] = lambda: None,
) -> tuple[int, int, list[BadRow]]:
    """Start workflows with bounded concurrency; (started, already there, failures).

    Raises ``ImportInterrupted`` if Temporal stops answering: no start is tried after that.
    """
    from temporalio.service import RPCError, RPCStatusCode

    from ehc.cases import CaseError

    todo = list(starters)
    gate = asyncio.Semaphore(concurrency)
    started = existing = 0
    failures: list[BadRow] = []
    stopped: str | None = None

    async def one(number: int, ref: str, start: Starter) -> None:
        nonlocal started, existing, stopped
        async with gate:
            if stopped is not None:
                return
            try:
                if await start():
                    started += 1
                else:
                    existing += 1
            except CaseError as error:
                failures.append(BadRow(number, ref, _reason(error, ref)))
            except RPCError as error:
                # Not this row's fault: the server went away (or refuses every start).
                stopped = stopped or (
                    "the Temporal server stopped answering"
                    if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)
                    else f"Temporal refused to start workflows ({error.message})"
                )
            finally:
                on_done()

    await asyncio.gather(*(one(n, r, s) for n, r, s in todo))
    failures.sort(key=lambda b: b.row)
    if stopped is not None:
        raise ImportInterrupted(started, existing, len(todo), stopped, failures)
    return started, existing, failures
