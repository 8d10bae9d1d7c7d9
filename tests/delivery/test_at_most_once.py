"""At most once where SMTP allows it, recognisable where it does not.

Each outbox row is claimed before it is sent, so a second worker or a retried attempt does not
send it too; a claim whose worker died runs out and the row is sent again; every copy of a
message carries the same Message-ID, made from its key. Counted at a real SMTP server.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError

from activities.alerts import deliver
from activities.channels import SMTP_TIMEOUT, SmtpChannel, message_id
from activities.directory import Directory, Recipient
from activities.outbox import Claim, Outbox
from activities.redrive import redrive
from activities.schema import outbox_table
from activities.sending import LEASE_MARGIN
from ehc import delivery
from ehc.settings import Settings
from tests.delivery.sample import CW, DIRECTORY, KEY, ROW, ROW_KEY, TEXT, send, smtp_row
from testsupport.servers import free_port, smtp_server, wait_for
from workflows.clock import DELIVERY_HEARTBEAT


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ehc.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_the_message_id_is_made_from_the_key() -> None:
    assert message_id(ROW_KEY) == message_id(ROW_KEY)  # every attempt, every worker
    assert re.fullmatch(r"<[0-9a-f]{32}@ehc-clock\.invalid>", message_id(ROW_KEY))
    assert message_id(ROW_KEY) != message_id(f"{KEY}|sup-north|smtp")
    assert message_id(ROW_KEY, "send.example.gov.uk").endswith("@send.example.gov.uk>")


def test_the_smtp_timeout_is_a_setting_the_activity_allows_for() -> None:
    # RFC 5321 4.5.3.2.6: 10 minutes for the reply to the end of DATA.
    assert Settings().smtp_timeout == SMTP_TIMEOUT == 600
    [channel] = delivery.channels(
        Settings(smtp_host="mail", smtp_timeout=10, message_id_domain="send.example.gov.uk")
    )
    assert isinstance(channel, SmtpChannel)
    assert (channel.timeout, channel.message_id_domain) == (10, "send.example.gov.uk")
    # The alert activity heartbeats before each send: the longest send and its claim fit.
    longest = timedelta(seconds=Settings.model_fields["smtp_timeout"].metadata[1].le)
    assert longest + LEASE_MARGIN < DELIVERY_HEARTBEAT


def test_a_slow_server_within_the_timeout_gets_one_copy(database_url: str) -> None:
    with smtp_server() as (port, mailbox):
        mailbox.data_delay = 3.0  # answers the end of DATA after 3 s
        outbox = Outbox(database_url)
        report = send(outbox, SmtpChannel("127.0.0.1", port, timeout=10))
    assert report.failed == [] and report.delivered == ["outbox:cw101", "smtp:cw101"]
    assert mailbox.by_key() == {ROW_KEY: 1}
    row = smtp_row(outbox)
    assert (row["status"], row["attempts"]) == ("sent", 1)
    assert row["reference"] == message_id(ROW_KEY)


def test_a_repeat_after_the_client_gave_up_carries_the_same_message_id(
    database_url: str,
) -> None:
    """A timeout after DATA: the server may have the mail. The retry is a repeat, but one the
    receiver can recognise: the same Message-ID."""
    with smtp_server() as (port, mailbox):
        mailbox.data_delay = 2.0
        outbox = Outbox(database_url)
        impatient = SmtpChannel("127.0.0.1", port, timeout=0.5)
        with pytest.raises(ApplicationError, match="delivery incomplete: smtp:cw101"):
            send(outbox, impatient)
        assert smtp_row(outbox)["status"] == "due"
        wait_for(lambda: len(mailbox.messages) == 1, what="the server has the first copy")
        mailbox.data_delay = 0.0
        # The retry, from another worker: its own channel object, the same Message-ID.
        report = send(Outbox(database_url), SmtpChannel("127.0.0.1", port, timeout=10))
    assert report.failed == []
    assert mailbox.by_message_id() == {message_id(ROW_KEY): 2}
    assert (smtp_row(outbox)["status"], smtp_row(outbox)["attempts"]) == ("sent", 2)


def test_two_workers_racing_for_one_row_send_it_once(any_url: str) -> None:
    with smtp_server() as (port, mailbox):
        mailbox.data_delay = 2.0  # the winner is still sending when the other one looks
        workers = [Outbox(any_url), Outbox(any_url)]
        channel = SmtpChannel("127.0.0.1", port, timeout=10)
        start = threading.Barrier(len(workers))

        def race(outbox: Outbox) -> str:
            start.wait()
            try:
                send(outbox, channel)
            except ApplicationError as error:
                return str(error)
            return "sent"

        with ThreadPoolExecutor(len(workers)) as pool:
            results = sorted(pool.map(race, workers))
        # The loser's retry, once the winner is done: nothing more is sent.
        again = [send(outbox, channel) for outbox in workers]
    assert results[1] == "sent"
    assert "smtp:cw101: smtp: being sent by another worker" in results[0]
    assert all(r.delivered == ["outbox:cw101", "smtp:cw101"] for r in again)
    assert mailbox.by_key() == {ROW_KEY: 1}
    assert smtp_row(workers[0])["status"] == "sent"


def test_a_claim_is_exclusive_until_its_lease_runs_out(any_url: str) -> None:
    outbox = Outbox(any_url)
    with pytest.raises(ApplicationError):  # nothing listens: the row stays due
        send(outbox, SmtpChannel("127.0.0.1", free_port(), timeout=2))
    contenders = [Outbox(any_url) for _ in range(6)]
    start = threading.Barrier(len(contenders))

    def claim(box: Outbox) -> Claim | None:
        start.wait()
        return box.claim(ROW_KEY, timedelta(hours=1))

    with ThreadPoolExecutor(len(contenders)) as pool:
        claims = [c for c in pool.map(claim, contenders) if c is not None]
    assert len(claims) == 1
    # Its worker dies; once the lease has run out the row can be claimed again...
    expire_claims(outbox)
    second = outbox.claim(ROW_KEY, timedelta(hours=1))
    assert second is not None and second.token != claims[0].token
    # ...and a late word from the dead worker changes nothing.
    outbox.release(claims[0], "late", retry_from=None)
    row = smtp_row(outbox)
    assert (row["status"], row["claim_token"]) == ("sending", second.token)


def expire_claims(outbox: Outbox) -> None:
    """As if every claim's lease had run out (its worker died a while ago)."""
    with outbox.engine.begin() as conn:
        conn.execute(
            update(outbox_table).values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )


def test_a_worker_dying_after_the_server_accepted_repeats_with_the_same_message_id(
    database_url: str,
) -> None:
    """The one repeat left: between the server's 250 and the record of it."""
    with smtp_server() as (port, mailbox):
        channel = SmtpChannel("127.0.0.1", port, timeout=10)
        dead = Outbox(database_url)
        with pytest.raises(ApplicationError):
            send(dead, SmtpChannel("127.0.0.1", free_port(), timeout=2))
        claim = dead.claim(ROW_KEY, timedelta(minutes=11))
        assert claim is not None
        channel.send(CW, TEXT, ROW_KEY)  # accepted; the worker dies before recording it
        alive = Outbox(database_url)
        with pytest.raises(ApplicationError, match="being sent by another worker"):
            send(alive, channel)  # the claim still holds: nothing is sent
        assert len(mailbox.messages) == 1
        expire_claims(alive)
        [done] = redrive(alive, DIRECTORY, [channel])
    assert done.result.outcome.value == "sent"
    assert mailbox.by_message_id() == {message_id(ROW_KEY): 2}
    assert smtp_row(alive)["status"] == "sent"


class LockedAfterSending(Outbox):
    """An outbox that refuses the record of a send a few times (locked, or full)."""

    refusals = 2

    def record_sent(self, key: str, reference: str | None) -> None:
        if self.refusals:
            self.refusals -= 1
            raise OperationalError("UPDATE outbox", {}, Exception("database is locked"))
        super().record_sent(key, reference)


def test_a_locked_outbox_after_the_send_causes_no_repeat(database_url: str) -> None:
    with smtp_server() as (port, mailbox):
        outbox = LockedAfterSending(database_url)
        report = send(outbox, SmtpChannel("127.0.0.1", port, timeout=10))
    assert report.failed == [] and outbox.refusals == 0
    assert mailbox.by_key() == {ROW_KEY: 1}
    assert smtp_row(outbox)["status"] == "sent"


def test_smtp_down_then_back_the_redrive_sends_each_message_once(database_url: str) -> None:
    port = free_port()  # nothing listens yet: SMTP is down
    people = [CW, Recipient("supervisor", "sup-north", "sup@send.example.gov.uk")]
    directory = Directory.from_dict(
        {"people": {p.id: {"email": p.email} for p in people if p.email}}
    )
    channel = SmtpChannel("127.0.0.1", port, timeout=2)
    outbox = Outbox(database_url)
    # Still retrying: the row is its activity's, and the re-drive leaves it alone.
    with pytest.raises(ApplicationError):
        deliver(outbox, [channel], people, TEXT, key=KEY, row=ROW, last_attempt=False)
    assert redrive(outbox, directory, [channel]) == []
    # The last attempt: the rows stay due, with the reason, for the re-drive.
    report = deliver(outbox, [channel], people, TEXT, key=KEY, row=ROW, last_attempt=True)
    assert len(report.failed) == 2 and all("still due" in f for f in report.failed)
    waiting = outbox.messages(undelivered=True)
    assert [(r["status"], "Connection refused" in r["last_error"]) for r in waiting] == [
        ("due", True),
        ("due", True),
    ]
    # A run while SMTP is still down tries one row, not every row's timeout.
    outcomes = [d.result.outcome.value for d in redrive(outbox, directory, [channel])]
    assert outcomes == ["retry", "skipped"]
    with smtp_server(port) as (_, mailbox):
        sent = redrive(outbox, directory, [channel])
        again = redrive(outbox, directory, [channel])
    assert [d.result.outcome.value for d in sent] == ["sent", "sent"]
    assert again == []
    assert mailbox.by_key() == {f"{KEY}|cw101|smtp": 1, f"{KEY}|sup-north|smtp": 1}
    assert outbox.messages(undelivered=True) == []
