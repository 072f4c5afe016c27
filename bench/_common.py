"""Pieces the benchmarks share: a throwaway local Neo4j, percentiles, signed slash commands, graph data generators.

Benches import it as `from _common import ...` (the script folder is on sys.path); it puts the repository root there.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # also when run on its own (`make bench` runs every file here): nothing happens

from bot.localneo4j import LocalNeo4j  # noqa: E402
from bot.localneo4j.server import ServerInfo, free_port  # noqa: E402
from knowledge.graph.store import FactInput  # noqa: E402
from knowledge.models import Company, company_id_for  # noqa: E402
from tests.fakes.fake_slack import form_body, sign, slash_command  # noqa: E402

INDUSTRIES = [f"ind-{i}" for i in range(40)]
TECHS = [f"tech-{i}" for i in range(300)]


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextmanager
def throwaway_neo4j(prefix: str, *, heap: str, pagecache: str) -> Iterator[tuple[ServerInfo, Path]]:
    """A local Neo4j in a temporary home (no preallocated tx logs), stopped and deleted afterwards.

    Yields the server info and the temporary folder (the server's home is ``folder / "neo4j"``; the bench may put
    its own files beside it: everything goes when the block ends).
    """
    home = Path(tempfile.mkdtemp(prefix=prefix))
    server = LocalNeo4j(ROOT / ".neo4j", home=home / "neo4j")
    t0 = time.perf_counter()
    try:
        info = server.start(port=free_port(), heap=heap, pagecache=pagecache, preallocate_logs=False)
        print(f"Neo4j {info.uri} ready in {time.perf_counter() - t0:.1f}s (heap {heap}, pagecache {pagecache})")
        yield info, home
    finally:
        server.stop(grace=30)
        shutil.rmtree(home, ignore_errors=True)


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# ---- Slack's side: signed slash commands ------------------------------------------------------------------------
@dataclass(frozen=True)
class SlashCommand:
    text: str
    channel: str
    response_url: str
    user: str = "U0ALEX0001"


@dataclass(frozen=True)
class Ack:
    seconds: float
    status: int
    body: str


async def send_commands(url: str, secret: str, commands: list[SlashCommand]) -> list[Ack]:
    """Send every command at once, correctly signed, as Slack does; one Ack (round trip, status, body) each."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def one(cmd: SlashCommand) -> Ack:
            fields = slash_command(cmd.text, response_url=cmd.response_url, channel=cmd.channel, user=cmd.user)
            body = form_body(fields)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(secret, body)}
            start = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as resp:
                text = await resp.text()
            return Ack(time.perf_counter() - start, resp.status, text)

        return list(await asyncio.gather(*[one(c) for c in commands]))


# ---- graph data -------------------------------------------------------------------------------------------------
def companies(n: int, prefix: str, *, start: int = 0) -> list[Company]:
    """``n`` companies with deterministic, varied headcounts and countries (domains ``<prefix><i>.example.com``)."""
    rnd = random.Random(n * 7919 + start)
    return [
        Company(
            domain=f"{prefix}{i}.example.com",
            name=f"Company {prefix}{i}",
            hq_country=rnd.choice(["US", "DE", "GB", "FR"]),
            employee_count=rnd.randint(5, 5000),
        )
        for i in range(start, start + n)
    ]


def facts(cos: list[Company], per_company: int) -> list[FactInput]:
    """One IN_INDUSTRY and ``per_company - 1`` USES facts per company, each with its source page."""
    rnd = random.Random(len(cos))
    now = datetime.now(UTC) - timedelta(days=1)
    out = []
    for c in cos:
        cid = company_id_for(c.domain)
        out.append(
            FactInput(
                predicate="IN_INDUSTRY",
                subject_key=cid,
                object_key=rnd.choice(INDUSTRIES),
                source_url=f"https://{c.domain}/about",
                fetched_at=now,
                extractor="bench",
            )
        )
        for t in rnd.sample(TECHS, per_company - 1):
            out.append(
                FactInput(
                    predicate="USES",
                    subject_key=cid,
                    object_key=t,
                    source_url=f"https://{c.domain}/",
                    fetched_at=now,
                    extractor="bench",
                )
            )
    return out


async def latency_ms(fn: Callable[[int], Awaitable[Any]], n: int) -> tuple[float, float]:
    """Run ``fn(i)`` n times in sequence; (p50, p95) wall time in milliseconds."""
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        await fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return pct(samples, 50), pct(samples, 95)
