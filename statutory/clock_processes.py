"""The duty-clock processes, declared: legal dates, due rules, actions (``statutory.clocks``).

Each limit stands beside its regulation. The steps themselves (label, regulation, kind) are
declared in ``statutory.processes``; here is how each falls due and what completes it.
"""

from __future__ import annotations

from statutory import exceptions as exc
from statutory import processes as P
from statutory.clocks import Action, Anchor, ClockProcess, Deadline, Effect
from statutory.due_rules import After, ByVariant, FirstKnown, Latest
from statutory.process import StepId

# --- re-assessment (CFA s44(2)-(3); regs 24-27) ---------------------------------------------

REASSESSMENT = ClockProcess(
    process=P.REASSESSMENT,
    anchors=(
        Anchor("requested", "the day the request to re-assess was received"),
        Anchor("decided", "the day the decision to re-assess was notified"),
    ),
    # A council may decide to re-assess of its own accord (reg 27(2)): the clock then starts
    # from its decision.
    opens_on=("requested", "decided"),
    required=(("requested", "decided"),),
    deadlines=(
        # reg 25(1): notify the decision "within 15 days of receiving the request".
        Deadline("decide_by", After("requested", days=15), P.DECIDE_TO_REASSESS),
        # reg 27(2): the finalised plan within 14 weeks of the reg 25(1) notice.
        Deadline("final_plan_by", After("decided", weeks=14), P.REASSESSMENT_PLAN),
    ),
    actions=(
        Action(
            "decided",
            "Decision whether to re-assess notified",
            choices={
                "reassess": Effect(completes=(StepId.DECIDE_TO_REASSESS,), sets=("decided",)),
                # reg 24(2)/25(1)(b): a refusal carries appeal rights (CFA s51(2)(b)).
                "refuse": Effect(
                    completes=(StepId.DECIDE_TO_REASSESS,),
                    ends="refused",
                    starts="appeal",
                    variant="refusal-to-reassess",
                ),
            },
            choice_words={"reassess": "to re-assess", "refuse": "not to re-assess"},
            needs=("requested",),
        ),
        Action(
            "plan-issued",
            "Amended or replacement plan finalised",
            choices={
                "amended": Effect(completes=(StepId.REASSESSMENT_PLAN,), ends="plan-issued"),
                "replacement": Effect(completes=(StepId.REASSESSMENT_PLAN,), ends="plan-issued"),
            },
            choice_words={"amended": "the plan amended", "replacement": "a replacement plan"},
            needs=("decided",),
        ),
        Action(
            "no-change",
            "Decided not to amend or replace the plan after re-assessing",
            Effect(
                completes=(StepId.REASSESSMENT_PLAN,),
                ends="no-change",
                starts="appeal",
                variant="refusal-to-amend",
            ),
            needs=("decided",),
        ),
    ),
    endings={
        "plan-issued": "amended or replacement plan finalised",
        "refused": "decided not to re-assess",
        "no-change": "re-assessed; the plan stays as it is",
    },
    exception_days={
        exc.Reason.SCHOOL_CLOSURE: exc.MIN_CONTINUOUS_DAYS,
        exc.Reason.EARLY_YEARS_CLOSURE: exc.MIN_CONTINUOUS_DAYS,
        exc.Reason.PERSONAL_CIRCUMSTANCES: 1,
        exc.Reason.ABSENCE_FROM_AREA: exc.MIN_CONTINUOUS_DAYS,
    },
    advice=True,
)

# --- complying with a Tribunal order, or a reg 45 concession (regs 44-45) ---------------------

_ASSESS = ("assess", "reassess")
_ORDER_TYPES = {
    "assess": "to assess",  # reg 44(2)(b), 45(3)
    "reassess": "to re-assess",  # reg 44(2)(b), 45(3)
    "make-plan": "to make and maintain a plan",  # reg 44(2)(c), 45(6)
    "reconsider": "to reconsider a decision",  # reg 44(2)(d)
    "amend": "to amend the plan's needs or provision",  # reg 44(2)(e), 45(4)
    "school": "to change only the school or type named",  # reg 44(2)(f), 45(5)
    "continue": "to continue to maintain the plan",  # reg 44(2)(g)
    "continue-amend": "to continue to maintain and amend the plan",  # reg 44(2)(h)
}


def _weeks(weeks: int, *variants: str) -> dict[str, After]:
    return {v: After("order", weeks=weeks) for v in variants}


TRIBUNAL_ORDER = ClockProcess(
    process=P.TRIBUNAL_ORDER,
    anchors=(
        Anchor("order", "the date of the order, or of the council's reg 45 notice to the Tribunal"),
    ),
    opens_on=("order",),
    required=(("order",),),
    variants=_ORDER_TYPES,
    deadlines=(
        # reg 44(2)(b), 45(3): notify within 2 weeks that it will assess or re-assess.
        Deadline("notify_by", ByVariant(_weeks(2, *_ASSESS)), P.ORDER_NOTIFY),
        # reg 44(2)(b)(i), 45(3A)(a): a decision not to issue within 10 weeks of the order
        # (not of the notice).
        Deadline("decide_not_to_issue_by", ByVariant(_weeks(10, *_ASSESS)), P.ORDER_NOT_TO_ISSUE),
        # reg 44(2)(c)(i), 45(6): a draft within 5 weeks of an order to make and maintain a plan.
        Deadline("draft_by", ByVariant(_weeks(5, "make-plan")), P.ORDER_DRAFT),
        # reg 44(2)(d): reconsider, and notify, within 2 weeks.
        Deadline("reconsider_by", ByVariant(_weeks(2, "reconsider")), P.ORDER_RECONSIDER),
        # reg 44(2)(g)-(h): continue to maintain from the day of the order.
        Deadline(
            "continue_from",
            ByVariant({v: After("order") for v in ("continue", "continue-amend")}),
            P.ORDER_CONTINUE,
        ),
        # reg 44(2)(b)(ii) 14 weeks; (c)(ii) 11 weeks; (e), (h) 5 weeks; (f) 2 weeks.
        Deadline(
            "final_plan_by",
            ByVariant(
                {
                    **_weeks(14, *_ASSESS),
                    **_weeks(11, "make-plan"),
                    **_weeks(5, "amend", "continue-amend"),
                    **_weeks(2, "school"),
                }
            ),
            P.ORDER_PLAN,
        ),
    ),
    actions=(
        Action(
            "notified",
            "Notified that the council will assess or re-assess",
            Effect(completes=(StepId.ORDER_NOTIFY,)),
            variants=frozenset(_ASSESS),
        ),
        Action(
            "not-to-issue",
            "Decided not to issue a plan, with reasons",
            Effect(
                completes=(StepId.ORDER_NOT_TO_ISSUE,),
                ends="not-issued",
                starts="appeal",
                variant="refusal-to-issue",
            ),
            variants=frozenset(_ASSESS),
        ),
        Action(
            "draft-issued",
            "Draft plan issued",
            Effect(completes=(StepId.ORDER_DRAFT,)),
            variants=frozenset({"make-plan"}),
        ),
        Action(
            "reconsidered",
            "Decision reconsidered and notified",
            Effect(completes=(StepId.ORDER_RECONSIDER,), ends="complied"),
            variants=frozenset({"reconsider"}),
        ),
        Action(
            "maintained",
            "Plan maintained again",
            Effect(completes=(StepId.ORDER_CONTINUE,), ends="complied"),
            variants=frozenset({"continue"}),
        ),
        Action(
            "maintained-to-amend",
            "Plan maintained again, to be amended",
            Effect(completes=(StepId.ORDER_CONTINUE,)),
            variants=frozenset({"continue-amend"}),
        ),
        Action(
            "plan-issued",
            "Final plan issued as the order requires",
            Effect(completes=(StepId.ORDER_PLAN,), ends="complied"),
            variants=frozenset({*_ASSESS, "make-plan", "amend", "school", "continue-amend"}),
        ),
    ),
    endings={"complied": "complied with", "not-issued": "decided not to issue a plan"},
    exception_days={
        exc.Reason.SCHOOL_CLOSURE: exc.MIN_CONTINUOUS_DAYS,
        exc.Reason.EARLY_YEARS_CLOSURE: exc.MIN_CONTINUOUS_DAYS,
        exc.Reason.PERSONAL_CIRCUMSTANCES: 1,
        # reg 44(3)(b), applied to concessions by reg 45: absence from the area for at least
        # 2 continuous weeks.
        exc.Reason.ABSENCE_FROM_AREA: 14,
    },
)

# --- transfer of a plan between councils (reg 15) --------------------------------------------

TRANSFER_OUT = ClockProcess(
    process=P.TRANSFER_OUT,
    anchors=(
        Anchor("move", "the day of the move", future=True),
        Anchor("aware", "the day the council learnt of the move"),
    ),
    opens_on=("aware",),
    required=(("move",), ("aware",)),
    deadlines=(
        # reg 15(2): on the day of the move; or, if the council learnt of it less than 15
        # working days before, within 15 working days beginning with the day it learnt.
        Deadline(
            "transfer_by",
            Latest((After("move"), After("aware", working_days=15))),
            P.TRANSFER_PLAN,
        ),
    ),
    actions=(
        Action(
            "transferred",
            "Plan transferred to the new council",
            Effect(completes=(StepId.TRANSFER_PLAN,), ends="transferred"),
        ),
    ),
    endings={"transferred": "plan transferred"},
)

TRANSFER_IN = ClockProcess(
    process=P.TRANSFER_IN,
    anchors=(
        Anchor("transfer", "the day the plan transferred"),
        Anchor("plan", "the day the plan was made (the old council's date, reg 15(3))"),
        Anchor("last-review", "the day of the plan's last review"),
    ),
    opens_on=("transfer",),
    required=(("transfer",), ("plan", "last-review")),
    deadlines=(
        # reg 15(4): tell the family within 6 weeks of the transfer.
        Deadline("notify_family_by", After("transfer", weeks=6), P.NOTIFY_FAMILY),
        # reg 15(5): review within 12 months of the plan or its last review, or 3 months of
        # the transfer, whichever is later. Kept by the plan's review workflow.
        Deadline(
            "review_due_by",
            Latest(
                (
                    FirstKnown((After("last-review", months=12), After("plan", months=12))),
                    After("transfer", months=3),
                )
            ),
        ),
    ),
    actions=(
        Action(
            "family-notified",
            "Family told of the transfer and the review date",
            Effect(completes=(StepId.NOTIFY_FAMILY,), ends="notified"),
        ),
    ),
    endings={"notified": "family told of the transfer"},
)

# --- appeal rights and mediation (CFA s51-55; regs 32-42) -----------------------------------

_APPEAL_TYPES = {
    "refusal-to-assess": "a refusal to assess",
    "refusal-to-reassess": "a refusal to re-assess",
    "refusal-to-issue": "a refusal to issue a plan",
    "contents": "the plan's contents",
    "school": "the school or type named",
    "refusal-to-amend": "a refusal to amend the plan",
    "cease": "a decision to cease the plan",
}
_ORDERS = {kind: Effect(ends="upheld", starts="tribunal-order") for kind in _ORDER_TYPES}

APPEAL = ClockProcess(
    process=P.APPEAL,
    anchors=(
        Anchor("notice", "the day the decision was notified"),
        Anchor("mediation-wanted", "the day the council was told the family wants mediation"),
        Anchor("health-mediation", "the day the council was told mediation covers health"),
        Anchor("mediation-declined", "the day the family declined mediation"),
        Anchor("mediation", "the day mediation was held"),
        Anchor("certificate", "the day the mediation certificate was issued"),
        Anchor("registered", "the day the appeal was registered"),
    ),
    opens_on=("notice",),
    required=(("notice",),),
    variants=_APPEAL_TYPES,
    deadlines=(
        # reg 35: tell the health body within 3 working days.
        Deadline("health_body_by", After("health-mediation", working_days=3), P.MEDIATION_HEALTH),
        # reg 37: mediation within 30 days of the council being told the family wants it.
        Deadline("mediation_by", After("mediation-wanted", days=30), P.MEDIATION_HELD),
        # reg 34 (mediation declined), reg 39 (after mediation): 3 working days.
        Deadline(
            "certificate_by",
            Latest(
                (
                    After("mediation-declined", working_days=3),
                    After("mediation", working_days=3),
                )
            ),
            P.MEDIATION_CERTIFICATE,
        ),
        # Tribunal rules r20(1): 2 months after the decision notice was sent, or 1 month from
        # the mediation certificate, whichever is later.
        Deadline(
            "appeal_by",
            Latest((After("notice", months=2), After("certificate", months=1))),
            P.APPEAL_WINDOW,
            lapses="not-appealed",
        ),
    ),
    actions=(
        Action(
            "mediation-wanted",
            "Family wants mediation",
            choices={
                "education": Effect(sets=("mediation-wanted",)),
                "health": Effect(sets=("mediation-wanted", "health-mediation")),
            },
            choice_words={
                "education": "on education or social care",
                "health": "including health provision",
            },
        ),
        Action(
            "health-body-told",
            "Health body told of the mediation",
            Effect(completes=(StepId.MEDIATION_HEALTH,)),
            needs=("health-mediation",),
        ),
        Action(
            "mediation-declined", "Family declined mediation", Effect(sets=("mediation-declined",))
        ),
        Action(
            "mediation-held",
            "Mediation held",
            Effect(completes=(StepId.MEDIATION_HELD,), sets=("mediation",)),
            needs=("mediation-wanted",),
        ),
        Action(
            "certificate-issued",
            "Mediation certificate issued",
            Effect(completes=(StepId.MEDIATION_CERTIFICATE,), sets=("certificate",)),
        ),
        Action(
            "appeal-registered",
            "Appeal registered with the Tribunal",
            Effect(completes=(StepId.APPEAL_WINDOW,), sets=("registered",)),
        ),
        Action(
            "conceded",
            "Appeal conceded (reg 45 notice to the Tribunal)",
            choices={
                # reg 45(3)-(6): every kind but a reconsideration, which only an order
                # remits (reg 44(2)(d)).
                **{
                    kind: Effect(ends="conceded", starts="tribunal-order", route="reg-45")
                    for kind in _ORDER_TYPES
                    if kind != "reconsider"
                },
                # W v Hertfordshire [2023] EWHC 3138: without a reg 45 notice, the original
                # limits keep running; nothing new starts here.
                "without-notice": Effect(ends="conceded"),
            },
            needs=("registered",),
        ),
        Action(
            "decided",
            "Tribunal decided the appeal",
            choices={"dismissed": Effect(ends="dismissed"), **_ORDERS},
            needs=("registered",),
        ),
    ),
    endings={
        "not-appealed": "no appeal registered in time",
        "conceded": "conceded by the council",
        "upheld": "upheld by the Tribunal",
        "dismissed": "dismissed by the Tribunal",
    },
)

#: Every duty-clock process, by name (its workflows' kind).
CLOCKS: dict[str, ClockProcess] = {
    c.name: c for c in (REASSESSMENT, TRIBUNAL_ORDER, TRANSFER_IN, TRANSFER_OUT, APPEAL)
}
