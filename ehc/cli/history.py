"""A dated history written as command-line options, turned into the rules' events.

Each event remembers the option it came from, so that when the rules refuse it
(``statutory.audit.HistoryRefused``) the one-line error names the option and its value. A
malformed option (a missing part, a date that does not exist, an unknown reason) is refused
here, before the rules see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from ehc.cli.common import fail, parse_date
from statutory import assessment as rules
from statutory import audit
from statutory import exceptions as exc
from statutory import review as rv
from statutory.audit import HistoryRefused
from statutory.errors import RuleViolation

E = TypeVar("E")
S = TypeVar("S")
K = TypeVar("K", bound=StrEnum)

#: Who a request for advice went to: the calculator is told only its dates.
ADVISER = "the adviser"
EXCEPTION_FORM = (
    "REASON:START:END, or REASON:START:END:ADVICE_INDEX for one request for advice "
    "(dates YYYY-MM-DD or DD/MM/YYYY)"
)


@dataclass
class History(Generic[E]):
    """Events in the order the options were given, and what each was written as."""

    events: list[E] = field(default_factory=list)
    written: dict[int, str] = field(default_factory=dict)
    """``id`` of an event (or of its maker) -> the option as given, e.g. "--draft-served X"."""

    def add(self, option: str, text: str, event: E) -> E:
        self.events.append(event)
        self.note(option, text, event)
        return event

    def once(self, option: str, text: str | None, make: Callable[[date], E]) -> None:
        """The event of a one-date option, if it was given."""
        if text is not None:
            self.add(option, text, make(parse_date(text, option)))

    def note(self, option: str, text: str, source: S) -> S:
        self.written[id(source)] = f"{option} {text}"
        return source

    def refusal(self, refused: HistoryRefused, start: str) -> str:
        """The rules' refusal as one line, starting with the option at fault (``start``
        when it is the request or cycle itself)."""
        where = self._said(refused.source, start)
        line = f"{where}: {refused}"
        if refused.dated_after:
            first = ", ".join(self._said(s, start) for s in refused.dated_after)
            line += f" (it is dated before {first}, which must come first)"
        return line

    def _said(self, source: object | None, start: str) -> str:
        return start if source is None else self.written.get(id(source), start)


def parts(text: str, option: str, form: str, least: int, most: int) -> list[str]:
    """``text`` split at its colons into ``least`` to ``most`` parts, or a one-line error."""
    pieces = text.split(":")
    if not least <= len(pieces) <= most or not all(pieces):
        fail(f"{option}: '{text}' should be {form}")
    return pieces


def day(text: str, option: str, value: str) -> date:
    return parse_date(value, f"{option} {text}" if text != value else option)


def index(text: str, option: str, value: str) -> int:
    """A 1-based position, as in "--advice-received 2:2026-09-01"."""
    if not value.isdigit() or int(value) < 1:
        fail(f"{option} {text}: '{value}' should be a number from 1 (the first request)")
    return int(value)


def choice(text: str, option: str, value: str, kind: type[K]) -> K:
    try:
        return kind(value)
    except ValueError:
        fail(f"{option} {text}: '{value}' should be one of {', '.join(kind)}")


def reason(text: str, value: str) -> exc.Reason:
    try:
        return exc.parse_reason(value)
    except RuleViolation as error:
        fail(f"--exception {text}: {error}")


# --- an assessment's options ---------------------------------------------------------------


def advice_requests(texts: list[str], types: list[str]) -> list[tuple[str, rules.AdviceRequested]]:
    """Each DATE[:ADVISER_RECEIVED] (one date: both), of the kind INDEX:TYPE gives (default
    other), with the text it came from."""
    kinds: dict[int, rules.AdviceType] = {}
    for text in types:
        i, kind = parts(text, "--advice-type", "INDEX:TYPE", 2, 2)
        n = index(text, "--advice-type", i)
        if n > len(texts):
            fail(f"--advice-type {text}: there is no --advice-requested number {n}")
        kinds[n] = choice(text, "--advice-type", kind, rules.AdviceType)
    requests = []
    for n, text in enumerate(texts, start=1):
        dates = parts(text, "--advice-requested", "DATE or DATE:ADVISER_RECEIVED", 1, 2)
        sent = day(text, "--advice-requested", dates[0])
        requests.append(
            (
                text,
                rules.AdviceRequested(
                    on=sent,
                    advice_type=kinds.get(n, rules.AdviceType.OTHER),
                    provider=ADVISER,
                    adviser_received=(
                        day(text, "--advice-requested", dates[1]) if len(dates) == 2 else None
                    ),
                ),
            )
        )
    return requests


def exception(text: str) -> rules.ExceptionSpan:
    """REASON:START:END[:ADVICE_INDEX], e.g. absence-from-area:2025-06-01:2025-07-15."""
    p = parts(text, "--exception", EXCEPTION_FORM, 3, 4)
    if len(p) == 4 and not p[3].isdigit():
        fail(f"--exception: '{text}' should be {EXCEPTION_FORM}")
    return rules.ExceptionSpan(
        reason(text, p[0]),
        exc.Period(day(text, "--exception", p[1]), day(text, "--exception", p[2])),
        index(text, "--exception", p[3]) if len(p) == 4 else None,
    )


def recorded(span: rules.ExceptionSpan) -> audit.Undated:
    """The exception as the rules record it, on whatever day the history gives it."""
    return lambda on: rules.ExceptionRecorded(
        on=on,
        reason=span.reason,
        start=span.period.start,
        end=span.period.end,
        advice_id=span.advice_id,
    )


def set_aside(text: str) -> audit.Undated:
    """INDEX:REASON, a request for advice set aside (reg 6(4), or withdrawn)."""
    i, because = parts(text, "--advice-not-needed", "INDEX:REASON", 2, 2)
    advice_id = index(text, "--advice-not-needed", i)
    why = choice(text, "--advice-not-needed", because, rules.AdviceNotNeededReason)
    return lambda on: rules.AdviceNotNeeded(on=on, advice_id=advice_id, reason=why)


def advice_received(text: str) -> rules.AdviceReceived:
    """INDEX:DATE, the advice asked for by request INDEX came back."""
    i, got = parts(text, "--advice-received", "INDEX:DATE (INDEX counts from 1)", 2, 2)
    return rules.AdviceReceived(
        on=day(text, "--advice-received", got), advice_id=index(text, "--advice-received", i)
    )


# --- a review's options ---------------------------------------------------------------------


def decision(text: str) -> audit.ReviewHistoryEvent:
    """DATE[:KIND], the decision notified after the meeting (reg 20(10))."""
    p = parts(text, "--decision", "DATE or DATE:KIND (KIND: maintain, amend or cease)", 1, 2)
    on = day(text, "--decision", p[0])
    if len(p) == 1:
        return audit.UnknownDecision(on=on)
    return rv.DecisionNotified(on=on, decision=choice(text, "--decision", p[1], rv.Decision))


def appeal_concluded(text: str) -> rv.AppealConcluded:
    """DATE:continues or DATE:ceases, how an appeal against ceasing ended."""
    when, ending = parts(text, "--appeal-concluded", "DATE:continues or DATE:ceases", 2, 2)
    if ending not in ("continues", "ceases"):
        fail(f"--appeal-concluded {text}: '{ending}' should be continues or ceases")
    return rv.AppealConcluded(
        on=day(text, "--appeal-concluded", when), plan_continues=ending == "continues"
    )
