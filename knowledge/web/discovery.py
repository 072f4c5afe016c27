"""Page discovery: classify site links (about, team, careers, pricing, customers, news), sitemaps and RSS/Atom feeds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
from lxml import etree

KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("team", re.compile(r"(team|leadership|management|people|founders|executives|board|who-we-are/team)")),
    ("careers", re.compile(r"(careers?|jobs?|join-us|work-with-us|hiring|vacanc|openings|stellen)")),
    ("customers", re.compile(r"(customers?|case-stud|clients?|success-stor|testimonials|referenzen)")),
    ("pricing", re.compile(r"(pricing|plans|preise)")),
    ("news", re.compile(r"(news|press|newsroom|blog|media|announcements|updates|events|insights|presse)")),
    ("about", re.compile(r"(about|company|who-we-are|our-story|story|ueber-uns|uber-uns)")),
)
KIND_PRIORITY = ("home", "about", "team", "careers", "customers", "news", "pricing", "page")
_SKIP_EXT = re.compile(r"\.(pdf|jpe?g|png|gif|svg|webp|zip|gz|mp4|mp3|docx?|xlsx?|pptx?|css|js|ico|woff2?)$", re.I)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml")


def classify(url: str) -> str:
    path = urlsplit(url).path.lower().rstrip("/")
    if not path:
        return "home"
    for kind, pattern in KINDS:
        if pattern.search(path):
            return kind
    return "page"


def same_site(a: str, b: str) -> bool:
    ha, hb = (urlsplit(a).hostname or "").removeprefix("www."), (urlsplit(b).hostname or "").removeprefix("www.")
    return bool(ha) and (ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha))


def site_links(tree: Any, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, kind) of same-site page links, in page order, without fragments or duplicates."""
    if tree is None:
        return []
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href))[0]
        if not url.startswith(("http://", "https://")) or not same_site(url, base_url) or _SKIP_EXT.search(url):
            continue
        if url not in seen:
            seen.add(url)
            out.append((url, classify(url)))
    return out


def feed_links(tree: Any, base_url: str) -> list[str]:
    """RSS/Atom feeds a page advertises with <link rel="alternate">."""
    if tree is None:
        return []
    out: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower()
        ctype = (link.get("type") or "").lower()
        if "alternate" in rel and ctype in FEED_TYPES and link.get("href"):
            url = urljoin(base_url, link.get("href").strip())
            if url not in out:
                out.append(url)
    return out


@dataclass(frozen=True)
class Sitemap:
    pages: list[tuple[str, str | None]]  # (url, lastmod)
    children: list[str]  # nested sitemaps of a sitemap index


def parse_sitemap(body: bytes) -> Sitemap:
    """Parse a sitemap or sitemap index (XML, recovering from errors) or a plain-text list of URLs."""
    text = body.lstrip()
    if not text.startswith(b"<"):
        urls = [line.strip().decode("utf-8", "replace") for line in body.splitlines()]
        return Sitemap([(u, None) for u in urls if u.startswith(("http://", "https://"))], [])
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(text, parser)
    except etree.XMLSyntaxError:
        return Sitemap([], [])
    if root is None:
        return Sitemap([], [])
    pages: list[tuple[str, str | None]] = []
    children: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname != "loc" or not el.text:
            continue
        parent = el.getparent()
        kind = etree.QName(parent).localname if parent is not None else "url"
        lastmod = None
        if parent is not None:
            for sib in parent:
                if isinstance(sib.tag, str) and etree.QName(sib).localname == "lastmod" and sib.text:
                    lastmod = sib.text.strip()
        (children.append(el.text.strip()) if kind == "sitemap" else pages.append((el.text.strip(), lastmod)))
    return Sitemap(pages, children)


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    published: datetime | None
    summary: str
    feed_title: str


def parse_feed(body: bytes, base_url: str = "") -> list[FeedItem]:
    """Items of an RSS or Atom feed (feedparser tolerates most malformed feeds); [] when it is not a feed."""
    parsed = feedparser.parse(body)
    title = str(parsed.feed.get("title", "")) if parsed.get("feed") else ""
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = urljoin(base_url, str(entry.get("link", "")))
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*when[:6]).replace(tzinfo=UTC) if when else None
        summary = re.sub(r"<[^>]+>", " ", str(entry.get("summary", "")))
        items.append(FeedItem(str(entry.get("title", "")), link, published, " ".join(summary.split()), title))
    return items
