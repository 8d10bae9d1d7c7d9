"""The activities the workflows call, declared once by name and signature.

Workflows never import ``activities/`` (its modules reach databases, SMTP and Notify), yet
each call should be typed: the payload checked by mypy, the result decoded as its own type.
So each activity is declared here as a stub with the implementation's name and exact
signature, and called as ``workflow.execute_activity(send_alert, message, ...)``. The worker
registers the real implementations from ``activities/`` under the same names
(``ehc.worker.activities``); ``tests/unit/test_activity_refs.py`` checks that every stub has
exactly one implementation with the same parameter and return types, and every
implementation a stub. A stub's body never runs.
"""

from __future__ import annotations

from temporalio import activity

from statutory.alerts import AlertMessage, DeliveryReport
from statutory.digest import DigestRequest, DigestResult
from statutory.ledger import OutcomeRecord, RequestRecord, StepRecord
from statutory.read_model import CaseView

#: The alert activity's name (a test's interceptor matches calls on it).
SEND_ALERT = "send_alert"


def _stub(name: str) -> NotImplementedError:
    return NotImplementedError(f"{name} is a declaration: the worker runs activities/'s {name}")


@activity.defn(name=SEND_ALERT)
def send_alert(message: AlertMessage) -> DeliveryReport:
    """One reminder or escalation to everyone the ladder names, on every channel
    (``activities.alerts.AlertActivities``)."""
    raise _stub(SEND_ALERT)


@activity.defn(name="record_steps")
def record_steps(records: list[StepRecord]) -> int:
    """Completed steps to the reporting ledger, each once; how many were new
    (``activities.ledger.LedgerActivities``)."""
    raise _stub("record_steps")


@activity.defn(name="record_request")
def record_request(record: RequestRecord) -> bool:
    """A request for assessment to the ledger, once (SEN2 counts requests received)."""
    raise _stub("record_request")


@activity.defn(name="record_outcome")
def record_outcome(record: OutcomeRecord) -> bool:
    """A case's or a review cycle's outcome to the ledger, once."""
    raise _stub("record_outcome")


@activity.defn(name="publish_view")
def publish_view(view: CaseView) -> bool:
    """The case's view to the read model, unless a newer one is there; whether it was written
    (``activities.read_model.ReadModelActivities``)."""
    raise _stub("publish_view")


@activity.defn(name="redrive_outbox")
def redrive_outbox() -> dict[str, int]:
    """Send every outbox row still due; how many ended each way
    (``activities.redrive.RedriveActivities``)."""
    raise _stub("redrive_outbox")


@activity.defn(name="send_digests")
async def send_digests(request: DigestRequest) -> DigestResult:
    """Each team's weekly digest to its supervisor (``activities.digest.DigestActivities``)."""
    raise _stub("send_digests")
