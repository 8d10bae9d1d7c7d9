"""Run many ``ehc`` invocations cheaply: one interpreter imports the CLI once and forks a
child per run, so each still has its own exit status, stdout and stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Runs ``ehc.cli.main.main`` once per invocation in a forked child; prints JSON results.
FORK_DRIVER = """
import json, os, sys, traceback
from ehc.cli.main import main
runs, where = json.loads(sys.argv[1]), sys.argv[2]
results = {}
for name, args in runs.items():
    out, err = os.path.join(where, name + ".out"), os.path.join(where, name + ".err")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            os.dup2(os.open(out, flags), 1)
            os.dup2(os.open(err, flags), 2)
            sys.argv = ["ehc", *args]
            try:
                main()
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
            except BaseException:
                traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(out) as o, open(err) as e:
        results[name] = [os.waitstatus_to_exitcode(status), o.read(), e.read()]
print(json.dumps(results))
"""

ROOT = Path(__file__).resolve().parents[2]
_SCRIPT = Path(sys.executable).with_name("ehc")
#: The installed console script where there is one (as users run it), else the module.
EHC = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ehc.cli.main"]


def run_all(
    base: list[str],
    runs: dict[str, list[str]],
    forked: dict[str, list[str]],
    cwd: Path,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """``ehc <base> <args>`` for each of ``runs`` as its own process (in parallel), and for
    each of ``forked`` in a child of one driver interpreter; results by name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    env.pop("COLUMNS", None)
    env["PYTHONPATH"] = str(ROOT)

    def go(command: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
        )

    commands = {name: [*EHC, *base, *args] for name, args in runs.items()}
    in_children = {name: [*base, *args] for name, args in forked.items()}
    driver = [sys.executable, "-c", FORK_DRIVER, json.dumps(in_children), str(cwd)]
    with ThreadPoolExecutor(max_workers=len(commands) + 1) as pool:
        pending = {name: pool.submit(go, command) for name, command in commands.items()}
        from_driver = go(driver)
        done = {name: future.result() for name, future in pending.items()}
    assert from_driver.returncode == 0, from_driver.stderr
    for name, (code, stdout, stderr) in json.loads(from_driver.stdout).items():
        done[name] = subprocess.CompletedProcess([*EHC, *in_children[name]], code, stdout, stderr)
    assert set(done) == set(runs) | set(forked)
    return done
