"""Social monitoring through public feeds: profile URLs map to feeds; API-only platforms say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.web.crawler import Crawler
from knowledge.web.social import FeedConnector, SocialUnavailable, feed_for
from tests.web_fixture import sites
from tests.web_fixture.server import LocalWeb


def test_profile_urls_map_to_public_feeds() -> None:
    assert feed_for("https://www.youtube.com/channel/UC1234567890abcdef").feed_url == (
        "https://www.youtube.com/feeds/videos.xml?channel_id=UC1234567890abcdef"
    )
    assert (
        feed_for("https://bsky.app/profile/acme.bsky.social").feed_url
        == "https://bsky.app/profile/acme.bsky.social/rss"
    )
    assert feed_for("https://mastodon.social/@acme").feed_url == "https://mastodon.social/@acme.rss"
    assert feed_for("https://acme.io/blog/feed.xml").feed_url == "https://acme.io/blog/feed.xml"
    x = feed_for("https://x.com/acme")
    assert x.feed_url is None and "X API" in x.reason
    assert feed_for("https://www.linkedin.com/company/acme").feed_url is None


async def test_feed_connector_reads_a_mastodon_style_profile(test_web: LocalWeb, tmp_path: Path) -> None:
    test_web.add("social.test", "/@acme.rss", sites.ACME_FEED, ctype="application/rss+xml")
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        posts = await FeedConnector(crawler).posts("http://social.test/@acme")
        with pytest.raises(SocialUnavailable, match="LinkedIn"):
            await FeedConnector(crawler).posts("https://www.linkedin.com/company/acme")
    assert [p.title for p in posts][:1] == ["Acme opens Paris office"]
    assert "/@acme.rss" in [h.path for h in test_web.hits_for("social.test")]
