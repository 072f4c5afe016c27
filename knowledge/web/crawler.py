"""The polite crawler: policy, SSRF, robots.txt and rate checks on every fetch; a FetchResult with a reason.

A fetch never raises for network trouble: unreachable hosts, TLS errors, huge bodies, endless redirects and
refusals all come back as ``FetchResult(ok=False, reason=..., detail=...)`` and are recorded for audit.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict
from yarl import URL

from knowledge.observe import FetchObserver
from knowledge.web.cache import CacheEntry, HttpCache
from knowledge.web.config import CrawlerConfig
from knowledge.web.politeness import Politeness, ProxyPool
from knowledge.web.render import RenderError, render_dom
from knowledge.web.robots import RobotsTxt, robots_for_status
from knowledge.web.ssrf import SsrfGuard, SsrfRefused

log = logging.getLogger(__name__)
Recorder = Callable[[dict[str, Any]], Awaitable[None]]

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_HINTS = ("xml", "rss", "atom", "text/plain")
RETRY_STATUSES = {429, 500, 502, 503, 504}
NETWORK_REASONS = {"tls_error", "dns_error", "connect_error", "timeout", "ssrf_refused", "no_working_proxy"}
STATUS_REASONS = {"ok", "not_modified", "http_error", "server_error", "rate_limited"}  # counted by HTTP status


def fetch_status(result: FetchResult) -> int | str:
    """The metrics label of a fetch: the HTTP status when the answer decided it, else the reason code."""
    if result.status is not None and result.reason in STATUS_REASONS:
        return result.status
    return result.reason


@dataclass
class FetchResult:
    """What happened to one URL. ``reason`` is a short code (see docs/research.md), ``detail`` says it in words."""

    url: str
    kind: str = "page"
    final_url: str | None = None
    status: int | None = None
    ok: bool = False
    reason: str = "ok"
    detail: str = ""
    robots_allowed: bool | None = None
    robots_reason: str | None = None
    content_type: str | None = None
    body: bytes = b""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    elapsed_ms: int = 0
    attempts: int = 0
    from_cache: bool = False
    redirects: list[str] = field(default_factory=list)
    proxy: str | None = None

    @property
    def host(self) -> str:
        return URL(self.final_url or self.url).host or ""

    @property
    def text(self) -> str:
        charset = "utf-8"
        if self.content_type and "charset=" in self.content_type:
            charset = self.content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"') or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def record(self) -> dict[str, Any]:
        """The audit row stored with graph.record_fetch (no body)."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "host": URL(self.url).host,
            "kind": self.kind,
            "at": self.fetched_at,
            "status": self.status,
            "ok": self.ok,
            "reason": self.reason,
            "detail": self.detail,
            "robots_allowed": self.robots_allowed,
            "robots_reason": self.robots_reason,
            "content_type": self.content_type,
            "bytes": len(self.body),
            "elapsed_ms": self.elapsed_ms,
            "attempts": self.attempts,
            "from_cache": self.from_cache,
            "redirects": self.redirects,
        }


class _Stop(Exception):
    """Internal: end this fetch with a reason."""

    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.status = reason, detail, status


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that applies the SSRF guard to every connection, after DNS resolution."""

    def __init__(self, guard: SsrfGuard) -> None:
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addrs = await self._guard.resolve(host, port, socket.AF_UNSPEC)
        return [
            ResolveResult(hostname=host, host=ip, port=p, family=fam, proto=0, flags=socket.AI_NUMERICHOST)
            for ip, p, fam in addrs
        ]

    async def close(self) -> None:
        return None


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def denied_domain(host: str, deny: list[str]) -> str | None:
    host = host.lower().rstrip(".")
    for domain in deny:
        d = domain.lower().strip(".")
        if host == d or host.endswith("." + d):
            return d
    return None


class Crawler:
    """Polite, guarded HTTP client for research. Use ``async with Crawler(config) as crawler``."""

    def __init__(
        self,
        config: CrawlerConfig,
        *,
        recorder: Recorder | None = None,
        cache_dir: Path | None = None,
        observer: FetchObserver | None = None,
    ) -> None:
        self.config = config
        self.recorder = recorder
        self.observer = observer
        self.guard = SsrfGuard(config.allow_private_hosts, config.resolve)
        self.politeness = Politeness(config.per_host_rate, config.per_host_concurrency)
        self.proxies = ProxyPool(config.proxies)
        self.cache = HttpCache(cache_dir or Path(config.cache_dir))
        self.log: list[FetchResult] = []
        self._global = asyncio.Semaphore(config.global_concurrency)
        self._robots: dict[str, tuple[RobotsTxt, float]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Crawler:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.guard), limit=self.config.global_concurrency, ttl_dns_cache=60
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.config.user_agent},
                timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds),
                auto_decompress=True,
                trust_env=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ---- public API ---------------------------------------------------------------------------

    async def fetch(self, url: str, *, kind: str = "page") -> FetchResult:
        """Fetch ``url`` politely. ``kind`` is page (HTML), feed, sitemap or robots; it decides accepted types."""
        result = FetchResult(url=url, kind=kind)
        started = time.monotonic()
        try:
            await self._fetch(result)
        except _Stop as stop:
            result.ok, result.reason, result.detail = False, stop.reason, stop.detail
            if stop.status is not None:
                result.status = stop.status
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        level = logging.DEBUG if result.ok else logging.INFO
        log.log(level, "fetch %s -> %s %s %s", url, result.status, result.reason, result.detail)
        await self._record(result)
        return result

    async def render(self, url: str) -> FetchResult:
        """Render ``url`` with headless Chromium after the same policy, SSRF, robots and rate checks as a fetch."""
        result = FetchResult(url=url, kind="render")
        started = time.monotonic()
        try:
            target = URL(url)
            await self._check_target(result, target)
            limiter = self.politeness.host(target.host or "")
            mapped = self.guard.override(target.host or "")
            async with self._global, limiter.slots:
                await limiter.wait_turn()
                limiter.mark_sent()
                html = await render_dom(
                    url,
                    chromium=self.config.chromium_path,
                    budget_ms=self.config.render_budget_ms,
                    timeout=self.config.timeout_seconds + self.config.render_budget_ms / 1000 + 10,
                    user_agent=self.config.user_agent,
                    mapped_to=f"{mapped[0]}:{mapped[1] or target.port}" if mapped else None,
                )
            result.body, result.status, result.ok = html.encode(), 200, True
            result.final_url, result.content_type, result.attempts = url, "text/html; charset=utf-8", 1
        except _Stop as stop:
            result.reason, result.detail = stop.reason, stop.detail
        except (RenderError, OSError, ValueError) as exc:
            result.reason, result.detail = "render_error", str(exc)
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        await self._record(result)
        return result

    async def robots_for(self, url: str) -> RobotsTxt:
        """robots.txt of the URL's origin, fetched once and cached (errors for a shorter time)."""
        u = URL(url)
        origin = f"{u.scheme}://{u.host}:{u.port}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._robots.get(origin)
            if cached and cached[1] > time.monotonic():
                return cached[0]
            res = await self.fetch(str(u.origin() / "robots.txt"), kind="robots")
            status = res.status if res.reason in ("ok", "http_error", "server_error", "rate_limited") else None
            robots = robots_for_status(status, res.body if res.ok else None)
            if status is None and res.reason != "ok":
                robots.note = f"robots.txt unreachable ({res.reason}: {res.detail}): disallow all"
                robots.unreachable = (res.reason, res.detail)
            ttl = self.config.robots_cache_seconds if status is not None and status < 500 else 600
            self._robots[origin] = (robots, time.monotonic() + ttl)
            delay = robots.crawl_delay(self.config.user_agent)
            if delay:
                self.politeness.host(u.host or "").slow_down(delay)
            return robots

    # ---- the pipeline -------------------------------------------------------------------------

    async def _check_target(self, result: FetchResult, url: URL) -> None:
        if url.scheme not in ("http", "https") or not url.host:
            raise _Stop("invalid_url", f"'{url}' is not an http(s) URL with a host")
        bad = denied_domain(url.host, self.config.deny_domains)
        if bad:
            raise _Stop(
                "denied_domain",
                f"refused by policy: {bad} does not permit automated collection (crawler.deny_domains)",
            )
        try:
            await self.guard.resolve(url.host, url.port or 80)
        except SsrfRefused as exc:
            raise _Stop("ssrf_refused", str(exc)) from exc
        except OSError as exc:
            raise _Stop("dns_error", f"cannot resolve {url.host}: {exc}") from exc
        if result.kind == "robots":
            return
        robots = await self.robots_for(str(url))
        decision = robots.decide(self.config.user_agent, str(url))
        result.robots_allowed, result.robots_reason = decision.allowed, decision.reason
        if not decision.allowed and robots.unreachable and robots.unreachable[0] in NETWORK_REASONS:
            reason, detail = robots.unreachable
            raise _Stop(reason, f"{detail} (while reading robots.txt; nothing fetched from this host)")
        if not decision.allowed:
            raise _Stop("robots_disallowed", f"robots.txt disallows {url.path}: {decision.reason}")
        delay = robots.crawl_delay(self.config.user_agent)
        if delay and delay > self.config.max_crawl_delay_seconds:
            raise _Stop(
                "crawl_delay_too_long",
                f"robots.txt asks for {delay:g}s between requests (> crawler.max_crawl_delay_seconds); skipped",
            )

    async def _fetch(self, result: FetchResult) -> None:
        try:
            url = URL(result.url)
        except (ValueError, TypeError) as exc:
            raise _Stop("invalid_url", f"'{result.url}' is not a URL: {exc}") from exc
        max_redirects = 5 if result.kind == "robots" else self.config.max_redirects
        while True:
            await self._check_target(result, url)
            status, headers, body = await self._request(result, url)
            if status in (301, 302, 303, 307, 308) and headers.get("Location"):
                try:
                    nxt = url.join(URL(headers["Location"]))
                except ValueError as exc:
                    raise _Stop("invalid_redirect", f"bad Location header: {exc}", status) from exc
                if len(result.redirects) >= max_redirects:
                    raise _Stop("too_many_redirects", f"more than {max_redirects} redirects (last: {nxt})", status)
                result.redirects.append(str(nxt))
                url = nxt
                continue
            break
        result.final_url, result.status = str(url), status
        result.content_type = headers.get("Content-Type")
        if status == 304:
            cached = await self.cache.get(str(url))
            if cached is None:
                raise _Stop("cache_miss", "server said 304 Not Modified but the cache entry is gone", status)
            result.body, result.from_cache, result.content_type = cached[1], True, cached[0].content_type
        elif 400 <= status < 500 and status != 429:
            raise _Stop("http_error", f"HTTP {status}", status)
        elif status in RETRY_STATUSES:
            reason = "rate_limited" if status == 429 else "server_error"
            raise _Stop(reason, f"HTTP {status} after {result.attempts} attempt(s)", status)
        elif status >= 300:
            raise _Stop("http_error", f"HTTP {status}", status)
        else:
            result.body = body
            await self.cache.put(
                CacheEntry(str(url), headers.get("ETag"), headers.get("Last-Modified"), result.content_type, status),
                body,
            )
        self._check_type(result)
        result.ok, result.reason = True, "not_modified" if result.from_cache else "ok"

    def _check_type(self, result: FetchResult) -> None:
        ctype = (result.content_type or "").split(";")[0].strip().lower()
        if result.kind == "robots":
            return
        if result.kind == "page":
            if ctype in HTML_TYPES or (not ctype and result.body.lstrip()[:1] == b"<"):
                return
            raise _Stop("bad_content_type", f"not an HTML page (Content-Type: {ctype or 'none'})", result.status)
        if not ctype or any(h in ctype for h in XML_HINTS) or ctype in HTML_TYPES:
            return
        raise _Stop("bad_content_type", f"not a feed or sitemap (Content-Type: {ctype})", result.status)

    async def _request(self, result: FetchResult, url: URL) -> tuple[int, Mapping[str, str], bytes]:
        """One URL with retries on 429/5xx/timeouts; returns status, headers, body (capped)."""
        limiter = self.politeness.host(url.host or "")
        cached = await self.cache.get(str(url)) if result.kind != "robots" else None
        headers: dict[str, str] = {}
        if cached:
            if cached[0].etag:
                headers["If-None-Match"] = cached[0].etag
            if cached[0].last_modified:
                headers["If-Modified-Since"] = cached[0].last_modified
        attempt = 0
        while True:
            attempt += 1
            result.attempts += 1
            proxy = self.proxies.pick(url.host or "")
            if self.proxies.configured and proxy is None:
                raise _Stop("no_working_proxy", "every configured proxy has failed (crawler.proxies)")
            result.proxy = proxy
            wait: float | None = None
            try:
                async with self._global, limiter.slots:
                    await limiter.wait_turn()
                    limiter.mark_sent()
                    try:
                        status, resp_headers, body = await self._once(url, headers, proxy)
                    finally:  # spacing counts from the answer too: a late-sent request never shortens the gap
                        limiter.mark_sent()
                if status not in RETRY_STATUSES:
                    return status, resp_headers, body
                wait = retry_after_seconds(resp_headers.get("Retry-After"))
                if attempt > self.config.max_retries:
                    return status, resp_headers, body
                if wait is not None and wait > self.config.max_retry_after_seconds:
                    raise _Stop(
                        "rate_limited" if status == 429 else "server_error",
                        f"HTTP {status} with Retry-After {wait:g}s (> crawler.max_retry_after_seconds)",
                        status,
                    )
            except aiohttp.ClientProxyConnectionError as exc:
                if proxy:
                    log.warning("proxy %s failed (%s); taking it out of rotation", proxy, type(exc).__name__)
                    self.proxies.fail(proxy)
                attempt -= 1  # a dead proxy is not the target's fault
                continue
            except SsrfRefused as exc:
                raise _Stop("ssrf_refused", str(exc)) from exc
            except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
                raise _Stop("tls_error", f"TLS failed for {url.host}: {type(exc).__name__}") from exc
            except aiohttp.ClientConnectorDNSError as exc:
                raise _Stop("dns_error", f"cannot resolve {url.host}") from exc
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                if isinstance(exc.__cause__, SsrfRefused):
                    raise _Stop("ssrf_refused", str(exc.__cause__)) from exc
                reason = "timeout" if isinstance(exc, TimeoutError) else "connect_error"
                if attempt > self.config.max_retries:
                    detail = f"{type(exc).__name__} after {attempt} attempt(s)"
                    if reason == "timeout":
                        detail = f"no answer within {self.config.timeout_seconds:g}s after {attempt} attempt(s)"
                    raise _Stop(reason, detail) from exc
            backoff = self.config.retry_backoff_seconds * (2 ** (attempt - 1))
            await asyncio.sleep(max(backoff, wait or 0.0))

    async def _once(self, url: URL, headers: dict[str, str], proxy: str | None) -> tuple[int, Mapping[str, str], bytes]:
        cap = self.config.max_body_bytes
        async with self._client().get(url, headers=headers, allow_redirects=False, proxy=proxy) as resp:
            h = CIMultiDict(resp.headers)
            length = resp.content_length
            if length is not None and length > cap:
                raise _Stop("too_large", f"body of {length} bytes exceeds crawler.max_body_bytes ({cap})", resp.status)
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(65536):
                size += len(chunk)
                if size > cap:
                    raise _Stop("too_large", f"body exceeds crawler.max_body_bytes ({cap}); cut off", resp.status)
                chunks.append(chunk)
            return resp.status, h, b"".join(chunks)

    async def _record(self, result: FetchResult) -> None:
        self.log.append(result)
        if self.observer is not None:
            try:
                self.observer.record_fetch(fetch_status(result))
                if result.reason == "robots_disallowed":
                    self.observer.record_robots_refusal()
            except Exception:  # metrics must never stop research
                log.debug("fetch observer failed", exc_info=True)
        if self.recorder is None:
            return
        try:
            await self.recorder(result.record())
        except Exception as exc:  # the audit store being down must not stop research
            log.warning("could not record fetch of %s: %s", result.url, type(exc).__name__)
