"""Ad audiences only carry people whose lawful basis allows it, hashed; analytics exports become engagement."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from bot.outreach.audiences import export_audience, ingest_visits, normalise_for_matching
from bot.outreach.errors import CsvImportError
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.outreach import OutreachStore
from tests.factories import make_company, make_person


async def _people(graph: Neo4jGraphStore) -> OutreachStore:
    await graph.upsert_people(
        [
            make_person(email="Consent@Acme.io", full_name="Cora Sent"),
            make_person(email="li@acme.io", full_name="Lee Gitimate"),
            make_person(email="gone@acme.io", full_name="Un Sub"),
            make_person(email="First.Last+x@gmail.com", full_name="G Mail", company_domain=None),
        ]
    )
    await graph.write(
        "MATCH (p:Person) WHERE p.email IN $c SET p.lawful_basis = 'consent'",
        c=["consent@acme.io", "gone@acme.io", "first.last+x@gmail.com"],
    )
    await graph.write("MATCH (p:Person {email: 'li@acme.io'}) SET p.lawful_basis = 'legitimate_interest'")
    store = OutreachStore(graph)
    await store.suppress("gone@acme.io", "email", "unsubscribed", source="test")
    return store


async def test_exports_hash_only_allowed_contacts(graph: Neo4jGraphStore) -> None:
    store = await _people(graph)
    google = await export_audience(store, "google")
    rows = list(csv.DictReader(io.StringIO(google.csv)))
    assert (google.included, google.excluded_no_basis, google.excluded_suppressed) == (2, 1, 1)
    expected = {hashlib.sha256(b"consent@acme.io").hexdigest(), hashlib.sha256(b"firstlast@gmail.com").hexdigest()}
    assert {r["Email"] for r in rows} == expected
    assert "@" not in google.csv  # no plain addresses leave the building
    meta = await export_audience(store, "meta")
    assert meta.csv.splitlines()[0] == "email,country" and meta.included == 2
    linkedin = await export_audience(store, "linkedin")
    assert linkedin.csv.splitlines()[0] == "email,employeecompany,country"
    assert hashlib.sha256(b"first.last+x@gmail.com").hexdigest() in linkedin.csv  # only Google drops dots
    with pytest.raises(ValueError, match="unknown platform"):
        await export_audience(store, "myspace")


def test_gmail_normalisation_is_google_only() -> None:
    assert normalise_for_matching(" First.Last+tag@GMail.com ", "google") == "firstlast@gmail.com"
    assert normalise_for_matching(" First.Last@Acme.io ", "google") == "first.last@acme.io"


async def test_plausible_csv_and_ga4_json_become_engagement(graph: Neo4jGraphStore) -> None:
    await graph.upsert_companies([make_company()])
    store = OutreachStore(graph)
    await store.ensure_schema()
    plausible = b"date,company_domain,page,visitors,pageviews\n2026-11-23,acme.io,/pricing,3,7\n,???,/x,1,1\n"
    report = await ingest_visits(store, plausible, source="plausible")
    assert report.stored == 1 and report.skipped == ["record 2: no company domain"]
    ga4 = [
        {"event_date": "20261124", "event_name": "page_view", "company_domain": "www.acme.io",
         "page_location": "https://example.com/case-study?utm_campaign=camp-1&utm_source=amia"},
    ]  # fmt: skip
    assert (await ingest_visits(store, json.dumps(ga4).encode(), source="ga4")).stored == 1
    await ingest_visits(store, json.dumps(ga4).encode(), source="ga4")  # same export twice: no double count
    engagement = await store.engagement("acme.io")
    assert engagement["visits"] == 2 and set(engagement["pages"]) == {"/pricing", "/case-study"}
    rows = await graph.read("MATCH (:Company {domain: 'acme.io'})-[:VISITED]->(v) RETURN v.utm_campaign AS c")
    assert {r["c"] for r in rows} == {None, "camp-1"}
    for data, message in [(b"", "empty"), (b"[{bad json", "not valid JSON"), (b"page\n/x\n", "no usable rows")]:
        with pytest.raises(CsvImportError, match=message):
            await ingest_visits(store, data, source="x")
