"""Case routes: start assessments, record events, read timelines and chronologies.

Events are the rules' own models (``statutory.assessment.AssessmentEvent``,
``statutory.review.ReviewEvent``) and go through the same services as the CLI, so the same
validators apply and a rejected event writes nothing. A body with a field the model does not
take is refused, and so is a case reference that reads like a name
(``statutory.identifiers``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Protocol, TypeVar

from fastapi import APIRouter, Body, HTTPException, Path, status
from pydantic import BaseModel

from ehc.api.auth import Principal, Role
from ehc.api.context import ApiContext, Context, allow, require_owner, require_reader
from ehc.api.strict import no_unknown_fields
from ehc.chronology import Chronology, case_chronology
from statutory import assessment as assessment_rules
from statutory import review as review_rules
from statutory.identifiers import CaseRef
from statutory.steps import StepStatus
from workflows.models import AssessmentView, ReviewView, assessment_workflow_id

router = APIRouter()
CaseRefPath = Annotated[CaseRef, Path(description="Council case reference, e.g. EHC-2026-0147")]
Writer = Annotated[Principal, allow(Role.CASEWORKER, what="write to cases")]
Reader = Annotated[Principal, allow(Role.CASEWORKER, Role.SUPERVISOR, what="read cases")]


class Started(BaseModel):
    case_ref: str
    workflow_id: str
    final_plan_due: date


class Recorded(BaseModel):
    case_ref: str
    stage: str
    next_step: StepStatus | None


V = TypeVar("V", AssessmentView, ReviewView)
E = TypeVar("E", assessment_rules.AssessmentEvent, review_rules.ReviewEvent)
V_co = TypeVar("V_co", covariant=True)
E_contra = TypeVar("E_contra", contravariant=True)


class _Cases(Protocol[E_contra, V_co]):
    """The service of one kind of case (``ehc.cases.Assessments``, ``ehc.reviews.Reviews``)."""

    async def view(self, case_ref: str) -> V_co: ...

    async def record(self, case_ref: str, event: E_contra) -> V_co: ...


def _caseworker(view: AssessmentView | ReviewView) -> str:
    """Whose case it is: the caseworker named on the request, or on the plan."""
    return view.case.caseworker if isinstance(view, AssessmentView) else view.cycle.caseworker


async def _read(ctx: ApiContext, who: Principal, case_ref: str, cases: _Cases[E, V]) -> V:
    view = await ctx.within(cases.view(case_ref))
    require_reader(who, _caseworker(view), case_ref)
    return view


async def _record(
    ctx: ApiContext, who: Principal, case_ref: str, cases: _Cases[E, V], event: E
) -> Recorded:
    """Only the case's own caseworker writes to it: checked before the event is recorded."""
    current = await ctx.within(cases.view(case_ref))
    require_owner(who, _caseworker(current), case_ref)
    view = await ctx.within(cases.record(case_ref, event))
    stage = view.case.stage if isinstance(view, AssessmentView) else view.stage
    return Recorded(case_ref=case_ref, stage=stage.value, next_step=view.next_step)


@router.post(
    "/assessments",
    status_code=status.HTTP_201_CREATED,
    tags=["assessments"],
    responses={409: {"description": "An assessment with this case reference exists."}},
    dependencies=[no_unknown_fields(assessment_rules.AssessmentRequest)],
)
async def start_assessment(
    ctx: Context, who: Writer, request: assessment_rules.AssessmentRequest
) -> Started:
    """Start the assessment workflow for a request received (backdated requests are fine)."""
    require_owner(who, request.caseworker, request.case_ref)
    if not await ctx.within(ctx.assessments.start(request)):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"{request.case_ref}: an assessment with this case reference already exists",
        )
    return Started(
        case_ref=request.case_ref,
        workflow_id=assessment_workflow_id(request.case_ref),
        final_plan_due=assessment_rules.assessment_dates(request.received).final_plan.due,
    )


@router.post(
    "/assessments/{case_ref}/events",
    tags=["assessments"],
    dependencies=[no_unknown_fields(assessment_rules.AssessmentEvent)],
)
async def record_assessment_event(
    ctx: Context,
    who: Writer,
    case_ref: CaseRefPath,
    event: Annotated[assessment_rules.AssessmentEvent, Body()],
) -> Recorded:
    """Record what happened; checked against the rules first (a rejection writes nothing)."""
    return await _record(ctx, who, case_ref, ctx.assessments, event)


@router.get("/assessments/{case_ref}", tags=["assessments"])
async def assessment_timeline(ctx: Context, who: Reader, case_ref: CaseRefPath) -> AssessmentView:
    """The whole timeline of an assessment, its steps rated as of today."""
    return await _read(ctx, who, case_ref, ctx.assessments)


@router.post(
    "/reviews/{case_ref}/events",
    tags=["reviews"],
    dependencies=[no_unknown_fields(review_rules.ReviewEvent)],
)
async def record_review_event(
    ctx: Context,
    who: Writer,
    case_ref: CaseRefPath,
    event: Annotated[review_rules.ReviewEvent, Body()],
) -> Recorded:
    """Record an event of the plan's current review cycle (a rejection writes nothing)."""
    return await _record(ctx, who, case_ref, ctx.reviews, event)


@router.get("/reviews/{case_ref}", tags=["reviews"])
async def review_timeline(ctx: Context, who: Reader, case_ref: CaseRefPath) -> ReviewView:
    """The plan's current review cycle and the outcomes of recent cycles."""
    return await _read(ctx, who, case_ref, ctx.reviews)


@router.get("/cases/{case_ref}", tags=["cases"])
async def chronology(ctx: Context, who: Reader, case_ref: CaseRefPath) -> Chronology:
    """One chronology across the case's workflows and the ledger (as ``ehc case``)."""
    found = await ctx.within(case_chronology(ctx.client, ctx.settings, ctx.ledger, case_ref))
    require_reader(who, found.caseworker or "", case_ref)
    return found
