"""The annual review of an EHC plan: one review cycle's dates, events, steps and outcome.

| step                                         | limit                                   | source          |
|----------------------------------------------|-----------------------------------------|-----------------|
| review completed                             | within 12 months of the plan, then of   | CFA s44(1),     |
|                                              | each previous review                    | reg 18          |
| under-5s                                     | consider every 3-6 months (policy)      | CoP 9.178       |
| invitations to the meeting                   | at least 2 weeks before it              | reg 20(3)       |
| advice and information circulated            | at least 2 weeks before it              | reg 20(4)       |
| report of the meeting sent                   | within 2 weeks of it                    | reg 20(7)       |
| decision (maintain / amend / cease) notified | within 4 weeks of the meeting           | reg 20(10)      |
| representations on proposed amendments       | at least 15 days                        | reg 22(2)       |
| final amended plan                           | within 8 weeks of the amendment notice  | reg 22(3)       |
| phase transfer finalised                     | 15 Feb / 31 Mar / 5 months before move  | reg 18          |
| ceasing: plan stays in force                 | until the appeal window ends: 2 months, | CFA s45; r20    |
|                                              | or 1 month from a mediation certificate |                 |
|                                              | if later                                |                 |

The amendment notice goes with the 4-week decision (R (L, M, P) v Devon CC [2022] EWHC 493
(Admin)), so an amended plan is due at most 12 weeks after the meeting. The next cycle's
12 months run from the decision notice by default (IPSEA's reading), or from the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from statutory import bounds, events
from statutory import processes as P
from statutory.dates import (
    as_written,
    days_beginning_with,
    months_after,
    months_before,
    weeks_after,
)
from statutory.errors import RuleViolation
from statutory.identifiers import CaseRef, StaffId, TeamId
from statutory.process import StepDef
from statutory.steps import DEFAULT_AMBER_DAYS, StepStatus, status_of
from statutory.steps import next_deadline as next_deadline  # re-exported: rules.next_deadline

REVIEW_MONTHS = 12  # CFA s44(1), reg 18
UNDER_FIVE_MONTHS_DEFAULT = 6  # CoP 9.178: every 3-6 months; local policy
NOTICE_WEEKS_BEFORE_MEETING = 2  # reg 20(3), 20(4)
REPORT_WEEKS = 2  # reg 20(7)
DECISION_WEEKS = 4  # reg 20(10)
REPRESENTATION_DAYS = 15  # reg 22(2)
AMENDED_PLAN_WEEKS = 8  # reg 22(3)
AMENDED_WITHIN_WEEKS_OF_MEETING = 12  # 4 + 8 (Devon); the local KPI
APPEAL_WINDOW_MONTHS = 2  # Tribunal rules r20(1)(c)(i); CFA s45
AFTER_CERTIFICATE_MONTHS = 1  # Tribunal rules r20(1)(c)(ii): after a mediation certificate
ARRANGE_WEEKS_BEFORE = 6  # planning: time to arrange, then 2 weeks' notice
TRANSFER_MONTHS_BEFORE_POST16_MOVE = 5  # reg 18(2): a move between post-16 institutions


class TransferKind(StrEnum):
    EARLY_YEARS_SCHOOL = "early-years-school"
    INFANT_JUNIOR = "infant-junior"
    PRIMARY_SECONDARY = "primary-secondary"
    MIDDLE_SECONDARY = "middle-secondary"
    SECONDARY_POST16 = "secondary-post16"
    POST16_POST16 = "post16-post16"


#: How each transfer reads to a person (labels, chronologies, messages).
TRANSFER_WORDS: dict[TransferKind, str] = {
    TransferKind.EARLY_YEARS_SCHOOL: "early years to school",
    TransferKind.INFANT_JUNIOR: "infant to junior school",
    TransferKind.PRIMARY_SECONDARY: "primary to secondary",
    TransferKind.MIDDLE_SECONDARY: "middle to secondary",
    TransferKind.SECONDARY_POST16: "secondary to post-16",
    TransferKind.POST16_POST16: "post-16 to post-16",
}


class Category(StrEnum):
    """How councils split review timeliness (Thurrock's KPI): by the transfer in the cycle."""

    SECONDARY_TRANSFER = "secondary-transfer"
    POST16_TRANSFER = "post16-transfer"
    OTHER = "other"


class Decision(StrEnum):
    MAINTAIN = "maintain"
    AMEND = "amend"
    CEASE = "cease"


class AnchorMode(StrEnum):
    """What the next 12 months run from: the decision notice (default) or the meeting."""

    DECISION = "decision"
    MEETING = "meeting"


class PlanEnding(StrEnum):
    CEASED = "ceased"
    TRANSFERRED_OUT = "transferred-out"


#: How each ending of a plan reads to a person.
PLAN_ENDING_WORDS: dict[PlanEnding, str] = {
    PlanEnding.CEASED: "the plan ceased",
    PlanEnding.TRANSFERRED_OUT: "the plan was transferred out",
}


class Stage(StrEnum):
    AWAITING_MEETING = "awaiting-meeting"
    AWAITING_DECISION = "awaiting-decision"
    AMENDING = "amending"
    CEASING = "ceasing"
    CONCLUDED = "concluded"  # this cycle is done; the next one starts
    ENDED = "ended"  # the plan has ended


#: How each stage reads to a person (screens, summaries, the rules' refusals).
STAGE_WORDS: dict[Stage, str] = {
    Stage.AWAITING_MEETING: "waiting for the review meeting",
    Stage.AWAITING_DECISION: "deciding after the review meeting",
    Stage.AMENDING: "amending the plan",
    Stage.CEASING: "ceasing to maintain the plan",
    Stage.CONCLUDED: "cycle concluded",
    Stage.ENDED: "plan ended",
}


# --- phase transfers -------------------------------------------------------------------------


class PhaseTransfer(BaseModel):
    """The next move between phases (reg 18) that the plan must be finalised for."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    kind: TransferKind
    """The move between phases."""
    year: int = Field(ge=bounds.REGIME_START.year, le=bounds.HORIZON.year)
    """The year of the transfer (the one whose 15 February / 31 March applies)."""
    move_date: bounds.CaseDay | None = None
    """post16-post16 only: the day of the move."""

    @model_validator(mode="after")
    def _move_date_for_post16_moves(self) -> PhaseTransfer:
        if self.kind is TransferKind.POST16_POST16 and self.move_date is None:
            raise ValueError("a post16-post16 transfer needs the move date")
        return self


def transfer_deadline(transfer: PhaseTransfer) -> date:
    """When the review and amended plan for a transfer must be finalised (reg 18)."""
    if transfer.kind is TransferKind.POST16_POST16:
        assert transfer.move_date is not None
        return months_before(transfer.move_date, TRANSFER_MONTHS_BEFORE_POST16_MOVE)
    if transfer.kind is TransferKind.SECONDARY_POST16:
        return date(transfer.year, 3, 31)
    return date(transfer.year, 2, 15)


def latest_meeting_for(deadline: date) -> date:
    """Latest meeting that still meets a fixed date by the normal path (4 + 8 weeks)."""
    return deadline - timedelta(weeks=AMENDED_WITHIN_WEEKS_OF_MEETING)


def latest_notice_for(deadline: date) -> date:
    """Latest amendment notice (with the proposed amended plan) for a fixed date."""
    return deadline - timedelta(weeks=AMENDED_PLAN_WEEKS)


def category(transfer: PhaseTransfer | None) -> Category:
    if transfer is None:
        return Category.OTHER
    if transfer.kind in (TransferKind.PRIMARY_SECONDARY, TransferKind.MIDDLE_SECONDARY):
        return Category.SECONDARY_TRANSFER
    if transfer.kind in (TransferKind.SECONDARY_POST16, TransferKind.POST16_POST16):
        return Category.POST16_TRANSFER
    return Category.OTHER


def transfer_in_cycle(transfer: PhaseTransfer | None, review_due: date) -> bool:
    """Whether this cycle is the last review before the transfer's deadline.

    True when the deadline falls on or before the next cycle's due date (or has passed), so
    waiting for the next cycle could miss it.
    """
    return transfer is not None and transfer_deadline(transfer) <= months_after(
        review_due, REVIEW_MONTHS
    )


# --- the calculation, on plain dates --------------------------------------------------------


def review_due(anchor: date) -> date:
    """Within 12 months of the plan being made, or of the previous review (CFA s44(1))."""
    return months_after(anchor, REVIEW_MONTHS)


def under_five_review(
    anchor: date, date_of_birth: date | None, months: int = UNDER_FIVE_MONTHS_DEFAULT
) -> date | None:
    """Policy date for a child under 5 at the anchor (CoP 9.178), else None."""
    if date_of_birth is None or months_after(date_of_birth, 60) <= anchor:
        return None
    return months_after(anchor, months)


@dataclass(frozen=True, slots=True)
class ReviewDates:
    review_due_by: date
    under_five_review_by: date | None
    invitations_by: date | None
    advice_circulated_by: date | None
    report_by: date | None
    decision_by: date | None
    amendment_notice_by: date | None
    representations_close: date | None
    final_amended_plan_by: date | None
    amended_within_12_weeks_by: date | None
    next_review_due_by: date | None
    phase_transfer_deadline: date | None
    latest_meeting_for_phase_transfer: date | None
    latest_amendment_notice_for_phase_transfer: date | None
    category: Category


def review_dates(
    anchor: date,
    *,
    meeting: date | None = None,
    decision: date | None = None,
    amendment_notice: date | None = None,
    transfer: PhaseTransfer | None = None,
    date_of_birth: date | None = None,
    under_five_months: int = UNDER_FIVE_MONTHS_DEFAULT,
    anchor_mode: AnchorMode = AnchorMode.DECISION,
) -> ReviewDates:
    """The dates of one review cycle, from what is known (None where not yet knowable).

    A date outside ``statutory.bounds`` raises ``RuleViolation``: nothing is counted from it.
    """
    bounds.check_days(
        (anchor, "the day the review cycle began"),
        (meeting, "the day of the review meeting"),
        (decision, "the day of the decision"),
        (amendment_notice, "the day of the amendment notice"),
    )
    if date_of_birth is not None:
        bounds.check_birth_day(date_of_birth)
    due = review_due(anchor)
    deadline = transfer_deadline(transfer) if transfer else None
    if amendment_notice is not None:
        final_amended = weeks_after(amendment_notice, AMENDED_PLAN_WEEKS)
    elif meeting is not None:
        final_amended = weeks_after(meeting, AMENDED_WITHIN_WEEKS_OF_MEETING)
    else:
        final_amended = None
    next_anchor = decision if anchor_mode is AnchorMode.DECISION else meeting
    notice_before = timedelta(weeks=NOTICE_WEEKS_BEFORE_MEETING)
    return ReviewDates(
        review_due_by=due,
        under_five_review_by=under_five_review(anchor, date_of_birth, under_five_months),
        invitations_by=meeting - notice_before if meeting else None,
        advice_circulated_by=meeting - notice_before if meeting else None,
        report_by=weeks_after(meeting, REPORT_WEEKS) if meeting else None,
        decision_by=weeks_after(meeting, DECISION_WEEKS) if meeting else None,
        amendment_notice_by=weeks_after(meeting, DECISION_WEEKS) if meeting else None,
        representations_close=(
            days_beginning_with(amendment_notice, REPRESENTATION_DAYS) if amendment_notice else None
        ),
        final_amended_plan_by=final_amended,
        amended_within_12_weeks_by=(
            weeks_after(meeting, AMENDED_WITHIN_WEEKS_OF_MEETING) if meeting else None
        ),
        next_review_due_by=review_due(next_anchor) if next_anchor else None,
        phase_transfer_deadline=deadline,
        latest_meeting_for_phase_transfer=latest_meeting_for(deadline) if deadline else None,
        latest_amendment_notice_for_phase_transfer=(
            latest_notice_for(deadline) if deadline else None
        ),
        category=category(transfer) if transfer_in_cycle(transfer, due) else Category.OTHER,
    )


# --- the plan and its current cycle ----------------------------------------------------------


class PlanRecord(BaseModel):
    """A maintained EHC plan, as the review workflow knows it (references, never names)."""

    model_config = ConfigDict(frozen=True)

    case_ref: CaseRef
    plan_date: bounds.CaseDay
    caseworker: StaffId
    team: TeamId
    date_of_birth: date | None = None

    @model_validator(mode="after")
    def _under_25_when_the_plan_was_made(self) -> PlanRecord:
        # CFA s83(2): the 0-25 system; born on or before the plan.
        if self.date_of_birth is not None:
            bounds.check_age(self.date_of_birth, self.plan_date, "the plan was made")
        return self


class ReviewPolicy(BaseModel):
    """Local choices the law leaves to the council."""

    model_config = ConfigDict(frozen=True)

    anchor_mode: AnchorMode = AnchorMode.DECISION
    under_five_months: int = Field(default=UNDER_FIVE_MONTHS_DEFAULT, ge=3, le=6)


class MeetingScheduled(events.Event):
    """The review meeting was arranged."""

    title = "Review meeting arranged"
    type: Literal["meeting-scheduled"] = "meeting-scheduled"
    meeting_date: bounds.CaseDay
    """The day of the meeting."""

    @model_validator(mode="after")
    def _meeting_within_reach(self) -> MeetingScheduled:
        bounds.check_ahead(self.meeting_date, self.on, "the meeting date")
        return self

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, Stage.AWAITING_MEETING)
        _not_before(self.meeting_date, self.on, "the day it was arranged")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.meeting_scheduled_for = self.meeting_date


class InvitationsSent(events.Event):
    """Invitations to the meeting went out (reg 20(3))."""

    title = "Invitations to the review meeting sent"
    type: Literal["invitations-sent"] = "invitations-sent"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _check_before_meeting(cycle, self)

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.invitations_sent_on = self.on


class AdviceCirculated(events.Event):
    """Advice and information were circulated before the meeting (reg 20(4))."""

    title = "Advice circulated before the meeting"
    type: Literal["advice-circulated"] = "advice-circulated"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _check_before_meeting(cycle, self)

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.advice_circulated_on = self.on


class MeetingHeld(events.Event):
    """The review meeting was held (CFA s44(1), reg 20)."""

    title = "Review meeting held"
    type: Literal["meeting-held"] = "meeting-held"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, Stage.AWAITING_MEETING)
        _not_before(self.on, cycle.last_recorded("meeting-scheduled"), "the meeting was arranged")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.meeting_held_on = self.on


class ReportSent(events.Event):
    """The report of the meeting was sent (reg 20(7))."""

    title = "Report of the meeting sent"
    type: Literal["report-sent"] = "report-sent"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _require(cycle.meeting_held_on is not None, "report-sent: the meeting has not been held")
        _require(cycle.report_sent_on is None, "the report was already sent")
        _not_before(self.on, cycle.meeting_held_on, "the meeting")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.report_sent_on = self.on


class DecisionNotified(events.Event):
    """The decision to maintain, amend or cease the plan was notified (reg 20(10))."""

    title = "Decision notified"
    type: Literal["decision"] = "decision"
    decision: Decision
    """The decision notified (reg 20(10))."""

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, Stage.AWAITING_DECISION)
        _not_before(self.on, cycle.meeting_held_on, "the meeting")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.decision, cycle.decision_on = self.decision, self.on


class AmendmentNoticeSent(events.Event):
    """The amendment notice, with the proposed amended plan, was sent (reg 22(2))."""

    title = "Amendment notice sent"
    type: Literal["amendment-notice-sent"] = "amendment-notice-sent"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, Stage.AMENDING)
        _require(cycle.amendment_notice_on is None, "the amendment notice was already sent")
        _not_before(self.on, cycle.decision_on, "the decision to amend")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.amendment_notice_on = self.on


class FinalAmendedPlanIssued(events.Event):
    """The final amended plan was issued (reg 22(3)): the cycle concludes."""

    title = "Final amended plan issued"
    type: Literal["final-amended-issued"] = "final-amended-issued"
    representations_received: bool = False
    """Representations on the proposed amendments came in before the 15 days ran out
    (reg 22(2))."""

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, Stage.AMENDING)
        _require(
            cycle.amendment_notice_on is not None,
            "final-amended-issued: send the amendment notice first (reg 22(2))",
        )
        _not_before(self.on, cycle.amendment_notice_on, "the amendment notice")
        closes = cycle.dates().representations_close
        assert closes is not None
        _require(
            self.on > closes or self.representations_received,
            f"the 15 days for representations run to {as_written(closes)} (reg 22(2)); issue the "
            "amended plan after that, or record that representations were received",
        )

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.final_amended_on = self.on


class MediationWanted(events.Event):
    """After a decision to cease, the family told the council they want mediation (CFA s53;
    reg 37). Their appeal window then runs to 1 month from the mediation certificate if that
    is later (Tribunal rules r20(1)(c)(ii)), so the plan does not cease until the certificate is
    recorded."""

    title = "Family wants mediation"
    type: Literal["mediation-wanted"] = "mediation-wanted"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _check_in_window(cycle, self)
        _require(cycle.mediation_wanted_on is None, "mediation is already recorded")
        _require(cycle.certificate_on is None, "a mediation certificate is already recorded")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.mediation_wanted_on = self.on


class MediationCertificateIssued(events.Event):
    """The mediation adviser issued the certificate (after mediation, or when the family
    declined it: regs 33-34, 39): the appeal window ends 2 months from the decision or
    1 month from the certificate, whichever is later (Tribunal rules r20(1)(c))."""

    title = "Mediation certificate issued"
    type: Literal["mediation-certificate"] = "mediation-certificate"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _check_in_window(cycle, self)
        _require(cycle.certificate_on is None, "a mediation certificate is already recorded")
        _not_before(self.on, cycle.mediation_wanted_on, "the family asked for mediation")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.certificate_on = self.on


def _check_in_window(cycle: ReviewCycle, event: events.Event) -> None:
    """Mediation and appeals follow a decision to cease, within its appeal window."""
    _stage(cycle, event, Stage.CEASING)
    _require(cycle.appeal_lodged_on is None, "an appeal is already recorded")
    _not_before(event.on, cycle.decision_on, "the decision to cease")
    window = cycle.appeal_window_ends()
    _require(
        window is None or event.on <= window,
        f"the appeal window closed on {as_written(window or event.on)} ({cycle.window_words()})",
    )


class AppealLodged(events.Event):
    """An appeal against the decision to cease was lodged (CFA s51)."""

    title = "Appeal lodged"
    type: Literal["appeal-lodged"] = "appeal-lodged"

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _check_in_window(cycle, self)

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.appeal_lodged_on = self.on


class AppealConcluded(events.Event):
    """The appeal against the decision to cease ended."""

    title = "Appeal concluded"
    type: Literal["appeal-concluded"] = "appeal-concluded"
    plan_continues: bool
    """Whether the plan continues after the appeal (or ceases)."""

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, Stage.CEASING)
        _require(cycle.appeal_lodged_on is not None, "no appeal is recorded")
        _not_before(self.on, cycle.appeal_lodged_on, "the appeal was lodged")

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.appeal_concluded_on = self.on
        cycle.plan_continues_after_appeal = self.plan_continues
        if not self.plan_continues:
            cycle.ended, cycle.ended_on = PlanEnding.CEASED, self.on


class TransferredOut(events.Event):
    """The plan moved to another local authority: it ends here."""

    title = "Plan transferred out"
    type: Literal["transferred-out"] = "transferred-out"
    reason: str = Field(min_length=1, max_length=200)
    """Why the plan ends here, e.g. moved to another authority."""

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, *_OPEN_STAGES)

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.ended, cycle.ended_on = PlanEnding.TRANSFERRED_OUT, self.on
        cycle.end_reason = self.reason


class ReviewAdviceRequested(events.Event):
    """Advice or information sought for the review; due when it must be circulated."""

    title = "Advice requested"
    type: Literal["advice-requested"] = "advice-requested"
    advice_type: str = Field(min_length=1, max_length=40)
    """The advice or information sought, e.g. educational, medical."""
    provider: str = Field(min_length=1, max_length=80)
    """Who is asked for it: the service or organisation, not a person's name."""

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, Stage.AWAITING_MEETING)
        _require(
            cycle.meeting_scheduled_for is not None,
            "advice-requested: schedule the meeting first; advice is due when it must be "
            "circulated, 2 weeks before it (reg 20(4))",
        )
        _require(
            len(cycle.advice) < bounds.MAX_NUMBER,
            f"a review has at most {bounds.MAX_NUMBER} requests for advice",
        )

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.advice.append(
            ReviewAdvice(
                id=len(cycle.advice) + 1,
                advice_type=self.advice_type,
                provider=self.provider,
                requested_on=self.on,
            )
        )


class ReviewAdviceReceived(events.AdviceReceived):
    """Advice or information sought for the review came back."""

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _require(
            any(a.id == self.advice_id for a in cycle.advice),
            f"there is no advice request {self.advice_id} in this review",
        )
        request = next(a for a in cycle.advice if a.id == self.advice_id)
        _require(request.received_on is None, f"advice {self.advice_id} was already received")
        _not_before(self.on, request.requested_on, f"advice {self.advice_id} was requested")

    def apply_to(self, cycle: ReviewCycle) -> None:
        next(a for a in cycle.advice if a.id == self.advice_id).received_on = self.on


class TransferSet(events.Event):
    """Record (or with no kind, clear) the plan's next phase transfer."""

    title = "Next phase transfer"
    type: Literal["transfer-set"] = "transfer-set"
    transfer: PhaseTransfer | None = None
    """The next phase transfer (reg 18); without one, the plan's transfer is cleared."""

    @model_validator(mode="after")
    def _move_within_reach(self) -> TransferSet:
        if self.transfer is not None and self.transfer.move_date is not None:
            bounds.check_ahead(self.transfer.move_date, self.on, "the move date")
        return self

    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, *_OPEN_STAGES)

    def apply_to(self, cycle: ReviewCycle) -> None:
        cycle.transfer = self.transfer


class CaseworkerReassigned(events.CaseworkerReassigned):
    def check(self, cycle: ReviewCycle, today: date) -> None:
        _stage(cycle, self, *_OPEN_STAGES)
        self.check_moves(cycle, "the plan")


ReviewEvent = Annotated[
    MeetingScheduled
    | InvitationsSent
    | AdviceCirculated
    | MeetingHeld
    | ReportSent
    | DecisionNotified
    | AmendmentNoticeSent
    | FinalAmendedPlanIssued
    | MediationWanted
    | MediationCertificateIssued
    | AppealLodged
    | AppealConcluded
    | TransferredOut
    | TransferSet
    | ReviewAdviceRequested
    | ReviewAdviceReceived
    | CaseworkerReassigned,
    Field(discriminator="type"),
]

EVENT_TYPES = events.by_type(ReviewEvent)


class TimelineEntry(BaseModel):
    recorded_at: datetime
    event: ReviewEvent


class ReviewAdvice(BaseModel):
    id: int
    advice_type: str
    provider: str
    requested_on: date
    received_on: date | None = None


class ReviewCycle(BaseModel):
    """One review cycle of a plan: from its anchor to the decision that concludes it."""

    plan: PlanRecord
    caseworker: str
    team: str
    cycle: int = Field(ge=1)
    anchor: date
    """The plan date (first cycle) or the previous review's conclusion."""
    transfer: PhaseTransfer | None = None
    policy: ReviewPolicy = Field(default_factory=ReviewPolicy)
    due_by: date | None = None
    """Set only for a plan transferred in: its first review is due by the later of 12 months
    from the anchor and 3 months from the transfer (reg 15(5))."""
    meeting_scheduled_for: date | None = None
    invitations_sent_on: date | None = None
    advice_circulated_on: date | None = None
    meeting_held_on: date | None = None
    report_sent_on: date | None = None
    decision: Decision | None = None
    decision_on: date | None = None
    amendment_notice_on: date | None = None
    final_amended_on: date | None = None
    mediation_wanted_on: date | None = None
    certificate_on: date | None = None
    """The day the mediation certificate was issued, after a decision to cease."""
    appeal_lodged_on: date | None = None
    appeal_concluded_on: date | None = None
    plan_continues_after_appeal: bool | None = None
    reissued_on: date | None = None
    """A re-assessment finalised an amended or replacement plan on this day (reg 27): the
    cycle concludes there, and the next review is due 12 months on."""
    ended: PlanEnding | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    advice: list[ReviewAdvice] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)

    @property
    def case_ref(self) -> str:
        return self.plan.case_ref

    @property
    def stage(self) -> Stage:
        if self.ended is not None:
            return Stage.ENDED
        if self.reissued_on is not None:
            return Stage.CONCLUDED
        if self.meeting_held_on is None:
            return Stage.AWAITING_MEETING
        if self.decision is None:
            return Stage.AWAITING_DECISION
        if self.decision is Decision.AMEND:
            return Stage.CONCLUDED if self.final_amended_on else Stage.AMENDING
        if self.decision is Decision.CEASE:
            return Stage.CONCLUDED if self.plan_continues_after_appeal else Stage.CEASING
        return Stage.CONCLUDED

    def dates(self) -> ReviewDates:
        found = self._dates()
        # reg 15(5): a transferred plan's first review falls due later than 12 months.
        return replace(found, review_due_by=self.due_by) if self.due_by else found

    def _dates(self) -> ReviewDates:
        return review_dates(
            self.anchor,
            meeting=self.meeting_held_on or self.meeting_scheduled_for,
            decision=self.decision_on,
            amendment_notice=self.amendment_notice_on,
            transfer=self.transfer,
            date_of_birth=self.plan.date_of_birth,
            under_five_months=self.policy.under_five_months,
            anchor_mode=self.policy.anchor_mode,
        )

    @property
    def two_months_after_decision(self) -> date | None:
        """The window's first limit (Tribunal rules r20(1)(c)(i)), after a decision to cease."""
        if self.decision is not Decision.CEASE or self.decision_on is None:
            return None
        return months_after(self.decision_on, APPEAL_WINDOW_MONTHS)

    def appeal_window_ends(self) -> date | None:
        """Last day to appeal a decision to cease: 2 months from the notice, or 1 month from
        the mediation certificate if later (Tribunal rules r20(1)(c)). None without a decision to
        cease, or while mediation is under way (the certificate sets the day)."""
        two_months = self.two_months_after_decision
        if two_months is None or self.awaiting_certificate:
            return None
        if self.certificate_on is None:
            return two_months
        return max(two_months, months_after(self.certificate_on, AFTER_CERTIFICATE_MONTHS))

    @property
    def awaiting_certificate(self) -> bool:
        """The family wants mediation and its certificate is not yet issued."""
        return self.mediation_wanted_on is not None and self.certificate_on is None

    def window_words(self) -> str:
        """What the appeal window runs from, in a refusal's words."""
        if self.certificate_on is not None and (
            self.appeal_window_ends() != self.two_months_after_decision
        ):
            return "1 month from the mediation certificate"
        return "2 months from the decision"

    def transfer_applies(self) -> bool:
        return transfer_in_cycle(self.transfer, review_due(self.anchor))

    def last_recorded(self, event_type: str) -> date | None:
        """The day of the latest event of this type in the cycle, if any."""
        for entry in reversed(self.timeline):
            if entry.event.type == event_type:
                return entry.event.on
        return None


def first_cycle(
    plan: PlanRecord,
    *,
    last_review: date | None = None,
    transfer: PhaseTransfer | None = None,
    policy: ReviewPolicy | None = None,
    cycle: int = 1,
    due_by: date | None = None,
) -> ReviewCycle:
    """The current cycle of a plan: anchored on its last review, or on the plan date."""
    if last_review is not None:
        bounds.check_day(last_review, "the last review")
    if last_review is not None and last_review < plan.plan_date:
        raise RuleViolation(
            f"the last review ({as_written(last_review)}) is before the plan was made ({as_written(plan.plan_date)})"
        )
    return ReviewCycle(
        plan=plan,
        caseworker=plan.caseworker,
        team=plan.team,
        cycle=cycle,
        anchor=last_review or plan.plan_date,
        transfer=transfer,
        policy=policy or ReviewPolicy(),
        due_by=due_by,
    )


def conclusion_day(cycle: ReviewCycle) -> date:
    """The day the next cycle's 12 months run from."""
    if cycle.reissued_on is not None:
        return cycle.reissued_on
    if cycle.policy.anchor_mode is AnchorMode.MEETING and cycle.meeting_held_on:
        return cycle.meeting_held_on
    assert cycle.decision_on is not None
    return cycle.decision_on


def reissue(cycle: ReviewCycle, on: date) -> ReviewCycle:
    """The cycle once a re-assessment has finalised the plan anew on ``on`` (reg 27): the plan
    is reviewed within 12 months of it, so this cycle concludes that day."""
    events.still_open(cycle.stage in (Stage.CONCLUDED, Stage.ENDED), "this review cycle is over")
    events.not_before(on, cycle.anchor, "the day the review cycle began")
    return cycle.model_copy(update={"reissued_on": on})


def next_cycle(cycle: ReviewCycle) -> ReviewCycle:
    """The cycle after a concluded one, carrying only what it needs."""
    if cycle.stage is not Stage.CONCLUDED:
        raise RuleViolation("this review cycle has not concluded")
    transfer_done = cycle.transfer_applies()
    return ReviewCycle(
        plan=cycle.plan,
        caseworker=cycle.caseworker,
        team=cycle.team,
        cycle=cycle.cycle + 1,
        anchor=conclusion_day(cycle),
        transfer=None if transfer_done else cycle.transfer,
        policy=cycle.policy,
    )


# --- validation and application of events -----------------------------------------------
#
# Each event's own rule and its effect are its ``check`` and ``apply_to``, above.

_require = events.require
_not_before = events.not_before

#: The stages at which the plan's own details (transfer, caseworker) can change.
_OPEN_STAGES = (Stage.AWAITING_MEETING, Stage.AWAITING_DECISION, Stage.AMENDING, Stage.CEASING)


def _stage(cycle: ReviewCycle, event: events.Event, *stages: Stage) -> None:
    events.at_stage(cycle.stage, stages, event, "review", STAGE_WORDS)


def _check_before_meeting(cycle: ReviewCycle, event: InvitationsSent | AdviceCirculated) -> None:
    """Invitations and advice go out for a meeting that is arranged (reg 20(3), 20(4))."""
    _stage(cycle, event, Stage.AWAITING_MEETING)
    _require(
        cycle.meeting_scheduled_for is not None,
        f"{event.type}: schedule the meeting first (meeting-scheduled)",
    )
    _not_before(event.on, cycle.last_recorded("meeting-scheduled"), "the meeting was arranged")


def check(cycle: ReviewCycle, event: ReviewEvent, today: date) -> None:
    """Raise ``RuleViolation`` if ``event`` cannot happen now; never changes ``cycle``."""
    events.not_in_future(event.on, today)
    _not_before(event.on, cycle.anchor, "this review cycle began")
    ended = PLAN_ENDING_WORDS[cycle.ended] if cycle.ended else ""
    events.still_open(cycle.ended is not None, ended)
    event.check(cycle, today)


def apply(
    cycle: ReviewCycle, event: ReviewEvent, today: date, recorded_at: datetime
) -> ReviewCycle:
    """The cycle after ``event``; raises ``RuleViolation`` (changing nothing) if not allowed."""
    check(cycle, event, today)
    return events.recorded(cycle, event, TimelineEntry(recorded_at=recorded_at, event=event))


def expire(cycle: ReviewCycle, today: date) -> ReviewCycle:
    """Cease the plan once the appeal window has passed with no appeal (CFA s45); not while
    mediation is under way, whose certificate sets the window's last day."""
    window = cycle.appeal_window_ends()
    if (
        cycle.stage is Stage.CEASING
        and cycle.appeal_lodged_on is None
        and window is not None
        and today > window
    ):
        return cycle.model_copy(update={"ended": PlanEnding.CEASED, "ended_on": window})
    return cycle


# --- steps and outcome --------------------------------------------------------------------


def steps(
    cycle: ReviewCycle, today: date, amber_days: int = DEFAULT_AMBER_DAYS
) -> list[StepStatus]:
    """Every step of the cycle as it stands ``today``."""
    d = cycle.dates()
    held = cycle.meeting_held_on
    ended = cycle.ended is not None
    transfer = cycle.transfer_applies()
    meeting_target = min(
        x
        for x in (
            d.review_due_by,
            d.under_five_review_by,
            d.latest_meeting_for_phase_transfer if transfer else None,
        )
        if x is not None
    )

    def step(
        defn: StepDef,
        due: date,
        *,
        completed_on: date | None,
        applicable: bool = True,
        **kw: Any,
    ) -> StepStatus:
        return status_of(
            defn,
            due=due,
            completed_on=completed_on,
            applicable=applicable and not (ended and completed_on is None),
            today=today,
            amber_days=amber_days,
            **kw,
        )

    out = [
        step(
            P.ARRANGE_MEETING,
            meeting_target - timedelta(weeks=ARRANGE_WEEKS_BEFORE),
            completed_on=cycle.last_recorded("meeting-scheduled") or held,
        )
    ]
    if d.invitations_by is not None:
        before_meeting = held is None
        out.append(
            step(
                P.INVITATIONS,
                d.invitations_by,
                completed_on=cycle.invitations_sent_on,
                applicable=before_meeting or cycle.invitations_sent_on is not None,
            )
        )
        out.append(
            step(
                P.ADVICE_CIRCULATED,
                d.advice_circulated_by or d.invitations_by,
                completed_on=cycle.advice_circulated_on,
                applicable=before_meeting or cycle.advice_circulated_on is not None,
            )
        )
    for advice in cycle.advice:
        if d.advice_circulated_by is None:
            break
        out.append(
            step(
                P.REVIEW_ADVICE,
                d.advice_circulated_by,
                number=advice.id,
                label=f"{advice.advice_type.replace('-', ' ').capitalize()} advice from "
                f"{advice.provider}",
                completed_on=advice.received_on,
                applicable=held is None or advice.received_on is not None,
            )
        )
    if d.under_five_review_by is not None:
        out.append(step(P.UNDER_FIVE_REVIEW, d.under_five_review_by, completed_on=held))
    if transfer and d.latest_meeting_for_phase_transfer is not None:
        out.append(step(P.TRANSFER_MEETING, d.latest_meeting_for_phase_transfer, completed_on=held))
    out.append(step(P.REVIEW_MEETING, d.review_due_by, completed_on=held))
    if d.report_by is not None and held is not None:
        out.append(step(P.REPORT, d.report_by, completed_on=cycle.report_sent_on))
    if d.decision_by is not None and held is not None:
        out.append(step(P.DECISION, d.decision_by, completed_on=cycle.decision_on))
    if cycle.decision is Decision.AMEND and d.amendment_notice_by and d.final_amended_plan_by:
        out.append(
            step(P.AMENDMENT_NOTICE, d.amendment_notice_by, completed_on=cycle.amendment_notice_on)
        )
        out.append(
            step(P.FINAL_AMENDED_PLAN, d.final_amended_plan_by, completed_on=cycle.final_amended_on)
        )
    if transfer and d.phase_transfer_deadline is not None and cycle.transfer is not None:
        finalised = cycle.final_amended_on or (
            cycle.decision_on if cycle.decision is Decision.MAINTAIN else None
        )
        out.append(
            step(
                P.PHASE_TRANSFER,
                d.phase_transfer_deadline,
                label=f"Finalise the plan for the {TRANSFER_WORDS[cycle.transfer.kind]} transfer",
                completed_on=finalised,
                applicable=cycle.decision is not Decision.CEASE,
            )
        )
    window = cycle.appeal_window_ends()
    if window is not None and cycle.appeal_lodged_on is None and not ended:
        out.append(step(P.CEASE_APPEAL_WINDOW, window, completed_on=None))
    return out


class ReviewOutcome(BaseModel):
    """How a review cycle went, in the terms councils report."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    cycle: int
    anchor: date
    review_due_by: date
    category: Category
    meeting_held_on: date | None
    decision: Decision | None
    decision_on: date | None
    reviewed_within_12_months: bool | None
    """The meeting was held within 12 months of the anchor (CFA s44(1))."""
    decision_within_4_weeks: bool | None
    amended_within_12_weeks: bool | None
    """Amend decisions only: final amended plan within 12 weeks of the meeting."""
    phase_transfer: TransferKind | None
    phase_transfer_finalised_in_time: bool | None
    plan_ended: PlanEnding | None
    ended_on: date | None
    next_anchor: date | None


def outcome(cycle: ReviewCycle) -> ReviewOutcome:
    d = cycle.dates()
    held = cycle.meeting_held_on
    transfer = cycle.transfer_applies()
    finalised = cycle.final_amended_on or (
        cycle.decision_on if cycle.decision is Decision.MAINTAIN else None
    )
    return ReviewOutcome(
        case_ref=cycle.case_ref,
        cycle=cycle.cycle,
        anchor=cycle.anchor,
        review_due_by=d.review_due_by,
        category=category(cycle.transfer) if transfer else Category.OTHER,
        meeting_held_on=held,
        decision=cycle.decision,
        decision_on=cycle.decision_on,
        reviewed_within_12_months=held <= d.review_due_by if held else None,
        decision_within_4_weeks=(
            cycle.decision_on <= d.decision_by if cycle.decision_on and d.decision_by else None
        ),
        amended_within_12_weeks=(
            cycle.final_amended_on <= d.amended_within_12_weeks_by
            if cycle.decision is Decision.AMEND
            and cycle.final_amended_on
            and d.amended_within_12_weeks_by
            else (False if cycle.decision is Decision.AMEND else None)
        ),
        phase_transfer=cycle.transfer.kind if transfer and cycle.transfer else None,
        phase_transfer_finalised_in_time=(
            (finalised is not None and finalised <= d.phase_transfer_deadline)
            if transfer and d.phase_transfer_deadline and cycle.decision is not Decision.CEASE
            else None
        ),
        plan_ended=cycle.ended,
        ended_on=cycle.ended_on,
        next_anchor=conclusion_day(cycle) if cycle.stage is Stage.CONCLUDED else None,
    )
