"""Delivery throughput: alerts through the outbox and a local SMTP server (aiosmtpd).

Each alert goes to two recipients (an escalation's rung), so each is four deliveries: two
outbox rows and two emails. Then the same alerts again, as a retried or replayed worker would:
nothing is sent twice. Prints one JSON object per run.

    .venv/bin/python benchmarks/delivery.py [--alerts 500]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))  # the local SMTP server: testsupport/

from activities.alerts import AlertActivities
from activities.channels import SmtpChannel
from activities.directory import Directory
from activities.outbox import Outbox
from ehc.logs import configure
from statutory.alerts import AlertKind, AlertMessage
from testsupport.servers import smtp_server


def message(n: int) -> AlertMessage:
    return AlertMessage(
        idempotency_key=f"assessment-BEN-{n:05d}:final-plan:escalation:1:2026-12-01",
        workflow_id=f"assessment-BEN-{n:05d}",
        case_ref=f"BEN-{n:05d}",
        process="assessment",
        kind=AlertKind.ESCALATION,
        level=1,
        step="final-plan",
        label="Issue the final EHC plan",
        regulation="reg 13(2)",
        due=date(2026, 12, 1),
        target=date(2026, 12, 1),
        days_left=-1,
        caseworker="cw101",
        team="north",
        scheduled_for=datetime(2026, 12, 2, 8, tzinfo=UTC),
    )


def main(count: int) -> None:
    configure("WARNING", "json")
    directory = Directory.from_dict(
        {
            "people": {
                "cw101": {"email": "cw101@send.example.gov.uk"},
                "sup-north": {"email": "sup@send.example.gov.uk"},
            },
            "teams": {"north": {"supervisor": "sup-north"}},
        }
    )
    with tempfile.TemporaryDirectory() as tmp, smtp_server() as (port, mailbox):
        outbox = Outbox(f"sqlite:///{Path(tmp) / 'ehc.db'}")
        activities = AlertActivities(outbox, directory, [SmtpChannel("127.0.0.1", port)])
        for run in ("first", "again"):
            began = time.perf_counter()
            for n in range(count):
                activities.send_alert(message(n))
            seconds = time.perf_counter() - began
            print(
                json.dumps(
                    {
                        "benchmark": "delivery",
                        "run": run,
                        "alerts": count,
                        "emails_received": len(mailbox.messages),
                        "seconds": round(seconds, 2),
                        "alerts_per_second": round(count / seconds, 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=500)
    main(parser.parse_args().alerts)
