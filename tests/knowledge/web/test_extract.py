"""Extraction: trafilatura text/metadata, people, technologies, firmographics, customers, discovery, rendering."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import trafilatura

from knowledge.web.crawler import Crawler
from knowledge.web.discovery import classify, feed_links, parse_feed, parse_sitemap, site_links
from knowledge.web.extract import detect_language, extract_article
from knowledge.web.firmographics import extract_customers, extract_firmographics
from knowledge.web.people import extract_people
from knowledge.web.technologies import detect_technologies, parse_html
from tests.web_fixture import sites
from tests.web_fixture.server import LocalWeb


def test_article_matches_trafilatura_and_has_metadata() -> None:
    art = extract_article(sites.ACME_SERIES_B, "http://acme.test/news/series-b")
    assert art.text == trafilatura.extract(sites.ACME_SERIES_B, url="http://acme.test/news/series-b")
    assert art.title.startswith("Acme Analytics raises $30 million")
    assert art.date == "2026-03-03"
    assert art.language == "en"


def test_garbage_and_empty_html_give_empty_fields() -> None:
    for html in (sites.GARBAGE, "", "   ", b"\x00\xff\xfe", "<html></html>"):
        art = extract_article(html)
        assert art.text == "" and art.title == "" and art.date is None


def test_language_detection_other_languages() -> None:
    assert detect_language("Wir sind ein Softwareunternehmen aus Berlin und entwickeln Lösungen für Banken.") == "de"
    assert detect_language("Nous sommes une entreprise de logiciels basée à Paris qui aide les banques.") == "fr"
    assert detect_language("ok") is None


def test_people_from_leadership_page() -> None:
    people = {p.full_name: p for p in extract_people(parse_html(sites.ACME_TEAM))}
    assert set(people) == {"Jane Doe", "John Smith", "Priya Raman", "Tom Becker"}
    assert people["Jane Doe"].title == "Chief Executive Officer" and people["Jane Doe"].seniority == "c_level"
    assert people["Priya Raman"].function == "marketing" and people["Priya Raman"].seniority == "vp"
    inline = "<ul><li>Anna Schmidt, Head of Engineering</li><li>Read more</li><li>Our Team - Leadership</li></ul>"
    assert [(p.full_name, p.title) for p in extract_people(parse_html(inline))] == [
        ("Anna Schmidt", "Head of Engineering")
    ]


def test_technologies_from_fingerprints() -> None:
    hits = {h.name: h for h in detect_technologies(sites.ACME_HOME, "http://acme.test/")}
    assert {"Google Tag Manager", "HubSpot", "Stripe", "WordPress"} <= set(hits)
    assert hits["HubSpot"].category == "marketing_automation" and hits["Stripe"].category == "payments"
    assert "generator" in hits["WordPress"].evidence
    assert detect_technologies("<html><body>plain</body></html>") == []


def test_firmographics_with_evidence() -> None:
    art = extract_article(sites.ACME_ABOUT)
    firmo = extract_firmographics(art.text)
    assert firmo.founded_year == 2015 and firmo.employee_count == 240
    assert firmo.locations == ["Berlin", "London", "New York"]
    assert "fintech" in firmo.industries and "240 employees" in firmo.evidence["employee_count"]
    assert extract_firmographics("Trusted by more than 300 finance teams.").employee_count is None


def test_competitor_customers() -> None:
    names = [c.name for c in extract_customers(parse_html(sites.ACME_CUSTOMERS), "Acme Analytics")]
    assert names == ["Globex Bank", "Initech Payments", "Umbrella Lending"]


def test_discovery_links_sitemap_feeds() -> None:
    tree = parse_html(sites.ACME_HOME)
    links = dict(site_links(tree, "http://acme.test/"))
    assert links["http://acme.test/team"] == "team" and links["http://acme.test/careers"] == "careers"
    assert links["http://acme.test/customers"] == "customers" and links["http://acme.test/news"] == "news"
    assert not any("linkedin" in u for u in links)  # other sites are not followed
    assert feed_links(tree, "http://acme.test/") == ["http://acme.test/feed.xml"]
    sm = parse_sitemap(sites.ACME_SITEMAP.encode())
    assert ("http://acme.test/news/series-b", "2026-03-03") in sm.pages and sm.children == []
    index = parse_sitemap(b'<sitemapindex xmlns="x"><sitemap><loc>http://a.b/s1.xml</loc></sitemap></sitemapindex>')
    assert index.children == ["http://a.b/s1.xml"]
    assert parse_sitemap(b"<urlset><url><loc>http://a.b/x</loc></url><url><loc>broken").pages[0][0] == "http://a.b/x"
    items = parse_feed(sites.ACME_FEED.encode())
    assert items[0].link == "http://acme.test/news/paris-office" and items[0].published.year == 2026
    assert parse_feed(b"not a feed") == []
    assert classify("http://acme.test/") == "home" and classify("http://acme.test/about-us") == "about"


async def test_js_page_rendered_with_chromium(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(render_js=True, timeout_seconds=10), cache_dir=tmp_path) as crawler:
        static = await crawler.fetch("http://js.test/")
        rendered = await crawler.render("http://js.test/")
    assert extract_article(static.text).text == ""  # nothing readable without JavaScript
    assert rendered.ok, rendered.detail
    assert "partnership with Initech Logistics" in rendered.text  # written by a 200 ms timer
    assert extract_firmographics(extract_article(rendered.text).text).employee_count == 85


def test_cli_extract_jsonl() -> None:
    lines = [
        json.dumps({"id": "a", "url": "http://acme.test/news/series-b", "html": sites.ACME_SERIES_B}),
        json.dumps({"id": "b", "url": "http://x", "html": sites.GARBAGE}),
        "nope",
    ]
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.commands.extract import handle; sys.exit(handle(None, None))"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert out[0]["id"] == "a" and out[0]["date"] == "2026-03-03" and "Series B funding" in out[0]["text"]
    assert out[1] == {"id": "b", "title": "", "date": None, "text": ""}
    assert "error" in out[2]
