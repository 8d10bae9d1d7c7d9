"""A real PostgreSQL server for the tests, started from the installed binaries.

Debian's ``postgresql`` package puts ``initdb``, ``pg_ctl`` and ``postgres`` in
``/usr/lib/postgresql/<version>/bin`` (``pg_config --bindir`` on other layouts). The cluster
lives in a fresh temporary directory, listens on 127.0.0.1 on a free port, trusts local
connections, and is removed afterwards. PostgreSQL refuses to run as root: as root (CI) the
server runs as the ``postgres`` user the package creates. Missing binaries fail the tests:
``make test`` is expected to install them (see docs/REPORTING.md), never to skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresMissing(RuntimeError):
    pass


def bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates.append(found)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresMissing(
        "PostgreSQL server binaries not found (initdb): install Debian's postgresql package "
        "(apt-get install -y postgresql), as `make test` does"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, empty PostgreSQL database."""
    bin_dir = bindir()
    root = Path(tempfile.mkdtemp(prefix="ehc-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "ehc",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
        options = (
            f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off"
        )
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
        try:
            yield f"postgresql+psycopg://ehc@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_server_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                capture_output=True,
                check=False,
                timeout=60,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
