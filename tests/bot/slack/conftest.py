"""Fixtures for the Slack layer: FakeSlack on 127.0.0.1, a Slack bot pointed at it, and the HTTP server."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.http_server import build_http_app, serve
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import HttpConfig, Secrets, Settings, StorageConfig
from bot.slack.app import SlackBot, build_slack
from bot.slack.config import SchedulesConfig, SlackConfig
from tests.bot.slack.doubles import ScriptedWorkflows
from tests.fakes.fake_slack import FakeSlack, form_body, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1111-2222-test"
APP_TOKEN = "xapp-1-A0AMIA0001-3333-test"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    try:
        yield server
    finally:
        await server.stop()


def make_settings(tmp_path: Path, fake: FakeSlack, *, extra: dict[str, Any] | None = None, **slack: Any) -> Settings:
    cfg = {"api_base_url": fake.api_base, "channel_send_interval_seconds": 1.0, "digest_channel": "C0DIGEST01"} | slack
    return Settings(
        **(extra or {}),
        storage=StorageConfig(data_dir=str(tmp_path)),
        slack=SlackConfig(**cfg),
        schedules=SchedulesConfig(daily_digest="08:30", weekly_digest="mon 09:00"),
        secrets=Secrets(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET),
    )


class Harness:
    """A running bot: Slack app on an HTTP server, plus helpers that send signed requests like Slack does."""

    def __init__(
        self, bot: SlackBot, workflows: ScriptedWorkflows, fake: FakeSlack, url: str, session: aiohttp.ClientSession
    ) -> None:
        self.bot, self.workflows, self.fake, self.url, self.session = bot, workflows, fake, url, session

    async def post(
        self,
        body: bytes,
        ctype: str,
        *,
        ts: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, float]:
        h = {"Content-Type": ctype, **sign(secret, body, ts), **(headers or {})}
        t0 = time.perf_counter()
        async with self.session.post(self.url, data=body, headers=h) as resp:
            text = await resp.text()
            return resp.status, text, time.perf_counter() - t0

    async def command(self, fields: dict[str, str], **kw: Any) -> tuple[int, str, float]:
        return await self.post(form_body(fields), "application/x-www-form-urlencoded", **kw)

    async def event(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str, float]:
        import json

        return await self.post(json.dumps(payload).encode(), "application/json", **kw)

    async def interact(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str, float]:
        from tests.fakes.fake_slack import interactive_body

        return await self.post(interactive_body(payload), "application/x-www-form-urlencoded", **kw)


@pytest.fixture
async def real_harness(tmp_path: Path, fake: FakeSlack, graph: Any) -> AsyncIterator[Harness]:
    """The production adapter (scoring, drafting with SpamAssassin, outreach to an outbox) behind Slack."""
    from bot.outreach.config import OutreachConfig
    from bot.outreach.runtime import install_outreach
    from bot.workflows import AgentWorkflows
    from tests.agents.workflows.test_drafting import COMPLIANCE, PERSONA

    extra = {
        "persona": PERSONA,
        "compliance": COMPLIANCE,
        "outreach": OutreachConfig(outbox_dir=str(tmp_path / "outbox"), from_address="alex@example.com"),
        "http": HttpConfig(public_url="https://amia.example.com"),  # links in mail must be public
    }
    settings = make_settings(tmp_path, fake, extra=extra)
    services = Services(settings=settings, graph=graph)
    await install_outreach(services)
    workflows = AgentWorkflows(services)
    bot = build_slack(services, workflows=workflows)
    runner, port = await serve(build_http_app(services, slack=bot.app), "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        try:
            yield Harness(bot, workflows, fake, f"http://127.0.0.1:{port}{settings.slack.events_path}", session)  # type: ignore[arg-type]
        finally:
            await bot.close()
            await runner.cleanup()


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeSlack, graph: Any) -> AsyncIterator[Harness]:
    settings = make_settings(tmp_path, fake, approvers={"low": ["*"], "medium": ["*"], "high": ["U0BOSS0001"]})
    services = Services(settings=settings, graph=graph)
    workflows = ScriptedWorkflows(services)
    scheduler = Scheduler(settings)
    scheduler.start(paused=True)
    bot = build_slack(services, workflows=workflows, scheduler=scheduler)
    runner, port = await serve(build_http_app(services, slack=bot.app), "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        try:
            yield Harness(bot, workflows, fake, f"http://127.0.0.1:{port}{settings.slack.events_path}", session)
        finally:
            await bot.close()
            await runner.cleanup()
