"""The rules' events, values and step statuses in plain English, for caseworkers.

One place for the words that ``ehc assessment show``, ``ehc review show`` and ``ehc case``
print, so a value never reaches a person as a Python repr or an enum key. Step statuses are
worded by ``statutory.steps.STATE_WORDS`` (the status truth table); this module only adds how
far off an open step is. Stages, endings and each event's name (``Event.title``) are worded
beside the rules, whose refusals name them too. Every table is complete over its enum (tests
check it), so a new event or value fails a test rather than printing a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ehc.text import count, day, period
from statutory import assessment as a
from statutory import exceptions as exc
from statutory import review as r
from statutory.catalogue import describe
from statutory.clock_processes import CLOCKS
from statutory.dates import days_left_words
from statutory.steps import STATE_WORDS, StepState, StepStatus

# Stages and endings are worded beside their enums: the rules' refusals name them too.
ASSESSMENT_STAGE = a.STAGE_WORDS
REVIEW_STAGE = r.STAGE_WORDS
ENDING = a.ENDING_WORDS
DECISION: dict[r.Decision, str] = {
    r.Decision.MAINTAIN: "keep the plan as it is",
    r.Decision.AMEND: "amend the plan",
    r.Decision.CEASE: "cease to maintain the plan",
}
PLAN_ENDING = r.PLAN_ENDING_WORDS
TRANSFER = r.TRANSFER_WORDS
CATEGORY: dict[r.Category, str] = {
    r.Category.SECONDARY_TRANSFER: "a transfer to secondary school",
    r.Category.POST16_TRANSFER: "a transfer to post-16",
    r.Category.OTHER: "other reviews (no phase transfer in this cycle)",
}
ADVICE_TYPE: dict[a.AdviceType, str] = {
    a.AdviceType.PARENT: "parent's",
    a.AdviceType.EDUCATIONAL: "educational",
    a.AdviceType.MEDICAL: "medical",
    a.AdviceType.PSYCHOLOGICAL: "psychological",
    a.AdviceType.SOCIAL_CARE: "social care",
    a.AdviceType.PREPARING_FOR_ADULTHOOD: "preparing for adulthood",
    a.AdviceType.OTHER: "other",
}
ADVICE_NOT_NEEDED: dict[a.AdviceNotNeededReason, str] = {
    a.AdviceNotNeededReason.EARLIER_ADVICE_SUFFICIENT: (
        "earlier advice is sufficient, as the council, the adviser and the family agree (reg 6(4))"
    ),
    a.AdviceNotNeededReason.REQUEST_WITHDRAWN: "the request for advice was withdrawn",
}
REASON: dict[exc.Reason, str] = {
    exc.Reason.SCHOOL_CLOSURE: "school closure",
    exc.Reason.EARLY_YEARS_CLOSURE: "early years setting closure",
    exc.Reason.PERSONAL_CIRCUMSTANCES: "exceptional personal circumstances",
    exc.Reason.ABSENCE_FROM_AREA: "absence from the area",
    exc.Reason.MISSED_APPOINTMENT: "missed appointment",
    exc.Reason.CORONAVIRUS: "coronavirus",
}
#: final-issued, final-amended-issued: reg 13(1), 22(2) give 15 days for representations.
REPRESENTATIONS_EARLY = "representations received before the 15 days ran out"


#: A duty clock's stage is its next step (worded by that step's label), or one of these
#: (``statutory.clocks.stage``).
CLOCK_STAGE = {"open": "open, nothing due yet", "closed": "closed"}


def stage(process: str, value: str) -> str:
    """A stage as a search attribute or a summary carries it (its key), worded."""
    tables: dict[str, dict[a.Stage, str] | dict[r.Stage, str]] = {
        "assessment": ASSESSMENT_STAGE,
        "review": REVIEW_STAGE,
    }
    said = {k.value: v for k, v in tables.get(process, {}).items()}
    if process in CLOCKS:
        said = CLOCK_STAGE
        info = describe(value, process)
        if info is not None:
            return info.label
    return said.get(value, value.replace("-", " "))


def step_label(process: str, step: str | None) -> str:
    """A step's name (``decide-to-assess``) as the rules label it; unknown names as they are."""
    if not step:
        return ""
    info = describe(step, process)
    return info.label if info else step


def transfer(t: r.PhaseTransfer) -> str:
    """The transfer as "secondary to post-16 in 2028"; a post-16 move by its day."""
    if t.kind is r.TransferKind.POST16_POST16 and t.move_date is not None:
        return f"{TRANSFER[t.kind]}, moving on {day(t.move_date)}"
    return f"{TRANSFER[t.kind]} in {t.year}"


def appeal_window(c: r.ReviewCycle) -> str | None:
    """Where the family's appeal against a decision to cease stands (Tribunal rules r20(1)(c));
    None without a decision to cease still open to appeal."""
    if c.decision is not r.Decision.CEASE or c.decision_on is None or c.ended is not None:
        return None
    if c.appeal_lodged_on is not None:
        return f"appeal lodged {day(c.appeal_lodged_on)}: the plan stays in force until it ends"
    if c.awaiting_certificate:
        assert c.mediation_wanted_on is not None and c.two_months_after_decision is not None
        return (
            f"mediation asked for {day(c.mediation_wanted_on)}: open until 1 month from the "
            "mediation certificate, not yet recorded "
            f"(at least until {day(c.two_months_after_decision)})"
        )
    closes = c.appeal_window_ends()
    assert closes is not None
    return f"open until {day(closes)} ({c.window_words()}); the plan ceases after that"


def exception(reason: exc.Reason, start: date, end: date) -> str:
    """An exception over its period: "Exception: absence from the area, 10 Jul 2026 to
    20 Aug 2026" (reg 5(4), 8(2), 10(4), 13(3))."""
    return f"Exception: {REASON[reason]}, {period(start, end)}"


def within(in_time: bool, limit: str) -> str:
    """A limit met or not: "within 20 weeks" / "not within 20 weeks"."""
    return f"within {limit}" if in_time else f"not within {limit}"


def yes_no(value: bool | None, none: str = "does not apply") -> str:
    return none if value is None else ("yes" if value else "no")


def next_step(s: StepStatus) -> str:
    """What to do next, as a page's banner and a duty clock's ``show`` say it (no full stop)."""
    return f"Next: {s.label} by {day(s.target)} ({s.regulation})"


def step_status(s: StepStatus) -> str:
    """The truth table's word for the step; for an open or overdue one, how far off its target
    is instead: "12 days left", "due today", "3 days overdue" (beside its date)."""
    if s.state in (StepState.OPEN, StepState.OVERDUE) and s.days_left is not None:
        left = s.days_left
        return f"{count(left, 'day')} left" if left > 0 else days_left_words(left)
    return STATE_WORDS[s.state]


@dataclass(frozen=True, slots=True)
class EventWords:
    """One recorded event as a line of a timeline."""

    on: date
    """Where it sits in the timeline: the day it happened (an exception: its first day)."""
    what: str
    detail: str = ""
    until: date | None = None
    """The last day of a period (an exception)."""
    regulation: str = ""


def event(e: a.AssessmentEvent | r.ReviewEvent) -> EventWords:
    """What a caseworker recorded, in words: headline, detail and, for a period, its days."""
    match e:
        case a.ExceptionRecorded():
            detail = [f"advice request {e.advice_id} only"] if e.advice_id else []
            detail += [f"note: {e.note}"] if e.note else []
            detail.append(f"recorded {day(e.on)}")
            return EventWords(
                on=e.start,
                until=e.end,
                what=exception(e.reason, e.start, e.end),
                detail="; ".join(detail),
                regulation=exc.REGULATION[e.reason],
            )
        case a.AdviceRequested():
            received = (
                f"the adviser received it {day(e.adviser_received)}"
                if e.adviser_received and e.adviser_received != e.on
                else ""
            )
            what = f"Advice requested: {ADVICE_TYPE[e.advice_type]} advice from {e.provider}"
            return EventWords(e.on, what, received)
        case r.ReviewAdviceRequested():
            kind = e.advice_type.replace("-", " ")
            return EventWords(e.on, f"Advice requested: {kind} advice from {e.provider}")
        case a.AdviceReceived() | r.ReviewAdviceReceived():
            return EventWords(e.on, e.title, f"advice request {e.advice_id}")
        case a.AdviceNotNeeded():
            return EventWords(
                e.on, e.title, f"advice request {e.advice_id}: {ADVICE_NOT_NEEDED[e.reason]}"
            )
        case a.SettingConsulted():
            return EventWords(e.on, f"Setting consulted: {e.setting}")
        case a.SettingReplied():
            return EventWords(e.on, e.title, f"consultation {e.consultation_id}")
        case a.FinalPlanIssued() | r.FinalAmendedPlanIssued():
            return EventWords(
                e.on, e.title, REPRESENTATIONS_EARLY if e.representations_received else ""
            )
        case a.Withdrawn():
            return EventWords(e.on, e.title, e.reason)
        case a.CaseworkerReassigned() | r.CaseworkerReassigned():
            team = f" (team {e.team})" if e.team else ""
            return EventWords(e.on, f"Reassigned to caseworker {e.caseworker}{team}")
        case r.MeetingScheduled():
            return EventWords(e.on, f"Review meeting arranged for {day(e.meeting_date)}")
        case r.DecisionNotified():
            return EventWords(e.on, f"Decision notified: {DECISION[e.decision]}")
        case r.AppealConcluded():
            result = "the plan continues" if e.plan_continues else "the plan ceases"
            return EventWords(e.on, f"Appeal concluded: {result}")
        case r.TransferredOut():
            return EventWords(e.on, e.title, e.reason)
        case r.TransferSet():
            if e.transfer is None:
                return EventWords(e.on, "Phase transfer cleared")
            return EventWords(e.on, f"Transfer: {transfer(e.transfer)}")
    # The rest need no more than their name (``Event.title``).
    return EventWords(e.on, e.title)


def alert(kind: str, level: int, target: date | None = None) -> str:
    """A reminder's or an escalation's name: its level is days before the target for a
    reminder, and the first, second... escalation after it (statutory/alerts.py)."""
    if kind == "reminder":
        return f"Reminder, {count(level, 'day')} before " + (
            f"the target, {day(target)}" if target else "the target"
        )
    if kind == "escalation":
        return f"Escalation {level}" + (f", target {day(target)} missed" if target else "")
    return kind.replace("-", " ").capitalize()
