"""The console twin in a real pseudo-terminal: same commands and conversation as Slack, cards as text with
numbered actions, polite errors, and a clean exit."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pytest

from knowledge.graph.store import FactInput
from knowledge.models import company_id_for
from tests.factories import make_company, make_signal

ROOT = Path(__file__).resolve().parents[2]


def console_env(tmp_path: Path, handle) -> dict[str, str]:
    config = (ROOT / "config.yaml").read_text().replace("  data_dir: var ", f"  data_dir: {tmp_path} ", 1)
    config = config.replace("  path: var/memory", f"  path: {tmp_path}/memory", 1)  # team preferences land here
    (tmp_path / "config.yaml").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "NEO4J_"))}
    env |= {
        "AMIA_CONFIG": str(tmp_path / "config.yaml"),
        "NEO4J_URI": handle.uri,
        "PYTHONUNBUFFERED": "1",
        "TERM": "dumb",
    }
    if handle.auth:
        env |= {"NEO4J_USER": handle.auth[0], "NEO4J_PASSWORD": handle.auth[1]}
    return env


@pytest.fixture
def spawn(tmp_path: Path, neo4j_server_handle) -> Iterator:
    children = []

    def start(*argv: str) -> pexpect.spawn:
        child = pexpect.spawn(
            argv[0],
            list(argv[1:]),
            env=console_env(tmp_path, neo4j_server_handle),
            cwd=str(ROOT),
            encoding="utf-8",
            timeout=60,
            dimensions=(50, 200),
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


async def test_amia_chat_answers_commands_and_questions(spawn, graph, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    await graph.upsert_companies([make_company()])
    await graph.ensure_objects("Industry", "code", [{"key": "fintech", "props": {"name": "Fintech"}}])
    await graph.assert_facts(
        [
            FactInput(
                predicate="IN_INDUSTRY",
                subject_key=company_id_for("acme.io"),
                object_key="fintech",
                source_url="https://acme.io/about",
                fetched_at=now,
                extractor="test",
            )
        ]
    )
    await graph.upsert_signals([make_signal(occurred_at=now)])
    child = spawn(str(ROOT / ".venv/bin/amia"), "chat")
    child.expect("AMIA console")
    child.expect("amia> ")
    child.sendline("help")
    child.expect(r"research <domain>")
    child.expect("amia> ")
    child.sendline("research not_a_domain")
    child.expect("'not_a_domain' is not a domain name")
    child.expect("amia> ")
    child.sendline("who raised money in fintech this month?")
    child.expect(r"Series B")
    child.expect(r"https://acme.io/news/series-b")
    child.expect("amia> ")
    child.sendline("we don't target companies under 50 people")
    child.expect("Noted as a team preference")
    child.expect("amia> ")
    assert any((tmp_path / "memory").iterdir())  # also written to long-term memory, where scoring reads team rules
    child.sendline("status")
    child.expect(r"graph: connected")
    child.expect("amia> ")
    child.sendline("frobnicate")
    child.expect("only understand the common questions")
    child.expect("amia> ")
    assert "Traceback" not in child.before
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_cards_render_as_text_with_numbered_actions(spawn) -> None:
    child = spawn(sys.executable, "-m", "tests.bot.console_driver")
    child.expect("amia> ")
    child.sendline("draft acme.io jane@acme.io")
    child.expect(r"… drafting")
    child.expect(r"Subject: Congrats on the Series B")
    child.expect(r"\[1\] Raised a Series B \(https://acme.io/news\)")
    child.expect(r"Actions: \[1\] Approve  \[2\] Edit  \[3\] Reject  \[4\] Snooze 1 day")
    child.expect("amia> ")
    child.sendline("9")
    child.expect("There is no action 9")
    child.expect("amia> ")
    child.sendline("2")
    child.expect(r"Subject \[Congrats on the Series B\]: ")
    child.sendline("Quick question")
    child.expect("Body")
    child.sendline("short")
    child.sendline(".")
    child.expect("Not saved: The body is too short")
    child.expect("amia> ")
    child.sendline("1")
    child.expect("Approved by console, send scheduled")
    child.expect("amia> ")
    child.sendline("1")  # the card shown now has no buttons; the old numbers are gone
    child.expect("There is no card with actions")
    child.expect("amia> ")
    child.sendline("leads hot")
    child.expect(r"1\. Acme \(acme.io\)")
    child.expect("amia> ")
    child.sendeof()
    child.expect(pexpect.EOF)
