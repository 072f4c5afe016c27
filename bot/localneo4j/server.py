"""Start, stop and report on a local Neo4j process; reuse it across commands through a state file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.localneo4j.runtime import Neo4jRuntimeError, ensure_runtime

JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    # The packaged 5.26 neo4j.conf ships these opens; without java.nio vector-index builds can stall.
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
]


@dataclass(frozen=True)
class ServerInfo:
    """Where a running local server listens and which process owns it."""

    pid: int
    uri: str
    port: int
    home: str
    started_at: float
    ready_seconds: float


def free_port() -> int:
    """Return a currently free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    """True while ``pid`` runs. A dead child of ours is reaped here, so a killed server is never 'running'."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child: fall through to the signal probe
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path: Path, n: int = 25) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:])


class LocalNeo4j:
    """One local Neo4j server whose data, logs and state live under ``root`` (git-ignored)."""

    def __init__(self, root: Path, *, home: Path | None = None) -> None:
        self.root = root.resolve()
        self.home = (home or self.root / "home").resolve()
        self.state_file = self.home / "server.json"
        self.log_path = self.home / "console.log"

    def status(self) -> ServerInfo | None:
        """The running server recorded in the state file, or None (stale files are removed)."""
        if not self.state_file.exists():
            return None
        try:
            info = ServerInfo(**json.loads(self.state_file.read_text()))
        except (ValueError, TypeError):
            self.state_file.unlink(missing_ok=True)
            return None
        if not _alive(info.pid):
            self.state_file.unlink(missing_ok=True)
            return None
        return info

    def start(
        self,
        *,
        port: int = 7687,
        password: str | None = None,
        heap: str = "1g",
        pagecache: str = "512m",
        timeout: float = 180.0,
        exit_with_pid: int | None = None,
        preallocate_logs: bool = True,
    ) -> ServerInfo:
        """Start the server (or return the one already running) and wait until it answers queries."""
        running = self.status()
        if running is not None:
            return running
        if port and port_in_use(port):
            raise Neo4jRuntimeError(
                f"port {port} on 127.0.0.1 is already in use by another program. Stop it, choose another "
                "port with NEO4J_BOLT_PORT, or point AMIA at that server with NEO4J_URI=bolt://127.0.0.1:"
                f"{port}."
            )
        port = port or free_port()
        runtime = ensure_runtime(self.root)
        java = os.environ.get("NEO4J_JAVA") or shutil.which("java")
        if not java:
            raise Neo4jRuntimeError("no 'java' on PATH: install a JDK 17+ (Neo4j 5.26 runs on 17 or 21).")
        self.home.mkdir(parents=True, exist_ok=True)
        env = dict(
            os.environ,
            NEO4J_BOLT_PORT=str(port),
            NEO4J_BOLT_HOST="127.0.0.1",
            NEO4J_PAGECACHE=pagecache,
            NEO4J_PASSWORD=password or "",
            AMIA_NEO4J_EXIT_WITH_PID=str(exit_with_pid or ""),
            NEO4J_TX_LOG_PREALLOCATE=str(preallocate_logs).lower(),
        )
        cmd = [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_FLAGS,
            "-cp",
            runtime.classpath,
            "AmiaNeo4j",
            str(self.home / "db"),
        ]
        t0 = time.monotonic()
        with open(self.log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        uri = f"bolt://127.0.0.1:{port}"
        try:
            self._wait_ready(proc, timeout)
        except BaseException:
            self._terminate(proc.pid)
            raise
        info = ServerInfo(proc.pid, uri, port, str(self.home), time.time(), round(time.monotonic() - t0, 2))
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(info)))
        tmp.replace(self.state_file)
        return info

    def _wait_ready(self, proc: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Neo4jRuntimeError(
                    f"Neo4j exited with code {proc.returncode} while starting. Last log lines "
                    f"({self.log_path}):\n{_tail(self.log_path)}"
                )
            if "NEO4J_READY" in _tail(self.log_path, 200):
                return
            time.sleep(0.2)
        raise Neo4jRuntimeError(
            f"Neo4j did not become ready within {timeout:.0f}s. Last log lines:\n{_tail(self.log_path)}"
        )

    def stop(self, grace: float = 60.0) -> bool:
        """Stop the recorded server cleanly (SIGTERM → dbms.shutdown). Returns False if none ran."""
        info = self.status()
        if info is None:
            return False
        self._terminate(info.pid, grace)
        self.state_file.unlink(missing_ok=True)
        return True

    @staticmethod
    def _terminate(pid: int, grace: float = 60.0) -> None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                waited, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                waited = 0
                if not _alive(pid):
                    return
            if waited == pid:
                return
            time.sleep(0.1)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
