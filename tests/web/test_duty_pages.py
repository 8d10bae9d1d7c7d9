"""The duty-clock pages: forms made from the declarations, and on the dev server with a worker,
a Tribunal order started on a case and recorded to its plan, refusals shown with the rule and
nothing written, a plan transferred in from /case/new, and the new kinds on My cases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from ehc.text import day
from ehc.web.case_file import advice_references
from ehc.web.duty_forms import (
    ADVICE_RECEIVED,
    ADVICE_REQUESTED,
    EXCEPTION,
    REASSIGN,
    WITHDRAW,
    FormRefused,
    forms_for,
    start_form,
)
from statutory import clocks
from statutory.assessment import AdviceRequest, AdviceType
from statutory.clock_processes import CLOCKS
from tests.web.conftest import SignInAs
from tests.web.signed_in import csrf_of
from tests.web.test_case_page import (  # noqa: F401 (fixtures)
    boxes,
    days_ago,
    ref,
    start,
    text_of,
    web_settings,
    web_temporal_client,
    worker,
)
from tests.workflow.helpers import STARTED
from workflows.models import duty_workflow_id, review_workflow_id

# --- the forms, from the declarations (no server) ----------------------------------------------


@pytest.mark.parametrize("process", list(CLOCKS))
def test_every_declared_action_has_a_form_with_its_choices_in_words(process: str) -> None:
    declared = CLOCKS[process]
    for variant in declared.variants or {None: ""}:
        forms = forms_for(process, variant)
        offered = [a.name for a in declared.actions if a.variants is None or variant in a.variants]
        assert list(forms) == [
            *offered,
            *([ADVICE_REQUESTED, ADVICE_RECEIVED] if declared.advice else []),
            *([EXCEPTION] if declared.exception_days else []),
            WITHDRAW,
            REASSIGN,
        ]
        for action in declared.actions:
            if action.name not in forms:
                continue
            form = forms[action.name]
            assert form.title == action.title and form.fields[0].name == "on"
            choices = {f.name: f for f in form.fields}.get("choice")
            offered_choices = choices.choices if choices else ()
            assert [c.value for c in offered_choices] == list(action.choices)
            assert all(c.text[:1].isupper() for c in offered_choices)


def test_choices_read_as_the_declaration_words_them() -> None:
    decided = {
        c.value: c.text for c in forms_for("appeal", "contents")["decided"].fields[1].choices
    }
    assert decided["dismissed"] == "Dismissed by the Tribunal"
    assert decided["amend"] == "Upheld by the Tribunal: to amend the plan's needs or provision"
    reassess = {
        c.value: c.text for c in forms_for("reassessment", None)["decided"].fields[1].choices
    }
    assert reassess == {"reassess": "To re-assess", "refuse": "Not to re-assess"}
    reasons = [c.value for c in forms_for("tribunal-order", "assess")[EXCEPTION].fields[1].choices]
    assert reasons == [r.value for r in CLOCKS["tribunal-order"].exception_days]


def test_advice_and_moving_the_case_are_asked_as_their_event_models_take_them() -> None:
    """A re-assessment's requests for advice (reg 26) and any clock's move to another
    caseworker: the same questions and checks as the case page's and the CLI's."""
    forms = forms_for("reassessment", None)
    asked = forms[ADVICE_REQUESTED]
    assert [f.name for f in asked.fields] == ["on", "advice_type", "provider", "adviser_received"]
    on = {"on-day": "1", "on-month": "12", "on-year": "2026"}
    event = asked.event_from({**on, "advice_type": "psychological", "provider": "EP service"})
    assert isinstance(event, clocks.AdviceRequested)
    assert (event.advice_type.value, event.provider, event.on) == (
        "psychological",
        "EP service",
        date(2026, 12, 1),
    )
    with pytest.raises(FormRefused):
        asked.event_from({**on, "advice_type": "psychological"})
    moved = forms_for("transfer-out", None)[REASSIGN].event_from({**on, "caseworker": "cw202"})
    assert isinstance(moved, clocks.CaseworkerReassigned) and moved.caseworker == "cw202"
    assert ADVICE_REQUESTED not in forms_for("transfer-out", None)


def test_the_advice_question_lists_the_requests_by_number() -> None:
    """Advice received names its request by number: the page lists the clock's requests."""
    asked = [
        AdviceRequest(
            id=n,
            advice_type=kind,
            provider=provider,
            requested_on=date(2026, 11, n),
            adviser_received=date(2026, 11, n),
            received_on=received,
        )
        for n, kind, provider, received in (
            (1, AdviceType.PSYCHOLOGICAL, "EP service", date(2026, 11, 20)),
            (2, AdviceType.MEDICAL, "Community paediatrics", None),
        )
    ]
    assert advice_references(asked, "On this clock") == {
        "advice_id": "On this clock: 1: psychological advice from EP service, requested "
        "1 Nov 2026 (closed); 2: medical advice from Community paediatrics, requested 2 Nov 2026."
    }
    assert advice_references([], "On this clock") == {}


def test_start_forms_ask_the_kind_and_the_dates_the_start_needs() -> None:
    order = start_form("tribunal-order")
    assert order.kind is not None
    assert [c.text for c in order.kind.choices][:2] == ["To assess", "To re-assess"]
    assert [(f.name, f.required) for f in order.dates] == [("order", True)]
    transfer = start_form("transfer-in")
    assert transfer.kind is None
    assert [(f.name, f.required) for f in transfer.dates] == [
        ("transfer", True),
        ("plan", False),
        ("last-review", False),
    ]
    with pytest.raises(FormRefused, match="Enter the date of the order"):
        order.read({"variant": "assess"})


# --- the pages, on the dev server --------------------------------------------------------------


async def post(http: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    page = await http.get(path)
    assert page.status_code == 200, text_of(page.text)
    return await http.post(path, data={**data, "csrf_token": csrf_of(page.text)})


async def accepted_updates(client: Client, workflow_id: str) -> int:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    kind = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return sum(e.event_type == kind for e in history.events)


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_tribunal_order_is_started_on_a_case_and_recorded_to_its_plan(
    caseworker: httpx.AsyncClient, sign_in_as: SignInAs, dev_server_env: WorkflowEnvironment
) -> None:
    case_ref = ref()
    assert (await start(caseworker, case_ref, days_ago(200))).status_code == 303
    order = days_ago(20)
    workflow_id = duty_workflow_id("tribunal-order", case_ref, order, "assess")
    STARTED.append(workflow_id)
    path = f"/case/{case_ref}/start/tribunal-order"

    # A refused start: the rule's sentence, the form filled again, nothing started.
    future = datetime.now(UTC).date() + timedelta(days=3)
    refused = await post(caseworker, path, {"variant": "assess", **boxes("order", future)})
    assert refused.status_code == 400
    words = text_of(refused.text)
    assert "There is a problem" in words and "is in the future" in words
    assert f'value="{future.day}"' in refused.text and 'value="assess" checked' in refused.text
    unchosen = await post(caseworker, path, boxes("order", order))
    assert unchosen.status_code == 400 and "Select what kind" in text_of(unchosen.text)

    started = await post(caseworker, path, {"variant": "assess", **boxes("order", order)})
    assert started.status_code == 303 and started.headers["location"] == f"/case/{case_ref}"
    page = text_of((await caseworker.get(f"/case/{case_ref}")).text)
    assert "Clock started" in page
    assert "Complying with a Tribunal order or a concession: to assess" in page
    notify_by = order + timedelta(weeks=2)
    assert (
        f"Notify that the council will assess or re-assess (2 weeks), by {day(notify_by)}" in page
    )

    record = f"/case/{case_ref}/clock/{workflow_id}"
    assert (await caseworker.get(f"{record}/draft-issued")).status_code == 404  # not for assess
    early = await post(caseworker, f"{record}/notified", boxes("on", days_ago(30)))
    assert early.status_code == 400
    assert "before" in text_of(early.text) and f'value="{days_ago(30).day}"' in early.text
    assert await accepted_updates(dev_server_env.client, workflow_id) == 0

    south = await sign_in_as("cw201")
    assert (await south.get(f"{record}/notified")).status_code == 403

    moved = await post(
        caseworker, f"{record}/{REASSIGN}", {**boxes("on", days_ago(12)), "caseworker": "cw102"}
    )
    assert moved.status_code == 303, text_of(moved.text)
    assert "Recorded: Case moved to another caseworker" in text_of(
        (await caseworker.get(f"/case/{case_ref}")).text
    )
    for action, ago in (("notified", 10), ("plan-issued", 2)):
        done = await post(caseworker, f"{record}/{action}", boxes("on", days_ago(ago)))
        assert done.status_code == 303, text_of(done.text)
    final = text_of((await caseworker.get(f"/case/{case_ref}")).text)
    assert "Recorded: Final plan issued as the order requires" in final
    assert f"Ended: complied with, {day(days_ago(2))}" in final
    assert f"done on time {day(notify_by)} {day(days_ago(10))}" in final
    assert await accepted_updates(dev_server_env.client, workflow_id) == 3


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
async def test_a_plan_transferred_in_is_started_from_new_case_and_listed_on_my_cases(
    caseworker: httpx.AsyncClient, dev_server_env: WorkflowEnvironment
) -> None:
    assert 'href="/case/new/transfer-in"' in (await caseworker.get("/case/new")).text
    case_ref = ref()
    transfer = days_ago(10)
    STARTED.extend(
        [duty_workflow_id("transfer-in", case_ref, transfer, None), review_workflow_id(case_ref)]
    )
    form = {"case_ref": case_ref, "caseworker": "cw101", "from_council": "202"}
    no_plan = await post(
        caseworker, "/case/new/transfer-in", {**form, **boxes("transfer", transfer)}
    )
    assert no_plan.status_code == 400
    assert "Give the day the plan was made" in text_of(no_plan.text)
    with pytest.raises(RPCError):
        await dev_server_env.client.get_workflow_handle(
            duty_workflow_id("transfer-in", case_ref, transfer, None)
        ).describe()

    data = {**form, **boxes("transfer", transfer), **boxes("plan", days_ago(300))}
    started = await post(caseworker, "/case/new/transfer-in", data)
    assert started.status_code == 303, text_of(started.text)
    page = text_of((await caseworker.get(f"/case/{case_ref}")).text)
    assert "Plan transferred in from another council" in page
    assert f"The day the plan transferred {day(transfer)}" in page
    assert "Tell the family the plan has transferred" in page

    # My cases reads the read model, which the workflow writes a moment later.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while case_ref not in (mine := (await caseworker.get("/my-cases")).text):
        assert loop.time() < deadline, "the clock never reached My cases"
        await asyncio.sleep(0.2)
    row = text_of(mine[mine.index(case_ref) :])[:300]
    assert "Plan transferred in" in row and "transfer-in" not in row
    assert "Tell the family the plan has transferred" in row
    assert "notify-family" not in row, row
