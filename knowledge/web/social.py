"""Social media monitoring through what platforms publish openly: profile URL → public RSS/Atom feed.

Keyless feeds exist for YouTube channels, Mastodon accounts, Bluesky profiles, company blogs and podcasts. X and
LinkedIn only offer credentialed APIs (and forbid scraping): :func:`feed_for` says so instead of fetching.
A :class:`SocialConnector` for such an API can be added behind the same interface once credentials exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from knowledge.web.crawler import Crawler
from knowledge.web.discovery import FeedItem, parse_feed

API_ONLY = {
    "x.com": "X (Twitter) posts are only available through the paid X API with credentials",
    "twitter.com": "X (Twitter) posts are only available through the paid X API with credentials",
    "linkedin.com": "LinkedIn posts are only available through the LinkedIn Marketing/Sales APIs with credentials",
    "facebook.com": "Facebook posts are only available through the Graph API with credentials",
    "instagram.com": "Instagram posts are only available through the Graph API with credentials",
}


@dataclass(frozen=True)
class FeedTarget:
    """Where to read a profile: ``feed_url``, or ``None`` with ``reason`` saying why it cannot be read."""

    profile: str
    platform: str
    feed_url: str | None
    reason: str = ""


def feed_for(profile_url: str) -> FeedTarget:
    """Map a public profile/channel URL to its keyless feed."""
    parts = urlsplit(profile_url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/")
    for domain, reason in API_ONLY.items():
        if host == domain or host.endswith("." + domain):
            return FeedTarget(profile_url, domain.split(".")[0], None, reason)
    if host == "youtube.com":
        if m := re.match(r"^/channel/(UC[\w-]{10,})$", path):
            return FeedTarget(
                profile_url, "youtube", f"https://www.youtube.com/feeds/videos.xml?channel_id={m.group(1)}"
            )
        if "feeds/videos.xml" in path:
            return FeedTarget(profile_url, "youtube", profile_url)
        return FeedTarget(
            profile_url, "youtube", None, "use the channel URL (youtube.com/channel/UC…): handles need the API"
        )
    if host == "bsky.app" and (m := re.match(r"^/profile/([^/]+)(?:/rss)?$", path)):
        return FeedTarget(profile_url, "bluesky", f"https://bsky.app/profile/{m.group(1)}/rss")
    if re.match(r"^/@[\w.]+(?:\.rss)?$", path):  # Mastodon and other ActivityPub servers
        base = path[:-4] if path.endswith(".rss") else path
        return FeedTarget(profile_url, "mastodon", f"{parts.scheme or 'https'}://{parts.netloc}{base}.rss")
    return FeedTarget(profile_url, "feed", profile_url)


class SocialConnector(Protocol):
    """Reads recent public posts of a profile. Implementations: :class:`FeedConnector`; API connectors later."""

    async def posts(self, profile_url: str) -> list[FeedItem]: ...


class SocialUnavailable(Exception):
    """The profile cannot be read without credentials, or its feed could not be fetched; the message says why."""


class FeedConnector:
    """Reads a profile's public feed with the polite crawler (robots.txt, SSRF guard and deny-list apply)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    async def posts(self, profile_url: str) -> list[FeedItem]:
        target = feed_for(profile_url)
        if target.feed_url is None:
            raise SocialUnavailable(f"{profile_url}: {target.reason}")
        res = await self.crawler.fetch(target.feed_url, kind="feed")
        if not res.ok:
            raise SocialUnavailable(f"{target.feed_url}: {res.reason} ({res.detail})")
        return parse_feed(res.body, target.feed_url)
