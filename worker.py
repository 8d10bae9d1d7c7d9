"""Run a worker: ``python worker.py`` does what ``ehc worker`` does.

It hosts every workflow (``workflows/``) and every activity (``activities/``) on the task queue
``EHC_TASK_QUEUE``, against the Temporal server that ``TEMPORAL_ADDRESS`` and its companions
name, with the settings of README's Configuration table. Start as many as the load needs:
they share the task queue. What it registers is ``ehc.worker``; how it runs (stopping on
SIGINT or SIGTERM, the outbox re-drive's schedule) is ``ehc.system.run_worker``, which
``ehc worker`` calls too.
"""

from __future__ import annotations

import os
import sys

from ehc.cli.common import Fail, run
from ehc.logs import configure
from ehc.settings import SettingsError, load_settings
from ehc.system import run_worker


def main() -> int:
    try:
        settings = load_settings()  # every EHC_* variable, read once, here
    except SettingsError as error:
        print(f"worker.py: {error}", file=sys.stderr)
        return 2
    configure(settings.log_level, settings.log_format)
    try:
        run(run_worker(settings))  # Temporal unreachable, no encryption key...: one line
    except Fail as failure:
        print(f"worker.py: {failure}", file=sys.stderr)
        return failure.code
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # see ehc.cli.main: the SDK runtime can abort at interpreter exit
