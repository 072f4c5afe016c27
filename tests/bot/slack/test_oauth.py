"""Several workspaces: each installs AMIA over OAuth (Bolt's install flow against FakeSlack's oauth.v2.access) and
every call — answers to requests, and work that starts later from a channel id alone — uses that workspace's own
bot token. FakeSlack refuses a token reaching into another workspace's channel, as Slack does."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.errors import ServiceError
from bot.http_server import build_http_app, serve
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import HttpConfig, Secrets, Settings, StorageConfig
from bot.slack.app import SlackBot, build_slack
from bot.slack.config import SchedulesConfig, SlackConfig
from tests.bot.slack.conftest import SECRET, Harness
from tests.bot.slack.doubles import ScriptedWorkflows
from tests.fakes.fake_slack import FakeSlack, event_callback, slash_command

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret-for-tests"
ALPHA, BETA = "T0ALPHA001", "T0BETA0002"
PUBLIC = "https://amia.example.com"


def oauth_settings(tmp_path: Path, fake: FakeSlack, **slack: Any) -> Settings:
    return Settings(
        storage=StorageConfig(data_dir=str(tmp_path)),
        http=HttpConfig(public_url=PUBLIC),
        slack=SlackConfig(
            api_base_url=fake.api_base,
            oauth_authorize_url=f"{fake.url}/oauth/v2/authorize",
            channel_send_interval_seconds=0.0,
            digest_channel="C0DIGEST01",
            **slack,
        ),
        schedules=SchedulesConfig(daily_digest="08:30", weekly_digest=None),
        secrets=Secrets(
            SLACK_CLIENT_ID=CLIENT_ID,
            SLACK_CLIENT_SECRET=CLIENT_SECRET,  # type: ignore[arg-type]
            SLACK_SIGNING_SECRET=SECRET,  # type: ignore[arg-type]
        ),
    )


class Installer(Harness):
    base: str

    async def install_page(self) -> tuple[str, dict[str, list[str]], str]:
        """Visit the install page like a browser: returns Slack's authorize URL, its query and the state cookie."""
        async with self.session.get(self.base + "/slack/install", allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
            location = resp.headers["Location"]
            cookie = resp.cookies["slack-app-oauth-state"].value
        return location, urllib.parse.parse_qs(urllib.parse.urlsplit(location).query), cookie

    async def redirect(self, params: dict[str, str], cookie: str | None) -> tuple[int, str]:
        headers = {"Cookie": f"slack-app-oauth-state={cookie}"} if cookie else {}
        async with self.session.get(self.base + "/slack/oauth_redirect", params=params, headers=headers) as resp:
            return resp.status, await resp.text()

    async def install(self, team: str, name: str, conversations: tuple[str, ...]) -> None:
        _, query, cookie = await self.install_page()
        code = self.fake.authorize(team, name, conversations=conversations)
        status, body = await self.redirect({"code": code, "state": query["state"][0]}, cookie)
        assert status == 200, body


@asynccontextmanager
async def running(settings: Settings, fake: FakeSlack, graph: Any) -> AsyncIterator[Installer]:
    services = Services(settings=settings, graph=graph)
    scheduler = Scheduler(settings)
    scheduler.start(paused=True)
    bot: SlackBot = build_slack(services, workflows=ScriptedWorkflows(services), scheduler=scheduler)
    runner, port = await serve(build_http_app(services, slack=bot.app), "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        h = Installer(bot, bot.assistant.workflows, fake, f"http://127.0.0.1:{port}/slack/events", session)  # type: ignore[arg-type]
        h.base = f"http://127.0.0.1:{port}"
        try:
            yield h
        finally:
            await bot.close()
            await runner.cleanup()
            scheduler.shutdown()


@pytest.fixture
async def oauth_fake(fake: FakeSlack) -> FakeSlack:
    fake.oauth_app(CLIENT_ID, CLIENT_SECRET)
    fake.post_interval = 0.0
    return fake


def posts_in(fake: FakeSlack, channel: str) -> list[Any]:
    return [c for c in fake.ok_calls("chat.postMessage") if c.args.get("channel") == channel]


async def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    tmp_path: Path, oauth_fake: FakeSlack, graph: Any
) -> None:
    fake = oauth_fake
    async with running(oauth_settings(tmp_path, fake), fake, graph) as h:
        # not installed yet: a polite pointer to the install, nothing posted
        status, body, _ = await h.command(slash_command("score acme.io", response_url=fake.response_url(), team=ALPHA))
        assert status == 200 and "Traceback" not in body
        told = await fake.wait_calls("response_url")
        assert f"Ask an admin to install it: {PUBLIC}/slack/install" in told[0].args["text"]
        assert fake.ok_calls("chat.postMessage") == []

        location, query, _ = await h.install_page()
        assert location.startswith(f"{fake.url}/oauth/v2/authorize?")
        assert query["client_id"] == [CLIENT_ID] and "commands" in query["scope"][0].split(",")
        assert query["redirect_uri"] == [f"{PUBLIC}/slack/oauth_redirect"]

        await h.install(ALPHA, "Alpha Corp", ("C0ALPHA001", "U0ALICE001", "C0DIGEST01"))
        await h.install(BETA, "Beta GmbH", ("C0BETA0001", "U0BERND001"))
        exchanges = fake.ok_calls("oauth.v2.access")
        assert len(exchanges) == 2 and all(c.headers["Authorization"].startswith("Basic ") for c in exchanges)
        installed = await h.bot.rt.workspaces.installed()
        assert [(w.team_id, w.name) for w in installed] == [(ALPHA, "Alpha Corp"), (BETA, "Beta GmbH")]

        for team, channel, user in ((BETA, "C0BETA0001", "U0BERND001"), (ALPHA, "C0ALPHA001", "U0ALICE001")):
            status, body, seconds = await h.command(
                slash_command("score acme.io", response_url=fake.response_url(), team=team, channel=channel, user=user)
            )
            assert status == 200 and "Working on it" in body and seconds < 3.0
            await fake.wait_for(lambda channel=channel: len(posts_in(fake, channel)) >= 2)
            await fake.wait_for(
                lambda channel=channel: [
                    c for c in fake.ok_calls("chat.update") if c.args["channel"] == channel and "done" in c.args["text"]
                ]
            )
            for call in [c for c in fake.calls if c.args.get("channel") == channel]:
                assert fake.token_team(call) == team and call.error is None, (call.method, call.error)

        # a DM from Beta's user: the answer goes out with Beta's token
        await h.event(
            event_callback(
                {
                    "type": "message",
                    "channel_type": "im",
                    "user": "U0BERND001",
                    "text": "help",
                    "ts": "1.000001",
                    "channel": "D0BERND001",
                    "team": BETA,
                },
                team=BETA,
            )
        )
        dm = await fake.wait_for(lambda: posts_in(fake, "D0BERND001"))
        assert fake.token_team(dm[0]) == BETA


async def test_later_work_finds_each_channels_workspace_even_after_a_restart(
    tmp_path: Path, oauth_fake: FakeSlack, graph: Any
) -> None:
    fake = oauth_fake
    async with running(oauth_settings(tmp_path, fake), fake, graph) as h:
        await h.install(ALPHA, "Alpha Corp", ("C0ALPHA001", "C0DIGEST01"))
        await h.install(BETA, "Beta GmbH", ("C0BETA0001",))
        await h.command(slash_command("help", response_url=fake.response_url(), team=BETA, channel="C0BETA0001"))
        # the configured digest channel was never seen and two workspaces are installed: a clear error, no guess
        with pytest.raises(ServiceError, match=r"slack\.default_team_id"):
            await h.bot.rt.queue.post("C0DIGEST01", text="who owns this?")

    # a new process: installations and learned routes are on disk
    settings = oauth_settings(tmp_path, fake, default_team_id=ALPHA)
    async with running(settings, fake, graph) as h:
        await h.bot.rt.queue.post("C0BETA0001", text="a resumed answer")
        sched = h.bot.assistant.scheduler
        assert sched is not None
        sched.sync_config()
        daily = dict(sched.jobs())["digest:C0DIGEST01:daily"]
        assert "digest:C0DIGEST01:daily" in await sched.run_due(daily + timedelta(seconds=5))
        digest = await fake.wait_for(lambda: posts_in(fake, "C0DIGEST01"))
        upload = await fake.wait_calls("files.completeUploadExternal")
    beta = posts_in(fake, "C0BETA0001")[-1]
    assert beta.args["text"] == "a resumed answer" and fake.token_team(beta) == BETA
    assert fake.token_team(digest[0]) == ALPHA and fake.token_team(upload[0]) == ALPHA
    assert not [c for c in fake.calls if c.error == "channel_not_found"]


async def test_forged_replayed_or_bad_installs_store_nothing(tmp_path: Path, oauth_fake: FakeSlack, graph: Any) -> None:
    fake = oauth_fake
    async with running(oauth_settings(tmp_path, fake), fake, graph) as h:
        _, query, cookie = await h.install_page()
        state = query["state"][0]
        code = fake.authorize(ALPHA, "Alpha Corp")
        # a state we never issued, or the right state without the browser's cookie (login CSRF)
        assert (await h.redirect({"code": code, "state": "forged-state"}, "forged-state"))[0] in (400, 401)
        assert (await h.redirect({"code": code, "state": state}, None))[0] == 400
        assert fake.ok_calls("oauth.v2.access") == []
        # Slack refuses the code (expired, or for another app): failure page, nothing stored
        status, _ = await h.redirect({"code": "not-a-code", "state": state}, cookie)
        assert status == 401 and [c.error for c in fake.calls if c.method == "oauth.v2.access"] == ["invalid_code"]
        # the state was used up by that attempt: replaying it with a good code is refused
        assert (await h.redirect({"code": code, "state": state}, cookie))[0] == 401
        # the user pressed Cancel on Slack's page
        status, body = await h.redirect({"error": "access_denied", "state": state}, cookie)
        assert status == 200 and "access_denied" in body
        assert await h.bot.rt.workspaces.installed() == []


async def test_an_uninstalled_workspace_is_forgotten_and_can_reinstall(
    tmp_path: Path, oauth_fake: FakeSlack, graph: Any
) -> None:
    fake = oauth_fake
    async with running(oauth_settings(tmp_path, fake), fake, graph) as h:
        await h.install(ALPHA, "Alpha Corp", ("C0ALPHA001",))
        await h.install(BETA, "Beta GmbH", ("C0BETA0001",))
        await h.command(slash_command("help", response_url=fake.response_url(), team=BETA, channel="C0BETA0001"))

        fake.uninstall(BETA)
        status, _, _ = await h.event(event_callback({"type": "app_uninstalled", "event_ts": "1.1"}, team=BETA))
        assert status == 200
        assert [w.team_id for w in await h.bot.rt.workspaces.installed()] == [ALPHA]
        hooks = len(fake.ok_calls("response_url"))
        status, _, _ = await h.command(
            slash_command("score acme.io", response_url=fake.response_url(), team=BETA, channel="C0BETA0001")
        )
        assert status == 200
        told = await fake.wait_for(lambda: fake.ok_calls("response_url")[hooks:])
        assert "not installed in this workspace" in told[0].args["text"]
        # later work for Beta's channel is refused plainly — never sent with Alpha's token
        with pytest.raises(ServiceError, match="no longer has AMIA installed"):
            await h.bot.rt.queue.post("C0BETA0001", text="stale")
        assert not [c for c in fake.calls if c.error == "channel_not_found"]

        await h.install(BETA, "Beta GmbH", ())
        await h.bot.rt.queue.post("C0BETA0001", text="welcome back")
        back = posts_in(fake, "C0BETA0001")[-1]
        assert back.args["text"] == "welcome back" and fake.token_team(back) == BETA


async def test_readiness_and_doctor_report_installed_workspaces(
    tmp_path: Path, oauth_fake: FakeSlack, graph: Any
) -> None:
    from bot.doctor import check_slack
    from bot.ops_http import check_slack as ready_slack

    fake = oauth_fake
    settings = oauth_settings(tmp_path, fake)
    assert (await check_slack(settings)).status == "warn"  # nothing installed yet: says where to install
    async with running(settings, fake, graph) as h:
        h.bot.assistant.services.extras["slack_connection"].ttl = 0.0  # no probe cache: see each change at once
        status = await ready_slack(h.bot.assistant.services)
        assert status.status == "ok", status  # the web process must serve the install page before any install
        await h.install(ALPHA, "Alpha Corp", ())
        assert (await ready_slack(h.bot.assistant.services)).status == "ok"
        fake.uninstall(ALPHA)  # revoked at Slack, and we were never told
        assert (await ready_slack(h.bot.assistant.services)).status == "down"
    result = await check_slack(settings)
    assert result.status == "fail" and "token_revoked" in result.detail and "/slack/install" in result.fix
    print(json.dumps(result.__dict__))
