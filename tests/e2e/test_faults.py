"""Faults of the running system, with real processes: a worker killed with SIGKILL while it
is sending, the Temporal server killed with SIGKILL and restarted on its SQLite file, workflow
code logging in JSON, and ``ehc up`` losing its server.

Each alert is counted where it lands: a local SMTP server keeps every mail it is given, by
Message-ID (made from the alert's key, so a repeat forced by a crash is the same mail again).
The worker that is killed runs in a process of its own (``tests.e2e.fault_worker``), with the
timers that notice a dead worker scaled from minutes to seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from temporalio.client import Client

from activities.channels import message_id
from activities.directory import Directory
from activities.outbox import Outbox
from ehc.cases import Assessments
from ehc.codec import ensure_local_key
from ehc.server import EmbeddedServer
from ehc.settings import Settings
from ehc.temporal import connect
from statutory import assessment as rules
from statutory.alerts import plan
from testsupport.servers import Mailbox, free_port, smtp_server
from workflows.models import assessment_workflow_id

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
EHC = [sys.executable, "-m", "ehc.cli.main"]
FAULT_WORKER = [sys.executable, "-m", "tests.e2e.fault_worker", "--heartbeat", "4"]
TEAM, SUPERVISOR = "north", "sup-north"
CASEWORKERS = ("cw001", "cw002", "cw003")
#: Received seven weeks ago, no decision yet: the decision to assess (6 weeks, reg 4(2)) was
#: due a week ago, so each case's first escalation is due when it starts.
RECEIVED_WEEKS_AGO = 7


def today() -> date:
    return datetime.now(UTC).date()


def write_directory(path: Path) -> Path:
    people = [*CASEWORKERS, SUPERVISOR]
    path.write_text(
        "[people]\n"
        + "".join(f'{p} = {{ email = "{p}@send.example.gov.uk" }}\n' for p in people)
        + f'[teams.{TEAM}]\nsupervisor = "{SUPERVISOR}"\n'
    )
    return path


def system_settings(tmp_path: Path, smtp_port: int, smtp_timeout: float = 3.0) -> Settings:
    """An embedded stack in ``tmp_path``: its own ports, SMTP on ``smtp_port``, alerts at
    midnight UTC (the day's alerts are due whatever the hour), no settling period."""
    return Settings(
        data_dir=tmp_path / "data",
        server_port=free_port(),
        ui_port=free_port(),
        alert_hour_utc=0,
        settling_working_days=0,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_timeout=smtp_timeout,
        directory_file=write_directory(tmp_path / "directory.toml"),
    )


def process_env(settings: Settings) -> dict[str, str]:
    """The environment of an ``ehc`` process (or the fault worker) using ``settings``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    return {
        **base,
        "PYTHONPATH": str(ROOT),
        "TEMPORAL_ADDRESS": f"{settings.server_ip}:{settings.server_port}",
        "EHC_DATA_DIR": str(settings.data_dir),
        "EHC_SERVER_PORT": str(settings.server_port),
        "EHC_UI_PORT": str(settings.ui_port),
        "EHC_WEB_PORT": str(free_port()),
        "EHC_ALERT_HOUR_UTC": str(settings.alert_hour_utc),
        "EHC_SETTLING_WORKING_DAYS": str(settings.settling_working_days),
        "EHC_SMTP_HOST": str(settings.smtp_host),
        "EHC_SMTP_PORT": str(settings.smtp_port),
        "EHC_SMTP_TIMEOUT": str(settings.smtp_timeout),
        "EHC_DIRECTORY_FILE": str(settings.directory_file),
        "EHC_LOG_FORMAT": "json",
    }


def requests(prefix: str, count: int) -> list[rules.AssessmentRequest]:
    received = today() - timedelta(weeks=RECEIVED_WEEKS_AGO)
    return [
        rules.AssessmentRequest(
            case_ref=f"{prefix}-{n:03d}",
            received=received,
            caseworker=CASEWORKERS[n % len(CASEWORKERS)],
            team=TEAM,
        )
        for n in range(1, count + 1)
    ]


def expected_mail(settings: Settings, cases: list[rules.AssessmentRequest]) -> dict[str, str]:
    """Message-ID -> outbox key of every mail the cases' first alerts make, as the rules
    plan them (the alert, the ladder's rung for it, one mail per person)."""
    directory = Directory.load(settings.directory_file)
    out: dict[str, str] = {}
    for request in cases:
        workflow_id = assessment_workflow_id(request.case_ref)
        steps = rules.steps(rules.open_case(request, today()), today(), settings.amber_days)
        due, _ = plan(steps, settings.alert_policy, today(), set(), workflow_id)
        assert due, f"{request.case_ref}: no alert due: the test's dates need changing"
        for alert in due:
            roles = directory.roles_for("assessment", alert.kind, alert.level)
            for person in directory.resolve(
                roles, caseworker=request.caseworker, team=request.team, provider=None
            ):
                key = f"{alert.key(workflow_id)}|{person.id}|smtp"
                out[message_id(key, settings.message_id_domain)] = key
    return out


#: Processes the test started that must keep running (a worker): ``until`` fails at once,
#: with the end of its log, if one has ended.
RUNNING: dict[subprocess.Popen[bytes], Path] = {}


async def until(condition: Callable[[], bool | Awaitable[bool]], within: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``within`` seconds, or at once if a
    process in RUNNING has ended."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        held = condition()
        if held if isinstance(held, bool) else await held:
            return
        for proc, log in RUNNING.items():
            if proc.poll() is not None:
                raise AssertionError(f"{proc.args!r} exited {proc.returncode}: {log.read_text()}")
        if loop.time() > deadline:
            raise AssertionError(f"after {within:.0f}s, still not: {what}")
        await asyncio.sleep(0.1)


@asynccontextmanager
async def embedded_server(settings: Settings) -> AsyncIterator[EmbeddedServer]:
    """The embedded Temporal server of ``ehc up``, on the stack's SQLite file."""
    ensure_local_key(settings)  # as `ehc up` does: the worker finds the key there
    server = EmbeddedServer(settings)
    await server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process writing its stderr to ``log``; stopped (SIGTERM, then SIGKILL) on leaving."""
    with log.open("ab") as stderr:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    RUNNING[proc] = log
    try:
        yield proc
    finally:
        RUNNING.pop(proc, None)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def start_cases(
    client: Client, settings: Settings, cases: list[rules.AssessmentRequest]
) -> None:
    service = Assessments(client, settings)
    started = await asyncio.gather(*(service.start(c, today=today()) for c in cases))
    assert all(started)


def all_sent(outbox: Outbox, mailbox: Mailbox, want: dict[str, str]) -> bool:
    """Every expected mail received, and recorded as sent (nothing left to send again)."""
    rows = outbox.messages(channel="smtp")
    return (
        set(want) <= set(mailbox.by_message_id())
        and {r["idempotency_key"] for r in rows} == set(want.values())
        and all(r["status"] == "sent" for r in rows)
    )


async def alerts_delivered(service: Assessments, cases: list[rules.AssessmentRequest]) -> bool:
    """Each case's own account (its timeline query): its alert went out."""
    views = [await service.view(c.case_ref) for c in cases]
    return all(v.alerts and all(a.delivered for a in v.alerts) for v in views)


@dataclass
class CountingMailbox(Mailbox):
    """Also counts the replies given to the end of DATA: a mail received but not yet
    answered is one its sender is still waiting on (in flight)."""

    answered: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        self.answered += 1
        return reply

    def in_flight(self) -> int:
        return len(self.messages) - self.answered


async def test_a_worker_killed_mid_delivery_leaves_each_mail_sent_once_per_key(
    tmp_path: Path,
) -> None:
    # The SMTP server takes a second to answer DATA: sends are in flight when the kill comes.
    mailbox = CountingMailbox(data_delay=1.0)
    with smtp_server(mailbox=mailbox) as (port, _):
        settings = system_settings(tmp_path, port)
        cases = requests("KILL", 12)
        want = expected_mail(settings, cases)
        async with embedded_server(settings) as server:
            client = await connect(settings, target_host=server.address)
            env, outbox = process_env(settings), Outbox(settings.resolved_database_url)
            with process(FAULT_WORKER, env, tmp_path / "worker-1.log") as first:
                await start_cases(client, settings, cases)
                await until(lambda: len(mailbox.messages) >= 4, 60, "the first mails sent")
                in_flight = mailbox.in_flight()
                RUNNING.pop(first)
                first.kill()
                first.wait(10)
                before_kill = set(mailbox.by_message_id())
            assert in_flight > 0 and len(before_kill) < len(want), "not killed mid-delivery"
            with process(FAULT_WORKER, env, tmp_path / "worker-2.log"):
                await until(lambda: all_sent(outbox, mailbox, want), 60, "every mail sent")
                service = Assessments(client, settings)
                await until(lambda: alerts_delivered(service, cases), 30, "cases told")

    copies = mailbox.by_message_id()
    assert set(copies) == set(want), "a mail lost, or one nobody expected"
    # The one repeat the protocol allows: a mail the dead worker had handed over but not
    # recorded, sent again by its successor, under the same Message-ID.
    repeats = {mid: n for mid, n in copies.items() if n > 1}
    assert set(repeats) <= before_kill and all(n == 2 for n in repeats.values())
    for _, mail in mailbox.messages:
        assert want[str(mail["Message-ID"])] == str(mail["X-EHC-Key"]).strip()
    print(
        f"worker killed with {in_flight} sends in flight: {len(want)} keys, "
        f"{len(copies)} distinct Message-IDs, {sum(copies.values())} raw copies"
    )


async def test_the_server_killed_and_restarted_on_its_file_loses_no_alert(
    tmp_path: Path,
) -> None:
    mailbox = CountingMailbox(data_delay=0.3)
    with smtp_server(mailbox=mailbox) as (port, _):
        settings = system_settings(tmp_path, port)
        cases = requests("CRASH", 12)
        want = expected_mail(settings, cases)
        ensure_local_key(settings)
        first = EmbeddedServer(settings)
        await first.start()
        outbox = Outbox(settings.resolved_database_url)
        try:
            with process(FAULT_WORKER, process_env(settings), tmp_path / "worker.log"):
                client = await connect(settings, target_host=first.address)
                await start_cases(client, settings, cases)
                await until(lambda: len(mailbox.messages) >= 4, 60, "the first mails sent")
                os.kill(int(first.pid_file.read_text()), signal.SIGKILL)
                assert await asyncio.wait_for(first.exited(), 10) == -signal.SIGKILL
                before_restart = len(mailbox.messages)
                assert before_restart < len(want), "not killed while cases were alerting"
                async with embedded_server(settings) as second:  # the same SQLite file
                    await until(lambda: all_sent(outbox, mailbox, want), 60, "every mail sent")
                    client = await connect(settings, target_host=second.address)
                    service = Assessments(client, settings)
                    await until(lambda: alerts_delivered(service, cases), 30, "cases told")
                    # The cases still take events: the decision to assess, a week late.
                    ref = cases[0].case_ref
                    view = await service.record(ref, rules.DecidedToAssess(on=today()))
                    assert view.case.decided_to_assess_on == today()
        finally:
            first.stop()

    assert mailbox.by_message_id() == {mid: 1 for mid in want}, "a mail lost or sent twice"


@dataclass
class RefusingMailbox(Mailbox):
    """An SMTP server that refuses every recipient for good (550): a permanent failure."""

    refused: int = 0

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        self.refused += 1
        return "550 5.1.1 No such mailbox here"


async def test_workflow_code_logs_json_lines_with_the_workflow_as_fields(
    tmp_path: Path,
) -> None:
    mailbox = RefusingMailbox()
    with smtp_server(mailbox=mailbox) as (port, _):
        settings = system_settings(tmp_path, port)
        cases = requests("LOG", 2)
        log = tmp_path / "worker.log"

        def warnings() -> list[dict[str, Any]]:
            lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
            return [line for line in lines if line["event"] == "alert not fully delivered"]

        async with embedded_server(settings) as server:
            with process([*EHC, "worker"], process_env(settings), log) as worker:
                client = await connect(settings, target_host=server.address)
                await start_cases(client, settings, cases)
                await until(lambda: len(warnings()) == len(cases), 60, "the workflows warn")
                worker.send_signal(signal.SIGTERM)
                assert worker.wait(30) == 0

    text = log.read_text()
    assert mailbox.refused and "Logging error" not in text and "Traceback" not in text
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    assert {"worker running", "worker stopped"} <= {line["event"] for line in lines}
    by_workflow = {line["temporal_workflow"]["workflow_id"]: line for line in warnings()}
    assert set(by_workflow) == {assessment_workflow_id(c.case_ref) for c in cases}
    for workflow_id, line in by_workflow.items():
        assert line["level"] == "warning" and line["logger"] == "temporalio.workflow"
        assert str(line["key"]).startswith(f"{workflow_id}:decide-to-assess:escalation:1:")


def test_up_fails_in_one_line_when_its_server_dies(tmp_path: Path) -> None:
    settings = system_settings(tmp_path, free_port())
    env = process_env(settings)
    stderr = tmp_path / "up.log"
    with stderr.open("w") as err:
        up = subprocess.Popen(
            [*EHC, "up", "--no-demo"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        assert up.stdout is not None
        for line in up.stdout:  # blocks until the banner, or EOF if it died
            if "is running" in line:
                break
        else:
            pytest.fail(f"ehc up exited {up.wait()}: {stderr.read_text()[-2000:]}")
        pid_file = settings.data_dir / "temporal-server.pid"
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        assert up.wait(30) == 1
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    said = [line for line in stderr.read_text().splitlines() if not line.startswith("{")]
    log_file = settings.data_dir / "temporal-server.log"
    assert said == [
        "ehc: the Temporal server stopped unexpectedly (killed by SIGKILL); "
        f"its log is at {log_file}"
    ]
    assert not pid_file.exists()
