"""Per-host politeness: a request-spacing token bucket (honours Crawl-delay), per-host concurrency, proxy stickiness."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class HostLimiter:
    """Spaces requests to one host at least ``interval`` seconds apart (a token bucket holding one token)."""

    interval: float
    concurrency: int = 1
    _next: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.concurrency)

    def slow_down(self, interval: float) -> None:
        """Never faster than asked: robots.txt Crawl-delay can only lengthen the interval."""
        self.interval = max(self.interval, interval)

    async def wait_turn(self) -> float:
        """Sleep until this host may be asked again; returns the seconds waited."""
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        waited = start - now
        if waited > 0:
            await asyncio.sleep(waited)
        return waited

    def mark_sent(self) -> None:
        """Called as a request leaves and again when its answer arrives: the next request waits a full interval
        from the later of the two, so a request that left late (busy event loop) never shortens the gap seen by
        the server."""
        self._next = max(self._next, time.monotonic() + self.interval)

    @property
    def slots(self) -> asyncio.Semaphore:
        return self._slots


class Politeness:
    """One limiter per host, created on first use with the configured rate and concurrency."""

    def __init__(self, per_host_rate: float, per_host_concurrency: int) -> None:
        self._interval = 1.0 / per_host_rate
        self._concurrency = per_host_concurrency
        self._hosts: dict[str, HostLimiter] = {}

    def host(self, host: str) -> HostLimiter:
        limiter = self._hosts.get(host)
        if limiter is None:
            limiter = self._hosts[host] = HostLimiter(self._interval, self._concurrency)
        return limiter


class ProxyPool:
    """Rotates configured proxies: each host keeps its proxy while it works; a failing proxy is taken out."""

    def __init__(self, proxies: list[str]) -> None:
        self._all = list(proxies)
        self._alive = list(proxies)
        self._sticky: dict[str, str] = {}
        self._next = 0

    @property
    def configured(self) -> bool:
        return bool(self._all)

    @property
    def alive(self) -> list[str]:
        return list(self._alive)

    def pick(self, host: str) -> str | None:
        """The proxy for ``host`` (None when none are configured or all have failed)."""
        current = self._sticky.get(host)
        if current in self._alive:
            return current
        if not self._alive:
            return None
        proxy = self._alive[self._next % len(self._alive)]
        self._next += 1
        self._sticky[host] = proxy
        return proxy

    def fail(self, proxy: str) -> None:
        if proxy in self._alive:
            self._alive.remove(proxy)
        for host in [h for h, p in self._sticky.items() if p == proxy]:
            del self._sticky[host]
