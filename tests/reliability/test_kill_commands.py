"""kill -9 of the bot while a slash command is working: the restarted bot finishes it in the same thread, with
exactly one result and the same progress message (edited, not posted again).

The bot is a real `amia run` process in Slack HTTP mode against FakeSlack, researching acme.test on the local test
web, where the home page hangs the first time it is asked for, so the kill lands mid-research.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from tests.bot.slack.conftest import BOT_TOKEN, SECRET
from tests.fakes.fake_slack import FakeSlack, form_body, sign, slash_command
from tests.web_fixture import sites
from tests.web_fixture.server import LocalWeb, build_web, start

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    try:
        yield server
    finally:
        await server.stop()


class BotProcess:
    """`amia run` as a child process; its log lines are collected while the test's event loop keeps serving
    FakeSlack and the test web (a blocking reader would freeze them)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.lines = env, []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> BotProcess:
        self.proc = await asyncio.create_subprocess_exec(
            str(ROOT / ".venv/bin/amia"),
            "run",
            env=self.env,
            cwd=str(ROOT),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc and self.proc.stdout
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())

    async def wait_line(self, pattern: str, timeout: float = 90.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                if m := re.search(pattern, line):
                    return m
            assert self.proc is not None
            if self.proc.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"no line matching {pattern!r}; output:\n" + "\n".join(self.lines[-40:]))
            await asyncio.sleep(0.05)

    async def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()
        if self._reader:
            await self._reader

    async def stop(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 60)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._reader:
            await self._reader
        return self.proc.returncode or 0


def hang_once(test_web: LocalWeb) -> None:
    """acme.test/ never answers the first request (the bot gets killed waiting for it); later ones are normal."""

    async def home(request: web.Request) -> web.Response:
        n = test_web.counters["home"] = test_web.counters.get("home", 0) + 1
        if n == 1:
            await asyncio.Event().wait()
        return web.Response(text=sites.ACME_HOME, content_type="text/html")

    test_web.handler("acme.test", "/", home)


def write_config(tmp_path: Path, fake: FakeSlack, test_web: LocalWeb) -> Path:
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["storage"]["data_dir"] = str(tmp_path)
    config["http"]["port"] = 0
    config["slack"]["api_base_url"] = fake.api_base
    config["memory"]["path"] = str(tmp_path / "memory")
    config["outreach"]["outbox_dir"] = str(tmp_path / "outbox")
    config["crawler"] |= {
        "per_host_rate": 20.0,
        "timeout_seconds": 30,
        "retry_backoff_seconds": 0.05,
        "cache_dir": str(tmp_path / "http-cache"),
        "allow_private_hosts": ["acme.test"],
        "resolve": {"acme.test": f"127.0.0.1:{test_web.port}"},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


async def test_kill_9_mid_command_then_restart_finishes_it_once(
    fake: FakeSlack, tmp_path: Path, graph: Any, neo4j_server_handle: Any
) -> None:
    test_web = build_web()
    hang_once(test_web)
    web_runner = await start(test_web)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "NEO4J_"))}
    env |= {
        "AMIA_CONFIG": str(write_config(tmp_path, fake, test_web)),
        "NEO4J_URI": neo4j_server_handle.uri,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    first = second = None
    try:
        first = await BotProcess(env).start()
        port = int((await first.wait_line(r"HTTP on 127\.0\.0\.1:(\d+)")).group(1))
        body = form_body(slash_command("research acme.test", response_url=fake.response_url()))
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as resp,
        ):
            assert resp.status == 200 and "Working on it" in json.loads(await resp.text())["text"]
        progress = (await fake.wait_calls("chat.postMessage", 1, timeout=30))[0]
        await fake.wait_for(lambda: [h for h in test_web.hits_for("acme.test") if h.path == "/"], timeout=30)
        await first.kill9()  # mid-research: the home page request is still hanging

        restarted = time.perf_counter()
        second = await BotProcess(env).start()
        await second.wait_line(r"resumed commands after a restart: 1 re-run")
        ts = progress.response["ts"]

        def thread() -> list[Any]:
            return [c for c in fake.ok_calls("chat.postMessage") if c.args.get("thread_ts") == ts]

        await fake.wait_for(lambda: [c for c in thread() if "Resumed after a restart" in c.args["text"]], timeout=60)
        resumed_after = time.perf_counter() - restarted
        result = await fake.wait_for(
            lambda: [c for c in thread() if "Acme Analytics" in json.dumps(c.args.get("blocks"))], timeout=90
        )
        result_after = time.perf_counter() - restarted
        await fake.wait_for(lambda: "done" in fake.messages[("C0SALES001", ts)]["text"], timeout=30)
        assert await second.stop() == 0
        second = None
    finally:
        for bot in (first, second):
            if bot is not None and bot.proc is not None and bot.proc.returncode is None:
                await bot.kill9()
        await web_runner.cleanup()

    parents = [c for c in fake.ok_calls("chat.postMessage") if not c.args.get("thread_ts")]
    assert len(parents) == 1, "the restarted bot must edit the progress message, not post another"
    assert len(result) == 1 and len(thread()) == 2, [c.args["text"][:80] for c in thread()]
    assert "http://acme.test/news/series-b" in json.dumps(result[0].args["blocks"])
    assert test_web.counters["home"] == 2  # asked once by each process: the work really ran again
    print(f"\nkill -9 → restart: resumed notice after {resumed_after:.2f}s, result after {result_after:.2f}s")
