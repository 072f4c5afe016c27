"""One real Neo4j per test session: the project's local server on a free port, or NEO4J_URI if set."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.localneo4j import LocalNeo4j
from bot.localneo4j.server import free_port

ROOT = Path(__file__).resolve().parents[1]


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
    home = Path(tempfile.mkdtemp(prefix="amia-test-neo4j-"))
    server = LocalNeo4j(ROOT / ".neo4j", home=home)
    info = server.start(
        port=free_port(),
        heap=os.environ.get("AMIA_TEST_NEO4J_HEAP", "768m"),
        pagecache="256m",
        exit_with_pid=os.getpid(),  # a killed test run must not leak its JVM
    )
    return TestNeo4j(info.uri, None, server)


def stop(handle: TestNeo4j) -> None:
    if handle.server is not None:
        handle.server.stop(grace=30)
