"""The case pages on the real dev server with a worker: start an assessment through the form,
record events through to the final plan, refusals shown with the rule and nothing written,
who may read and record, CSRF; and the event forms made from the event models."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from ehc.cli.record import Kind
from ehc.settings import Settings
from ehc.web.case_events import ASSESSMENT, REVIEW, FormRefused
from ehc.web.forms import Field, FieldError, read
from statutory import assessment as assessment_rules
from statutory import review as review_rules
from tests.web.conftest import SignInAs
from tests.web.signed_in import csrf_of, post_form
from tests.workflow.helpers import STARTED, running_worker
from workflows.assessment import AssessmentWorkflow
from workflows.models import assessment_workflow_id, review_workflow_id

# --- the forms, from the event models (no server) ---------------------------------------------


@pytest.mark.parametrize("process", [ASSESSMENT, REVIEW], ids=lambda p: p.name)
def test_every_event_has_a_form_asking_for_every_field_of_its_model(process: object) -> None:
    events = assessment_rules.EVENT_TYPES if process is ASSESSMENT else review_rules.EVENT_TYPES
    forms = process.forms  # type: ignore[attr-defined]
    assert set(forms) == set(events)
    for name, model in events.items():
        asked = {q.model_field for q in forms[name].questions}
        assert asked == set(model.model_fields) - {"type"}, name
        assert all(q.field.label and "``" not in q.field.label for q in forms[name].questions)


def test_a_field_of_parts_is_one_question_per_part_and_choices_come_from_the_enum() -> None:
    transfer = {q.field.name: q for q in REVIEW.forms["transfer-set"].questions}
    assert [(q.model_field, q.part) for q in transfer.values() if q.part] == [
        ("transfer", "kind"),
        ("transfer", "year"),
        ("transfer", "move_date"),
    ]
    kinds = [c.value for c in transfer["transfer"].field.choices]
    assert kinds == [k.value for k in review_rules.TransferKind]
    advice = {q.field.name: q.field for q in ASSESSMENT.forms["advice-requested"].questions}
    assert advice["advice_type"].choices[1].text == "Educational"
    assert advice["on"].kind is Kind.DATE and advice["on"].required
    assert not advice["adviser_received"].required


def test_a_transfer_set_without_a_kind_clears_the_transfer_and_a_part_missing_is_named() -> None:
    form = REVIEW.forms["transfer-set"]
    on = {"on-day": "3", "on-month": "2", "on-year": "2026"}
    cleared = form.event_from(on)
    assert isinstance(cleared, review_rules.TransferSet) and cleared.transfer is None
    with pytest.raises(FormRefused) as refused:
        form.event_from({**on, "transfer": "primary-secondary"})
    assert refused.value.errors == [
        (
            "transfer_year",
            "Enter the year of the transfer (the one whose 15 February / 31 March applies)",
        )
    ]


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (("", "", ""), "Enter the day it happened"),
        (("31", "2", "2026"), "The day it happened must be a real date"),
        (("1", "", "2026"), "The day it happened must include a month"),
        (("1", "2", "26"), "The day it happened must be a real date"),
        (("1", "1", "2010"), "The day it happened (1 Jan 2010) is before 1 Sep 2014"),
    ],
)
def test_a_date_is_read_from_its_three_boxes_with_govuk_messages(
    boxes: tuple[str, str, str], message: str
) -> None:
    field = Field("on", Kind.DATE, "The day it happened", required=True)
    form = dict(zip(("on-day", "on-month", "on-year"), boxes, strict=True))
    with pytest.raises(FieldError) as error:
        read(field, form)
    assert str(error.value).startswith(message)
    assert read(field, {"on-day": "01", "on-month": "12", "on-year": "2026"}) == date(2026, 12, 1)


# --- the pages, on the dev server --------------------------------------------------------------


def ref() -> str:
    """A fresh case reference (digits: a reference of two words reads like a name)."""
    return f"WEB-{uuid.uuid4().int % 10**8:08d}"


def days_ago(n: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=n)


def boxes(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'ehc.db'}",
        task_queue=f"web-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
def web_temporal_client(dev_server_env: WorkflowEnvironment) -> Client:
    return dev_server_env.client


@pytest_asyncio.fixture
async def worker(
    dev_server_env: WorkflowEnvironment, web_settings: Settings
) -> AsyncIterator[None]:
    STARTED.clear()
    assert web_settings.database_url is not None
    outbox = Outbox(web_settings.database_url)
    async with running_worker(dev_server_env.client, outbox, task_queue=web_settings.task_queue):
        yield
    STARTED.clear()


async def start(
    http: httpx.AsyncClient, case_ref: str, received: date, **more: str
) -> httpx.Response:
    STARTED.extend([assessment_workflow_id(case_ref), review_workflow_id(case_ref)])
    page = await http.get("/case/new")
    data = {"case_ref": case_ref, "caseworker": "cw101", **boxes("received", received), **more}
    return await http.post("/case/new", data={**data, "csrf_token": csrf_of(page.text)})


async def record(
    http: httpx.AsyncClient, case_ref: str, event: str, on: date, **fields: str
) -> httpx.Response:
    path = f"/case/{case_ref}/record/{event}"
    page = await http.get(path)
    assert page.status_code == 200, page.text
    data = {**boxes("on", on), **fields, "csrf_token": csrf_of(page.text)}
    return await http.post(path, data=data)


async def accepted_updates(client: Client, case_ref: str) -> int:
    """Events the workflow's history holds (a refused update leaves none)."""
    history = await client.get_workflow_handle(assessment_workflow_id(case_ref)).fetch_history()
    kind = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return sum(e.event_type == kind for e in history.events)


def text_of(html: str) -> str:
    """The page's words, tags and spacing gone, for asserting what a person reads."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_caseworker_starts_an_assessment_and_records_it_through_to_the_final_plan(
    caseworker: httpx.AsyncClient, dev_server_env: WorkflowEnvironment
) -> None:
    case_ref = ref()
    form = await caseworker.get("/case/new")
    assert form.status_code == 200
    assert 'name="team"' not in form.text  # a caseworker starts for their own team
    assert "your team, <strong>north</strong>" in form.text

    started = await start(caseworker, case_ref, days_ago(100), team="south")
    assert started.status_code == 303 and started.headers["location"] == f"/case/{case_ref}"
    page = await caseworker.get(f"/case/{case_ref}")
    words = text_of(page.text)
    assert page.status_code == 200
    assert "Assessment started" in words and "final plan is due by" in words
    assert "What is next Decide whether to assess" in words
    assert "Team north" in words  # not the team posted
    again = await caseworker.get(f"/case/{case_ref}")
    assert "Assessment started" not in again.text  # the banner is shown once

    steps = [
        ("decided-to-assess", 90, {}),
        (
            "advice-requested",
            80,
            {"advice_type": "educational", "provider": "Educational psychology service"},
        ),
        ("advice-received", 50, {"advice_id": "1"}),
        ("draft-served", 30, {}),
        ("final-issued", 10, {}),
    ]
    for event, ago, fields in steps:
        recorded = await record(caseworker, case_ref, event, days_ago(ago), **fields)
        assert recorded.status_code == 303, text_of(recorded.text)
        shown = text_of((await caseworker.get(recorded.headers["location"])).text)
        assert f"Recorded: {ASSESSMENT.forms[event].title}" in shown

    final = text_of((await caseworker.get(f"/case/{case_ref}")).text)
    assert "Final plan issued" in final and "Assessment ended: final plan issued" in final
    assert "Educational advice from Educational psychology service" in final
    view = await dev_server_env.client.get_workflow_handle(assessment_workflow_id(case_ref)).query(
        AssessmentWorkflow.timeline
    )
    assert [e.event.type for e in view.case.timeline] == [event for event, _, _ in steps]
    assert view.case.stage is assessment_rules.Stage.CLOSED

    # The plan's review clock starts with the final plan: its events are recorded next.
    review = dev_server_env.client.get_workflow_handle(review_workflow_id(case_ref))
    await until_running(review)
    events = await caseworker.get(f"/case/{case_ref}/record")
    assert 'data-event="meeting-scheduled"' in events.text
    assert 'data-event="draft-served"' not in events.text
    meeting = datetime.now(UTC).date() + timedelta(days=60)
    arranged = await record(
        caseworker, case_ref, "meeting-scheduled", days_ago(1), **boxes("meeting_date", meeting)
    )
    assert arranged.status_code == 303, text_of(arranged.text)
    review_page = text_of((await caseworker.get(f"/case/{case_ref}")).text)
    assert "Recorded: Review meeting arranged" in review_page
    assert "Annual review, cycle 1" in review_page
    assert f"Review meeting arranged for {meeting.day} " in review_page


async def until_running(handle: object, within: float = 30.0) -> None:
    """Wait until the workflow exists (its parent starts it asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            await handle.describe()  # type: ignore[attr-defined]
            return
        except RPCError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_refused_event_shows_the_rule_refills_the_form_and_writes_nothing(
    caseworker: httpx.AsyncClient, dev_server_env: WorkflowEnvironment
) -> None:
    case_ref = ref()
    assert (await start(caseworker, case_ref, days_ago(60))).status_code == 303

    refused = await record(
        caseworker, case_ref, "final-issued", days_ago(5), representations_received="yes"
    )
    assert refused.status_code == 400
    words = text_of(refused.text)
    assert "<title>Error: Final plan issued" in refused.text
    assert "There is a problem" in words
    assert (
        "Final plan issued can only be recorded when the case's stage is draft plan served; "
        "this case's stage is deciding whether to assess" in words
    )
    assert 'href="#on-day"' in refused.text
    assert f'value="{days_ago(5).day}"' in refused.text  # the form filled in again
    assert 'value="yes" checked' in refused.text

    unnamed = await record(caseworker, case_ref, "withdrawn", days_ago(70), reason="moved away")
    assert unnamed.status_code == 400
    assert "is before the request was received" in text_of(unnamed.text)
    assert "moved away" in unnamed.text  # kept in the form, nowhere else
    assert "moved away" not in (unnamed.headers.get("location") or "")

    bad = await caseworker.get(f"/case/{case_ref}/record/decided-to-assess")
    bad = await caseworker.post(
        f"/case/{case_ref}/record/decided-to-assess",
        data={"on-day": "31", "on-month": "2", "on-year": "2026", "csrf_token": csrf_of(bad.text)},
    )
    assert bad.status_code == 400
    assert 'href="#on-day"' in bad.text and "The day it happened must be a real date" in bad.text
    assert 'id="on-error"' in bad.text  # the message beside the field too

    view = await dev_server_env.client.get_workflow_handle(assessment_workflow_id(case_ref)).query(
        AssessmentWorkflow.timeline
    )
    assert view.case.timeline == [] and view.case.stage is assessment_rules.Stage.DECISION
    assert await accepted_updates(dev_server_env.client, case_ref) == 0


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_field_the_model_refuses_is_linked_to_its_question(
    caseworker: httpx.AsyncClient,
) -> None:
    case_ref = ref()
    assert (await start(caseworker, case_ref, days_ago(60))).status_code == 303
    assert (
        await record(caseworker, case_ref, "decided-to-assess", days_ago(50))
    ).status_code == 303
    refused = await record(caseworker, case_ref, "advice-requested", days_ago(40))
    assert refused.status_code == 400
    assert 'href="#advice_type"' in refused.text and 'href="#provider"' in refused.text
    assert "Select the advice sought (reg 6(1))" in refused.text


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_the_start_form_refuses_a_duplicate_and_a_bad_request_with_an_error_summary(
    caseworker: httpx.AsyncClient,
) -> None:
    case_ref = ref()
    assert (await start(caseworker, case_ref, days_ago(30))).status_code == 303
    duplicate = await start(caseworker, case_ref, days_ago(20))
    assert duplicate.status_code == 400
    assert f"An assessment with case reference {case_ref} already exists" in duplicate.text
    assert 'href="#case_ref"' in duplicate.text

    name_like = await start(caseworker, "jane-smith", days_ago(20))
    assert name_like.status_code == 400
    assert "reads like a person's name" in text_of(name_like.text)
    assert name_like.text.lower().count("jane") == 1  # only in the box it was typed in

    future = await start(caseworker, ref(), datetime.now(UTC).date() + timedelta(days=3))
    assert future.status_code == 400
    assert "cannot be received in the future" in future.text
    assert 'href="#received-day"' in future.text


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_who_may_read_and_record_a_case(
    caseworker: httpx.AsyncClient,
    supervisor: httpx.AsyncClient,
    analyst: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    sign_in_as: SignInAs,
    dev_server_env: WorkflowEnvironment,
) -> None:
    case_ref = ref()
    assert (await start(caseworker, case_ref, days_ago(30))).status_code == 303
    south = await sign_in_as("cw201")
    assert (await south.get(f"/case/{case_ref}")).status_code == 403
    assert (await south.get(f"/case/{case_ref}/record")).status_code == 403
    own_form = await south.get("/case/new")
    refused = await south.post(
        f"/case/{case_ref}/record/decided-to-assess",
        data={**boxes("on", days_ago(1)), "csrf_token": csrf_of(own_form.text)},
    )
    assert refused.status_code == 403

    read = await supervisor.get(f"/case/{case_ref}")
    assert read.status_code == 200 and 'id="record-event"' not in read.text
    assert (await supervisor.get(f"/case/{case_ref}/record")).status_code == 403
    assert (await supervisor.get("/case/new")).status_code == 403
    assert (await analyst.get(f"/case/{case_ref}")).status_code == 403

    assert (await admin.get(f"/case/{case_ref}")).status_code == 200
    by_admin = await record(admin, case_ref, "decided-to-assess", days_ago(2))
    assert by_admin.status_code == 303
    assert await accepted_updates(dev_server_env.client, case_ref) == 1


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(
    caseworker: httpx.AsyncClient, dev_server_env: WorkflowEnvironment
) -> None:
    case_ref = ref()
    data = {"case_ref": case_ref, "caseworker": "cw101", **boxes("received", days_ago(9))}
    assert (await caseworker.post("/case/new", data=data)).status_code == 400
    with pytest.raises(RPCError):
        await dev_server_env.client.get_workflow_handle(assessment_workflow_id(case_ref)).describe()

    assert (await start(caseworker, case_ref, days_ago(9))).status_code == 303
    forged = await caseworker.post(
        f"/case/{case_ref}/record/decided-to-assess",
        data={**boxes("on", days_ago(1)), "csrf_token": "not-the-session-token"},
    )
    assert forged.status_code == 400
    assert await accepted_updates(dev_server_env.client, case_ref) == 0


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_an_unknown_case_or_event_is_a_404_page_that_never_repeats_a_name(
    caseworker: httpx.AsyncClient,
) -> None:
    unknown = await caseworker.get("/case/EHC-0000-0001")
    assert (
        unknown.status_code == 404
        and "There is no case with case reference EHC-0000-0001" in unknown.text
    )
    named = await caseworker.get("/case/jane-smith")
    assert named.status_code == 404 and "jane" not in named.text.lower()
    case_ref = ref()
    assert (await start(caseworker, case_ref, days_ago(9))).status_code == 303
    assert (await caseworker.get(f"/case/{case_ref}/record/meeting-held")).status_code == 404


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_closed_case_refuses_an_event_with_the_rule_and_writes_nothing(
    caseworker: httpx.AsyncClient, dev_server_env: WorkflowEnvironment
) -> None:
    case_ref = ref()
    assert (await start(caseworker, case_ref, days_ago(20))).status_code == 303
    closed = await record(caseworker, case_ref, "decided-not-to-assess", days_ago(3))
    assert closed.status_code == 303
    listed = text_of((await caseworker.get(f"/case/{case_ref}/record")).text)
    assert "This case is closed" in listed
    refused = await record(caseworker, case_ref, "decided-to-assess", days_ago(1))
    assert refused.status_code == 400
    assert "The case is closed (decided not to assess); nothing more can be recorded" in text_of(
        refused.text
    )
    assert await accepted_updates(dev_server_env.client, case_ref) == 1


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_case_is_found_by_its_reference_posted_never_in_the_address(
    supervisor: httpx.AsyncClient,
) -> None:
    found = await post_form(supervisor, "/case", {"ref": " ehc/0000/0001 "})
    assert found.status_code == 303 and found.headers["location"] == "/case/EHC-0000-0001"
    named = await post_form(supervisor, "/case", {"ref": "jane-smith"})
    assert named.status_code == 400 and 'href="#ref"' in named.text
    assert "jane" not in named.text.lower()
