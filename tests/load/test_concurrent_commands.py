"""Load: 30 concurrent signed /amia commands of mixed kinds through the real HTTP transport, while the scheduled
digest fires — every command answered exactly once in its own thread, the digest posted once, no error anywhere.

Real bot (AgentWorkflows on the real graph, the crawler on the local test web, drafting with SpamAssassin), real
persistent scheduler (its controllable clock fires the daily digest), FakeSlack with Slack's 1 post/s/channel.
Timing is not asserted here: bench/load.py measures it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.http_server import build_http_app, serve
from bot.outreach.config import OutreachConfig
from bot.outreach.runtime import install_outreach
from bot.scheduler import Scheduler
from bot.services import Services, build_crawler
from bot.settings import HttpConfig, Secrets, Settings, StorageConfig
from bot.slack.app import SlackBot, build_slack
from bot.slack.config import SchedulesConfig, SlackConfig
from bot.workflows import AgentWorkflows
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.agents.workflows.test_drafting import COMPLIANCE, PERSONA
from tests.factories import make_company, make_person, make_signal
from tests.fakes.fake_slack import FakeSlack, form_body, sign, slash_command
from tests.web_fixture.server import LocalWeb, test_web  # noqa: F401

SECRET = "load-test-signing-secret"
DIGEST = "C0DIGEST01"
FAILED = ("I can't", "Something went wrong")
KINDS = ["score"] * 9 + ["research"] * 5 + ["draft"] * 5 + ["leads"] * 6 + ["status"] * 5


async def seed(graph: Neo4jGraphStore, n: int) -> None:
    recent = datetime.now(UTC) - timedelta(hours=2)  # in the daily digest's window
    await graph.upsert_companies([make_company(domain=f"co{i}.io", name=f"Co {i}", employee_count=60 + 40 * i)
                                  for i in range(n)])  # fmt: skip
    await graph.upsert_people(
        [make_person(full_name=f"Jane {i}", email=f"jane@co{i}.io", company_domain=f"co{i}.io") for i in range(n)]
    )
    await graph.upsert_signals(
        [
            make_signal(company_domain=f"co{i}.io", source_url=f"https://co{i}.io/news", occurred_at=recent)
            for i in range(n)
        ]
    )


def command_text(kind: str, i: int) -> str:
    return {
        "score": f"score co{i % 10}.io",
        "research": "research acme.test",
        "draft": f"draft co{i % 10}.io",
        "leads": "leads hot 5" if i % 2 else "leads",
        "status": "status",
    }[kind]


@pytest.fixture
async def bot(
    tmp_path: Path,
    graph: Neo4jGraphStore,
    test_web: LocalWeb,  # noqa: F811
) -> AsyncIterator[tuple[SlackBot, FakeSlack, str]]:
    fake = await FakeSlack().start()
    settings = Settings(
        storage=StorageConfig(data_dir=str(tmp_path)),
        slack=SlackConfig(api_base_url=fake.api_base, digest_channel=DIGEST),
        schedules=SchedulesConfig(daily_digest="08:30", weekly_digest=None),
        crawler=test_web.config(cache_dir=str(tmp_path / "http-cache")),
        persona=PERSONA,
        compliance=COMPLIANCE,
        outreach=OutreachConfig(outbox_dir=str(tmp_path / "outbox"), from_address="alex@example.com"),
        http=HttpConfig(public_url="https://amia.example.com"),
        secrets=Secrets(SLACK_BOT_TOKEN="xoxb-load-test", SLACK_SIGNING_SECRET=SECRET),
    )
    async with AsyncExitStack() as stack:
        services = Services(settings=settings, graph=graph)
        services.extras["crawler"] = build_crawler(settings, graph, stack)
        await install_outreach(services)
        scheduler = Scheduler(settings, name="load-test")
        scheduler.start(paused=True)  # only run_due fires jobs: the test decides when it is 08:30
        scheduler.sync_config()
        slack = build_slack(services, workflows=AgentWorkflows(services), scheduler=scheduler)
        runner, port = await serve(build_http_app(services, slack=slack.app), "127.0.0.1", 0)
        try:
            yield slack, fake, f"http://127.0.0.1:{port}{settings.slack.events_path}"
        finally:
            await slack.close()
            await runner.cleanup()
            await fake.stop()


async def test_thirty_concurrent_commands_and_a_digest_lose_nothing_and_double_nothing(
    bot: tuple[SlackBot, FakeSlack, str], graph: Neo4jGraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    slack, fake, url = bot
    caplog.set_level(logging.INFO)
    await seed(graph, 10)
    sched = slack.assistant.scheduler
    assert sched is not None
    digest_time = dict(sched.jobs())[f"digest:{DIGEST}:daily"]
    sent = [(kind, f"C0LOAD{i:04d}", command_text(kind, i)) for i, kind in enumerate(KINDS)]

    async with aiohttp.ClientSession() as session:

        async def one(i: int, channel: str, text: str) -> tuple[int, str]:
            body = form_body(slash_command(text, response_url=f"{fake.url}/hooks/cmd{i}", channel=channel))
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
            async with session.post(url, data=body, headers=headers) as resp:
                return resp.status, await resp.text()

        *acks, fired = await asyncio.gather(
            *[one(i, channel, text) for i, (_, channel, text) in enumerate(sent)],
            sched.run_due(digest_time + timedelta(seconds=5)),  # the digest job fires amid the burst
        )
    assert all(status == 200 and "Working on it" in json.loads(body)["text"] for status, body in acks)
    assert f"digest:{DIGEST}:daily" in fired

    def answered(i: int, kind: str, channel: str) -> bool:
        if kind == "status":
            return bool(fake.hooks.get(f"cmd{i}"))
        return any(
            c.args.get("channel") == channel and c.args.get("text", "").endswith("see the thread")
            for c in fake.ok_calls("chat.update")
        )

    await fake.wait_for(lambda: all(answered(i, k, ch) for i, (k, ch, _) in enumerate(sent)), timeout=120)
    await slack.rt.drain(timeout=10)

    lost, doubled, failed = [], [], []
    for i, (kind, channel, text) in enumerate(sent):
        if kind == "status":
            answers = fake.hooks.get(f"cmd{i}", [])
            if len(answers) != 1:
                doubled.append(text)
            elif "graph: connected" not in answers[0]["text"]:
                failed.append(f"{text}: {answers[0]['text'][:200]}")
            continue
        posts = [m for (ch, _), m in fake.messages.items() if ch == channel]
        parents = [m for m in posts if not m.get("thread_ts")]
        results = [m for m in posts if m.get("thread_ts")]
        if not results:
            lost.append(text)
        if len(parents) != 1 or len(results) > 1:
            doubled.append(f"{text}: {len(parents)} progress, {len(results)} results")
        if len(parents) == 1 and results and results[0]["thread_ts"] != parents[0]["ts"]:
            failed.append(f"{text}: result outside its thread")
        failed += [f"{text}: {m['text'][:200]}" for m in results if m["text"].startswith(FAILED)]
        failed += [f"{text}: progress failed" for m in parents if "failed" in m["text"]]
    assert (lost, doubled, failed) == ([], [], [])

    digests = [c for c in fake.ok_calls("chat.postMessage") if c.args["channel"] == DIGEST]
    assert len(digests) == 1 and "daily digest" in digests[0].args["text"]
    assert "Co 3*: funding" in json.dumps(digests[0].args["blocks"])  # today's signals are in it
    charts = [c for c in fake.ok_calls("files.completeUploadExternal") if c.args.get("channel_id") == DIGEST]
    assert len(charts) == 1 and charts[0].args["thread_ts"] == digests[0].response["ts"]
    assert [c for c in fake.calls if c.status != 200 or c.error] == []  # no Slack API error, not even a 429
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    drafts = [m for (ch, _), m in fake.messages.items() if ch in {c for k, c, _ in sent if k == "draft"}]
    assert all("co" in m["text"] for m in drafts)
