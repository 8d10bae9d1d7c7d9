"""A realistic demo caseload, dated relative to today so its deadlines are live at once.

About 40 open assessments spread over weeks 1-30 (some decisions, advice and drafts late,
some with exceptions) and a few closed ones. Case references are ``DEMO-nnnn``; staff ids
and providers are invented. The same seed and day always give the same caseload.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from statutory import assessment as rules
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
    if rng.random() < 0.1:
        ev.append(rules.DecidedNotToAssess(on=decision))
        return case
    ev.append(rules.DecidedToAssess(on=decision))
    sent = decision + _days(rng, 0, 4)
    if sent > today:
        return case
    returned: list[date] = []
    for i, (kind, provider) in enumerate(rng.sample(ADVICE, k=rng.randint(3, 5)), start=1):
        ev.append(rules.AdviceRequested(on=sent, advice_type=kind, provider=provider))
        back = sent + _days(rng, 20, 60 if kind is rules.AdviceType.PSYCHOLOGICAL else 45)
        if back <= today and rng.random() < 0.9:
            ev.append(rules.AdviceReceived(on=back, advice_id=i))
            returned.append(back)
        elif kind is rules.AdviceType.MEDICAL and rng.random() < 0.5:
            missed = sent + _days(rng, 10, 20)
            if missed + timedelta(days=21) <= today:
                ev.append(
                    rules.ExceptionRecorded(
                        on=missed + timedelta(days=1),
                        reason=Reason.MISSED_APPOINTMENT,
                        start=missed,
                        end=missed + timedelta(days=21),
                        note="clinic appointment not kept; rebooked",
                        advice_id=i,
                    )
                )
    if rng.random() < 0.12:
        start = received + _days(rng, 20, 60)
        if start + timedelta(days=35) <= today:
            ev.append(
                rules.ExceptionRecorded(
                    on=start + timedelta(days=3),
                    reason=Reason.ABSENCE_FROM_AREA,
                    start=start,
                    end=start + timedelta(days=34),
                    note="family abroad for five weeks",
                )
            )
    elif rng.random() < 0.08:
        start = received + _days(rng, 30, 70)
        if start + timedelta(days=21) <= today:
            ev.append(
                rules.ExceptionRecorded(
                    on=start,
                    reason=Reason.PERSONAL_CIRCUMSTANCES,
                    start=start,
                    end=start + timedelta(days=21),
                    note="exceptional personal circumstances agreed by team manager",
                )
            )
    draft = max([sent, *returned]) + _days(rng, 3, 20)
    if draft > today or draft - received < timedelta(weeks=13) or rng.random() < 0.1:
        return case
    if rng.random() < 0.05:
        ev.append(rules.DecidedNotToIssue(on=draft))
        return case
    ev.append(rules.DraftServed(on=draft))
    final = draft + _days(rng, 15, 35)
    issued = final <= today and rng.random() < 0.85
    consulted = draft + _days(rng, 1, 5)
    if consulted <= today and (not issued or consulted < final):
        ev.append(rules.SettingConsulted(on=consulted, setting="Local special school"))
        reply = consulted + _days(rng, 5, 25)
        if reply <= today and (not issued or reply <= final):
            ev.append(rules.SettingReplied(on=reply, consultation_id=1))
    if issued:
        ev.append(rules.FinalPlanIssued(on=final))
    return case


def caseload(today: date, seed: int = 2014, open_cases: int = 40) -> list[DemoCase]:
    """Demo cases whose events all obey the rules (checked here, so the demo never fails)."""
    rng = random.Random(seed)
    out: list[DemoCase] = []
    n = 0
    while sum(1 for c in out if not _closed(c, today)) < open_cases:
        n += 1
        age = rng.randint(3, 30 * 7)
        demo = _one(rng, f"DEMO-{n:04d}", today, age)
        _closed(demo, today)  # raises if the generator broke a rule
        out.append(demo)
    return out


def _closed(demo: DemoCase, today: date) -> bool:
    case = rules.open_case(demo.request, today)
    for event in demo.events:
        try:
            case = rules.apply(case, event, today, datetime.now(UTC))
        except RuleViolation as error:  # pragma: no cover - a bug in this module
            raise AssertionError(f"demo case {demo.request.case_ref}: {error}") from error
    return case.closed
