"""``ehc assessment record`` and ``ehc review record`` take their options from the event models.

Every field of every event is an option, and every option fills a field, so a field added to an
event is an option of ``record`` with nothing else to write. The README's lines make the same
events they always made, ``--help`` lists each option once with the events that take it, and
a wrong option is one line on stderr with exit status 2.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, TypeAdapter

from ehc.cli import assessment as assessment_cli
from ehc.cli import review as review_cli
from ehc.cli.common import Fail, today_utc
from ehc.cli.main import load
from ehc.cli.record import Kind, RecordOptions, _plain
from statutory import assessment as a
from statutory import events
from statutory import review as r
from statutory.exceptions import Reason
from tests.unit.cli_driver import EHC, ROOT, run_all

COMMANDS = {
    "assessment": (assessment_cli.RECORD, a.EVENT_TYPES),
    "review": (review_cli.RECORD, r.EVENT_TYPES),
}


def _record_command(process: str) -> Any:
    return load(process).commands["record"]


def parse(process: str, words: list[str]) -> BaseModel:
    """What ``ehc <process> record <words>`` records, parsed by the real command's options."""
    spec = COMMANDS[process][0]
    context = _record_command(process).make_context("record", list(words))
    event: BaseModel = spec.event(context.params["event"], context.params)
    return event


# --- every field is an option, every option a field -------------------------------------------


@pytest.mark.parametrize("process", COMMANDS)
def test_every_field_of_every_event_is_an_option_and_every_option_a_field(process: str) -> None:
    spec, event_types = COMMANDS[process]
    fields = {name for model in event_types.values() for name in model.model_fields} - {"type"}
    assert {o.field for o in spec.options} == fields
    for name, model in event_types.items():
        for field in model.model_fields:
            if field != "type":
                assert name in spec.takers[field]
    # A field holding a model (the review's transfer) has an option for each of its fields.
    for field, custom in spec.custom.items():
        nested = {
            _plain(m.model_fields[field].annotation)
            for m in event_types.values()
            if field in m.model_fields
        }
        models = [t for t in nested if isinstance(t, type) and issubclass(t, BaseModel)]
        for model in models:
            assert set(custom.parts) == set(model.model_fields), field
            assert set(custom.parts.values()) == {o.param for o in custom.options}
    # ... and the command takes exactly those options.
    params = {p.name for p in _record_command(process).params}
    assert params - {"case_ref", "event", "help"} == {o.param for o in spec.options}


@pytest.mark.parametrize("process", COMMANDS)
def test_each_option_says_which_events_take_it(process: str) -> None:
    spec, event_types = COMMANDS[process]
    helps = {p.name: p.help or "" for p in _record_command(process).params}
    for option in spec.options:
        takers = spec.takers[option.field]
        text = helps[option.param]
        if len(takers) == len(event_types):
            assert text.startswith("Every event: "), option
        else:
            for name in takers:
                assert f"{name}:" in text or f"{name}," in text, (option, name)
            assert not any(f"{n}:" in text for n in set(event_types) - set(takers)), option
        assert "\n" not in text and "``" not in text


def test_a_new_field_of_any_kind_is_an_option_with_its_description() -> None:
    class Colour(StrEnum):
        RED = "red"
        BLUE = "blue"

    class Painted(events.Event):
        type: Literal["painted"] = "painted"
        colour: Colour
        """The colour used."""
        coats: int | None = None
        """How many coats."""
        dried: date | None = None
        """The day it dried."""
        glossy: bool = False
        """A gloss finish."""

    class Sanded(events.Event):
        type: Literal["sanded"] = "sanded"
        coats: int | None = None
        """Coats taken off."""

    spec: RecordOptions[Painted | Sanded] = RecordOptions(
        TypeAdapter(Painted | Sanded), {"painted": Painted, "sanded": Sanded}
    )
    kinds = {o.decl: o.kind for o in spec.options}
    assert kinds == {
        "--on": Kind.DATE,
        "--colour": Kind.TEXT,
        "--coats": Kind.NUMBER,
        "--dried": Kind.DATE,
        "--glossy": Kind.FLAG,
    }
    by_decl = {o.decl: o for o in spec.options}
    assert spec.help(by_decl["--colour"]) == "painted: the colour used: red, blue."
    assert spec.help(by_decl["--coats"]) == "painted: how many coats. sanded: coats taken off."
    assert spec.help(by_decl["--on"]) == "Every event: the day it happened (default today)."
    made = spec.event(
        "painted", {"on": "02/03/2026", "colour": "blue", "dried": "2026-03-04", "glossy": True}
    )
    assert made == Painted(
        on=date(2026, 3, 2), colour=Colour.BLUE, dried=date(2026, 3, 4), glossy=True
    )
    with pytest.raises(Fail, match=r"^sanded takes no --glossy$"):
        spec.event("sanded", {"glossy": True})


def test_a_field_with_no_option_of_its_kind_stops_the_import() -> None:
    class Part(BaseModel):
        model_config = ConfigDict(frozen=True)
        size: int

    class Fitted(events.Event):
        type: Literal["fitted"] = "fitted"
        part: Part

    class Checked(events.Event):
        type: Literal["checked"] = "checked"
        passed: bool
        """Required yes/no: neither a flag's no nor not given."""

    with pytest.raises(TypeError, match="part: a field of type"):
        RecordOptions(TypeAdapter(Fitted), {"fitted": Fitted})
    with pytest.raises(TypeError, match="passed: a yes/no field"):
        RecordOptions(TypeAdapter(Checked), {"checked": Checked})


# --- the README's lines make the events they always made --------------------------------------


def readme_record_lines(process: str) -> list[list[str]]:
    """The README's ``ehc <process> record ...`` lines, continuations joined, after ``record``."""
    text = (ROOT / "README.md").read_text().replace("\\\n", " ")
    prefix = f"ehc {process} record "
    return [
        shlex.split(line, comments=True)[3:]
        for line in text.splitlines()
        if line.startswith(prefix)
    ]


def test_the_readme_assessment_lines_record_what_they_always_did() -> None:
    today = today_utc()
    expected: list[BaseModel] = [
        a.DecidedToAssess(on=date(2026, 7, 1)),
        a.AdviceRequested(
            on=date(2026, 7, 2),
            advice_type=a.AdviceType.PSYCHOLOGICAL,
            provider="Educational Psychology Service",
            adviser_received=date(2026, 7, 3),
        ),
        a.ExceptionRecorded(
            on=today,
            reason=Reason.ABSENCE_FROM_AREA,
            start=date(2026, 7, 10),
            end=date(2026, 8, 20),
            note="family abroad",
        ),
        a.AdviceReceived(on=date(2026, 9, 1), advice_id=1),
        a.DraftServed(on=date(2026, 10, 1)),
        a.SettingConsulted(on=date(2026, 10, 2), setting="Local special school"),
        a.SettingReplied(on=date(2026, 10, 12), consultation_id=1),
        a.FinalPlanIssued(on=date(2026, 10, 20)),
        a.CaseworkerReassigned(on=today, caseworker="cw202", team="south"),
        a.Withdrawn(on=today, reason="request withdrawn by the family"),
    ]
    assert [parse("assessment", words) for words in readme_record_lines("assessment")] == expected


def test_the_readme_review_lines_record_what_they_always_did() -> None:
    today = today_utc()
    expected: list[BaseModel] = [
        r.MeetingScheduled(on=date(2026, 5, 1), meeting_date=date(2026, 6, 1)),
        r.InvitationsSent(on=date(2026, 5, 10)),
        r.AdviceCirculated(on=date(2026, 5, 12)),
        r.MeetingHeld(on=date(2026, 6, 1)),
        r.ReportSent(on=date(2026, 6, 10)),
        r.DecisionNotified(on=date(2026, 6, 20), decision=r.Decision.AMEND),
        r.AmendmentNoticeSent(on=date(2026, 6, 20)),
        r.FinalAmendedPlanIssued(on=date(2026, 8, 1)),
        r.TransferSet(
            on=today, transfer=r.PhaseTransfer(kind=r.TransferKind.SECONDARY_POST16, year=2028)
        ),
        r.CaseworkerReassigned(on=today, caseworker="cw202", team="south"),
        r.TransferredOut(on=today, reason="moved to another authority"),
    ]
    assert [parse("review", words) for words in readme_record_lines("review")] == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "X appeal-concluded --plan-continues --on 2026-01-01",
            r.AppealConcluded(on=date(2026, 1, 1), plan_continues=True),
        ),
        (
            "X appeal-concluded --plan-ceases --on 2026-01-01",
            r.AppealConcluded(on=date(2026, 1, 1), plan_continues=False),
        ),
        ("X transfer-set --on 2026-01-01", r.TransferSet(on=date(2026, 1, 1))),
        (
            "X transfer-set --transfer post16-post16 --move-date 2027-09-01 --on 2026-01-01",
            r.TransferSet(
                on=date(2026, 1, 1),
                transfer=r.PhaseTransfer(
                    kind=r.TransferKind.POST16_POST16, year=2027, move_date=date(2027, 9, 1)
                ),
            ),
        ),
        (
            "X final-amended-issued --representations-received --on 2026-01-01",
            r.FinalAmendedPlanIssued(on=date(2026, 1, 1), representations_received=True),
        ),
    ],
)
def test_the_reviews_own_options(words: str, expected: BaseModel) -> None:
    assert parse("review", shlex.split(words)) == expected


def test_exceptions_and_advice_set_aside_as_the_readme_describes() -> None:
    assert parse(
        "assessment",
        shlex.split(
            "X exception --reason missed-appointment --advice-id 1 --start 2026-01-01 "
            "--end 2026-01-02 --on 2026-01-03"
        ),
    ) == a.ExceptionRecorded(
        on=date(2026, 1, 3),
        reason=Reason.MISSED_APPOINTMENT,
        start=date(2026, 1, 1),
        end=date(2026, 1, 2),
        advice_id=1,
    )
    assert parse(
        "assessment",
        shlex.split(
            "X advice-not-needed --advice-id 2 --reason earlier-advice-sufficient --on 2026-08-01"
        ),
    ) == a.AdviceNotNeeded(
        on=date(2026, 8, 1),
        advice_id=2,
        reason=a.AdviceNotNeededReason.EARLIER_ADVICE_SUFFICIENT,
    )


# --- the real command: help, and one-line errors ----------------------------------------------


def _help(process: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    env |= {"COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*EHC, process, "record", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("process", COMMANDS)
def test_help_lists_each_option_once(process: str) -> None:
    listed = [
        found.group(1)
        for line in _help(process).splitlines()
        if (found := re.match(r"^\W*(--[a-z-]+)", line))
    ]
    spec = COMMANDS[process][0]
    assert listed == [o.flag for o in spec.options] + ["--help"]


ERRORS: dict[str, tuple[str, str]] = {
    "not-taken": ("assessment X advice-received --setting x", "advice-received takes no --setting"),
    "unknown-option": ("assessment X advice-received --bogus 1", "No such option: --bogus"),
    "bad-date": (
        "assessment X advice-received --on 2026-13-01",
        "--on: '2026-13-01' is not a real date: use YYYY-MM-DD or DD/MM/YYYY",
    ),
    "date-out-of-bounds": (
        "assessment X advice-requested --advice-type medical --provider P "
        "--adviser-received 2013-01-01",
        "--adviser-received: the date (2013-01-01) is before 1 Sep 2014",
    ),
    "not-a-number": (
        "assessment X advice-received --advice-id x",
        "Invalid value for '--advice-id'",
    ),
    "not-a-choice": (
        "assessment X advice-not-needed --advice-id 1 --reason bogus",
        "advice-not-needed: --reason: Input should be 'earlier-advice-sufficient' or "
        "'request-withdrawn'",
    ),
    "unknown-event": ("review X bogus", "unknown event 'bogus' (known: meeting-scheduled,"),
    "switch-not-taken": (
        "review X meeting-held --plan-ceases",
        "meeting-held takes no --plan-continues",
    ),
    "part-not-taken": (
        "review X meeting-held --transfer-year 2027",
        "meeting-held takes no --transfer-year",
    ),
    "transfer-without-kind": (
        "review X transfer-set --transfer-year 2027",
        "--transfer-year and --move-date need --transfer",
    ),
    "missing-result": (
        "review X appeal-concluded",
        "appeal-concluded: --plan-continues: Field required",
    ),
}


def test_a_wrong_option_is_one_line_and_exit_2(tmp_path: Path) -> None:
    forked = {}
    for name, (words, _) in ERRORS.items():
        process, *rest = shlex.split(words)
        forked[name] = [process, "record", *rest]
    results = run_all([], {}, forked, tmp_path)
    for name, (_, message) in ERRORS.items():
        result = results[name]
        assert result.returncode == 2, (name, result.stderr)
        assert result.stdout == "", name
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"ehc: {message}"), (name, lines)
