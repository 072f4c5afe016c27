"""One real Neo4j per test session: the project's local server on a free port, or NEO4J_URI if set."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.localneo4j import LocalNeo4j
from bot.localneo4j.server import free_port

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "amia-test-neo4j-"


def _owner_alive(home: Path) -> bool:
    """Homes are named PREFIX<owner pid>-<random>; the owner is the test run that created it."""
    pid_text = home.name[len(PREFIX) :].split("-", 1)[0]
    if not pid_text.isdigit():
        return False  # an older naming scheme: nothing live can own it any more
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_homes(tmp: Path | None = None) -> int:
    """Remove server homes whose test run was killed (its JVM exits with it, the files stayed behind)."""
    removed = 0
    for home in Path(tmp or tempfile.gettempdir()).glob(PREFIX + "*"):
        if home.is_dir() and not _owner_alive(home):
            shutil.rmtree(home, ignore_errors=True)
            removed += 1
    return removed


@dataclass
class TestNeo4j:
    uri: str
    auth: tuple[str, str] | None
    server: LocalNeo4j | None


def start() -> TestNeo4j:
    """Reuse NEO4J_URI when set (a developer's or CI's server); otherwise start a throwaway one."""
    if os.environ.get("NEO4J_URI"):
        pw = os.environ.get("NEO4J_PASSWORD")
        auth = (os.environ.get("NEO4J_USER", "neo4j"), pw) if pw else None
        return TestNeo4j(os.environ["NEO4J_URI"], auth, None)
    sweep_stale_homes()
    home = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    server = LocalNeo4j(ROOT / ".neo4j", home=home)
    try:
        info = server.start(
            port=free_port(),
            heap=os.environ.get("AMIA_TEST_NEO4J_HEAP", "768m"),
            pagecache="256m",
            exit_with_pid=os.getpid(),  # a killed test run must not leak its JVM
            preallocate_logs=False,
        )
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    return TestNeo4j(info.uri, None, server)


def stop(handle: TestNeo4j) -> None:
    """Stop the throwaway server and delete its files (each session's store is thrown away)."""
    if handle.server is not None:
        handle.server.stop(grace=30)
        with contextlib.suppress(OSError):
            shutil.rmtree(handle.server.home)
