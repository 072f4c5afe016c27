"""Constraints and indexes, created idempotently at start (Community edition features only)."""

from __future__ import annotations

FACT_RELATIONSHIPS: tuple[str, ...] = (
    "WORKS_AT",
    "USES",
    "IN_INDUSTRY",
    "COMPETES_WITH",
    "CUSTOMER_OF",
    "PARTNER_OF",
    "LOCATED_IN",
)
"""Relationship types that are facts: each carries provenance and bi-temporal validity."""

SCHEMA: tuple[str, ...] = (
    "CREATE CONSTRAINT company_id IF NOT EXISTS FOR (c:Company) REQUIRE c.company_id IS UNIQUE",
    "CREATE CONSTRAINT company_domain IF NOT EXISTS FOR (c:Company) REQUIRE c.domain IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.person_id IS UNIQUE",
    "CREATE CONSTRAINT industry_code IF NOT EXISTS FOR (i:Industry) REQUIRE i.code IS UNIQUE",
    "CREATE CONSTRAINT technology_id IF NOT EXISTS FOR (t:Technology) REQUIRE t.tech_id IS UNIQUE",
    "CREATE CONSTRAINT place_id IF NOT EXISTS FOR (l:Place) REQUIRE l.name IS UNIQUE",
    "CREATE CONSTRAINT signal_id IF NOT EXISTS FOR (s:Signal) REQUIRE s.signal_id IS UNIQUE",
    "CREATE CONSTRAINT source_id IF NOT EXISTS FOR (a:Source) REQUIRE a.source_id IS UNIQUE",
    "CREATE CONSTRAINT campaign_id IF NOT EXISTS FOR (c:Campaign) REQUIRE c.campaign_id IS UNIQUE",
    "CREATE CONSTRAINT sequence_id IF NOT EXISTS FOR (s:Sequence) REQUIRE s.sequence_id IS UNIQUE",
    "CREATE CONSTRAINT lead_id IF NOT EXISTS FOR (l:Lead) REQUIRE l.lead_id IS UNIQUE",
    "CREATE CONSTRAINT message_id IF NOT EXISTS FOR (m:Message) REQUIRE m.message_id IS UNIQUE",
    "CREATE CONSTRAINT interaction_id IF NOT EXISTS FOR (x:Interaction) REQUIRE x.interaction_id IS UNIQUE",
    "CREATE CONSTRAINT outcome_id IF NOT EXISTS FOR (o:Outcome) REQUIRE o.outcome_id IS UNIQUE",
    "CREATE CONSTRAINT suppression_value IF NOT EXISTS FOR (s:Suppression) REQUIRE s.value IS UNIQUE",
    "CREATE CONSTRAINT fetch_id IF NOT EXISTS FOR (f:Fetch) REQUIRE f.fetch_id IS UNIQUE",
    "CREATE CONSTRAINT score_id IF NOT EXISTS FOR (s:ScoreSnapshot) REQUIRE s.score_id IS UNIQUE",
    *(
        f"CREATE CONSTRAINT fact_{rel.lower()} IF NOT EXISTS FOR ()-[r:{rel}]-() REQUIRE r.fact_id IS UNIQUE"
        for rel in FACT_RELATIONSHIPS
    ),
    *(
        f"CREATE INDEX fact_{rel.lower()}_valid IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.valid_to)"
        for rel in FACT_RELATIONSHIPS
    ),
    "CREATE INDEX signal_type_time IF NOT EXISTS FOR (s:Signal) ON (s.type, s.occurred_at)",
    "CREATE INDEX signal_time IF NOT EXISTS FOR (s:Signal) ON (s.occurred_at)",
    "CREATE INDEX lead_status IF NOT EXISTS FOR (l:Lead) ON (l.status)",
    "CREATE INDEX lead_campaign IF NOT EXISTS FOR (l:Lead) ON (l.campaign_id)",
    "CREATE INDEX lead_company IF NOT EXISTS FOR (l:Lead) ON (l.company_id)",
    "CREATE INDEX lead_score IF NOT EXISTS FOR (l:Lead) ON (l.score)",  # the queue reads leads best first
    "CREATE INDEX score_company_time IF NOT EXISTS FOR (s:ScoreSnapshot) ON (s.company_id, s.scored_at)",
    "CREATE INDEX person_email IF NOT EXISTS FOR (p:Person) ON (p.email)",
    "CREATE INDEX fetch_host_time IF NOT EXISTS FOR (f:Fetch) ON (f.host, f.at)",
    "CREATE INDEX message_status IF NOT EXISTS FOR (m:Message) ON (m.status)",
    "CREATE TEXT INDEX company_name_text IF NOT EXISTS FOR (c:Company) ON (c.name)",
)
