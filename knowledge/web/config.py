"""Crawler politeness and safety settings (the `crawler:` section of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CrawlerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_agent: str = Field(
        "AMIA-Research/0.1 (+https://github.com/amia-project/amia; research bot)",
        description="User-Agent sent with every request; its first word is the robots.txt product token",
    )
    per_host_rate: float = Field(0.5, gt=0, description="maximum requests per second to one host")
    per_host_concurrency: int = Field(1, ge=1, le=8, description="parallel requests to one host")
    global_concurrency: int = Field(16, ge=1, le=256, description="parallel requests across all hosts")
    timeout_seconds: float = Field(20.0, gt=0, description="total timeout for one request")
    max_body_bytes: int = Field(5_000_000, ge=10_000, description="larger responses are cut off and refused")
    max_redirects: int = Field(5, ge=0, le=20, description="redirects followed per request")
    max_retries: int = Field(2, ge=0, le=10, description="retries on 429/5xx/timeouts, with backoff")
    max_pages_per_company: int = Field(20, ge=1, le=500, description="pages fetched per company research run")
    cache_dir: str = Field("var/http-cache", description="on-disk cache for conditional requests (ETag)")
    allow_private_hosts: list[str] = Field(
        default_factory=list,
        description="hosts or IPs allowed even though they resolve to private/loopback ranges (tests only)",
    )
    deny_domains: list[str] = Field(
        default_factory=lambda: ["linkedin.com", "facebook.com", "instagram.com", "x.com", "twitter.com"],
        description="domains whose terms forbid automated collection; never fetched",
    )
    proxies: list[str] = Field(default_factory=list, description="HTTP proxies to rotate through (sticky per host)")
    render_js: bool = Field(False, description="render pages with headless Chromium when static HTML has little text")
    chromium_path: str = Field("/usr/bin/chromium", description="Chromium binary used for JS rendering")
    render_min_text_chars: int = Field(
        200, ge=0, description="render with Chromium only when the static page yields fewer characters of text"
    )
    render_budget_ms: int = Field(3000, ge=100, le=60000, description="virtual time Chromium gives scripts to run")
    retry_backoff_seconds: float = Field(1.0, ge=0, description="first retry waits this long, doubling each time")
    max_retry_after_seconds: float = Field(
        120.0, ge=0, description="a Retry-After longer than this gives up instead of waiting"
    )
    max_crawl_delay_seconds: float = Field(
        60.0, ge=0, description="hosts whose robots.txt Crawl-delay is longer are skipped rather than crawled faster"
    )
    robots_cache_seconds: int = Field(86400, ge=60, description="how long a fetched robots.txt is trusted")
    resolve: dict[str, str] = Field(
        default_factory=dict,
        description="host → 'ip' or 'ip:port' overrides, like curl --resolve (split-horizon DNS, the test web)",
    )
