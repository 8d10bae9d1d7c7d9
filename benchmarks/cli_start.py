"""Start-up time of the ``ehc`` command, whole process; prints one JSON object on stdout.

    .venv/bin/python benchmarks/cli_start.py [--runs 5] [--sub-commands] [--no-bytecode-cache]

Times, as a user runs them (the installed ``ehc`` script, a fresh process each time, from
exec to exit): ``ehc --help``, every command's ``--help``, and the deadline calculator with
real arguments. The runs go round the commands in turn, so a busy moment on a shared machine
falls on all of them alike; one run of each comes first, untimed. Each command gets its
median, 95th percentile, fastest and slowest run in milliseconds. The calculator's aim
(issue 9) is a median under 500 ms for ``ehc --help`` and both calculator commands.

``--sub-commands`` adds the ``--help`` of every sub-command (``ehc assessment start --help``
...). By default Python keeps the compiled bytecode of every module, as on a normal install
(in a temporary folder, so the working tree is not touched); ``--no-bytecode-cache``
measures the first run after a change instead, when the project's modules are compiled
again each time (as with ``PYTHONDONTWRITEBYTECODE=1``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ehc.cli.main import COMMANDS, load  # noqa: E402  (cheap: it imports no command)

_SCRIPT = Path(sys.executable).with_name("ehc")
EHC = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ehc.cli.main"]
TARGET_MS = 500
CALCULATOR = [
    ["deadlines", "assessment", "--received", "2025-05-21", "--json"],
    ["deadlines", "review", "--plan-date", "2025-03-01", "--json"],
    [
        "deadlines",
        "assessment",
        "--received",
        "2025-05-21",
        "--draft-served",
        "2025-09-01",
        "--advice-requested",
        "2025-07-10",
        "--exception",
        "absence-from-area:2025-06-01:2025-07-15",
    ],
]
#: The commands the aim is about.
TARGETS = [["--help"], CALCULATOR[0], CALCULATOR[1]]


def commands(sub_commands: bool) -> list[list[str]]:
    chosen = [["--help"]]
    for name, lazy in COMMANDS.items():
        chosen.append([name, "--help"])
        if sub_commands and lazy.is_group:
            group = load(name)
            chosen += [[name, sub, "--help"] for sub in getattr(group, "commands", {})]
    return chosen + CALCULATOR


def environment(bytecode_cache: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    env.pop("COLUMNS", None)
    env["PYTHONPATH"] = str(ROOT)
    if bytecode_cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    return env


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Milliseconds from starting ``ehc ARGS`` to its exit, and of CPU it used (less
    sensitive to other work on the machine); it must succeed."""
    cpu, began = _cpu(), time.perf_counter()
    done = subprocess.run(
        [*EHC, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    took, cpu = (time.perf_counter() - began) * 1000, (_cpu() - cpu) * 1000
    if done.returncode != 0:
        raise SystemExit(f"ehc {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return took, cpu


def figures(samples: list[tuple[float, float]]) -> dict[str, float]:
    wall = [w for w, _ in samples]
    many = len(wall) > 1
    p95 = statistics.quantiles(wall, n=20, method="inclusive")[18] if many else wall[0]
    return {
        "median_ms": round(statistics.median(wall)),
        "p95_ms": round(p95),
        "min_ms": round(min(wall)),
        "max_ms": round(max(wall)),
        "cpu_median_ms": round(statistics.median(c for _, c in samples)),
    }


def main(runs: int, sub_commands: bool, bytecode_cache: bool) -> dict[str, Any]:
    chosen = commands(sub_commands)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as cache:
        env = environment(Path(cache) if bytecode_cache else None)
        for args in chosen:
            once(args, env)  # untimed: fills the bytecode cache and the page cache
        samples: dict[str, list[tuple[float, float]]] = {" ".join(a): [] for a in chosen}
        for _ in range(runs):
            for args in chosen:
                samples[" ".join(args)].append(once(args, env))
    found = {f"ehc {line}": figures(s) for line, s in samples.items()}
    targets = [found["ehc " + " ".join(t)]["median_ms"] for t in TARGETS]
    return {
        "benchmark": "cli_start",
        "runs": runs,
        "bytecode_cache": bytecode_cache,
        "target_ms": TARGET_MS,
        "targets_met": all(t < TARGET_MS for t in targets),
        "slowest_target_median_ms": max(targets),
        "commands": [{"command": c, **f} for c, f in found.items()],
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command")
    parser.add_argument(
        "--sub-commands", action="store_true", help="also every sub-command's --help"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile the project's modules on every run (as after a change)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    print(json.dumps(main(args.runs, args.sub_commands, not args.no_bytecode_cache)))
