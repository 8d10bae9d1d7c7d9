"""A realistic demo caseload, dated relative to today so its deadlines are live at once.

About 40 open assessments spread over weeks 1-30 (some decisions, advice and drafts late,
some with exceptions) and a few closed ones (``DEMO-nnnn``), and 300 maintained plans whose
reviews fall across the year, some overdue, some under way, with this year's phase transfers
(``DEMO-Pnnnn``). Staff ids and providers are invented. The same seed and day always give
the same caseload.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from statutory import assessment as rules
from statutory import review as rrules
from statutory.errors import RuleViolation
from statutory.exceptions import Reason

TEAMS = {"north": ["cw101", "cw102", "cw103"], "south": ["cw201", "cw202"], "east": ["cw301"]}
ADVICE = [
    (rules.AdviceType.EDUCATIONAL, "Current school"),
    (rules.AdviceType.PSYCHOLOGICAL, "Educational Psychology Service"),
    (rules.AdviceType.MEDICAL, "Community Paediatrics"),
    (rules.AdviceType.SOCIAL_CARE, "Children's Social Care"),
    (rules.AdviceType.PARENT, "Parent/carer"),
]


@dataclass
class DemoCase:
    request: rules.AssessmentRequest
    events: list[rules.AssessmentEvent] = field(default_factory=list)


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _decided(
    rng: random.Random,
    ev: list[rules.AssessmentEvent],
    on: date,
    odds_against: float,
    against: Callable[..., rules.AssessmentEvent],
    going_ahead: Callable[..., rules.AssessmentEvent],
) -> bool:
    """One of the authority's two decisions, whether to assess (reg 4) and whether to issue a
    plan (reg 10; going ahead, it serves the draft): against with ``odds_against``; True if
    the case goes ahead."""
    ahead = rng.random() >= odds_against
    ev.append((going_ahead if ahead else against)(on=on))
    return ahead


def _exception(
    reason: Reason,
    start: date,
    days: int,
    note: str,
    *,
    recorded_after: int = 0,
    advice_id: int | None = None,
) -> rules.ExceptionRecorded:
    """An exception from ``start`` to ``days`` days later, recorded ``recorded_after`` days
    into it; for one request for advice (reg 8(2)) if ``advice_id`` is given."""
    return rules.ExceptionRecorded(
        on=start + timedelta(days=recorded_after),
        reason=reason,
        start=start,
        end=start + timedelta(days=days),
        note=note,
        advice_id=advice_id,
    )


def _one(rng: random.Random, ref: str, today: date, age_days: int) -> DemoCase:
    team = rng.choice(sorted(TEAMS))
    received = today - timedelta(days=age_days)
    dob = received - timedelta(days=rng.randint(3 * 365, 15 * 365))
    request = rules.AssessmentRequest(
        case_ref=ref,
        received=received,
        caseworker=rng.choice(TEAMS[team]),
        team=team,
        date_of_birth=dob,
    )
    case = DemoCase(request)
    ev = case.events
    # Decision to assess: most on time, some late, a few still waiting past 6 weeks.
    decision = received + _days(rng, 25, 50)
    if decision > today or rng.random() < 0.08:
        return case
    if not _decided(rng, ev, decision, 0.1, rules.DecidedNotToAssess, rules.DecidedToAssess):
        return case
    sent = decision + _days(rng, 0, 4)
    if sent > today:
        return case
    returned: list[date] = []
    outstanding: list[int] = []
    for i, (kind, provider) in enumerate(rng.sample(ADVICE, k=rng.randint(3, 5)), start=1):
        ev.append(rules.AdviceRequested(on=sent, advice_type=kind, provider=provider))
        back = sent + _days(rng, 20, 60 if kind is rules.AdviceType.PSYCHOLOGICAL else 45)
        if back <= today and rng.random() < 0.9:
            ev.append(rules.AdviceReceived(on=back, advice_id=i))
            returned.append(back)
            continue
        outstanding.append(i)
        if kind is rules.AdviceType.MEDICAL and rng.random() < 0.5:
            missed = sent + _days(rng, 10, 20)
            if missed + timedelta(days=21) <= today:
                note = "clinic appointment not kept; rebooked"
                ev.append(
                    _exception(
                        Reason.MISSED_APPOINTMENT, missed, 21, note, recorded_after=1, advice_id=i
                    )
                )
    if rng.random() < 0.12:
        start = received + _days(rng, 20, 60)
        if start + timedelta(days=35) <= today:
            note = "family abroad for five weeks"
            ev.append(_exception(Reason.ABSENCE_FROM_AREA, start, 34, note, recorded_after=3))
    elif rng.random() < 0.08:
        start = received + _days(rng, 30, 70)
        if start + timedelta(days=21) <= today:
            note = "exceptional personal circumstances agreed by team manager"
            ev.append(_exception(Reason.PERSONAL_CIRCUMSTANCES, start, 21, note))
    draft = max([sent, *returned]) + _days(rng, 3, 20)
    if draft > today or draft - received < timedelta(weeks=13) or rng.random() < 0.1:
        return case
    if not _decided(rng, ev, draft, 0.05, rules.DecidedNotToIssue, rules.DraftServed):
        return case
    final = draft + _days(rng, 15, 35)
    issued = final <= today and rng.random() < 0.85
    consulted = draft + _days(rng, 1, 5)
    if consulted <= today and (not issued or consulted < final):
        ev.append(rules.SettingConsulted(on=consulted, setting="Local special school"))
        reply = consulted + _days(rng, 5, 25)
        if reply <= today and (not issued or reply <= final):
            ev.append(rules.SettingReplied(on=reply, consultation_id=1))
    if issued:
        # A plan is issued only with its advice in (reg 6(1)), or set aside under reg 6(4).
        for i in outstanding:
            if rng.random() < 0.3:
                ev.append(
                    rules.AdviceNotNeeded(
                        on=draft,
                        advice_id=i,
                        reason=rules.AdviceNotNeededReason.EARLIER_ADVICE_SUFFICIENT,
                    )
                )
            else:
                ev.append(rules.AdviceReceived(on=draft + _days(rng, 1, 14), advice_id=i))
        ev.append(rules.FinalPlanIssued(on=final))
    return case


def caseload(today: date, seed: int = 2014, open_cases: int = 40) -> list[DemoCase]:
    """Demo cases whose events all obey the rules (checked here, so the demo never fails)."""
    rng = random.Random(seed)
    out: list[DemoCase] = []
    n = 0
    while sum(1 for c in out if not is_closed(c, today)) < open_cases:
        n += 1
        age = rng.randint(3, 30 * 7)
        demo = _one(rng, f"DEMO-{n:04d}", today, age)
        is_closed(demo, today)  # raises if the generator broke a rule
        out.append(demo)
    return out


def is_closed(demo: DemoCase, today: date) -> bool:
    case = rules.open_case(demo.request, today)
    for event in demo.events:
        try:
            case = rules.apply(case, event, today, datetime.now(UTC))
        except RuleViolation as error:  # pragma: no cover - a bug in this module
            raise AssertionError(f"demo case {demo.request.case_ref}: {error}") from error
    return case.closed


# --- plans and their annual reviews ------------------------------------------------------


@dataclass
class DemoPlan:
    plan: rrules.PlanRecord
    last_review: date | None
    transfer: rrules.PhaseTransfer | None
    events: list[rrules.ReviewEvent] = field(default_factory=list)


def _school_year_of(dob: date, today: date) -> int:
    """National Curriculum year in the academic year containing ``today`` (Year 1 = age 5-6)."""
    academic_start = today.year if today.month >= 9 else today.year - 1
    cohort = dob.year if dob.month >= 9 else dob.year - 1  # born Sep-Aug share a year
    return academic_start - cohort - 5


def _transfer_for(year_group: int, today: date) -> rrules.PhaseTransfer | None:
    """The next transfer for pupils in ``year_group`` now, if it is this academic year."""
    transfer_year = (today.year if today.month >= 9 else today.year - 1) + 1
    kinds = {
        0: rrules.TransferKind.EARLY_YEARS_SCHOOL,  # Reception entry next September
        2: rrules.TransferKind.INFANT_JUNIOR,
        6: rrules.TransferKind.PRIMARY_SECONDARY,
        11: rrules.TransferKind.SECONDARY_POST16,
    }
    kind = kinds.get(year_group)
    return rrules.PhaseTransfer(kind=kind, year=transfer_year) if kind else None


def plans(today: date, seed: int = 44, count: int = 300) -> list[DemoPlan]:
    """Plans with reviews spread over the year: most due in the coming months, some overdue,
    some part-way through a review, and the phase transfers due this academic year."""
    rng = random.Random(seed)
    out: list[DemoPlan] = []
    for n in range(1, count + 1):
        team = rng.choice(sorted(TEAMS))
        dob = today - timedelta(days=rng.randint(2 * 365, 19 * 365))
        year_group = _school_year_of(dob, today)
        plan_date = today - timedelta(days=rng.randint(400, 3000))
        if plan_date < dob + timedelta(days=365):
            plan_date = min(today - timedelta(days=200), dob + timedelta(days=400))
        # The last review: mostly within the last year; one in eight more than 12 months ago.
        back = rng.randint(380, 470) if rng.random() < 0.12 else rng.randint(20, 360)
        last_review: date | None = max(plan_date, today - timedelta(days=back))
        if last_review == plan_date:
            last_review = None
        anchor = last_review or plan_date
        plan = rrules.PlanRecord(
            case_ref=f"DEMO-P{n:04d}",
            plan_date=plan_date,
            caseworker=rng.choice(TEAMS[team]),
            team=team,
            date_of_birth=dob,
        )
        demo = DemoPlan(plan, last_review, _transfer_for(year_group, today))
        due = rrules.review_due(anchor)
        # Some reviews are under way: a meeting booked, or held and awaiting the decision.
        if (due - today).days < 60 and rng.random() < 0.5:
            meeting = today + timedelta(days=rng.randint(5, 40))
            booked = max(anchor, min(today, meeting - timedelta(days=30)))
            demo.events.append(rrules.MeetingScheduled(on=booked, meeting_date=meeting))
            notice = meeting - timedelta(days=15)  # a day inside the 2 weeks' notice
            if booked <= notice <= today and rng.random() < 0.85:
                demo.events.append(rrules.InvitationsSent(on=notice))
                demo.events.append(rrules.AdviceCirculated(on=notice))
        elif (due - today).days < 120 and rng.random() < 0.2:
            held = today - timedelta(days=rng.randint(3, 40))
            if held >= anchor:
                demo.events.append(rrules.MeetingHeld(on=held))
                if rng.random() < 0.5:
                    demo.events.append(
                        rrules.ReportSent(on=held + timedelta(days=rng.randint(5, 20)))
                    )
        demo.events = [e for e in demo.events if e.on <= today]
        out.append(demo)
    return out
