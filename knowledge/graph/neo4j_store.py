"""Neo4jGraphStore: the GraphStore on Neo4j 5 (async driver, batched UNWIND+MERGE, bi-temporal facts)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Record, RoutingControl
from neo4j import exceptions as neo4j_exc

from knowledge.errors import GraphAuthError, GraphQueryError, GraphUnavailable
from knowledge.graph.schema import FACT_RELATIONSHIPS, SCHEMA
from knowledge.graph.store import (
    CompanyProfile,
    FactInput,
    FactRow,
    PersonRow,
    SignalRow,
    SimilarCompany,
)
from knowledge.models import (
    OPEN_END,
    Company,
    Person,
    Signal,
    Source,
    company_id_for,
    fact_id_for,
    normalise_domain,
    normalise_email,
    person_id_for,
)
from knowledge.observe import QueryObserver, caller_name

log = logging.getLogger(__name__)
T = TypeVar("T")

# Which label and key each fact predicate's object lives under. Relationship types cannot be query
# parameters in Cypher, so each predicate gets its own query text built from this fixed table.
_OBJECT_KEYS: dict[str, tuple[str, str]] = {
    "WORKS_AT": ("Company", "company_id"),
    "USES": ("Technology", "tech_id"),
    "IN_INDUSTRY": ("Industry", "code"),
    "COMPETES_WITH": ("Company", "company_id"),
    "CUSTOMER_OF": ("Company", "company_id"),
    "PARTNER_OF": ("Company", "company_id"),
    "LOCATED_IN": ("Place", "name"),
}
_SUBJECT_LABEL = {"WORKS_AT": ("Person", "person_id")}

_ASSERT_FACT = """
UNWIND $rows AS row
MATCH (s:{slabel} {{{skey}: row.subject_key}})
MATCH (o:{olabel} {{{okey}: row.object_key}})
MERGE (s)-[r:{rel} {{fact_id: row.fact_id}}]->(o)
  ON CREATE SET r.recorded_at = $now, r.superseded_at = $open_end, r.valid_from = row.valid_from,
                r.valid_to = $open_end, r.source_urls = []
SET r += row.attributes,
    r.source_url = row.source_url, r.fetched_at = row.fetched_at, r.extractor = row.extractor,
    r.confidence = row.confidence, r.evidence = row.evidence, r.last_seen = $now,
    r.source_urls = CASE WHEN row.source_url IN r.source_urls THEN r.source_urls
                         ELSE r.source_urls + row.source_url END
"""

_CLOSE_FACTS = """
MATCH (s:{slabel} {{{skey}: $subject_key}})-[r:{rel}]->()
WHERE r.valid_to > $at AND r.superseded_at > $at AND NOT r.fact_id IN $keep
SET r.valid_to = $at
RETURN count(r) AS closed
"""


def _fact_queries() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for rel in FACT_RELATIONSHIPS:
        slabel, skey = _SUBJECT_LABEL.get(rel, ("Company", "company_id"))
        olabel, okey = _OBJECT_KEYS[rel]
        params = {"rel": rel, "slabel": slabel, "skey": skey, "olabel": olabel, "okey": okey}
        out[rel] = (_ASSERT_FACT.format(**params), _CLOSE_FACTS.format(**params))
    return out


FACT_QUERIES = _fact_queries()

UPSERT_COMPANIES = """
UNWIND $rows AS row
MERGE (c:Company {company_id: row.company_id})
  ON CREATE SET c.recorded_at = $now, c.domain = row.domain
SET c += row.props, c.updated_at = $now
"""

UPSERT_PEOPLE = """
UNWIND $rows AS row
MERGE (p:Person {person_id: row.person_id})
  ON CREATE SET p.recorded_at = $now
SET p += row.props, p.updated_at = $now
"""

UPSERT_SOURCES = """
UNWIND $rows AS row
MERGE (a:Source {source_id: row.source_id})
  ON CREATE SET a.recorded_at = $now
SET a += row.props
"""

UPSERT_SIGNALS = """
UNWIND $rows AS row
MATCH (c:Company {company_id: row.company_id})
MERGE (s:Signal {signal_id: row.signal_id})
  ON CREATE SET s.recorded_at = $now
SET s.type = row.type, s.evidence = row.evidence, s.source_url = row.source_url,
    s.occurred_at = row.occurred_at, s.confidence = row.confidence, s.extractor = row.extractor,
    s.attributes_json = row.attributes_json
MERGE (c)-[:HAS_SIGNAL]->(s)
MERGE (a:Source {source_id: row.source_id})
  ON CREATE SET a.url = row.source_url, a.recorded_at = $now
MERGE (s)-[:MENTIONED_IN]->(a)
"""


def chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """Neo4j properties cannot be null, nested maps or mixed lists: drop Nones, JSON-encode dicts."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if value is None:
            continue
        if isinstance(value, dict):
            out[key + "_json"] = json.dumps(value, default=str, sort_keys=True)
        elif isinstance(value, list | tuple):
            out[key] = [str(v) if isinstance(v, dict) else v for v in value]
        elif hasattr(value, "value") and not isinstance(value, str | int | float | bool | datetime):
            out[key] = value.value
        else:
            out[key] = value
    return out


def _fact_row(record: Mapping[str, Any]) -> FactRow:
    r = dict(record["r"])
    standard = {
        "fact_id",
        "source_url",
        "fetched_at",
        "extractor",
        "confidence",
        "evidence",
        "valid_from",
        "valid_to",
        "recorded_at",
        "superseded_at",
        "source_urls",
        "last_seen",
    }
    return FactRow(
        fact_id=r.get("fact_id", ""),
        predicate=record["predicate"],
        subject=record["subject"],
        object=str(record["object"]),
        attributes={k: v for k, v in r.items() if k not in standard},
        **{k: _native(r.get(k)) for k in standard - {"fact_id", "source_urls", "last_seen"}},
    )


def _native(value: Any) -> Any:
    """Neo4j DateTime → aware datetime; everything else unchanged."""
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        dt = to_native()
        if isinstance(dt, datetime) and dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt
    return value


def _signal_row(record: Mapping[str, Any]) -> SignalRow:
    s = dict(record["s"])
    return SignalRow(
        signal_id=s["signal_id"],
        type=s["type"],
        company_domain=record["domain"],
        company_name=record.get("name"),
        evidence=s.get("evidence", ""),
        source_url=s.get("source_url", ""),
        occurred_at=_native(s.get("occurred_at")),
        recorded_at=_native(s.get("recorded_at")),
        confidence=float(s.get("confidence", 0.0)),
        attributes=json.loads(s.get("attributes_json") or "{}"),
    )


class _QueryTimer:
    __slots__ = ("observer", "operation", "t0")

    def __init__(self, observer: QueryObserver, operation: str) -> None:
        self.observer, self.operation, self.t0 = observer, operation, time.perf_counter()

    def done(self) -> None:
        try:
            self.observer.record_graph_query(self.operation, time.perf_counter() - self.t0)
        except Exception:  # metrics must never break a query
            log.debug("graph query observer failed", exc_info=True)


class Neo4jGraphStore:
    """GraphStore backed by Neo4j. Build one per process with :meth:`connect`; close it at exit."""

    def __init__(
        self, driver: AsyncDriver, *, database: str = "neo4j", writers: int = 2, observer: QueryObserver | None = None
    ) -> None:
        self._driver = driver
        self._database = database
        self._writers = writers
        self.observer = observer  # times every read/write primitive, labelled by the calling function's name

    @classmethod
    def connect(
        cls,
        uri: str,
        auth: tuple[str, str] | None,
        *,
        database: str = "neo4j",
        timeout: float = 5.0,
        writers: int = 2,
        retry_time: float = 15.0,
        observer: QueryObserver | None = None,
    ) -> Neo4jGraphStore:
        """Create the driver (no I/O yet). Connection problems surface on the first call as GraphError."""
        try:
            driver = AsyncGraphDatabase.driver(
                uri,
                auth=auth,
                max_connection_pool_size=16,
                connection_timeout=timeout,
                connection_acquisition_timeout=timeout * 4,
                max_transaction_retry_time=retry_time,
                notifications_min_severity="OFF",
            )
        except (neo4j_exc.ConfigurationError, ValueError) as exc:
            raise GraphUnavailable(f"NEO4J_URI '{uri}' is not a valid Neo4j URI: {exc}") from exc
        return cls(driver, database=database, writers=writers, observer=observer)

    @property
    def driver(self) -> AsyncDriver:
        return self._driver

    async def close(self) -> None:
        await self._driver.close()

    # ---- plumbing -----------------------------------------------------------------------------

    @asynccontextmanager
    async def _translate(self) -> AsyncIterator[None]:
        try:
            yield
        except neo4j_exc.AuthError as exc:
            raise GraphAuthError("Neo4j refused the credentials: check NEO4J_USER and NEO4J_PASSWORD") from exc
        except (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired, OSError) as exc:
            raise GraphUnavailable(
                "Neo4j is not reachable. Start the local one with 'amia neo4j start', or check NEO4J_URI "
                f"({type(exc).__name__})"
            ) from exc
        except neo4j_exc.ConnectionAcquisitionTimeoutError as exc:
            raise GraphUnavailable("timed out waiting for a Neo4j connection; is the server overloaded?") from exc
        except neo4j_exc.Neo4jError as exc:
            raise GraphQueryError(f"Neo4j query failed: {exc.code}: {exc.message}") from exc

    def _timed(self) -> _QueryTimer | None:
        """A timer for one primitive call, labelled with its caller's name (None: nobody is observing)."""
        return None if self.observer is None else _QueryTimer(self.observer, caller_name(3))

    async def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read query; rows come back as plain dicts."""
        return [r.data() for r in await self._read_records(query, params, self._timed())]

    async def read_values(self, query: str, **params: Any) -> list[list[Any]]:
        """Run a read query; each row's values as the driver decoded them. Unlike ``read`` it does not walk and copy
        nested lists: much cheaper for a query that returns thousands of values collected into one list (one record
        instead of thousands, and the driver's cost is per record)."""
        return [r.values() for r in await self._read_records(query, params, self._timed())]

    async def _read_records(self, query: str, params: dict[str, Any], timer: _QueryTimer | None) -> list[Record]:
        try:
            async with self._translate():
                records, _, _ = await self._driver.execute_query(
                    query, params, database_=self._database, routing_=RoutingControl.READ
                )
        finally:
            if timer:
                timer.done()
        return records

    async def write(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one write query in a managed (retried) transaction."""
        timer = self._timed()
        try:
            async with self._translate():
                records, _, _ = await self._driver.execute_query(
                    query, params, database_=self._database, routing_=RoutingControl.WRITE
                )
        finally:
            if timer:
                timer.done()
        return [r.data() for r in records]

    async def write_tx(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run several statements atomically in one managed transaction (retried on transient errors)."""
        timer = self._timed()
        try:
            async with self._translate(), self._driver.session(database=self._database) as session:
                return await session.execute_write(work)
        finally:
            if timer:
                timer.done()

    async def upsert_batched(
        self, query: str, rows: Iterable[dict[str, Any]], *, batch_size: int = 5000, **params: Any
    ) -> int:
        """UNWIND-batched write; at most ``writers`` batches in flight so memory stays bounded."""
        now = datetime.now(UTC)
        total = 0
        pending: set[asyncio.Task[int]] = set()
        operation = caller_name() if self.observer is not None else ""

        async def one(batch: list[dict[str, Any]]) -> int:
            async def work(tx: AsyncManagedTransaction) -> int:
                result = await tx.run(query, rows=batch, now=now, open_end=OPEN_END, **params)
                await result.consume()
                return len(batch)

            timer = _QueryTimer(self.observer, operation) if self.observer is not None else None
            try:  # one observation per batch: each is its own transaction
                async with self._translate(), self._driver.session(database=self._database) as session:
                    return await session.execute_write(work)
            finally:
                if timer:
                    timer.done()

        try:
            for batch in chunks(rows, batch_size):
                if len(pending) >= self._writers:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    total += sum(t.result() for t in done)
                pending.add(asyncio.create_task(one(batch)))
            if pending:
                done, pending = await asyncio.wait(pending)
                total += sum(t.result() for t in done)
        finally:
            for task in pending:
                task.cancel()
        return total

    # ---- schema and health --------------------------------------------------------------------

    async def ensure_schema(self) -> None:
        async with self._translate():
            for statement in SCHEMA:
                await self._driver.execute_query(statement, database_=self._database)
            async with self._driver.session(database=self._database) as session:
                await (await session.run("CALL db.awaitIndexes(300)")).consume()

    async def ping(self) -> float:
        """Round-trip a trivial query; returns the latency in seconds."""
        t0 = time.perf_counter()
        async with self._translate():
            await self._driver.verify_connectivity()  # no retry loop: a down server is reported at once
        await self.read("RETURN 1 AS ok")
        return time.perf_counter() - t0

    # ---- upserts ------------------------------------------------------------------------------

    async def upsert_companies(self, companies: Iterable[Company], *, batch_size: int = 5000) -> int:
        rows = (
            {
                "company_id": c.company_id,
                "domain": c.domain,
                "props": _clean(c.model_dump(exclude={"domain"}, exclude_none=True) | {"domain": c.domain}),
            }
            for c in companies
        )
        return await self.upsert_batched(UPSERT_COMPANIES, rows, batch_size=batch_size)

    async def upsert_people(self, people: Iterable[Person], *, batch_size: int = 5000) -> int:
        rows = ({"person_id": p.person_id, "props": _clean(p.model_dump(exclude_none=True))} for p in people)
        return await self.upsert_batched(UPSERT_PEOPLE, rows, batch_size=batch_size)

    async def upsert_sources(self, sources: Iterable[Source]) -> int:
        rows = ({"source_id": s.source_id, "props": _clean(s.model_dump(exclude_none=True))} for s in sources)
        return await self.upsert_batched(UPSERT_SOURCES, rows)

    async def upsert_signals(self, signals: Iterable[Signal]) -> int:
        from knowledge.models import source_id_for

        rows = (
            {
                "signal_id": s.signal_id,
                "company_id": company_id_for(s.company_domain),
                "type": s.type.value,
                "evidence": s.evidence,
                "source_url": s.source_url,
                "source_id": source_id_for(s.source_url),
                "occurred_at": s.occurred_at,
                "confidence": s.confidence,
                "extractor": s.extractor,
                "attributes_json": json.dumps(s.attributes, default=str, sort_keys=True),
            }
            for s in signals
        )
        return await self.upsert_batched(UPSERT_SIGNALS, rows)

    async def ensure_objects(self, label: str, key: str, rows: Iterable[dict[str, Any]]) -> int:
        """MERGE simple object nodes (Technology, Industry, Place) by key; ``rows`` carry key + props."""
        if (label, key) not in {("Technology", "tech_id"), ("Industry", "code"), ("Place", "name")}:
            raise GraphQueryError(f"ensure_objects does not manage {label}.{key}")
        query = (
            f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) "
            "ON CREATE SET n.recorded_at = $now SET n += row.props"
        )
        return await self.upsert_batched(query, rows)

    async def assert_facts(self, facts: Sequence[FactInput], *, batch_size: int = 5000) -> int:
        """Record facts. The same fact seen again gains a source; a new value becomes a new fact."""
        by_predicate: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for fact in facts:
            if fact.predicate not in FACT_QUERIES:
                raise GraphQueryError(f"unknown fact predicate {fact.predicate!r}")
            identity = [fact.attributes.get(name) for name in fact.identity]
            by_predicate[fact.predicate].append(
                {
                    "fact_id": fact_id_for(fact.predicate, fact.subject_key, fact.object_key, *identity),
                    "subject_key": fact.subject_key,
                    "object_key": fact.object_key,
                    "attributes": _clean(fact.attributes),
                    "source_url": fact.source_url,
                    "fetched_at": fact.fetched_at,
                    "extractor": fact.extractor,
                    "confidence": fact.confidence,
                    "evidence": fact.evidence,
                    "valid_from": fact.valid_from or fact.fetched_at,
                }
            )
        total = 0
        for predicate, rows in by_predicate.items():
            total += await self.upsert_batched(FACT_QUERIES[predicate][0], rows, batch_size=batch_size)
        return total

    @staticmethod
    def fact_id(fact: FactInput) -> str:
        """The id :meth:`assert_facts` gives this fact (for citations and supersession)."""
        identity = [fact.attributes.get(name) for name in fact.identity]
        return fact_id_for(fact.predicate, fact.subject_key, fact.object_key, *identity)

    async def close_facts(
        self, predicate: str, subject_key: str, keep_fact_ids: Iterable[str], *, at: datetime | None = None
    ) -> int:
        """End (valid_to = at) current facts of ``subject`` with this predicate that were not re-observed."""
        if predicate not in FACT_QUERIES:
            raise GraphQueryError(f"unknown fact predicate {predicate!r}")
        rows = await self.write(
            FACT_QUERIES[predicate][1],
            subject_key=subject_key,
            keep=list(keep_fact_ids),
            at=at or datetime.now(UTC),
        )
        return int(rows[0]["closed"]) if rows else 0

    async def retract_fact(self, fact_id: str, *, at: datetime | None = None) -> int:
        """Mark a fact as believed wrong (system time), without deleting it."""
        rows = await self.write(
            "MATCH ()-[r {fact_id: $fact_id}]->() WHERE r.superseded_at > $at "
            "SET r.superseded_at = $at RETURN count(r) AS n",
            fact_id=fact_id,
            at=at or datetime.now(UTC),
        )
        return int(rows[0]["n"]) if rows else 0

    async def record_fetch(self, fetch: Mapping[str, Any]) -> None:
        """Audit one fetch: url, host, at, status, robots decision, reason."""
        props = _clean(dict(fetch))
        fetch_id = fact_id_for("fetch", props.get("url"), props.get("at"))
        await self.write("MERGE (f:Fetch {fetch_id: $fetch_id}) SET f += $props", fetch_id=fetch_id, props=props)

    # ---- queries ------------------------------------------------------------------------------

    async def company_profile(self, domain: str, *, as_of: datetime | None = None) -> CompanyProfile | None:
        """A company with its current facts (or those valid at ``as_of``), people, signals and sources."""
        cid = company_id_for(domain)
        at = as_of or datetime.now(UTC)
        rows = await self.read("MATCH (c:Company {company_id: $cid}) RETURN c", cid=cid)
        if not rows:
            return None
        props = {k: _native(v) for k, v in rows[0]["c"].items()}
        facts = await self.read(
            """
            MATCH (c:Company {company_id: $cid})-[r]->(o)
            WHERE r.fact_id IS NOT NULL AND r.valid_from <= $at AND r.valid_to > $at
              AND r.superseded_at > $now
            RETURN type(r) AS predicate, c.domain AS subject,
                   coalesce(o.name, o.domain, o.code, o.tech_id) AS object, properties(r) AS r
            ORDER BY predicate, object
            """,
            cid=cid,
            at=at,
            now=datetime.now(UTC),
        )
        people = await self.people_at(domain, as_of=at)
        signals = await self.read(
            """
            MATCH (c:Company {company_id: $cid})-[:HAS_SIGNAL]->(s:Signal)
            RETURN s, c.domain AS domain, c.name AS name
            ORDER BY coalesce(s.occurred_at, s.recorded_at) DESC LIMIT 100
            """,
            cid=cid,
        )
        sources = await self.read(
            """
            MATCH (c:Company {company_id: $cid})-[:HAS_SOURCE]->(a:Source)
            RETURN a.url AS url, a.title AS title, a.kind AS kind, a.fetched_at AS fetched_at,
                   a.status AS status
            ORDER BY a.url
            """,
            cid=cid,
        )
        return CompanyProfile(
            company_id=cid,
            domain=props.get("domain", normalise_domain(domain)),
            name=props.get("name"),
            properties=props,
            facts=[_fact_row(r) for r in facts],
            people=people,
            signals=[_signal_row(r) for r in signals],
            sources=[{k: _native(v) for k, v in s.items()} for s in sources],
        )

    async def people_at(self, domain: str, *, as_of: datetime | None = None) -> list[PersonRow]:
        rows = await self.read(
            """
            MATCH (p:Person)-[r:WORKS_AT]->(c:Company {company_id: $cid})
            WHERE r.valid_from <= $at AND r.valid_to > $at AND r.superseded_at > $now
            RETURN p, properties(r) AS r ORDER BY p.full_name
            """,
            cid=company_id_for(domain),
            at=as_of or datetime.now(UTC),
            now=datetime.now(UTC),
        )
        return [
            PersonRow(
                person_id=r["p"]["person_id"],
                full_name=r["p"].get("full_name", ""),
                email=r["p"].get("email"),
                title=r["r"].get("title") or r["p"].get("title"),
                seniority=r["r"].get("seniority") or r["p"].get("seniority"),
                function=r["r"].get("function") or r["p"].get("function"),
                fact_id=r["r"].get("fact_id"),
                source_url=r["r"].get("source_url"),
                valid_from=_native(r["r"].get("valid_from")),
                valid_to=_native(r["r"].get("valid_to")),
            )
            for r in rows
        ]

    async def signals_in_window(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        types: Sequence[str] | None = None,
        industry: str | None = None,
        limit: int = 200,
    ) -> list[SignalRow]:
        rows = await self.read(
            """
            MATCH (s:Signal)
            WHERE s.occurred_at >= $since AND s.occurred_at < $until
              AND ($types IS NULL OR s.type IN $types)
            MATCH (c:Company)-[:HAS_SIGNAL]->(s)
            WHERE $industry IS NULL OR EXISTS {
                MATCH (c)-[r:IN_INDUSTRY]->(i:Industry)
                WHERE (i.code = $industry OR toLower(i.name) = toLower($industry)) AND r.valid_to > $now
            }
            RETURN s, c.domain AS domain, c.name AS name
            ORDER BY s.occurred_at DESC LIMIT $limit
            """,
            since=since,
            until=until or OPEN_END,
            types=list(types) if types else None,
            industry=industry,
            now=datetime.now(UTC),
            limit=limit,
        )
        return [_signal_row(r) for r in rows]

    async def competitor_customers(self, competitor_domains: Sequence[str]) -> list[dict[str, Any]]:
        """Companies that are current customers of any of the given competitors, with the evidence."""
        ids = [company_id_for(d) for d in competitor_domains]
        rows = await self.read(
            """
            MATCH (v:Company)<-[r:CUSTOMER_OF]-(c:Company)
            WHERE v.company_id IN $ids AND r.valid_to > $now AND r.superseded_at > $now
            RETURN c.domain AS domain, c.name AS name, v.domain AS competitor,
                   r.source_url AS source_url, r.evidence AS evidence, r.fact_id AS fact_id
            ORDER BY domain
            """,
            ids=ids,
            now=datetime.now(UTC),
        )
        return rows

    async def similar_companies(self, domain: str, *, limit: int = 10) -> list[SimilarCompany]:
        """Companies sharing industries and technologies (Jaccard over current facts)."""
        rows = await self.read(
            """
            MATCH (c:Company {company_id: $cid})-[r1:IN_INDUSTRY|USES]->(x)<-[r2:IN_INDUSTRY|USES]-(o:Company)
            WHERE o <> c AND r1.valid_to > $now AND r2.valid_to > $now
            WITH c, o, collect(DISTINCT CASE WHEN x:Industry THEN x.name END) AS inds,
                 collect(DISTINCT CASE WHEN x:Technology THEN x.name END) AS techs,
                 count(DISTINCT x) AS shared
            CALL (c) { MATCH (c)-[r:IN_INDUSTRY|USES]->(y) WHERE r.valid_to > $now
                       RETURN count(DISTINCT y) AS mine }
            CALL (o) { MATCH (o)-[r:IN_INDUSTRY|USES]->(y) WHERE r.valid_to > $now
                       RETURN count(DISTINCT y) AS theirs }
            RETURN o.domain AS domain, o.name AS name, inds, techs,
                   toFloat(shared) / (mine + theirs - shared) AS similarity
            ORDER BY similarity DESC, domain LIMIT $limit
            """,
            cid=company_id_for(domain),
            now=datetime.now(UTC),
            limit=limit,
        )
        return [
            SimilarCompany(
                domain=r["domain"],
                name=r["name"],
                shared_industries=[x for x in r["inds"] if x],
                shared_technologies=[x for x in r["techs"] if x],
                similarity=round(float(r["similarity"]), 4),
            )
            for r in rows
        ]

    async def lead_interactions(self, lead_id: str) -> list[dict[str, Any]]:
        rows = await self.read(
            """
            MATCH (l:Lead {lead_id: $lead_id})-[:HAD]->(x:Interaction)
            OPTIONAL MATCH (x)-[:ON_MESSAGE]->(m:Message)
            RETURN x.interaction_id AS interaction_id, x.type AS type, x.occurred_at AS occurred_at,
                   x.actor AS actor, x.detail AS detail, m.message_id AS message_id, m.subject AS subject
            ORDER BY x.occurred_at
            """,
            lead_id=lead_id,
        )
        return [{k: _native(v) for k, v in r.items()} for r in rows]

    async def funnel_counts(self, campaign_id: str | None = None) -> dict[str, int]:
        rows = await self.read(
            """
            MATCH (l:Lead) WHERE $campaign IS NULL OR l.campaign_id = $campaign
            RETURN l.status AS status, count(*) AS n
            """,
            campaign=campaign_id,
        )
        return {r["status"]: int(r["n"]) for r in rows}

    async def person_facts(self, email: str) -> dict[str, Any]:
        """Everything stored about a person (for access requests and erasure)."""
        pid = person_id_for(normalise_email(email))
        rows = await self.read(
            """
            MATCH (p:Person {person_id: $pid})
            OPTIONAL MATCH (p)-[r]-(n)
            RETURN p, collect({type: type(r), fact_id: r.fact_id, other: labels(n)[0],
                               source_url: r.source_url}) AS links
            """,
            pid=pid,
        )
        if not rows:
            return {}
        return {
            "person": {k: _native(v) for k, v in rows[0]["p"].items()},
            "links": [x for x in rows[0]["links"] if x.get("type")],
        }

    async def erase_person(self, email: str) -> int:
        """Delete the person node, its facts, leads, messages and interactions. Returns nodes removed."""
        pid = person_id_for(normalise_email(email))
        rows = await self.write(
            """
            MATCH (p:Person {person_id: $pid})
            OPTIONAL MATCH (l:Lead {person_id: $pid})
            OPTIONAL MATCH (l)-[*1..2]->(x) WHERE x:Message OR x:Interaction OR x:Outcome
            WITH p, collect(DISTINCT l) + collect(DISTINCT x) AS owned
            WITH p, owned, size(owned) + 1 AS n
            FOREACH (o IN owned | DETACH DELETE o)
            DETACH DELETE p
            RETURN n
            """,
            pid=pid,
        )
        return int(rows[0]["n"]) if rows else 0
