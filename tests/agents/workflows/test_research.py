# ruff: noqa: F811  (pytest fixtures are imported and then requested by name)
"""research_company against the local test web and a real Neo4j: profile, people, signals, sources, re-research."""

from __future__ import annotations

from pathlib import Path

from agents.workflows.research import research_company
from agents.workflows.watchlist import run_watchlist
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.research import fetch_log
from knowledge.web.crawler import Crawler
from tests.web_fixture import sites
from tests.web_fixture.server import LocalWeb, test_web  # noqa: F401


async def test_research_fills_graph_with_cited_facts(
    test_web: LocalWeb, graph: Neo4jGraphStore, tmp_path: Path
) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path, recorder=graph.record_fetch) as crawler:
        report = await research_company("http://acme.test/", crawler=crawler, graph=graph)
    assert report.ok and report.domain == "acme.test"
    assert report.company["name"] == "Acme Analytics"
    assert report.company["founded_year"] == 2015 and report.company["employee_count"] == 240
    assert "fintech" in report.company["industries"]
    assert {p.full_name for p in report.people} == {"Jane Doe", "John Smith", "Priya Raman", "Tom Becker"}
    assert {"HubSpot", "Stripe", "Google Tag Manager"} <= {t.name for t in report.technologies}
    kinds = {s.type for s in report.signals}
    assert {"funding", "leadership_change", "expansion", "event_participation", "hiring"} <= kinds
    funding = next(s for s in report.signals if s.type == "funding")
    assert funding.source_url == "http://acme.test/news/series-b" and funding.date == "2026-03-03"
    # politeness and audit: robots-disallowed pages were never requested, every fetch is recorded
    assert not any(h.path.startswith("/internal") for h in test_web.hits)
    assert any(f.reason == "denied_domain" for f in report.fetch_log) is False  # other sites are not followed
    assert all(h.user_agent.startswith("AMIA-Research") for h in test_web.hits)

    profile = await graph.company_profile("acme.test")
    assert profile is not None and profile.properties["employee_count"] == 240
    assert {p.full_name for p in profile.people} == {"Jane Doe", "John Smith", "Priya Raman", "Tom Becker"}
    priya = next(p for p in profile.people if p.full_name == "Priya Raman")
    assert priya.title == "VP Marketing" and priya.source_url == "http://acme.test/team"
    assert any(s.type == "funding" and "Series B" in s.evidence for s in profile.signals)
    assert {s["url"] for s in profile.sources} >= {
        "http://acme.test/",
        "http://acme.test/about",
        "http://acme.test/team",
    }
    uses = [f for f in profile.facts if f.predicate == "USES"]
    assert any(f.object == "Stripe" and f.source_url for f in uses)
    customers = await graph.competitor_customers(["acme.test"])
    assert [c["name"] for c in customers] == ["Globex Bank"]
    audit = await fetch_log(graph, "acme.test")
    assert any(r["url"] == "http://acme.test/robots.txt" for r in audit)
    assert all("robots_allowed" in r or r["kind"] == "robots" for r in audit)


async def test_re_research_closes_departed_people(test_web: LocalWeb, graph: Neo4jGraphStore, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        await research_company("http://acme.test/", crawler=crawler, graph=graph, max_pages=6)
    test_web.add("acme.test", "/team", sites.ACME_TEAM_AFTER)
    async with Crawler(test_web.config(), cache_dir=tmp_path / "2") as crawler:
        second = await research_company("http://acme.test/", crawler=crawler, graph=graph, max_pages=6)
    assert second.closed_people == ["Priya Raman (VP Marketing)"]
    people = {p.full_name: p.title for p in await graph.people_at("acme.test")}
    assert "Priya Raman" not in people and people["Maria Lopez"] == "VP Marketing"
    rows = await graph.read("MATCH (p:Person {full_name: 'Jane Doe'})-[r:WORKS_AT]->() RETURN count(r) AS n")
    assert rows[0]["n"] == 1  # re-observed facts are not duplicated


async def test_bad_targets_give_reasons_not_crashes(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(timeout_seconds=1, max_retries=0), cache_dir=tmp_path) as crawler:
        not_domain = await research_company("not a domain", crawler=crawler)
        unreachable = await research_company("no-such-company.invalid", crawler=crawler)
        blocked = await research_company("http://robots5xx.test/", crawler=crawler)
        denied = await research_company("https://www.linkedin.com/company/acme", crawler=crawler)
    assert not not_domain.ok and "not a domain" in not_domain.errors[0]
    assert not unreachable.ok and any("dns_error" in e for e in unreachable.errors)
    assert not blocked.ok and "robots_disallowed" in blocked.errors[0]
    assert not denied.ok and "denied_domain" in denied.errors[0]


async def test_bare_domain_falls_back_to_http_when_tls_fails(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(max_retries=0), cache_dir=tmp_path) as crawler:
        report = await research_company("acme.test", crawler=crawler, max_pages=2)
    assert report.ok and report.sources[0].url == "http://acme.test/"
    assert report.fetch_log[0].url == "https://acme.test/robots.txt" and report.fetch_log[0].reason == "tls_error"


async def test_js_site_rendered_when_enabled(test_web: LocalWeb, tmp_path: Path) -> None:
    config = test_web.config(render_js=True, timeout_seconds=10)
    async with Crawler(config, cache_dir=tmp_path) as crawler:
        report = await research_company("http://js.test/", crawler=crawler, max_pages=2)
    assert report.company["employee_count"] == 85 and report.company["founded_year"] == 2019
    assert any(f.kind == "render" and f.ok for f in report.fetch_log)


async def test_watchlist_researches_domains_and_scans_feeds(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:

        async def research(domain: str):  # type: ignore[no-untyped-def]
            return await research_company(f"http://{domain}/", crawler=crawler, max_pages=3)

        run = await run_watchlist(
            ["acme.test", "http://acme.test/feed.xml", "not a domain!", "https://x.com/acme"],
            crawler=crawler,
            research=research,
            company_names={"acme.test": "Acme Analytics"},
        )
    assert [r.domain for r in run.researched] == ["acme.test"]
    assert any(h.mentions == ["acme.test"] and h.signals for h in run.feed_hits)
    assert any("not a domain" in e for e in run.errors)
    assert any("X API" in e for e in run.errors)  # API-only platforms are reported, never scraped


async def test_cli_research_prints_profile_signals_and_sources(
    test_web: LocalWeb,
    graph: Neo4jGraphStore,
    neo4j_server_handle,
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    import argparse

    from pydantic import SecretStr

    from bot.commands import research as research_cmd
    from bot.settings import Secrets, Settings

    auth = neo4j_server_handle.auth
    secrets = Secrets(
        NEO4J_URI=neo4j_server_handle.uri,
        NEO4J_USER=auth[0] if auth else "neo4j",
        NEO4J_PASSWORD=SecretStr(auth[1]) if auth else None,
    )
    settings = Settings(crawler=test_web.config(cache_dir=str(tmp_path / "cache")), secrets=secrets)
    args = argparse.Namespace(target="http://acme.test/", json=False, max_pages=8)
    assert await research_cmd.handle(args, settings) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Acme Analytics (acme.test)")
    assert "funding" in out and "http://acme.test/team" in out and "Jane Doe — Chief Executive Officer" in out
    assert "8/" in err or "#" in err  # progress on stderr
    bad = argparse.Namespace(target="not a domain", json=True, max_pages=2)
    assert await research_cmd.handle(bad, settings) == 1
    assert '"not a domain' in capsys.readouterr().out
