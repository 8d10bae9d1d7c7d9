"""Load: 10,000 imported cases, each with an escalation due at once, to a local SMTP server.

Starts the embedded Temporal server (SQLite file, WAL) and ``ehc worker`` in a process of its
own, sending by SMTP to a local server (aiosmtpd, in this process) that keeps every mail it
is given, counted by Message-ID. Imports the cases with ``ehc import assessments`` as a user
would: each was received seven weeks ago with no decision yet, so the decision to assess
(6 weeks, reg 4(2)) is a week overdue and its first escalation (to the caseworker and their
supervisor) is due when the case starts; the settling period is off
(``EHC_SETTLING_WORKING_DAYS=0``), as it would otherwise hold escalations for 2 working days.

Measures the import, the time until every expected mail has arrived, mails expected and
delivered, duplicates (a Message-ID received twice), lost (expected, never received), and
the peak memory of each process. Prints one JSON object.

    .venv/bin/python benchmarks/load_alerts.py [--cases 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))  # the local SMTP server: testsupport/

from activities.channels import message_id
from activities.directory import Directory
from activities.outbox import Outbox
from ehc.codec import ensure_local_key
from ehc.logs import configure
from ehc.server import EmbeddedServer
from ehc.settings import Settings
from statutory import assessment as rules
from statutory.alerts import plan
from testsupport.servers import Mailbox, free_port, smtp_server
from workflows.models import assessment_workflow_id

EHC = [sys.executable, "-m", "ehc.cli.main"]
TEAMS = ("north", "south", "east", "west")
CASEWORKERS_PER_TEAM = 10
RECEIVED_WEEKS_AGO = 7


def caseworker(n: int) -> tuple[str, str]:
    team = TEAMS[n % len(TEAMS)]
    return f"cw-{team}-{n // len(TEAMS) % CASEWORKERS_PER_TEAM:02d}", team


def write_directory(path: Path) -> Path:
    lines = ["[people]"]
    for n in range(len(TEAMS) * CASEWORKERS_PER_TEAM):
        person, _ = caseworker(n)
        lines.append(f'{person} = {{ email = "{person}@send.example.gov.uk" }}')
    lines += [f'sup-{team} = {{ email = "sup-{team}@send.example.gov.uk" }}' for team in TEAMS]
    for team in TEAMS:
        lines += [f"[teams.{team}]", f'supervisor = "sup-{team}"']
    path.write_text("\n".join(lines) + "\n")
    return path


def requests(count: int, today: date) -> list[rules.AssessmentRequest]:
    received = today - timedelta(weeks=RECEIVED_WEEKS_AGO)
    out = []
    for n in range(1, count + 1):
        person, team = caseworker(n)
        out.append(
            rules.AssessmentRequest(
                case_ref=f"LOAD-{n:05d}", received=received, caseworker=person, team=team
            )
        )
    return out


def write_csv(path: Path, cases: list[rules.AssessmentRequest]) -> None:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["case_ref", "received", "caseworker", "team"])
        for c in cases:
            out.writerow([c.case_ref, c.received.isoformat(), c.caseworker, c.team])


def expected_mail(
    settings: Settings, cases: list[rules.AssessmentRequest], today: date
) -> dict[str, str]:
    """Message-ID -> outbox key of every mail the cases' first alerts make, as the rules
    plan them (the alert, the ladder's rung for it, one mail per person)."""
    directory = Directory.load(settings.directory_file)
    out: dict[str, str] = {}
    for request in cases:
        workflow_id = assessment_workflow_id(request.case_ref)
        steps = rules.steps(rules.open_case(request, today), today, settings.amber_days)
        due, _ = plan(steps, settings.alert_policy, today, set(), workflow_id)
        for alert in due:
            roles = directory.roles_for("assessment", alert.kind, alert.level)
            for person in directory.resolve(
                roles, caseworker=request.caseworker, team=request.team, provider=None
            ):
                key = f"{alert.key(workflow_id)}|{person.id}|smtp"
                out[message_id(key, settings.message_id_domain)] = key
    return out


def env_for(settings: Settings) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    return {
        **base,
        "TEMPORAL_ADDRESS": f"{settings.server_ip}:{settings.server_port}",
        "EHC_DATA_DIR": str(settings.data_dir),
        "EHC_ALERT_HOUR_UTC": str(settings.alert_hour_utc),
        "EHC_SETTLING_WORKING_DAYS": "0",
        "EHC_SMTP_HOST": str(settings.smtp_host),
        "EHC_SMTP_PORT": str(settings.smtp_port),
        "EHC_DIRECTORY_FILE": str(settings.directory_file),
        "EHC_LOG_FORMAT": "json",
        "EHC_LOG_LEVEL": "WARNING",
    }


def peak_rss_mib(pid: int) -> float | None:
    """A running process's peak resident memory (Linux: VmHWM)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class Tally:
    """Copies received of each Message-ID, counting only what arrived since the last look:
    re-reading every header on each look would take the CPU the system under test needs."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.read = 0
        self.copies: Counter[str] = Counter()

    def __call__(self) -> Counter[str]:
        new = self.mailbox.messages[self.read :]
        self.read += len(new)
        self.copies.update(str(mail["Message-ID"]) for _, mail in new)
        return self.copies


def cpu_seconds(pid: int) -> float | None:
    """CPU time a running process has used so far (user and system)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)


def run_import(env: dict[str, str], path: Path) -> tuple[float, str, float, float]:
    """``ehc import assessments``: seconds, what it said, its peak memory (MiB), CPU seconds."""
    began = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [*EHC, "import", "assessments", str(path)], env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - began
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"ehc import failed ({proc.returncode}): {err.read()[-2000:]}")
        return (
            seconds,
            out.read().strip(),
            round(usage.ru_maxrss / 1024, 1),
            usage.ru_utime + usage.ru_stime,
        )


async def main(count: int, within: float, grace: float) -> dict[str, Any]:
    configure("WARNING", "json")
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory() as tmp, smtp_server(mailbox=Mailbox()) as (port, mailbox):
        settings = Settings(
            data_dir=Path(tmp) / "data",
            server_port=free_port(),
            ui_port=free_port(),
            alert_hour_utc=0,
            settling_working_days=0,
            smtp_host="127.0.0.1",
            smtp_port=port,
            directory_file=write_directory(Path(tmp) / "directory.toml"),
        )
        cases = requests(count, today)
        want = expected_mail(settings, cases, today)
        path = Path(tmp) / "assessments.csv"
        write_csv(path, cases)
        ensure_local_key(settings)  # encrypted, as `ehc up` runs
        server = EmbeddedServer(settings)
        await server.start()
        assert server.process is not None
        env = env_for(settings)
        worker_log = Path(tmp) / "worker.log"
        with worker_log.open("w") as log:
            worker = subprocess.Popen([*EHC, "worker"], env=env, stderr=log)
        try:
            began = time.perf_counter()
            import_seconds, said, import_rss, import_cpu = await asyncio.to_thread(
                run_import, env, path
            )
            deadline, shown = began + within, began
            tally = Tally(mailbox)
            while len(seen := want.keys() & tally().keys()) < len(want):
                if time.perf_counter() > deadline or worker.poll() is not None:
                    break
                if time.perf_counter() - shown > 30:  # progress, for a run in the background
                    shown = time.perf_counter()
                    print(f"{shown - began:.0f}s: {len(seen)} of {len(want)}", file=sys.stderr)
                await asyncio.sleep(0.5)  # a benchmark sampling progress
            delivered_at = time.perf_counter()
            await asyncio.sleep(grace)  # any late repeat would arrive now
            copies = tally()
            rss = {
                "worker": peak_rss_mib(worker.pid),
                "server": peak_rss_mib(server.process.pid),
                "import": import_rss,
                "smtp_sink_and_benchmark": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
            }
            cpu = {
                "worker": cpu_seconds(worker.pid),
                "server": cpu_seconds(server.process.pid),
                "import": round(import_cpu, 1),
                "smtp_sink_and_benchmark": cpu_seconds(os.getpid()),
            }
            rows = Outbox(settings.resolved_database_url).messages(channel="smtp")
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            server.stop()
        delivered = set(want) & set(copies)
        return {
            "benchmark": "load_alerts",
            "cases": count,
            "import_seconds": round(import_seconds, 1),
            "import_cases_per_second": round(count / import_seconds, 1),
            "import_said": said,
            "seconds_to_all_delivered": round(delivered_at - began, 1),
            "seconds_after_import": round(delivered_at - began - import_seconds, 1),
            "all_delivered": delivered == set(want),
            "mails_expected": len(want),
            "mails_delivered": len(delivered),
            "raw_copies": sum(copies.values()),
            "duplicates": sum(n - 1 for n in copies.values() if n > 1),
            "lost": len(set(want) - set(copies)),
            "unexpected": len(set(copies) - set(want)),
            "outbox_smtp_rows_sent": sum(r["status"] == "sent" for r in rows),
            "peak_rss_mib": rss,
            "cpu_seconds": cpu,
        }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument(
        "--within", type=float, default=3600, help="give up waiting for mail after this (s)"
    )
    parser.add_argument(
        "--grace", type=float, default=10, help="then watch this long for repeats (s)"
    )
    args = parser.parse_args()
    result = asyncio.run(main(args.cases, args.within, args.grace))
    print(json.dumps(result), flush=True)
    sys.stdout.flush()
    os._exit(0 if result["all_delivered"] and not result["duplicates"] else 1)
