"""Shared fixtures: a real Neo4j per session with a clean database per test, and test-data factories."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

os.environ.setdefault("MEM0_TELEMETRY", "false")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest

from knowledge.deliverability.spamassassin import SpamAssassin, SpamdProcess
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests import neo4j_server

_SCHEMA_READY: list[bool] = []


@pytest.fixture(scope="session")
def neo4j_server_handle() -> Iterator[neo4j_server.TestNeo4j]:
    handle = neo4j_server.start()
    try:
        yield handle
    finally:
        neo4j_server.stop(handle)


@pytest.fixture
async def graph(neo4j_server_handle: neo4j_server.TestNeo4j) -> AsyncIterator[Neo4jGraphStore]:
    """A Neo4jGraphStore on an emptied database with the schema in place."""
    store = Neo4jGraphStore.connect(neo4j_server_handle.uri, neo4j_server_handle.auth)
    async with store.driver.session(database="neo4j") as session:
        # CALL {} IN TRANSACTIONS only runs in auto-commit transactions (session.run).
        result = await session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        await result.consume()
    if not _SCHEMA_READY:  # constraints survive the wipe; creating them once per session saves ~3 s/test
        await store.ensure_schema()
        _SCHEMA_READY.append(True)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(scope="session")
def spam_scorer() -> Iterator[SpamAssassin]:
    """A real SpamAssassin: a private spamd on 127.0.0.1 with network tests off (-L), once per session."""
    scorer = SpamAssassin(spamd=SpamdProcess().start(timeout=60))
    try:
        yield scorer
    finally:
        scorer.close()
