"""Import a council-sized caseload (2,000 plans by default) into the embedded system.

Starts the embedded Temporal dev server (SQLite file, WAL) and a worker in this process,
runs ``ehc import plans`` on a generated file as a user would, then runs it again (nothing new
must be created), and prints one JSON object per measurement.

    .venv/bin/python benchmarks/import_plans.py [--plans 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))  # benchmarks/ and testsupport/

from benchmarks.embedded_server import embedded_server
from ehc.logs import configure
from ehc.settings import Settings
from ehc.worker import build_worker
from testsupport.servers import free_port


def write_plans(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["case_ref", "plan_date", "last_review_date", "caseworker", "team"])
        for n in range(1, count + 1):
            plan_date = today - timedelta(days=rng.randint(400, 3000))
            last = today - timedelta(days=rng.randint(10, 420))
            out.writerow(
                [
                    f"BEN-{n:05d}",
                    plan_date,
                    max(last, plan_date),
                    f"cw{rng.randint(1, 12):03d}",
                    rng.choice(["north", "south", "east", "west"]),
                ]
            )


def timed(env: dict[str, str], *args: str) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ehc.cli.main", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"ehc {' '.join(args)} failed: {done.stderr}")
    return elapsed, done.stdout.strip()


async def main(count: int) -> None:
    configure("WARNING", "json")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        settings = Settings(data_dir=Path(tmp), server_port=port, ui_port=free_port())
        async with embedded_server(settings) as (server, client):
            with ThreadPoolExecutor(max_workers=8) as pool:
                async with build_worker(client, settings, pool):
                    path = Path(tmp) / "plans.csv"
                    write_plans(path, count)
                    env = {
                        **os.environ,
                        "TEMPORAL_ADDRESS": server.address,
                        "EHC_DATA_DIR": tmp,
                        "EHC_LOG_FORMAT": "json",
                    }
                    for label in ("first", "again"):
                        seconds, said = await asyncio.to_thread(
                            timed, env, "import", "plans", str(path)
                        )
                        print(
                            json.dumps(
                                {
                                    "benchmark": "import_plans",
                                    "run": label,
                                    "plans": count,
                                    "seconds": round(seconds, 2),
                                    "plans_per_second": round(count / seconds, 1),
                                    "concurrency": settings.import_concurrency,
                                    "said": said,
                                }
                            ),
                            flush=True,
                        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=2000)
    asyncio.run(main(parser.parse_args().plans))
    os._exit(0)  # see ehc.cli.main: the SDK runtime can abort at interpreter exit
