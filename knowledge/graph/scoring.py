"""Scoring data in the graph: score snapshots (history), leads, outcomes, the queue's candidates, conversion
aggregates for pattern recognition, and batched company reads for scoring many leads at once."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from knowledge.graph.neo4j_store import Neo4jGraphStore, _native
from knowledge.models import company_id_for, fact_id_for


def _row(r: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _native(v) for k, v in r.items()}


_ALL = 2**62  # a LIMIT that keeps every row
_QUEUE_COLUMNS = ("lead_id", "company_id", "domain", "person_id", "owner", "score", "tier", "last_contacted_at")


def _unpack(records: list[list[Any]], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows sent as one collected list in one record (read_values), as dicts of ``columns``."""
    return [dict(zip(columns, map(_native, values), strict=True)) for values in (records[0][0] if records else [])]


class ScoringGraph:
    """Cypher for the scorer. Build it around the process's Neo4jGraphStore."""

    def __init__(self, graph: Neo4jGraphStore) -> None:
        self.graph = graph

    async def save_snapshot(self, snapshot: Mapping[str, Any]) -> str:
        """Store one score of a company (score, parts, tier, features, contributions); returns its score_id."""
        scored_at: datetime = snapshot["scored_at"]
        cid = company_id_for(snapshot["domain"])
        score_id = fact_id_for("score", cid, scored_at.isoformat())
        await self.graph.write(
            """
            MATCH (c:Company {company_id: $cid})
            MERGE (s:ScoreSnapshot {score_id: $score_id})
            SET s.company_id = $cid, s.domain = c.domain, s.score = $score, s.fit = $fit, s.intent = $intent,
                s.engagement = $engagement, s.tier = $tier, s.weights = $weights, s.scored_at = $scored_at,
                s.features_json = $features, s.contributions_json = $contributions, s.top_signal = $top_signal
            MERGE (c)-[:SCORED]->(s)
            WITH c
            MATCH (l:Lead {company_id: c.company_id})
            SET l.score = $score, l.tier = $tier
            """,
            cid=cid,
            score_id=score_id,
            score=snapshot["score"],
            fit=snapshot["fit"],
            intent=snapshot["intent"],
            engagement=snapshot["engagement"],
            tier=snapshot["tier"],
            weights=snapshot.get("weights", "hand_set"),
            scored_at=scored_at,
            features=json.dumps(snapshot.get("features", {}), sort_keys=True),
            contributions=json.dumps(snapshot.get("contributions", []), default=str),
            top_signal=snapshot.get("top_signal"),
        )
        return score_id

    async def save_snapshots(self, snapshots: Iterable[Mapping[str, Any]]) -> int:
        rows = []
        for s in snapshots:
            cid = company_id_for(s["domain"])
            rows.append(
                {
                    "cid": cid,
                    "score_id": fact_id_for("score", cid, s["scored_at"].isoformat()),
                    "props": {
                        "company_id": cid,
                        "domain": s["domain"],
                        "score": s["score"],
                        "fit": s["fit"],
                        "intent": s["intent"],
                        "engagement": s["engagement"],
                        "tier": s["tier"],
                        "weights": s.get("weights", "hand_set"),
                        "scored_at": s["scored_at"],
                        "features_json": json.dumps(s.get("features", {}), sort_keys=True),
                    },
                }
            )
        return await self.graph.upsert_batched(
            """
            UNWIND $rows AS row
            MATCH (c:Company {company_id: row.cid})
            MERGE (s:ScoreSnapshot {score_id: row.score_id}) SET s += row.props
            MERGE (c)-[:SCORED]->(s)
            WITH c, row
            OPTIONAL MATCH (l:Lead {company_id: c.company_id})
            FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END |
                SET l.score = row.props.score, l.tier = row.props.tier)
            """,
            rows,
            batch_size=2000,
        )

    async def score_history(self, domain: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Snapshots of a company, newest first."""
        rows = await self.graph.read(
            """
            MATCH (:Company {company_id: $cid})-[:SCORED]->(s:ScoreSnapshot)
            RETURN s.score_id AS score_id, s.score AS score, s.fit AS fit, s.intent AS intent,
                   s.engagement AS engagement, s.tier AS tier, s.scored_at AS scored_at,
                   s.top_signal AS top_signal, s.weights AS weights
            ORDER BY s.scored_at DESC LIMIT $limit
            """,
            cid=company_id_for(domain),
            limit=limit,
        )
        return [_row(r) for r in rows]

    async def upsert_leads(self, leads: Iterable[Mapping[str, Any]]) -> int:
        """MERGE leads by lead_id with their person/company ids, campaign, owner and status."""
        rows = [
            {"lead_id": lead["lead_id"], "props": {k: v for k, v in lead.items() if v is not None}} for lead in leads
        ]
        return await self.graph.upsert_batched(
            "UNWIND $rows AS row MERGE (l:Lead {lead_id: row.lead_id}) "
            "ON CREATE SET l.recorded_at = $now SET l += row.props, l.updated_at = $now",
            rows,
        )

    async def record_outcome(
        self, lead_id: str, type_: str, occurred_at: datetime, *, amount: float | None = None,
        variant: str | None = None,
    ) -> str:  # fmt: skip
        """Record an outcome on a lead (idempotent per lead, type and time)."""
        outcome_id = fact_id_for("outcome", lead_id, type_, occurred_at.isoformat())
        props: dict[str, Any] = {
            "outcome_id": outcome_id,
            "lead_id": lead_id,
            "type": type_,
            "occurred_at": occurred_at,
        }
        if amount is not None:
            props["amount"] = amount
        if variant is not None:
            props["variant"] = variant
        await self.graph.write(
            """
            MERGE (o:Outcome {outcome_id: $props.outcome_id}) SET o += $props
            WITH o OPTIONAL MATCH (l:Lead {lead_id: $props.lead_id})
            FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END | MERGE (l)-[:RESULTED_IN]->(o))
            """,
            props=props,
        )
        return outcome_id

    async def score_bins(self, width: int = 10) -> list[int]:
        """How many companies have their best lead score in each ``width``-point bin of 0–100 (100 counts in the
        top bin), counted in Cypher over every scored lead: the digest's histogram, at any graph size."""
        rows = await self.graph.read(
            """
            MATCH (l:Lead) WHERE l.score IS NOT NULL
            WITH l.company_id AS company, max(l.score) AS best
            WITH toInteger(floor(CASE WHEN best >= 100 THEN 99.999 WHEN best < 0 THEN 0 ELSE best END / $width))
                 AS bin
            RETURN bin, count(*) AS n
            """,
            width=width,
        )
        bins = [0] * math.ceil(100 / width)
        for r in rows:
            bins[min(int(r["bin"]), len(bins) - 1)] += int(r["n"])
        return bins

    async def queue_candidates(
        self, *, limit: int = 100_000, tiers: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Leads with their latest score and the company's last contact time (to anyone there, whatever that
        lead's tier), at most ``limit``, best first. ``tiers`` keeps only leads of those tiers: far fewer rows when
        most leads are cold."""
        rows = await self.graph.read_values(
            """
            MATCH (l:Lead) WHERE l.score IS NOT NULL AND ($tiers IS NULL OR l.tier IN $tiers)
            MATCH (c:Company {company_id: l.company_id})
            // past the limit, keep the best leads rather than an arbitrary subset
            WITH l, c ORDER BY l.score DESC, l.lead_id LIMIT $limit
            RETURN collect([l.lead_id, l.company_id, c.domain, l.person_id, l.owner, l.score, l.tier,
                            l.last_sent_at]) AS rows
            """,
            limit=limit,
            tiers=list(tiers) if tiers is not None else None,
        )
        out = _unpack(rows, (*_QUEUE_COLUMNS[:-1], "last_sent_at"))
        last: dict[str, datetime] = {}
        if tiers is None:  # every lead is here: the company's last contact is among them
            for r in out:
                if r["last_sent_at"] and (r["company_id"] not in last or r["last_sent_at"] > last[r["company_id"]]):
                    last[r["company_id"]] = r["last_sent_at"]
        else:  # a lead of another tier may have been the one contacted: ask per company (indexed)
            contacted = await self.graph.read(
                """
                UNWIND $ids AS cid
                MATCH (l:Lead {company_id: cid}) WHERE l.last_sent_at IS NOT NULL
                RETURN cid AS company_id, max(l.last_sent_at) AS last_sent_at
                """,
                ids=sorted({r["company_id"] for r in out}),
            )
            last = {r["company_id"]: _native(r["last_sent_at"]) for r in contacted}
        for r in out:
            r["last_contacted_at"] = last.get(r["company_id"])
        return out

    async def queue_page(
        self,
        *,
        below: float | None,
        size: int,
        tiers: Sequence[str],
        entry_tiers: Sequence[str],
        skip_companies: Sequence[str] = (),
        skip_owners: Sequence[str] = (),
    ) -> tuple[list[dict[str, Any]], bool]:
        """The highest-scored leads under ``below`` (None: all) whose tier is in ``tiers``, in the queue's columns
        (``last_contacted_at``: the company's last contact, to anyone there), highest score first; and whether
        leads under the lowest of them may remain.

        About ``size`` rows: the leads tied with the lowest score read all come along, so the next page can start
        strictly below it. Left out, as the queue would hold them back anyway: leads whose tier (none counts as
        cold) is not in ``entry_tiers``, of ``skip_companies``, or owned by ``skip_owners`` ("" for no owner).
        """
        page = await self._queue_rows(
            -math.inf, math.inf if below is None else below, size, tiers, entry_tiers, skip_companies, skip_owners
        )
        if len(page) < size:
            return page, False
        lowest = min(r["score"] for r in page)
        ties = await self._queue_rows(
            lowest, math.nextafter(lowest, math.inf), _ALL, tiers, entry_tiers, skip_companies, skip_owners
        )
        return [r for r in page if r["score"] != lowest] + ties, True

    async def _queue_rows(
        self,
        lo: float,
        below: float,
        size: int,
        tiers: Sequence[str],
        entry_tiers: Sequence[str],
        skip_companies: Sequence[str],
        skip_owners: Sequence[str],
    ) -> list[dict[str, Any]]:
        # the score index hands the leads over best first; the filters run as they come, up to the limit
        rows = await self.graph.read_values(
            """
            MATCH (l:Lead)
            WHERE l.score >= $lo AND l.score < $below AND l.tier IN $tiers
              AND CASE WHEN l.tier IS NULL OR l.tier = '' THEN 'cold' ELSE l.tier END IN $entry_tiers
              AND NOT l.company_id IN $skip_companies
              AND NOT CASE WHEN l.owner IS NULL OR l.owner = '' THEN '' ELSE l.owner END IN $skip_owners
            MATCH (c:Company {company_id: l.company_id})
            WITH l, c ORDER BY l.score DESC LIMIT $size
            CALL (l) {
              OPTIONAL MATCH (x:Lead {company_id: l.company_id}) WHERE x.last_sent_at IS NOT NULL
              RETURN max(x.last_sent_at) AS last_contacted_at
            }
            RETURN collect([l.lead_id, l.company_id, c.domain, l.person_id, l.owner, l.score, l.tier,
                            last_contacted_at]) AS rows
            """,
            lo=lo,
            below=below,
            size=size,
            tiers=list(tiers),
            entry_tiers=list(entry_tiers),
            skip_companies=list(skip_companies),
            skip_owners=list(skip_owners),
        )
        return _unpack(rows, _QUEUE_COLUMNS)

    async def contacted_companies(self, since: datetime) -> list[str]:
        """Companies with a message sent to anyone there after ``since``."""
        rows = await self.graph.read(
            "MATCH (l:Lead) WHERE l.last_sent_at > $since RETURN collect(DISTINCT l.company_id) AS ids", since=since
        )
        return list(rows[0]["ids"]) if rows else []

    async def company_batch(self, company_ids: Sequence[str], *, now: datetime | None = None) -> list[dict[str, Any]]:
        """Properties, current facts, signals, people and interactions for many companies in one round trip."""
        rows = await self.graph.read(
            """
            UNWIND $ids AS cid
            MATCH (c:Company {company_id: cid})
            CALL (c) {
              OPTIONAL MATCH (c)-[r:IN_INDUSTRY|USES|CUSTOMER_OF]->(o)
              WHERE r.valid_to > $now AND r.superseded_at > $now
              RETURN collect(CASE WHEN r IS NULL THEN NULL ELSE {predicate: type(r), object: coalesce(o.name, o.domain,
                     o.code, o.tech_id), fact_id: r.fact_id, source_url: r.source_url, confidence: r.confidence,
                     evidence: r.evidence} END) AS facts
            }
            CALL (c) {
              OPTIONAL MATCH (c)-[:HAS_SIGNAL]->(s:Signal)
              RETURN collect(s {.signal_id, .type, .occurred_at, .confidence, .source_url, .evidence}) AS signals
            }
            CALL (c) {
              OPTIONAL MATCH (p:Person)-[w:WORKS_AT]->(c) WHERE w.valid_to > $now AND w.superseded_at > $now
              RETURN collect(p {.person_id, .full_name, .email, .title, .seniority, .function, .country,
                                fact_id: w.fact_id, source_url: w.source_url}) AS people
            }
            CALL (c) {
              OPTIONAL MATCH (l:Lead {company_id: c.company_id})-[:HAD]->(x:Interaction)
              RETURN collect(x {.type, .occurred_at}) AS interactions
            }
            RETURN properties(c) AS company, facts, signals, people, interactions
            """,
            ids=list(company_ids),
            now=now or datetime.now(UTC),
        )
        return rows

    async def company_ids(self, *, limit: int = 1_000_000) -> list[str]:
        rows = await self.graph.read("MATCH (c:Company) RETURN c.company_id AS id LIMIT $limit", limit=limit)
        return [r["id"] for r in rows]

    async def conversion_by(self, dimension: str, positive: Sequence[str]) -> list[dict[str, Any]]:
        """Leads and converted leads grouped by industry, signal, seniority or variant (from graph aggregates)."""
        queries = {
            "industry": "MATCH (c)-[r:IN_INDUSTRY]->(i:Industry) WHERE r.valid_to > $now RETURN DISTINCT i.name AS key",
            "signal": "MATCH (c)-[:HAS_SIGNAL]->(s:Signal) RETURN DISTINCT s.type AS key",
            "seniority": "MATCH (p:Person {person_id: l.person_id}) RETURN DISTINCT coalesce(p.seniority, "
            "'unknown') AS key",
            "function": "MATCH (p:Person {person_id: l.person_id}) RETURN DISTINCT coalesce(p.function, "
            "'unknown') AS key",
            "variant": "MATCH (l)-[:RESULTED_IN]->(o:Outcome) WHERE o.variant IS NOT NULL RETURN DISTINCT "
            "o.variant AS key",
        }
        if dimension not in queries:
            raise ValueError(f"unknown dimension {dimension!r}; use one of {sorted(queries)}")
        rows = await self.graph.read(
            f"""
            MATCH (l:Lead) WHERE EXISTS {{ MATCH (l)-[:RESULTED_IN]->(:Outcome) }}
            MATCH (c:Company {{company_id: l.company_id}})
            CALL (l, c) {{ {queries[dimension]} }}
            WITH key, l, EXISTS {{ MATCH (l)-[:RESULTED_IN]->(o:Outcome) WHERE o.type IN $positive }} AS won
            RETURN key, count(DISTINCT l) AS leads, count(DISTINCT CASE WHEN won THEN l END) AS converted
            ORDER BY leads DESC
            """,
            positive=list(positive),
            now=datetime.now(UTC),
        )
        return [r for r in rows if r["key"] is not None]

    async def training_rows(self, positive: Sequence[str]) -> list[dict[str, Any]]:
        """One row per lead with an outcome: the features of the company's last snapshot before the first
        outcome, the label (any positive outcome) and when it was decided."""
        rows = await self.graph.read(
            """
            MATCH (l:Lead)-[:RESULTED_IN]->(o:Outcome)
            WITH l, min(o.occurred_at) AS first, max(o.occurred_at) AS last, collect(o.type) AS types
            MATCH (:Company {company_id: l.company_id})-[:SCORED]->(s:ScoreSnapshot) WHERE s.scored_at <= first
            WITH l, first, last, types, s ORDER BY s.scored_at DESC
            WITH l, last, types, head(collect(s)) AS s
            RETURN l.lead_id AS lead_id, s.features_json AS features, last AS decided_at,
                   any(t IN types WHERE t IN $positive) AS label
            """,
            positive=list(positive),
        )
        return [
            {**_row(r), "features": json.loads(r["features"] or "{}"), "label": int(bool(r["label"]))} for r in rows
        ]

    async def save_weights(self, record: Mapping[str, Any]) -> None:
        """Store a learned-weights fit (accepted or not) so the digest can say what changed."""
        await self.graph.write(
            "CREATE (w:ScoringWeights) SET w = $props",
            props={k: (json.dumps(v) if isinstance(v, dict | list) else v) for k, v in record.items()},
        )

    async def weights_history(self, *, limit: int = 2) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            "MATCH (w:ScoringWeights) RETURN properties(w) AS w ORDER BY w.fitted_at DESC LIMIT $limit", limit=limit
        )
        out = []
        for r in rows:
            w = _row(r["w"])
            for key in ("points", "hand_set", "explanation"):
                if isinstance(w.get(key), str):
                    w[key] = json.loads(w[key])
            out.append(w)
        return out
