"""The polite crawler against the local multi-host test web: politeness, robots, SSRF, bad input."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from knowledge.web.crawler import Crawler
from tests.web_fixture.server import LocalWeb


async def test_fetch_ok_sends_user_agent_and_reads_robots_first(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch("http://acme.test/about")
    assert res.ok and res.status == 200 and "Founded in 2015" in res.text
    assert res.robots_allowed is True
    hits = test_web.hits_for("acme.test")
    assert [h.path for h in hits] == ["/robots.txt", "/about"]
    assert all(h.user_agent.startswith("AMIA-Research/0.1") for h in hits)


async def test_robots_disallow_is_obeyed_and_specific_group_wins(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        internal = await crawler.fetch("http://acme.test/internal/roadmap")
        private = await crawler.fetch("http://acme.test/private/secret")
    # our own group (AMIA-Research) replaces '*': /internal is disallowed, /private is not
    assert internal.reason == "robots_disallowed" and not internal.ok
    assert "/internal" in internal.detail
    assert private.ok
    assert "/internal/roadmap" not in [h.path for h in test_web.hits]


async def test_robots_5xx_disallows_all_and_4xx_allows_all(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        blocked = await crawler.fetch("http://robots5xx.test/")
        open_ = await crawler.fetch("http://robots404.test/")
    assert blocked.reason == "robots_disallowed" and "503" in (blocked.robots_reason or "")
    assert {h.path for h in test_web.hits_for("robots5xx.test")} == {"/robots.txt"}  # retried, page never asked
    assert open_.ok


async def test_per_host_rate_and_crawl_delay(test_web: LocalWeb, tmp_path: Path) -> None:
    config = test_web.config(per_host_rate=10.0)
    async with Crawler(config, cache_dir=tmp_path) as crawler:
        import asyncio

        await asyncio.gather(*(crawler.fetch(f"http://delay.test/p{i}") for i in range(4)))
        await asyncio.gather(*(crawler.fetch(f"http://acme.test/{p}") for p in ("", "about", "team", "pricing")))
    delay_times = [h.at for h in test_web.hits_for("delay.test")]
    gaps = [b - a for a, b in itertools.pairwise(delay_times)]
    assert len(delay_times) == 5  # robots + 4 pages
    # Crawl-delay 0.3 s honoured after robots.txt was read (arrival times jitter a few ms around the schedule)
    assert min(gaps[1:]) >= 0.25 and (delay_times[-1] - delay_times[1]) / 3 >= 0.29
    acme_times = [h.at for h in test_web.hits_for("acme.test")]
    acme_gaps = [b - a for a, b in itertools.pairwise(acme_times)]
    assert min(acme_gaps) >= 0.07  # 10 requests/s configured
    assert (len(acme_times) - 1) / (acme_times[-1] - acme_times[0]) <= 10.5


async def test_retry_honours_retry_after(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(max_retries=3), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch("http://flaky.test/")
    assert res.ok and res.attempts == 3
    times = [h.at for h in test_web.hits_for("flaky.test") if h.path == "/"]
    assert times[1] - times[0] >= 0.95 and times[2] - times[1] >= 0.95


async def test_gives_up_after_retries_with_reason(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(max_retries=1, max_retry_after_seconds=5), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch("http://flaky.test/")
    assert not res.ok and res.reason == "server_error" and res.status == 503


async def test_timeout_reason(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(timeout_seconds=0.3, max_retries=0), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch("http://slow.test/")
    assert res.reason == "timeout" and "0.3" in res.detail


@pytest.mark.parametrize("path", ["/to-metadata", "/to-loopback", "/to-decimal", "/to-mapped"])
async def test_redirect_into_private_range_is_refused(test_web: LocalWeb, tmp_path: Path, path: str) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch(f"http://redirect.test{path}")
    assert res.reason == "ssrf_refused", res.detail
    assert not res.ok and res.redirects
    assert all(h.host != "127.0.0.1" for h in test_web.hits)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://0177.0.0.1/",
        "http://0x7f.1/",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/",
    ],
)
async def test_direct_private_targets_refused(test_web: LocalWeb, tmp_path: Path, url: str) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch(url)
    assert res.reason == "ssrf_refused" and "allow_private_hosts" in res.detail


async def test_redirect_to_allowed_host_is_followed_with_its_own_robots(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch("http://redirect.test/to-acme")
        loop = await crawler.fetch("http://redirect.test/loop")
    assert res.ok and res.final_url == "http://acme.test/about" and res.redirects == ["http://acme.test/about"]
    assert "/robots.txt" in [h.path for h in test_web.hits_for("acme.test")]
    assert loop.reason == "too_many_redirects"


async def test_denied_domain_refused_by_policy(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        res = await crawler.fetch("https://www.linkedin.com/company/acme")
    assert res.reason == "denied_domain" and "linkedin.com" in res.detail
    assert "terms" in res.detail or "automated collection" in res.detail


async def test_bad_input_gives_reasons(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        pdf = await crawler.fetch("http://acme.test/brochure.pdf")
        huge = await crawler.fetch("http://acme.test/huge")
        missing = await crawler.fetch("http://acme.test/nope")
        nodns = await crawler.fetch("http://no-such-host.invalid/")
        bad = await crawler.fetch("ftp://acme.test/")
        tls = await crawler.fetch("https://acme.test/about")
    assert pdf.reason == "bad_content_type" and "application/pdf" in pdf.detail
    assert huge.reason == "too_large"
    assert missing.reason == "http_error" and missing.status == 404
    assert nodns.reason == "dns_error"
    assert bad.reason == "invalid_url"
    assert tls.reason == "tls_error" and "robots.txt" in tls.detail  # the host's TLS is broken, said plainly
    assert not any(r.ok for r in (pdf, huge, missing, nodns, bad, tls))


async def test_conditional_request_uses_disk_cache(test_web: LocalWeb, tmp_path: Path) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        first = await crawler.fetch("http://acme.test/about")
    async with Crawler(test_web.config(), cache_dir=tmp_path) as crawler:
        second = await crawler.fetch("http://acme.test/about")
    assert first.ok and not first.from_cache
    assert second.ok and second.from_cache and second.status == 304 and second.body == first.body
    last = [h for h in test_web.hits_for("acme.test") if h.path == "/about"][-1]
    assert last.headers.get("If-None-Match")


async def test_every_fetch_is_recorded(test_web: LocalWeb, tmp_path: Path) -> None:
    rows: list[dict[str, object]] = []

    async def recorder(row: dict[str, object]) -> None:
        rows.append(row)

    async with Crawler(test_web.config(), cache_dir=tmp_path, recorder=recorder) as crawler:
        await crawler.fetch("http://acme.test/internal/roadmap")
    assert [(r["kind"], r["reason"]) for r in rows] == [("robots", "ok"), ("page", "robots_disallowed")]
    assert rows[1]["robots_allowed"] is False


async def test_proxy_rotation_drops_dead_proxy(test_web: LocalWeb, tmp_path: Path) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    config = test_web.config(proxies=[dead], allow_private_hosts=[*test_web.hosts(), "127.0.0.1"])
    async with Crawler(config, cache_dir=tmp_path) as crawler:
        res = await crawler.fetch("http://robots404.test/")
    assert res.reason == "no_working_proxy" and "crawler.proxies" in res.detail
    assert crawler.proxies.alive == []
