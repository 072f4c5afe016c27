"""Watchlist hook: research tracked domains and scan feeds on a schedule; a feed item naming a tracked company
triggers research of that company (event-driven). Entries are domains, feed URLs, or public social profiles
(YouTube channel, Mastodon, Bluesky: read through their feeds). The scheduler calls :func:`run_watchlist`."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from agents.workflows.research import ResearchReport
from knowledge.models import InvalidDomain, normalise_domain
from knowledge.signals.detector import detect_signals
from knowledge.web.crawler import Crawler
from knowledge.web.discovery import parse_feed
from knowledge.web.social import feed_for

log = logging.getLogger(__name__)
Research = Callable[[str], Awaitable[ResearchReport]]
FEED_HINT = re.compile(r"(\.xml|\.rss|\.atom|/feed/?|/rss/?|/atom/?|format=rss|/feeds?/)", re.IGNORECASE)


class FeedHit(BaseModel):
    feed: str
    title: str
    link: str
    mentions: list[str] = Field(default_factory=list, description="tracked domains the item names")
    signals: list[dict[str, object]] = Field(default_factory=list)


class WatchlistRun(BaseModel):
    researched: list[ResearchReport] = Field(default_factory=list)
    feed_hits: list[FeedHit] = Field(default_factory=list)
    discovered_domains: list[str] = Field(default_factory=list, description="new companies linked from feed items")
    errors: list[str] = Field(default_factory=list)


def is_feed(entry: str) -> bool:
    return "://" in entry and bool(FEED_HINT.search(entry))


def _names_for(domain: str, names: dict[str, str]) -> list[str]:
    label = domain.split(".")[0]
    out = [domain, label] if len(label) >= 4 else [domain]
    if names.get(domain):
        out.append(names[domain])
    return out


async def run_watchlist(
    entries: list[str],
    *,
    crawler: Crawler,
    research: Research,
    company_names: dict[str, str] | None = None,
) -> WatchlistRun:
    """Research every domain entry; read every feed entry and research tracked companies its new items mention."""
    run = WatchlistRun()
    names = company_names or {}
    tracked: list[str] = []
    feeds: list[str] = []
    for entry in entries:
        if "://" in entry:
            target = feed_for(entry)
            if target.feed_url is None:
                run.errors.append(f"watchlist entry {entry!r}: {target.reason}")
                continue
            if target.platform != "feed" or is_feed(entry):
                feeds.append(target.feed_url)
                continue
        try:
            tracked.append(normalise_domain(entry))
        except InvalidDomain as exc:
            run.errors.append(f"watchlist entry {entry!r}: {exc}")
    triggered: set[str] = set()
    for feed in feeds:
        res = await crawler.fetch(feed, kind="feed")
        if not res.ok:
            run.errors.append(f"feed {feed}: {res.reason} ({res.detail})")
            continue
        for item in parse_feed(res.body, feed):
            text = f"{item.title}. {item.summary}"
            low = text.lower()
            mentions = [d for d in tracked if any(n.lower() in low for n in _names_for(d, names))]
            host = (urlsplit(item.link).hostname or "").removeprefix("www.")
            if host and host not in tracked and host not in run.discovered_domains and host != urlsplit(feed).hostname:
                run.discovered_domains.append(host)
            if mentions:
                signals = [s.as_dict() for s in detect_signals(text)]
                run.feed_hits.append(
                    FeedHit(feed=feed, title=item.title, link=item.link, mentions=mentions, signals=signals)
                )
                triggered.update(mentions)
    for domain in [*tracked]:
        try:
            run.researched.append(await research(domain))
        except Exception as exc:  # one company's failure must not stop the watchlist
            log.exception("watchlist research of %s failed", domain)
            run.errors.append(f"{domain}: research failed ({type(exc).__name__})")
    log.info(
        "watchlist: %d researched, %d feed hits (%d triggered)", len(run.researched), len(run.feed_hits), len(triggered)
    )
    return run
