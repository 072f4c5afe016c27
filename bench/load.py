"""Load: 100 concurrent /amia commands + the scheduled digest + background watchlist research, against `amia run`.

Run: .venv/bin/python bench/load.py [--commands 100] [--companies 300] [--watches 3]

Everything real except Slack and the public web: a throwaway local Neo4j seeded with companies, people and
signals; FakeSlack (Slack's Web API and response_url hooks, with its 1 post/s/channel limit) and the local test web
(tests/web_fixture, allowlisted on 127.0.0.1) in this process; and the bot as its own process, `amia run` in Slack
HTTP mode with the production config.yaml (plus overrides that point it at the fakes), the real scheduler, the
outreach worker and JSON logs.

Timeline: the config schedules a daily digest at the next whole minute T (at least --lead seconds away); a few
`/amia watch` commands are sent so the watch jobs first fire at T (research of the watched sites, repeated every
--watch-seconds); at T - 1 s the burst of N signed slash commands of mixed kinds (score, research, leads, draft,
status) goes out at once. So the digest and the watchlist research run while the burst is being worked off.

Measured: ack round trips (p50/p95/p99/max), commands lost (no final result in their thread / response_url),
duplicates (a result or progress message posted twice), errors (an error reply, a failed progress message, a
Slack API error, or any ERROR line in the bot's log), the digest posted exactly once with its chart, watch runs
completed, wall time until the last result, and the bot process's peak RSS. PASS when 0 lost, 0 errors,
0 duplicates, the digest once, every watched site researched, and ack p99 < 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import yaml  # noqa: E402
from _common import Ack, SlashCommand, pct, send_commands, throwaway_neo4j  # noqa: E402

from bot.localneo4j.server import free_port  # noqa: E402
from knowledge.graph.neo4j_store import Neo4jGraphStore  # noqa: E402
from knowledge.models import Company, Person, Signal, SignalType  # noqa: E402
from tests.fakes.fake_slack import FakeSlack  # noqa: E402
from tests.web_fixture.server import LocalWeb, build_web, start  # noqa: E402

SECRET = "load-bench-signing-secret"
DIGEST_CHANNEL = "C0DIGEST01"
WATCH_CHANNEL = "C0WATCHES1"
SLACK_LIMIT = 3.0
FAILED = ("I can't", "Something went wrong")
MIX = {"score": 30, "research": 20, "draft": 20, "leads": 15, "status": 15}  # per 100 commands


# ---- the world the bot sees -------------------------------------------------------------------------------------
async def seed(graph: Neo4jGraphStore, n: int) -> None:
    """Companies that fit the ICP to varying degrees, two contacts each, and a recent signal on most."""
    rnd = random.Random(n)
    now = datetime.now(UTC)
    await graph.upsert_companies(
        Company(domain=f"company{i}.io", name=f"Company {i}", hq_country=rnd.choice(["US", "GB", "DE", "FR"]),
                employee_count=rnd.randint(20, 3000), industries=[rnd.choice(["fintech", "saas", "retail"])])
        for i in range(n)
    )  # fmt: skip
    await graph.upsert_people(
        Person(full_name=f"Person {i}-{k}", email=f"p{k}@company{i}.io", title=title, company_domain=f"company{i}.io")
        for i in range(n)
        for k, title in enumerate(("VP Marketing", "Head of Growth"))
    )
    await graph.upsert_signals(
        Signal(type=rnd.choice([SignalType.FUNDING, SignalType.HIRING, SignalType.EXPANSION]),
               company_domain=f"company{i}.io", evidence=f"Company {i} raised a Series A to grow in Europe.",
               source_url=f"https://company{i}.io/news", occurred_at=now - timedelta(days=rnd.randint(0, 60)),
               confidence=0.9)
        for i in range(n)
        if i % 5
    )  # fmt: skip


def local_web(sites: int, watches: int) -> LocalWeb:
    """The test web plus copies of its realistic company site under more host names."""
    web = build_web()
    acme = web.routes["acme.test"]
    for host in [f"site{k}.test" for k in range(1, sites)] + [f"watch{k}.test" for k in range(1, watches + 1)]:
        web.routes[host] = dict(acme)
    return web


def bot_config(home: Path, fake: FakeSlack, web: LocalWeb, port: int, digest_at: datetime, watch_s: float) -> Path:
    """The production config.yaml with only what points the bot at this bench changed."""
    cfg: dict[str, Any] = yaml.safe_load((ROOT / "config.yaml").read_text())
    crawler = web.config(cache_dir=str(home / "http-cache"), per_host_rate=20.0).model_dump()
    crawler["user_agent"] = cfg["crawler"]["user_agent"]
    cfg["crawler"] = crawler
    cfg["storage"] = {"data_dir": str(home / "data")}
    cfg["logging"] = {"level": "INFO", "format": "json"}
    cfg["http"] = {"host": "127.0.0.1", "port": port, "public_url": "https://amia.example.com"}
    cfg["memory"]["path"] = str(home / "memory")
    cfg["outreach"]["outbox_dir"] = str(home / "outbox")
    cfg["slack"]["api_base_url"] = fake.api_base
    cfg["schedules"].update(
        timezone="UTC",
        daily_digest=None,
        weekly_digest=None,
        digests=[{"channel": DIGEST_CHANNEL, "cadence": "daily", "at": f"{digest_at:%H:%M}"}],
        watch_interval_hours=watch_s / 3600,
    )
    path = home / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def burst(n: int, companies: int, sites: int, hooks: str) -> list[tuple[str, SlashCommand]]:
    rnd = random.Random(n)
    kinds = [k for k, share in MIX.items() for _ in range(round(share * n / 100))][:n]
    kinds += ["score"] * (n - len(kinds))
    rnd.shuffle(kinds)
    out = []
    for i, kind in enumerate(kinds):
        target = f"company{rnd.randrange(companies)}.io"
        text = {
            "score": f"score {target}",
            "draft": f"draft {target}",
            "research": f"research {'acme.test' if i % sites == 0 else f'site{i % sites}.test'}",
            "leads": rnd.choice(["leads", "leads hot 5", "leads warm 20"]),
            "status": "status",
        }[kind]
        out.append(
            (kind, SlashCommand(text, channel=f"C0LOAD{i:04d}", response_url=f"{hooks}/cmd{i}", user=f"U0LOAD{i % 7}"))
        )
    return out


# ---- the bot process --------------------------------------------------------------------------------------------
async def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> float:
    t0 = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"the bot exited with {proc.returncode}; see its log")
            try:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as resp:
                    if resp.status == 200:
                        return time.perf_counter() - t0
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the bot did not become ready")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def log_records(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"level": "RAW", "msg": line})
    return out


# ---- what Slack saw ---------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    finished_at: float = 0.0


def finished(fake: FakeSlack, cmd: SlashCommand, kind: str) -> bool:
    if kind == "status":
        return bool(fake.hooks.get(cmd.response_url.split("/hooks/", 1)[1]))
    return any(
        c.args.get("channel") == cmd.channel and c.args.get("text", "").endswith("see the thread")
        for c in fake.ok_calls("chat.update")
    )


def judge(fake: FakeSlack, sent: list[tuple[str, SlashCommand]]) -> Outcome:
    out = Outcome()
    for kind, cmd in sent:
        if not finished(fake, cmd, kind):
            out.lost.append(cmd.text)
            continue
        if kind == "status":
            answers = fake.hooks[cmd.response_url.split("/hooks/", 1)[1]]
            if len(answers) != 1:
                out.duplicated.append(cmd.text)
            if "graph: connected" not in answers[0].get("text", ""):
                out.failed.append(f"{cmd.text}: {answers[0].get('text', '')[:120]}")
            continue
        posts = [m for (ch, _), m in fake.messages.items() if ch == cmd.channel]
        parents = [m for m in posts if not m.get("thread_ts")]
        replies = [m for m in posts if m.get("thread_ts")]
        if len(parents) != 1 or len(replies) != 1:
            out.duplicated.append(f"{cmd.text} ({len(parents)} progress, {len(replies)} results)")
        for m in replies:
            if m.get("text", "").startswith(FAILED):
                out.failed.append(f"{cmd.text}: {m['text'][:160]}")
        if any("failed" in m.get("text", "") for m in parents):
            out.failed.append(f"{cmd.text}: progress says failed")
    return out


# ---- the run ----------------------------------------------------------------------------------------------------
async def run(args: argparse.Namespace) -> int:
    with throwaway_neo4j("amia-bench-load-", heap="1g", pagecache="512m") as (info, home):
        graph = Neo4jGraphStore.connect(info.uri, None)
        try:
            await graph.ensure_schema()
            t0 = time.perf_counter()
            await seed(graph, args.companies)
            print(f"seeded {args.companies} companies, {2 * args.companies} people in {time.perf_counter() - t0:.1f}s")
        finally:
            await graph.close()
        fake = await FakeSlack().start()  # Slack's real pacing: 1 post/s per channel
        web = local_web(args.sites, args.watches)
        web_runner = await start(web)
        port = free_port()
        now = datetime.now(UTC)
        digest_at = (now + timedelta(seconds=args.lead + 59)).replace(second=0, microsecond=0)
        cfg = bot_config(home, fake, web, port, digest_at, args.watch_seconds)
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-load-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "NEO4J_URI": info.uri,
        }
        env.pop("SLACK_APP_TOKEN", None)
        log_path = home / "bot.log"
        with log_path.open("wb") as log_file:
            proc = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "amia"), "--config", str(cfg), "run"],
                cwd=home,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            return await drive(args, fake, web, proc, port, log_path, digest_at)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            await web_runner.cleanup()
            await fake.stop()


async def drive(
    args: argparse.Namespace,
    fake: FakeSlack,
    web: LocalWeb,
    proc: subprocess.Popen[bytes],
    port: int,
    log_path: Path,
    digest_at: datetime,
) -> int:
    url = f"http://127.0.0.1:{port}/slack/events"
    ready = await wait_ready(port, proc)
    print(f"bot (pid {proc.pid}) ready in {ready:.1f}s; digest scheduled at {digest_at:%H:%M:%S} UTC")

    async def until(at: datetime) -> None:
        await asyncio.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()))

    watch_cmds = [
        SlashCommand(f"watch watch{k}.test", channel=WATCH_CHANNEL, response_url=f"{fake.url}/hooks/watch{k}",
                     user="U0WATCHER1")
        for k in range(1, args.watches + 1)
    ]  # fmt: skip
    await until(digest_at - timedelta(seconds=args.watch_seconds + 1))
    watch_acks = await send_commands(url, SECRET, watch_cmds)
    await fake.wait_for(lambda: all(fake.hooks.get(f"watch{k}") for k in range(1, args.watches + 1)), timeout=30)
    print(f"{args.watches} watches set (first research at the digest minute, then every {args.watch_seconds:.0f}s)")

    sent = burst(args.commands, args.companies, args.sites, f"{fake.url}/hooks")
    await until(digest_at - timedelta(seconds=1))
    start = time.perf_counter()
    burst_wall = datetime.now(UTC)
    acks: list[Ack] = await send_commands(url, SECRET, [c for _, c in sent])
    print(f"burst of {len(sent)} commands sent at {burst_wall:%H:%M:%S.%f}"[:-3] + " UTC")

    def digest_posts() -> list[Any]:
        return [c for c in fake.ok_calls("chat.postMessage") if c.args.get("channel") == DIGEST_CHANNEL]

    watched_hosts = [f"watch{k}.test" for k in range(1, args.watches + 1)]
    t_mono = time.monotonic()

    def researched() -> list[str]:
        return [h for h in watched_hosts if any(x.at >= t_mono - 2 for x in web.hits_for(h))]

    def all_done() -> bool:
        return (
            all(finished(fake, c, k) for k, c in sent)
            and bool(digest_posts())
            and len(researched()) == len(watched_hosts)
        )

    try:
        await fake.wait_for(all_done, timeout=args.timeout)
    except AssertionError:
        print(f"!! not everything finished within {args.timeout:.0f}s")
    wall = time.perf_counter() - start
    await asyncio.sleep(args.settle)  # anything posted twice or late shows up now
    rss = peak_rss_mb(proc.pid)
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as resp:
        metrics = await resp.text()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)

    outcome = judge(fake, sent)
    records = log_records(log_path)
    errors = [r for r in records if r.get("level") in ("ERROR", "CRITICAL")]
    watch_runs = Counter(
        r["msg"].split('"')[1] for r in records if "executed successfully" in r.get("msg", "") and '"watch:' in r["msg"]
    )
    digest_runs = [r for r in records if "executed successfully" in r.get("msg", "") and '"digest:' in r["msg"]]
    api_errors = [c for c in fake.calls if (c.status != 200 or c.error) and c.error != "ratelimited"]
    limited = [c for c in fake.calls if c.error == "ratelimited"]
    bad_acks = [a for a in acks + watch_acks if a.status != 200 or "Working on it" not in a.body]
    digests = digest_posts()
    digest_ts = digests[0].response["ts"] if digests else None
    chart = [
        c
        for c in fake.ok_calls("files.completeUploadExternal")
        if c.args.get("channel_id") == DIGEST_CHANNEL and c.args.get("thread_ts") == digest_ts
    ]
    alerts = [c for c in fake.ok_calls("chat.postMessage") if c.args.get("channel") in ("U0WATCHER1", WATCH_CHANNEL)]
    server_acks = [line for line in metrics.splitlines() if line.startswith("amia_slack_ack_seconds_count")]

    seconds = [a.seconds for a in acks]
    ms = 1000
    kinds = Counter(k for k, _ in sent)
    print(f"\n{len(sent)} concurrent signed /amia commands ({', '.join(f'{v} {k}' for k, v in kinds.items())})")
    print(f"  + the scheduled daily digest and {args.watches} watched sites researched in the background")
    print(
        f"  ack p50 {pct(seconds, 50) * ms:.1f} ms   p95 {pct(seconds, 95) * ms:.1f} ms   "
        f"p99 {pct(seconds, 99) * ms:.1f} ms   max {max(seconds) * ms:.1f} ms   (Slack's limit 3000 ms)"
    )
    print(f"  acks not 200 'Working on it': {len(bad_acks)}")
    print(f"  lost: {len(outcome.lost)}   duplicates: {len(outcome.duplicated)}   error replies: {len(outcome.failed)}")
    print(f"  ERROR log lines: {len(errors)}   Slack API errors: {len(api_errors)}   429s (retried): {len(limited)}")
    print(f"  digest posts: {len(digests)} (job runs logged: {len(digest_runs)}), chart in its thread: {len(chart)}")
    print(
        f"  watch research: {len(researched())}/{len(watched_hosts)} sites fetched, "
        f"{sum(watch_runs.values())} watch job runs completed, {len(alerts)} alert(s) posted"
    )
    print(f"  wall time from burst to last result: {wall:.1f}s   bot peak RSS: {rss:.0f} MB")
    if server_acks:
        print(f"  bot's own ack counter: {server_acks[0]}")
    for label, items in (
        ("lost", outcome.lost),
        ("duplicated", outcome.duplicated),
        ("failed", outcome.failed),
        ("errors", [r.get("msg", "")[:200] for r in errors]),
        ("api errors", [f"{c.method} {c.status} {c.error}" for c in api_errors]),
    ):
        for item in items[:5]:
            print(f"    {label}: {item}")
    ok = (
        not outcome.lost
        and not outcome.duplicated
        and not outcome.failed
        and not errors
        and not api_errors
        and not bad_acks
        and len(digests) == 1
        and len(chart) == 1
        and len(researched()) == len(watched_hosts)
        and pct(seconds, 99) < SLACK_LIMIT
    )
    goal = "0 lost, 0 errors, 0 duplicates, digest once, watch research done, ack p99 < 3 s"
    print(f"\n{'PASS' if ok else 'FAIL'}: {goal}")
    return 0 if ok else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--commands", type=int, default=100)
    ap.add_argument("--companies", type=int, default=300)
    ap.add_argument("--sites", type=int, default=5, help="company sites in the test web researched by the burst")
    ap.add_argument("--watches", type=int, default=3, help="watched sites researched in the background")
    ap.add_argument("--watch-seconds", type=float, default=20.0, help="watch interval during the run")
    ap.add_argument("--lead", type=float, default=35.0, help="minimum seconds from start to the digest minute")
    ap.add_argument("--timeout", type=float, default=240.0, help="give up waiting for results after this long")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to watch for late duplicates")
    raise SystemExit(asyncio.run(run(ap.parse_args())))


if __name__ == "__main__":
    main()
