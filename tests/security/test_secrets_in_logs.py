"""Secrets never reach logs or output: real `amia` processes at DEBUG with every secret set, output scanned."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.fake_slack import FakeSlack

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-SeCrEtBoTtOkEn",
    "SLACK_APP_TOKEN": "xapp-1-A0AMIA0001-3333-SeCrEtApPtOkEn",
    "SLACK_SIGNING_SECRET": "signing-SeCrEt-8f2a9c",
    "OPENAI_API_KEY": "sk-proj-SeCrEtOpEnAiKeY0123456789",
    "NEO4J_PASSWORD": "neo4j-SeCrEt-pw-771",
    "SMTP_PASSWORD": "smtp-SeCrEt-pw-552",
    "IMAP_PASSWORD": "imap-SeCrEt-pw-913",
    "AMIA_SECRET_KEY": "amia-SeCrEt-key-0123456789abcdef",
}


async def amia(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run a real `amia` process (async, so the fake Slack in this loop keeps answering); stdout + stderr."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "-v", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return out.decode() + err.decode()


@pytest.fixture
async def fake_slack() -> Any:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


async def test_no_secret_in_debug_logs_of_real_commands(
    neo4j_server_handle: Any, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage:\n  data_dir: {tmp_path / 'var'}\n"
        f"memory:\n  path: {tmp_path / 'var' / 'memory'}\n"
        f"slack:\n  api_base_url: {fake_slack.api_base}\n"
        "llm:\n  base_url: http://127.0.0.1:9/v1\n"  # nothing listens: the failure path is logged too
        "outreach:\n  transport: smtp\n  smtp: {host: 127.0.0.1, port: 9}\n"
        "  imap: {enabled: true, host: 127.0.0.1, port: 9, user: alex, ssl: false}\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env |= SECRETS | {"NEO4J_URI": neo4j_server_handle.uri, "SMTP_USERNAME": "alex", "AMIA_CONFIG": str(config)}
    if neo4j_server_handle.auth:
        env["NEO4J_USER"] = neo4j_server_handle.auth[0]
        env["NEO4J_PASSWORD"] = neo4j_server_handle.auth[1]
        SECRETS["NEO4J_PASSWORD"] = neo4j_server_handle.auth[1]
    eml = tmp_path / "draft.eml"
    eml.write_text(
        "From: alex@example.com\nTo: jane@acme.io\nSubject: Hello\n\n"
        f"Our key is {SECRETS['OPENAI_API_KEY']} (a user pasted it)\n"
    )
    runs = [
        await amia(["doctor", "--json"], env, tmp_path),
        await amia(["config", "show"], env, tmp_path),
        await amia(["review", str(eml), "--json"], env, tmp_path),
        await amia(["backup", str(tmp_path / "b.tar.gz")], env, tmp_path),
    ]
    combined = "\n".join(runs)
    assert "DEBUG" in combined or "debug" in combined.lower(), "debug logging was not on: the scan proves nothing"
    assert "slack" in runs[0].lower(), "doctor ran its Slack check"
    leaked = [name for name, value in SECRETS.items() if value in combined]
    assert not leaked, f"secrets printed: {leaked}"
