"""Draft lifecycle and audit trail in the real graph, suppression lookups, and the approval card content."""

from __future__ import annotations

import hashlib

import pytest

from agents.persona import LanguagesConfig
from agents.workflows.drafting import draft_sequence
from bot.slack.cards import ACTION_APPROVE, ACTION_REJECT, build_approval_card
from knowledge.graph.drafts import DraftStore, InvalidTransition, message_rows
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.agents.workflows.test_drafting import COMPLIANCE, PERSONA, SENDER, seed


async def package_for(graph: Neo4jGraphStore, spam=None):  # type: ignore[no-untyped-def]
    await seed(graph, hq_country="US")
    profile = await graph.company_profile("acme.io")
    return await draft_sequence(
        profile,
        domain="acme.io",
        persona=PERSONA,
        languages=LanguagesConfig(),
        compliance=COMPLIANCE,
        sender=SENDER,
        spam=spam,
    )


async def test_lifecycle_records_who_did_what_and_refuses_shortcuts(graph: Neo4jGraphStore, spam_scorer) -> None:  # type: ignore[no-untyped-def]
    package = await package_for(graph, spam_scorer)
    store = DraftStore(graph)
    lead, rows = message_rows(package)
    assert await store.save(lead, rows, actor="U_REP") == len(package.steps)
    mid = package.steps[0].message_id
    with pytest.raises(InvalidTransition, match="cannot become 'sent'"):
        await store.transition(mid, "sent", actor="U_REP")
    await store.transition(mid, "in_review", actor="system")
    await store.transition(mid, "edited", actor="U_BOSS", subject="A better subject")
    with pytest.raises(InvalidTransition, match="cannot be approved"):
        await store.transition(mid, "approved", actor="U_BOSS")  # an edit must be reviewed again
    await store.transition(mid, "in_review", actor="system")
    await graph.write("MATCH (m:Message {message_id: $m}) SET m.compliance_verdict = 'pass'", m=mid)
    await store.transition(mid, "approved", actor="U_BOSS")
    await store.transition(mid, "scheduled", actor="system")
    trail = await store.history(mid)
    assert [e["type"] for e in trail] == ["drafted", "in_review", "edited", "in_review", "approved", "scheduled"]
    assert trail[2]["actor"] == "U_BOSS" and trail[0]["actor"] == "U_REP"
    stored = await store.message(mid)
    assert stored is not None and stored["subject"] == "A better subject" and stored["approved_by"] == "U_BOSS"
    interactions = await graph.lead_interactions(package.lead_id)  # type: ignore[arg-type]
    assert len(interactions) >= 6  # the audit is part of the lead's history (and erased with it)


async def test_blocked_draft_cannot_be_approved(graph: Neo4jGraphStore) -> None:
    package = await package_for(graph, None)  # unscored → blocked
    store = DraftStore(graph)
    lead, rows = message_rows(package)
    await store.save(lead, rows)
    mid = package.steps[0].message_id
    await store.transition(mid, "in_review", actor="system")
    with pytest.raises(InvalidTransition, match="verdict 'block'"):
        await store.transition(mid, "approved", actor="U_BOSS")


async def test_suppressions_match_email_domain_and_hashes(graph: Neo4jGraphStore) -> None:
    digest = hashlib.sha256(b"gone@acme.io").hexdigest()
    await graph.write(
        "UNWIND $rows AS r CREATE (s:Suppression) SET s = r",
        rows=[
            {"value": "other.io", "kind": "domain", "reason": "do_not_contact"},
            {"value": digest, "kind": "email", "reason": "erased", "hashed": True},
        ],
    )
    store = DraftStore(graph)
    assert [s.reason.value for s in await store.suppressions_for("Gone@Acme.io")] == ["erased"]
    assert [s.kind for s in await store.suppressions_for("x@other.io")] == ["domain"]
    assert await store.suppressions_for("jane@acme.io") == []


async def test_approval_card_shows_draft_sources_score_and_buttons(graph: Neo4jGraphStore, spam_scorer) -> None:  # type: ignore[no-untyped-def]
    package = await package_for(graph, spam_scorer)
    blocks = build_approval_card(package)
    text = str(blocks)
    assert "<https://acme.io/news/series-b|" in text and "spam score" in text and "PASS" in text
    actions = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert actions[0]["action_id"] == ACTION_APPROVE
    blocked = build_approval_card(
        await draft_sequence(
            await graph.company_profile("acme.io"),
            domain="acme.io",
            persona=PERSONA,
            languages=LanguagesConfig(),
            compliance=COMPLIANCE,
            sender=SENDER,
            spam=None,
        )
    )
    ids = [a["action_id"] for b in blocked if b["type"] == "actions" for a in b["elements"]]
    assert ACTION_APPROVE not in ids and ACTION_REJECT in ids
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
