"""`amia run` with Slack tokens, as a real process: HTTP mode on loopback answers signed commands, serves
/healthz, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import aiohttp
import pexpect

from tests.bot.slack.conftest import BOT_TOKEN, SECRET
from tests.fakes.fake_slack import FakeSlack, form_body, sign, slash_command

ROOT = Path(__file__).resolve().parents[3]


async def test_amia_run_serves_slack_over_http(fake: FakeSlack, tmp_path: Path, neo4j_server_handle) -> None:
    config = (ROOT / "config.yaml").read_text()
    config = config.replace("  data_dir: var ", f"  data_dir: {tmp_path} ", 1)
    config = config.replace("  port: 3000\n", "  port: 0\n", 1)
    config = config.replace("  api_base_url: https://slack.com/api/ ", f"  api_base_url: {fake.api_base} ", 1)
    config = config.replace("  path: var/memory", f"  path: {tmp_path}/memory", 1)
    (tmp_path / "config.yaml").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "NEO4J_"))}
    env |= {
        "AMIA_CONFIG": str(tmp_path / "config.yaml"),
        "NEO4J_URI": neo4j_server_handle.uri,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    child = pexpect.spawn(str(ROOT / ".venv/bin/amia"), ["run"], env=env, cwd=str(ROOT), encoding="utf-8", timeout=90)
    try:
        child.expect(r"HTTP on 127\.0\.0\.1:(\d+)")
        port = int(child.match.group(1))
        assert "SLACK_SIGNING_SECRET" not in child.before and SECRET not in child.before  # secrets never logged
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
            body = form_body(slash_command("status", response_url=fake.response_url("run")))
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as resp:
                assert resp.status == 200
                assert "Working on it" in json.loads(await resp.text())["text"]
            hook = await fake.wait_for(lambda: fake.hooks.get("commands/T0TEAM0001/run"), timeout=30)
            assert re.search(r"graph: connected", hook[0]["text"]) and "scheduler:" in hook[0]["text"]
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign("forged", body)}
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as resp:
                assert resp.status == 401
        child.kill(signal.SIGTERM)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
    finally:
        if child.isalive():
            child.terminate(force=True)
