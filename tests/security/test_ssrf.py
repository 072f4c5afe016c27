"""SSRF corpus: every way of spelling an internal address is refused, directly, via DNS and via redirects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from knowledge.web.config import CrawlerConfig
from knowledge.web.crawler import Crawler
from knowledge.web.ssrf import SsrfGuard, SsrfRefused

INTERNAL_HOSTS = [
    "127.0.0.1",
    "127.1",  # short form
    "2130706433",  # decimal 127.0.0.1
    "0x7f000001",  # hex
    "0x7f.0x0.0x0.0x1",  # dotted hex
    "0177.0.0.1",  # octal
    "017700000001",  # octal, one number
    "0",  # 0.0.0.0
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # cloud metadata
    "2852039166",  # 169.254.169.254 in decimal
    "0xa9fea9fe",  # 169.254.169.254 in hex
    "169.254.170.2",  # ECS metadata
    "100.100.100.200",  # Alibaba metadata
    "[::1]",
    "::1",
    "[::]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[::ffff:169.254.169.254]",
    "[64:ff9b::a9fe:a9fe]",  # NAT64 of the metadata address
    "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    "[fe80::1]",  # link-local
    "[fc00::1]",  # unique local
    "[fd00:ec2::254]",  # AWS IPv6 metadata
    "224.0.0.1",  # multicast
    "metadata.google.internal",
    "metadata",
    "localhost",  # a real name whose answer is loopback (resolver → /etc/hosts)
    "LOCALHOST.",
]


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
async def test_internal_host_is_refused(host: str) -> None:
    with pytest.raises(SsrfRefused, match="refused"):
        await SsrfGuard().resolve(host.strip("[]") if host.count(":") > 1 else host, 80)


async def test_dns_answer_into_a_private_range_is_refused() -> None:
    # A public-looking name whose answer points inside the network (DNS rebinding style), pinned like curl --resolve.
    guard = SsrfGuard(overrides={"innocent.example": "10.1.2.3", "rebind.example": "::ffff:192.168.0.10"})
    for name in ("innocent.example", "rebind.example"):
        with pytest.raises(SsrfRefused, match="private"):
            await guard.resolve(name, 443)


async def test_public_addresses_pass() -> None:
    for ip in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"):
        assert (await SsrfGuard().resolve(ip, 443))[0][0] == ip


async def test_allow_list_is_exact() -> None:
    guard = SsrfGuard(allow_private_hosts=["127.0.0.1"])
    assert await guard.resolve("127.0.0.1", 80)
    with pytest.raises(SsrfRefused):
        await guard.resolve("127.0.0.2", 80)


@pytest.fixture
async def redirector() -> AsyncIterator[str]:
    """A site on 127.0.0.1 (allow-listed, as a trusted intranet host would be) that redirects inward."""

    async def robots(_: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nAllow: /\n")

    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/go", bounce)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706434/",  # 127.0.0.2
        "http://0x7f000002/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::1]/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://0.0.0.0/",
        "http://10.0.0.1/admin",
    ],
)
async def test_redirect_into_internal_ranges_is_refused(redirector: str, target: str, tmp_path: Path) -> None:
    config = CrawlerConfig(allow_private_hosts=["127.0.0.1"], max_retries=0)
    async with Crawler(config, cache_dir=tmp_path) as crawler:
        result = await crawler.fetch(f"{redirector}/go?to={target}")
    assert not result.ok
    assert result.reason == "ssrf_refused", (result.reason, result.detail)
    assert result.body == b""
