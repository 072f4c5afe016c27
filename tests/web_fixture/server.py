"""A local multi-host test web on 127.0.0.1: one aiohttp server answering by Host header, with a request log."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from knowledge.web.config import CrawlerConfig
from tests.web_fixture import sites

Handler = Callable[[web.Request], Any]


@dataclass
class Hit:
    host: str
    path: str
    at: float
    user_agent: str
    headers: dict[str, str]


@dataclass
class LocalWeb:
    """Routes: host → path → (status, content_type, body, headers) or an async handler."""

    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    port: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        host: str,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        ctype: str = "text/html",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.routes.setdefault(host, {})[path] = (status, ctype, body, headers or {})

    def handler(self, host: str, path: str, fn: Handler) -> None:
        self.routes.setdefault(host, {})[path] = fn

    def hosts(self) -> list[str]:
        return list(self.routes)

    def hits_for(self, host: str) -> list[Hit]:
        return [h for h in self.hits if h.host == host]

    def config(self, **overrides: Any) -> CrawlerConfig:
        data: dict[str, Any] = {
            "user_agent": "AMIA-Research/0.1 (+https://example.org/bot)",
            "per_host_rate": 20.0,
            "per_host_concurrency": 1,
            "timeout_seconds": 2.0,
            "retry_backoff_seconds": 0.05,
            "max_body_bytes": 2_000_000,
            "allow_private_hosts": self.hosts(),
            "resolve": {h: f"127.0.0.1:{self.port}" for h in self.hosts()},
        }
        data.update(overrides)
        return CrawlerConfig(**data)

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        host = (request.host or "").split(":")[0].lower()
        self.hits.append(
            Hit(host, request.path_qs, time.monotonic(), request.headers.get("User-Agent", ""), dict(request.headers))
        )
        route = self.routes.get(host, {}).get(request.path) or self.routes.get(host, {}).get(request.path_qs)
        if route is None:
            return web.Response(status=404, text="not found")
        if callable(route):
            result: web.StreamResponse = await route(request)
            return result
        status, ctype, body, headers = route
        data = body.encode() if isinstance(body, str) else body
        etag = headers.get("ETag")
        if etag and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        return web.Response(status=status, body=data, content_type=ctype.split(";")[0], headers=headers)


def build_web() -> LocalWeb:
    w = LocalWeb()
    acme = {
        "/": sites.ACME_HOME,
        "/about": sites.ACME_ABOUT,
        "/team": sites.ACME_TEAM,
        "/careers": sites.ACME_CAREERS,
        "/customers": sites.ACME_CUSTOMERS,
        "/pricing": sites.ACME_PRICING,
        "/news": sites.ACME_NEWS,
        "/news/series-b": sites.ACME_SERIES_B,
        "/news/paris-office": sites.ACME_PARIS,
        "/private/secret": sites.page("secret", "<p>secret</p>"),
        "/internal/roadmap": sites.page("r", "<p>r</p>"),
    }
    for path, html in acme.items():
        w.add("acme.test", path, html, headers={"ETag": f'"{abs(hash(html))}"'})
    w.add("acme.test", "/robots.txt", sites.ACME_ROBOTS, ctype="text/plain")
    w.add("acme.test", "/sitemap.xml", sites.ACME_SITEMAP, ctype="application/xml")
    w.add("acme.test", "/feed.xml", sites.ACME_FEED, ctype="application/rss+xml")
    w.add("acme.test", "/brochure.pdf", b"%PDF-1.4 binary", ctype="application/pdf")
    w.add("acme.test", "/huge", b"<html><body>" + b"x" * 10_500_000 + b"</body></html>")
    w.add("acme.test", "/garbage", sites.GARBAGE)

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.5)
        return web.Response(text="<html>late</html>", content_type="text/html")

    w.handler("slow.test", "/", slow)
    w.add("slow.test", "/robots.txt", "User-agent: *\nAllow: /\n", ctype="text/plain")

    async def flaky(request: web.Request) -> web.Response:
        n = w.counters["flaky"] = w.counters.get("flaky", 0) + 1
        if n <= 2:
            return web.Response(status=503, headers={"Retry-After": "1"}, text="busy")
        return web.Response(text=sites.page("Flaky Co", "<p>Finally up.</p>"), content_type="text/html")

    w.handler("flaky.test", "/", flaky)

    async def redirect(request: web.Request) -> web.Response:
        targets = {
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-loopback": f"http://127.0.0.1:{w.port}/",
            "/to-decimal": f"http://2130706433:{w.port}/",
            "/to-mapped": f"http://[::ffff:127.0.0.1]:{w.port}/",
            "/to-acme": "http://acme.test/about",
            "/loop": "/loop2",
            "/loop2": "/loop",
        }
        return web.Response(status=302, headers={"Location": targets[request.path]})

    for path in ("/to-metadata", "/to-loopback", "/to-decimal", "/to-mapped", "/to-acme", "/loop", "/loop2"):
        w.handler("redirect.test", path, redirect)
    w.add("robots5xx.test", "/robots.txt", "oops", status=503, ctype="text/plain")
    w.add("robots5xx.test", "/", sites.page("x", "<p>x</p>"))
    w.add("robots404.test", "/", sites.page("Open", "<p>open</p>"))
    w.add("delay.test", "/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n", ctype="text/plain")
    for i in range(4):
        w.add("delay.test", f"/p{i}", sites.page(f"p{i}", f"<p>page {i}</p>"))
    w.add("js.test", "/", sites.JS_PAGE)
    return w


async def start(web_: LocalWeb) -> web.AppRunner:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", web_.dispatch)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    web_.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner


@pytest.fixture
async def test_web() -> AsyncIterator[LocalWeb]:
    w = build_web()
    runner = await start(w)
    try:
        yield w
    finally:
        await runner.cleanup()
