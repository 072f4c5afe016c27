"""Research a company: crawl its site politely, extract profile, people, technologies, customers and signals,
store them in the graph with provenance, and return a typed ResearchReport. Needs no LLM.

Bad input never stops a run: every page that fails is in ``report.fetch_log`` with its reason, and problems that
affect the result are listed in ``report.errors``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, Field

from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.research import close_departed, link_sources
from knowledge.graph.store import FactInput
from knowledge.models import (
    Company,
    InvalidDomain,
    Person,
    Signal,
    SignalType,
    Source,
    company_id_for,
    normalise_domain,
)
from knowledge.signals.detector import EXTRACTOR as SIGNAL_EXTRACTOR
from knowledge.signals.detector import detect_signals
from knowledge.signals.rules import role_families
from knowledge.web.crawler import Crawler, FetchResult
from knowledge.web.discovery import KIND_PRIORITY, classify, feed_links, parse_feed, parse_sitemap, site_links
from knowledge.web.extract import EXTRACTOR as TEXT_EXTRACTOR
from knowledge.web.extract import Article, extract_article
from knowledge.web.firmographics import extract_customers, extract_firmographics
from knowledge.web.people import extract_people
from knowledge.web.technologies import detect_technologies, parse_html

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
FALLBACK_ERRORS = {"connect_error", "tls_error", "timeout", "dns_error"}
PAGES_PER_KIND = {"about": 2, "team": 2, "careers": 2, "customers": 2, "pricing": 1, "news": 8, "page": 2}


class PersonOut(BaseModel):
    full_name: str
    title: str
    seniority: str
    function: str
    source_url: str


class TechOut(BaseModel):
    name: str
    category: str
    evidence: str
    source_url: str


class SignalOut(BaseModel):
    type: str
    evidence: str
    confidence: float
    date: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    source_url: str
    key: str = Field("", exclude=True, description="what makes two signals the same event")


class SourceOut(BaseModel):
    url: str
    kind: str
    title: str | None = None
    status: int | None = None
    language: str | None = None


class FetchOut(BaseModel):
    url: str
    kind: str
    status: int | None
    ok: bool
    reason: str
    detail: str = ""
    robots_allowed: bool | None = None


class ResearchReport(BaseModel):
    """What one research run found and did. ``ok`` is False only when nothing about the company could be read."""

    target: str
    domain: str | None = None
    ok: bool = False
    mode: str = "deterministic"
    company: dict[str, Any] = Field(default_factory=dict)
    people: list[PersonOut] = Field(default_factory=list)
    technologies: list[TechOut] = Field(default_factory=list)
    customers: list[dict[str, str | None]] = Field(default_factory=list)
    signals: list[SignalOut] = Field(default_factory=list)
    sources: list[SourceOut] = Field(default_factory=list)
    fetch_log: list[FetchOut] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    closed_people: list[str] = Field(default_factory=list, description="people whose WORKS_AT fact was ended")
    elapsed_seconds: float = 0.0


class _Page:
    def __init__(self, result: FetchResult, kind: str, article: Article, tree: Any) -> None:
        self.result, self.kind, self.article, self.tree = result, kind, article, tree

    @property
    def url(self) -> str:
        return self.result.final_url or self.result.url


def _start_urls(target: str) -> tuple[str, list[str]]:
    domain = normalise_domain(target)
    if "://" in target:
        return domain, [target.strip()]
    return domain, [f"https://{domain}/", f"http://{domain}/"]


async def _analyse(result: FetchResult, kind: str) -> _Page:
    html = result.text
    article, tree = await asyncio.to_thread(lambda: (extract_article(html, result.final_url), parse_html(html)))
    return _Page(result, kind, article, tree)


async def research_company(
    target: str,
    *,
    crawler: Crawler,
    graph: Neo4jGraphStore | None = None,
    on_progress: Progress | None = None,
    max_pages: int | None = None,
) -> ResearchReport:
    """Research ``target`` (a domain or URL): fetch home, about, team, careers, customers, pricing and news pages
    (found through links, sitemaps and feeds), extract facts and signals, store them with their sources."""
    started = datetime.now(UTC)
    report = ResearchReport(target=target)
    first_log = len(crawler.log)
    try:
        domain, starts = _start_urls(target)
    except InvalidDomain as exc:
        report.errors.append(str(exc))
        log.info("research refused %r: %s", target, exc)
        return report
    report.domain = domain
    budget = max_pages or crawler.config.max_pages_per_company
    progress = on_progress or (lambda msg, done, total: None)

    home: _Page | None = None
    for url in starts:
        progress(f"fetching {url}", 0, budget)
        res = await crawler.fetch(url)
        if res.ok:
            home = await _analyse(res, "home")
            break
        report.errors.append(f"{url}: {res.reason} ({res.detail})")
        if res.reason not in FALLBACK_ERRORS:
            break
    if home is None:
        _finish(report, crawler, first_log, started)
        return report
    report.errors.clear()
    if len(home.article.text) < crawler.config.render_min_text_chars and crawler.config.render_js:
        progress("rendering JavaScript", 1, budget)
        rendered = await crawler.render(home.url)
        if rendered.ok:
            home = await _analyse(rendered, "home")
        else:
            report.errors.append(f"{home.url}: JavaScript rendering failed ({rendered.detail})")

    candidates = await _discover(home, crawler, report)
    chosen = _choose(candidates, home.url, budget - 1)
    pages = [home]
    done = 1

    async def one(url: str, kind: str) -> _Page | None:
        nonlocal done
        res = await crawler.fetch(url)
        done += 1
        progress(f"{res.reason:<8} {urlsplit(url).path or '/'}", done, len(chosen) + 1)
        return await _analyse(res, kind) if res.ok else None

    fetched = await asyncio.gather(*(one(u, k) for u, k in chosen))
    pages += [p for p in fetched if p is not None]
    # second hop: articles linked from news index pages (press releases carry most signals)
    more = [
        (u, "news")
        for p in pages
        if p.kind == "news"
        for u, k in site_links(p.tree, p.url)
        if k == "news" and u not in {x.url for x in pages} and u not in dict(chosen) and _is_article(u)
    ]
    room = max(0, budget - len(pages) - (len(chosen) + 1 - len(pages)))
    extra = list(dict.fromkeys(more))[: min(room, PAGES_PER_KIND["news"])]
    if extra:
        pages += [p for p in await asyncio.gather(*(one(u, k) for u, k in extra)) if p is not None]

    _build(report, domain, pages)
    report.ok = True
    if graph is not None:
        progress("saving to the graph", done, done)
        await _save(report, graph, pages)
    _finish(report, crawler, first_log, started)
    return report


def _is_article(url: str) -> bool:
    path = urlsplit(url).path.strip("/")
    return path.count("/") >= 1


async def _discover(home: _Page, crawler: Crawler, report: ResearchReport) -> list[tuple[str, str]]:
    """Candidate pages from home links, robots.txt Sitemap lines (or /sitemap.xml) and advertised feeds."""
    found = list(site_links(home.tree, home.url))
    robots = await crawler.robots_for(home.url)
    sitemaps = robots.sitemaps[:2] or [urljoin(home.url, "/sitemap.xml")]
    for sm_url in sitemaps:
        res = await crawler.fetch(sm_url, kind="sitemap")
        if not res.ok:
            continue
        sm = parse_sitemap(res.body)
        found += [(u, classify(u)) for u, _ in sm.pages[:500]]
        for child in sm.children[:2]:
            sub = await crawler.fetch(child, kind="sitemap")
            if sub.ok:
                found += [(u, classify(u)) for u, _ in parse_sitemap(sub.body).pages[:500]]
    for feed_url in feed_links(home.tree, home.url)[:2]:
        res = await crawler.fetch(feed_url, kind="feed")
        if res.ok:
            found += [(item.link, "news") for item in parse_feed(res.body, feed_url)[:10] if item.link]
    home_host = urlsplit(home.url).hostname or ""
    return [
        (u, k) for u, k in found if (urlsplit(u).hostname or "").removeprefix("www.") == home_host.removeprefix("www.")
    ]


def _choose(candidates: list[tuple[str, str]], home_url: str, budget: int) -> list[tuple[str, str]]:
    """Up to ``budget`` URLs, by kind priority (about, team, careers, customers, news, pricing), per-kind caps."""
    seen = {home_url.rstrip("/")}
    by_kind: dict[str, list[str]] = {}
    for url, kind in candidates:
        key = url.rstrip("/")
        if key in seen or kind == "home":
            continue
        seen.add(key)
        by_kind.setdefault(kind, []).append(url)
    chosen: list[tuple[str, str]] = []
    for kind in KIND_PRIORITY:
        for url in by_kind.get(kind, [])[: PAGES_PER_KIND.get(kind, 1)]:
            if len(chosen) < budget:
                chosen.append((url, kind))
    return chosen


def _company_name(home: _Page) -> str | None:
    tree = home.tree
    if tree is not None:
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").lower()
            if key in ("og:site_name", "application-name") and (meta.get("content") or "").strip():
                return str(meta.get("content")).strip()
        title = " ".join((tree.findtext(".//title") or "").split())
        parts = [p.strip() for p in re.split(r"\s+[–—|:·-]\s+", title) if p.strip()]
        parts = [p for p in parts if p.lower() not in ("home", "homepage", "welcome", "start")]
        if parts:
            return min(parts[:2], key=len) if len(parts) > 1 else parts[0]
    site = home.article.sitename or ""
    return site if site and "." not in site else None


def _build(report: ResearchReport, domain: str, pages: list[_Page]) -> None:
    home = pages[0]
    name = _company_name(home)
    about_text = "\n".join(p.article.text for p in pages if p.kind in ("home", "about"))
    firmo = extract_firmographics(about_text)
    industries = sorted(i for i, n in firmo.industries.items() if n >= 2 or i in _mentioned_in_about(pages, i))
    report.company = {
        "domain": domain,
        "name": name,
        "description": home.article.description,
        "language": home.article.language,
        "founded_year": firmo.founded_year,
        "employee_count": firmo.employee_count,
        "locations": firmo.locations,
        "industries": industries,
        "evidence": firmo.evidence,
    }
    seen_tech: set[str] = set()
    for page in pages:
        report.sources.append(
            SourceOut(
                url=page.url,
                kind=page.kind,
                title=page.article.title or None,
                status=page.result.status,
                language=page.article.language,
            )
        )
        for tech in detect_technologies(page.result.text, page.url, page.tree):
            if tech.name not in seen_tech:
                seen_tech.add(tech.name)
                report.technologies.append(
                    TechOut(name=tech.name, category=tech.category, evidence=tech.evidence, source_url=page.url)
                )
        if page.kind == "team":
            known = {p.full_name for p in report.people}
            report.people += [
                PersonOut(
                    full_name=h.full_name,
                    title=h.title,
                    seniority=h.seniority,
                    function=h.function,
                    source_url=page.url,
                )
                for h in extract_people(page.tree)
                if h.full_name not in known
            ]
        if page.kind == "customers":
            links = (
                {(a.text_content() or "").strip().lower(): a.get("href") for a in page.tree.iter("a")}
                if page.tree is not None
                else {}
            )
            for c in extract_customers(page.tree, name):
                href = links.get(c.name.lower())
                report.customers.append(
                    {"name": c.name, "evidence": c.evidence, "source_url": page.url, "website": href}
                )
        if page.kind in ("news", "about", "careers", "home", "page"):
            for s in detect_signals(page.article.text, document_date=page.article.date):
                report.signals.append(SignalOut(source_url=page.url, key=s.key, **s.as_dict()))
        if page.kind == "careers":
            _careers_signal(report, page)
    _dedupe_signals(report)


def _mentioned_in_about(pages: list[_Page], industry: str) -> set[str]:
    texts = " ".join(p.article.text for p in pages if p.kind == "about")
    return {industry} if extract_firmographics(texts).industries.get(industry) else set()


def _careers_signal(report: ResearchReport, page: _Page) -> None:
    """Hiring from job links on a careers page, when no sentence already stated it."""
    if any(s.type == "hiring" and s.source_url == page.url for s in report.signals) or page.tree is None:
        return
    titles = [
        " ".join((a.text_content() or "").split())
        for a in page.tree.iter("a")
        if classify(urljoin(page.url, a.get("href") or "")) == "careers"
        and urlsplit(urljoin(page.url, a.get("href") or "")).path.rstrip("/") != urlsplit(page.url).path.rstrip("/")
    ]
    titles = [t for t in titles if t and len(t) < 100]
    if not titles:
        return
    families = role_families(" ; ".join(titles))
    report.signals.append(
        SignalOut(
            type="hiring",
            evidence=titles[0],
            confidence=0.7,
            source_url=page.url,
            attributes={"count": len(titles), "role_families": sorted(families), "job_titles": titles[:20]},
        )
    )


def _dedupe_signals(report: ResearchReport) -> None:
    """One signal per event: the same funding round on the news index and in the press release is one signal,
    cited from the page that says most about it (more attributes, then the deeper article URL)."""

    def rank(s: SignalOut) -> tuple[int, int, float]:
        return (len(s.attributes), urlsplit(s.source_url).path.count("/"), s.confidence)

    best: dict[tuple[str, str], SignalOut] = {}
    for s in report.signals:
        key = (s.type, s.key or s.evidence)
        if key not in best or rank(s) > rank(best[key]):
            best[key] = s
    report.signals = list(best.values())


def _finish(report: ResearchReport, crawler: Crawler, first_log: int, started: datetime) -> None:
    report.fetch_log = [
        FetchOut(
            url=r.url,
            kind=r.kind,
            status=r.status,
            ok=r.ok,
            reason=r.reason,
            detail=r.detail,
            robots_allowed=r.robots_allowed,
        )
        for r in crawler.log[first_log:]
    ]
    report.elapsed_seconds = round((datetime.now(UTC) - started).total_seconds(), 2)


def _occurred(date: str | None) -> datetime | None:
    if not date:
        return None
    parts = [int(x) for x in date.split("-")]
    try:
        return datetime(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1, tzinfo=UTC)
    except ValueError:
        return None


async def _save(report: ResearchReport, graph: Neo4jGraphStore, pages: list[_Page]) -> None:
    """Write everything with provenance; re-research ends facts the site no longer states."""
    assert report.domain is not None
    c = report.company
    cid = company_id_for(report.domain)
    now = datetime.now(UTC)
    fetched = {p.url: p.result.fetched_at for p in pages}
    company = Company(
        domain=report.domain,
        name=c.get("name"),
        description=c.get("description"),
        language=c.get("language"),
        employee_count=c.get("employee_count"),
        founded_year=c.get("founded_year"),
        locations=c.get("locations") or [],
        industries=c.get("industries") or [],
    )
    await graph.upsert_companies([company])
    sources = [
        Source(
            url=s.url,
            fetched_at=fetched.get(s.url, now),
            status=s.status,
            title=s.title,
            language=s.language,
            robots_allowed=True,
            kind=s.kind,
        )
        for s in report.sources
    ]
    await graph.upsert_sources(sources)
    await link_sources(graph, cid, [s.source_id for s in sources])
    facts: list[FactInput] = []

    def fact(predicate: str, subject: str, obj: str, url: str, evidence: str | None, **attrs: Any) -> FactInput:
        f = FactInput(
            predicate=predicate,
            subject_key=subject,
            object_key=obj,
            attributes=attrs,
            identity=tuple(k for k in ("title",) if k in attrs),
            source_url=url,
            fetched_at=fetched.get(url, now),
            extractor=TEXT_EXTRACTOR,
            confidence=0.8,
            evidence=evidence,
        )
        facts.append(f)
        return f

    team_ok = any(p.kind == "team" for p in pages)
    people = [
        Person(
            full_name=p.full_name,
            title=p.title,
            seniority=p.seniority,
            function=p.function,
            company_domain=report.domain,
        )
        for p in report.people
    ]
    await graph.upsert_people(people)
    keep = []
    for person, out in zip(people, report.people, strict=True):
        f = fact(
            "WORKS_AT",
            person.person_id,
            cid,
            out.source_url,
            f"{out.full_name} — {out.title}",
            title=out.title,
            seniority=out.seniority,
            function=out.function,
        )
        keep.append(Neo4jGraphStore.fact_id(f))
    techs = report.technologies
    await graph.ensure_objects(
        "Technology",
        "tech_id",
        [{"key": _slug(t.name), "props": {"name": t.name, "category": t.category}} for t in techs],
    )
    uses = [fact("USES", cid, _slug(t.name), t.source_url, t.evidence, category=t.category) for t in techs]
    evidence = c.get("evidence") or {}
    home_url = pages[0].url
    about_url = next((p.url for p in pages if p.kind == "about"), home_url)
    industries = c.get("industries") or []
    await graph.ensure_objects("Industry", "code", [{"key": _slug(i), "props": {"name": i}} for i in industries])
    inds = [fact("IN_INDUSTRY", cid, _slug(i), about_url, evidence.get(f"industry:{i}")) for i in industries]
    places = c.get("locations") or []
    await graph.ensure_objects("Place", "name", [{"key": p, "props": {}} for p in places])
    for place in places:
        fact("LOCATED_IN", cid, place, about_url, evidence.get("locations"))
    customer_companies = []
    for cust in report.customers:
        website = cust.get("website")
        if not website:
            continue
        try:
            cdomain = normalise_domain(website)
        except InvalidDomain:
            continue
        if cdomain == report.domain:
            continue
        customer_companies.append(Company(domain=cdomain, name=cust["name"]))
        fact("CUSTOMER_OF", company_id_for(cdomain), cid, cust["source_url"] or home_url, cust["evidence"])
    await graph.upsert_companies(customer_companies)
    await graph.assert_facts(facts)
    if team_ok and keep:
        closed = await close_departed(graph, cid, keep, at=now)
        report.closed_people = [f"{r['name']} ({r['title']})" for r in closed]
    if uses:
        await graph.close_facts("USES", cid, [Neo4jGraphStore.fact_id(f) for f in uses], at=now)
    if inds:
        await graph.close_facts("IN_INDUSTRY", cid, [Neo4jGraphStore.fact_id(f) for f in inds], at=now)
    signals = []
    for s in report.signals:
        try:
            kind = SignalType(s.type)
        except ValueError:
            continue
        signals.append(
            Signal(
                type=kind,
                company_domain=report.domain,
                evidence=s.evidence,
                source_url=s.source_url,
                occurred_at=_occurred(s.date),
                confidence=s.confidence,
                attributes=s.attributes,
                extractor=SIGNAL_EXTRACTOR,
            )
        )
    await graph.upsert_signals(signals)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
