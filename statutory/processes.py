"""Every statutory process the engine keeps, declared step by step (``statutory.process``).

Each step states its id, label, regulation, kind, due rule and the exceptions that lift it,
once. The dates themselves are computed beside each process's rules (``assessment_dates``,
``review_dates``, ``AdviceRequestState``), which cite the same regulations.
"""

from __future__ import annotations

from statutory.exceptions import (
    ADVICE_REASONS,
    LA_STEP_REASONS,
    ORDER_REASONS,
    REASSESSMENT_REASONS,
)
from statutory.process import Process, StepDef, StepId, StepKind

# --- EHC needs assessment (CFA s36; regs 4-13) ------------------------------------------------

DECIDE_TO_ASSESS = StepDef(
    StepId.DECIDE_TO_ASSESS,
    "Decide whether to assess, and notify",
    "reg 4(1), 5(1)",
    StepKind.DUTY,
    "6 weeks from the request",
    lifted_by=LA_STEP_REASONS,
)
ASSESSMENT_ADVICE = StepDef(
    StepId.ADVICE,
    "Professional advice returned (6 weeks from the adviser's receipt)",
    "reg 8(1)",
    StepKind.DUTY,
    "6 weeks from the day the adviser received the request",
    lifted_by=ADVICE_REASONS,
    numbered=True,
)
DECIDE_NOT_TO_ISSUE = StepDef(
    StepId.DECIDE_NOT_TO_ISSUE,
    "Decide whether to issue a plan (notify a refusal within 16 weeks)",
    "reg 10(1)",
    StepKind.REFUSAL_LIMIT,
    "16 weeks from the request",
    lifted_by=LA_STEP_REASONS,
)
DRAFT = StepDef(
    StepId.DRAFT,
    "Serve the draft plan (leaves 15 days before week 20)",
    "reg 13(1), 13(2) (planning date)",
    StepKind.PLANNING,
    # Not a limit an exception lifts: its target follows the final plan's (paused) target.
    "20 weeks from the request less 15 days",
)
SETTING_REPLY = StepDef(
    StepId.SETTING_REPLY,
    "Setting's reply on being named (15 days)",
    "CFA s39(2); CoP 9.83 (guidance)",
    StepKind.GUIDANCE,
    "15 days beginning with the consultation",
    numbered=True,
)
FINAL_PLAN = StepDef(
    StepId.FINAL_PLAN,
    "Issue the final EHC plan",
    "reg 13(2)",
    StepKind.DUTY,
    "20 weeks from the request",
    lifted_by=LA_STEP_REASONS,
)
ASSESSMENT = Process(
    "assessment",
    "EHC needs assessment",
    "CFA s36-39; SEND Regulations 2014 regs 4-13",
    (DECIDE_TO_ASSESS, ASSESSMENT_ADVICE, DECIDE_NOT_TO_ISSUE, DRAFT, SETTING_REPLY, FINAL_PLAN),
)

# --- a request for advice, as its own clock (reg 6, 8; reg 20(4) for a review) ---------------

REVIEW_ADVICE = StepDef(
    StepId.ADVICE,
    "Advice for the review, in time to circulate it (2 weeks before the meeting)",
    "reg 20(4) (planning date)",
    # The duty (reg 20(4)) is the authority's, to circulate; an adviser's lateness is chased
    # by reminders, and escalated as the circulation step when that date is missed.
    StepKind.PLANNING,
    "2 weeks before the review meeting",
    numbered=True,
)
ADVICE = Process(
    "advice",
    "Request for professional advice",
    "SEND Regulations 2014 regs 6, 8, 20(4)",
    (ASSESSMENT_ADVICE,),
)

# --- annual review of an EHC plan (CFA s44; regs 18-22) ---------------------------------------

ARRANGE_MEETING = StepDef(
    StepId.ARRANGE_MEETING,
    "Arrange the review meeting (time for 2 weeks' notice)",
    "reg 20(3) (planning date)",
    StepKind.PLANNING,
    "6 weeks before the meeting must be held",
)
INVITATIONS = StepDef(
    StepId.INVITATIONS,
    "Invite to the review meeting (2 weeks before)",
    "reg 20(3)",
    StepKind.DUTY,
    "2 weeks before the meeting",
)
ADVICE_CIRCULATED = StepDef(
    StepId.ADVICE_CIRCULATED,
    "Circulate advice and information (2 weeks before)",
    "reg 20(4)",
    StepKind.DUTY,
    "2 weeks before the meeting",
)
UNDER_FIVE_REVIEW = StepDef(
    StepId.UNDER_FIVE_REVIEW,
    "Review for a child under 5 (local policy)",
    "CoP 9.178 (guidance)",
    StepKind.GUIDANCE,
    "every 3 to 6 months (local policy, default 6)",
)
TRANSFER_MEETING = StepDef(
    StepId.TRANSFER_MEETING,
    "Hold the review in time for the phase transfer (12 weeks before)",
    "reg 18 (planning date)",
    StepKind.PLANNING,
    "the transfer's fixed date less 12 weeks",
)
REVIEW_MEETING = StepDef(
    StepId.REVIEW_MEETING,
    "Review the plan (within 12 months)",
    "CFA s44(1), reg 18",
    StepKind.DUTY,
    "12 months from the plan, then from the previous review",
)
REPORT = StepDef(
    StepId.REPORT,
    "Send the report of the review meeting",
    "reg 20(7)",
    StepKind.DUTY,
    "2 weeks from the meeting",
)
DECISION = StepDef(
    StepId.DECISION,
    "Notify the decision: maintain, amend or cease",
    "reg 20(10)",
    StepKind.DUTY,
    "4 weeks from the meeting",
)
AMENDMENT_NOTICE = StepDef(
    StepId.AMENDMENT_NOTICE,
    "Send the amendment notice with the proposed amendments",
    "reg 20(10), 22(2); Devon [2022] EWHC 493",
    StepKind.DUTY,
    "with the decision (4 weeks from the meeting)",
)
FINAL_AMENDED_PLAN = StepDef(
    StepId.FINAL_AMENDED_PLAN,
    "Issue the final amended plan (8 weeks from the notice)",
    "reg 22(3)",
    StepKind.DUTY,
    "8 weeks from the amendment notice (12 weeks from the meeting before one)",
)
PHASE_TRANSFER = StepDef(
    StepId.PHASE_TRANSFER,
    "Finalise the plan for the phase transfer",
    "reg 18",
    StepKind.DUTY,
    "15 Feb (school moves), 31 Mar (to post-16), 5 months before a post-16 move",
)
CEASE_APPEAL_WINDOW = StepDef(
    StepId.CEASE_APPEAL_WINDOW,
    "Plan ceases when the appeal window closes unless an appeal is lodged",
    "CFA s45; Tribunal rules r20",
    StepKind.PLANNING,
    "2 months from the decision to cease, or 1 month from a mediation certificate if later",
)
REVIEW = Process(
    "review",
    "Annual review of an EHC plan",
    "CFA s44; SEND Regulations 2014 regs 18-22",
    (
        ARRANGE_MEETING,
        INVITATIONS,
        ADVICE_CIRCULATED,
        REVIEW_ADVICE,
        UNDER_FIVE_REVIEW,
        TRANSFER_MEETING,
        REVIEW_MEETING,
        REPORT,
        DECISION,
        AMENDMENT_NOTICE,
        FINAL_AMENDED_PLAN,
        PHASE_TRANSFER,
        CEASE_APPEAL_WINDOW,
    ),
)

# --- re-assessment (CFA s44(2)-(3); regs 24-27) ---------------------------------------------

DECIDE_TO_REASSESS = StepDef(
    StepId.DECIDE_TO_REASSESS,
    "Decide whether to re-assess, and notify",
    "reg 25(1)",
    StepKind.DUTY,
    # reg 27(3)'s exceptions lift only the 14 weeks; reg 25 has none of its own.
    "15 days from the request",
)
REASSESSMENT_PLAN = StepDef(
    StepId.REASSESSMENT_PLAN,
    "Finalise the amended or replacement plan (14 weeks)",
    "reg 27(2)",
    StepKind.DUTY,
    "14 weeks from the notice of the decision to re-assess (or the council's own decision)",
    lifted_by=REASSESSMENT_REASONS,
)
REASSESSMENT = Process(
    "reassessment",
    "Re-assessment of an EHC plan",
    "CFA s44(2)-(3); SEND Regulations 2014 regs 24-27",
    (DECIDE_TO_REASSESS, ASSESSMENT_ADVICE, REASSESSMENT_PLAN),
)

# --- complying with a Tribunal order or a concession (regs 44-45) ----------------------------

ORDER_NOTIFY = StepDef(
    StepId.ORDER_NOTIFY,
    "Notify that the council will assess or re-assess (2 weeks)",
    "reg 44(2)(b), 45(3)",
    StepKind.DUTY,
    "2 weeks from the order (or the reg 45 notice)",
    lifted_by=ORDER_REASONS,
)
ORDER_NOT_TO_ISSUE = StepDef(
    StepId.ORDER_NOT_TO_ISSUE,
    "Decide not to issue a plan, with reasons (10 weeks)",
    "reg 44(2)(b)(i), 45(3A)(a)",
    StepKind.REFUSAL_LIMIT,
    "10 weeks from the order (or the reg 45 notice)",
    lifted_by=ORDER_REASONS,
)
ORDER_DRAFT = StepDef(
    StepId.ORDER_DRAFT,
    "Issue the draft plan (5 weeks)",
    "reg 44(2)(c)(i), 45(6)",
    StepKind.DUTY,
    "5 weeks from the order (or the reg 45 notice)",
    lifted_by=ORDER_REASONS,
)
ORDER_PLAN = StepDef(
    StepId.ORDER_PLAN,
    "Issue the final plan as the order requires",
    "reg 44(2)(b)(ii), (c)(ii), (e), (f), (h); 45(3A)(b), (4)-(6)",
    StepKind.DUTY,
    "from the order (or the reg 45 notice): assess or re-assess 14 weeks; make a plan 11 "
    "weeks; amend 5 weeks; school only 2 weeks",
    lifted_by=ORDER_REASONS,
)
ORDER_RECONSIDER = StepDef(
    StepId.ORDER_RECONSIDER,
    "Reconsider the decision and notify (2 weeks)",
    "reg 44(2)(d)",
    StepKind.DUTY,
    "2 weeks from the order",
    lifted_by=ORDER_REASONS,
)
ORDER_CONTINUE = StepDef(
    StepId.ORDER_CONTINUE,
    "Continue to maintain the plan (at once)",
    "reg 44(2)(g), (h)",
    StepKind.DUTY,
    "the day of the order",
)
TRIBUNAL_ORDER = Process(
    "tribunal-order",
    "Complying with a Tribunal order or a concession",
    "SEND Regulations 2014 regs 44-45 (as amended by SI 2015/359)",
    (ORDER_NOTIFY, ORDER_NOT_TO_ISSUE, ORDER_DRAFT, ORDER_RECONSIDER, ORDER_CONTINUE, ORDER_PLAN),
)

# --- transfer of a plan between councils (reg 15) ------------------------------------------

TRANSFER_PLAN = StepDef(
    StepId.TRANSFER_PLAN,
    "Transfer the plan to the new council",
    "reg 15(2)",
    StepKind.DUTY,
    "the day of the move, or 15 working days beginning with the day the council learnt of it "
    "if that is later",
)
NOTIFY_FAMILY = StepDef(
    StepId.NOTIFY_FAMILY,
    "Tell the family the plan has transferred, and when it will be reviewed (6 weeks)",
    "reg 15(4)",
    StepKind.DUTY,
    "6 weeks from the transfer",
)
TRANSFER_OUT = Process(
    "transfer-out",
    "Transfer of a plan to another council",
    "SEND Regulations 2014 reg 15(2)",
    (TRANSFER_PLAN,),
)
TRANSFER_IN = Process(
    "transfer-in",
    "Plan transferred in from another council",
    "SEND Regulations 2014 reg 15(3)-(5)",
    (NOTIFY_FAMILY,),
)

# --- appeals and mediation (CFA s51-55; regs 32-42) ------------------------------------------

MEDIATION_HEALTH = StepDef(
    StepId.MEDIATION_HEALTH,
    "Tell the health body about mediation on health provision (3 working days)",
    "reg 35",
    StepKind.DUTY,
    "3 working days from being told the family wants mediation on health provision",
)
MEDIATION_HELD = StepDef(
    StepId.MEDIATION_HELD,
    "Mediation takes place (30 days)",
    "reg 37",
    StepKind.DUTY,
    "30 days from being told the family wants mediation",
)
MEDIATION_CERTIFICATE = StepDef(
    StepId.MEDIATION_CERTIFICATE,
    "Mediation certificate issued (3 working days)",
    "regs 34, 39 (the mediation adviser's duty)",
    StepKind.GUIDANCE,
    "3 working days from the family declining mediation, or from the mediation",
)
APPEAL_WINDOW = StepDef(
    StepId.APPEAL_WINDOW,
    "Appeal window closes unless an appeal is registered",
    "CFA s51; Tribunal rules r20(1)",
    StepKind.PLANNING,
    "2 months from the decision notice, or 1 month from a mediation certificate if later",
)
APPEAL = Process(
    "appeal",
    "Appeal rights and mediation",
    "CFA s51-55; SEND Regulations 2014 regs 32-45; Tribunal rules r20",
    (MEDIATION_HEALTH, MEDIATION_HELD, MEDIATION_CERTIFICATE, APPEAL_WINDOW),
)

#: Every process, by the name its workflows publish as their kind (``EhcKind``).
PROCESSES: dict[str, Process] = {
    p.name: p
    for p in (
        ASSESSMENT,
        ADVICE,
        REVIEW,
        REASSESSMENT,
        TRIBUNAL_ORDER,
        TRANSFER_IN,
        TRANSFER_OUT,
        APPEAL,
    )
}
