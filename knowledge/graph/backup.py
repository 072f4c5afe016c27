"""Graph export and import for backups: every node and relationship with typed properties, no APOC.

Export streams ``MATCH (n)`` and ``MATCH ()-[r]->()`` in one read transaction each, pulled by the driver in pages
of ``fetch_size`` records, so memory stays bounded. Property values are encoded to JSON with type tags so that
Neo4j temporal, spatial and byte values come back as the same types. A content digest (an order-independent
sum of per-node and per-relationship hashes) lets a restore prove the graph it built equals the one exported.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j import time as neo4j_time
from neo4j.spatial import CartesianPoint, Point, WGS84Point

from knowledge.errors import GraphQueryError
from knowledge.graph.neo4j_store import Neo4jGraphStore, chunks

RESTORE_LABEL = "_AmiaRestore"
RESTORE_KEY = "_amia_rid"

EXPORT_NODES = "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props"
EXPORT_RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) RETURN elementId(a) AS start, elementId(b) AS end, type(r) AS type, properties(r) AS props"
)
COUNT_NODES = "MATCH (n) RETURN count(n) AS n"
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
RESTORE_INDEX = f"CREATE INDEX amia_restore_rid IF NOT EXISTS FOR (n:{RESTORE_LABEL}) ON (n.{RESTORE_KEY})"
DROP_RESTORE_INDEX = "DROP INDEX amia_restore_rid IF EXISTS"
CLEAR_RESTORE_MARKS = (
    f"MATCH (n:{RESTORE_LABEL}) CALL (n) {{ REMOVE n:{RESTORE_LABEL} REMOVE n.{RESTORE_KEY} }} "
    "IN TRANSACTIONS OF 10000 ROWS"
)
COUNTS_BY_LABEL = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n"
COUNTS_BY_TYPE = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n"

_POINT_CLASSES: dict[int, type[Point]] = {
    7203: CartesianPoint,
    9157: CartesianPoint,
    4326: WGS84Point,
    4979: WGS84Point,
}
_MOD = 2**256


# ---- typed JSON values ------------------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A Neo4j property value as JSON-safe data; non-JSON types become {"$t": type, ...}."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return {"$t": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, neo4j_time.DateTime):
        tz = value.tzinfo
        zone = (getattr(tz, "key", None) or getattr(tz, "zone", None)) if tz is not None else None
        return {"$t": "DateTime", "v": value.iso_format(), "zone": zone}
    if isinstance(value, neo4j_time.Date):
        return {"$t": "Date", "v": value.iso_format()}
    if isinstance(value, neo4j_time.Time):
        return {"$t": "Time", "v": value.iso_format()}
    if isinstance(value, neo4j_time.Duration):
        return {
            "$t": "Duration",
            "months": value.months,
            "days": value.days,
            "seconds": value.seconds,
            "nanoseconds": value.nanoseconds,
        }
    if isinstance(value, Point):
        return {"$t": "Point", "srid": value.srid, "coords": [float(c) for c in value]}
    if isinstance(value, tuple):  # after Point and Duration, which are tuples too
        return [encode_value(v) for v in value]
    raise GraphQueryError(f"cannot back up a property of type {type(value).__name__}")


def decode_value(data: Any) -> Any:
    """Inverse of :func:`encode_value`."""
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if not isinstance(data, dict):
        return data
    kind = data.get("$t")
    if kind == "bytes":
        return base64.b64decode(data["v"])
    if kind == "DateTime":
        # Values with a named zone come back at their fixed offset here; import_* restore the zone id in Cypher
        # (the driver cannot send a DateTime carrying a zoneinfo zone).
        return neo4j_time.DateTime.from_iso_format(data["v"].split("[")[0])
    if kind == "Date":
        return neo4j_time.Date.from_iso_format(data["v"])
    if kind == "Time":
        return neo4j_time.Time.from_iso_format(data["v"])
    if kind == "Duration":
        return neo4j_time.Duration(
            months=data["months"], days=data["days"], seconds=data["seconds"], nanoseconds=data["nanoseconds"]
        )
    if kind == "Point":
        cls = _POINT_CLASSES.get(int(data["srid"]))
        if cls is None:
            raise GraphQueryError(f"unknown point SRID {data['srid']} in backup")
        return cls(data["coords"])
    raise GraphQueryError(f"unknown value tag {kind!r} in backup")


def encode_props(props: dict[str, Any]) -> dict[str, Any]:
    return {k: encode_value(v) for k, v in props.items()}


def decode_props(props: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Decoded properties, plus the named-zone datetimes to set in Cypher as [{"k", "v", "zone"}]."""
    plain: dict[str, Any] = {}
    zoned: list[dict[str, str]] = []
    for key, value in props.items():
        if isinstance(value, dict) and value.get("$t") == "DateTime" and value.get("zone"):
            zoned.append({"k": key, "v": value["v"].split("[")[0], "zone": value["zone"]})
        else:
            plain[key] = decode_value(value)
    return plain, zoned


_SET_ZONED = "FOREACH (z IN row.zoned | SET {var}[z.k] = datetime({{datetime: datetime(z.v), timezone: z.zone}}))"


# ---- content digest ---------------------------------------------------------------------------------------------


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def node_key(labels: Iterable[str], props: dict[str, Any]) -> str:
    """Canonical text of a node (encoded props): equal nodes give equal keys, whatever their element ids."""
    return json.dumps([sorted(labels), props], sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def relationship_key(start: str, rel_type: str, end: str, props: dict[str, Any]) -> str:
    return json.dumps([start, rel_type, end, props], sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class GraphDigest:
    """Counts and an order-independent content hash of a graph, built incrementally."""

    nodes: int = 0
    relationships: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    _sum: int = 0
    _node_hash: dict[str, str] = field(default_factory=dict, repr=False)

    def add_node(self, element_id: str, labels: list[str], props: dict[str, Any]) -> None:
        key = node_key(labels, props)
        self._node_hash[element_id] = hashlib.sha256(key.encode()).hexdigest()
        self._sum = (self._sum + _h("N" + key)) % _MOD
        self.nodes += 1
        for label in labels:
            self.labels[label] = self.labels.get(label, 0) + 1

    def add_relationship(self, start: str, rel_type: str, end: str, props: dict[str, Any]) -> None:
        key = relationship_key(self._node_hash.get(start, "?"), rel_type, self._node_hash.get(end, "?"), props)
        self._sum = (self._sum + _h("R" + key)) % _MOD
        self.relationships += 1
        self.types[rel_type] = self.types.get(rel_type, 0) + 1

    @property
    def sha256(self) -> str:
        return f"{self._sum:064x}"

    def summary(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "relationships": self.relationships,
            "labels": dict(sorted(self.labels.items())),
            "types": dict(sorted(self.types.items())),
            "content_sha256": self.sha256,
        }


# ---- export -----------------------------------------------------------------------------------------------------


async def export_graph(
    store: Neo4jGraphStore,
    on_node: Callable[[dict[str, Any]], None],
    on_relationship: Callable[[dict[str, Any]], None],
    *,
    fetch_size: int = 2000,
) -> GraphDigest:
    """Stream every node, then every relationship, to the callbacks as encoded rows; returns the digest."""
    digest = GraphDigest()
    async for row in _stream(store, EXPORT_NODES, fetch_size):
        props = encode_props(row["props"])
        digest.add_node(row["id"], row["labels"], props)
        on_node({"id": row["id"], "labels": sorted(row["labels"]), "props": props})
    async for row in _stream(store, EXPORT_RELATIONSHIPS, fetch_size):
        props = encode_props(row["props"])
        digest.add_relationship(row["start"], row["type"], row["end"], props)
        on_relationship({"start": row["start"], "end": row["end"], "type": row["type"], "props": props})
    return digest


async def _stream(store: Neo4jGraphStore, query: str, fetch_size: int) -> AsyncIterator[dict[str, Any]]:
    async with store._translate(), store.driver.session(database=store._database, fetch_size=fetch_size) as session:
        result = await session.run(query)
        async for record in result:
            yield record.data()


async def graph_digest(store: Neo4jGraphStore) -> GraphDigest:
    """The digest of the graph as it is now (used to verify a restore)."""
    return await export_graph(store, lambda _: None, lambda _: None)


# ---- import -----------------------------------------------------------------------------------------------------


def _name(identifier: str) -> str:
    """A label or relationship type as a safely quoted Cypher identifier."""
    if not identifier or len(identifier) > 256:
        raise GraphQueryError(f"invalid label or type {identifier!r} in backup")
    return "`" + identifier.replace("`", "``") + "`"


async def count_nodes(store: Neo4jGraphStore) -> int:
    rows = await store.read(COUNT_NODES)
    return int(rows[0]["n"])


async def wipe(store: Neo4jGraphStore) -> None:
    async with store._translate(), store.driver.session(database=store._database) as session:
        await (await session.run(WIPE)).consume()


async def begin_import(store: Neo4jGraphStore) -> None:
    await store.write(RESTORE_INDEX)
    async with store._translate(), store.driver.session(database=store._database) as session:
        await (await session.run("CALL db.awaitIndexes(300)")).consume()


async def import_nodes(store: Neo4jGraphStore, rows: Iterable[dict[str, Any]], *, batch_size: int = 2000) -> int:
    """Create nodes grouped by label set; each keeps its backup id in a temporary indexed property."""
    total = 0
    for batch in chunks(rows, batch_size):
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in batch:
            props, zoned = decode_props(row["props"])
            groups.setdefault(tuple(row["labels"]), []).append({"rid": row["id"], "props": props, "zoned": zoned})
        for labels, group in groups.items():
            label_text = "".join(":" + _name(label) for label in (RESTORE_LABEL, *labels))
            query = (
                f"UNWIND $rows AS row CREATE (n{label_text}) SET n = row.props, n.{RESTORE_KEY} = row.rid "
                + _SET_ZONED.format(var="n")
            )

            async def work(tx: AsyncManagedTransaction, q: str = query, g: list[dict[str, Any]] = group) -> None:
                await (await tx.run(q, rows=g)).consume()

            await store.write_tx(work)
            total += len(group)
    return total


async def import_relationships(
    store: Neo4jGraphStore, rows: Iterable[dict[str, Any]], *, batch_size: int = 2000
) -> int:
    total = 0
    for batch in chunks(rows, batch_size):
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in batch:
            props, zoned = decode_props(row["props"])
            groups.setdefault(row["type"], []).append(
                {"s": row["start"], "e": row["end"], "props": props, "zoned": zoned}
            )
        for rel_type, group in groups.items():
            query = (
                f"UNWIND $rows AS row MATCH (a:{RESTORE_LABEL} {{{RESTORE_KEY}: row.s}}) "
                f"MATCH (b:{RESTORE_LABEL} {{{RESTORE_KEY}: row.e}}) "
                f"CREATE (a)-[r:{_name(rel_type)}]->(b) SET r = row.props "
                + _SET_ZONED.format(var="r")
                + " RETURN count(r) AS n"
            )

            async def work(tx: AsyncManagedTransaction, q: str = query, g: list[dict[str, Any]] = group) -> int:
                record = await (await tx.run(q, rows=g)).single()
                return int(record["n"]) if record else 0

            created = await store.write_tx(work)
            if created != len(group):
                raise GraphQueryError(
                    f"{len(group) - created} {rel_type} relationships point at nodes missing from the backup"
                )
            total += created
    return total


async def finish_import(store: Neo4jGraphStore) -> None:
    async with store._translate(), store.driver.session(database=store._database) as session:
        await (await session.run(CLEAR_RESTORE_MARKS)).consume()
    await store.write(DROP_RESTORE_INDEX)
