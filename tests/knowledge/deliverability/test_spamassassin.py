"""SpamAssassin really runs (spamd and the per-message CLI agree), and `amia review` prints the stable shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from knowledge.deliverability.message import parse_message, render_message
from knowledge.deliverability.spamassassin import SpamAssassin

ROOT = Path(__file__).resolve().parents[3]
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def message(body: str) -> bytes:
    return render_message(
        from_name="Alex from Example Co",
        from_address="alex@example.com",
        to_address="jane@acme.io",
        to_name="Jane Doe",
        subject="Reporting at Acme",
        body=body,
        unsubscribe_url="https://example.com/u/1",
    )


def test_rendered_message_is_realistic_and_round_trips() -> None:
    raw = message("Hallo Jane, Grüße aus Köln.\n")
    parsed = parse_message(raw)
    for header in ("Date", "Message-ID", "MIME-Version", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert parsed.header(header), header
    assert parsed.to == ["jane@acme.io"] and "Grüße aus Köln" in parsed.text


async def test_spamd_and_cli_agree(spam_scorer: SpamAssassin) -> None:
    ham, spam = message("Hi Jane,\nA short note about reporting.\n"), message(f"Hi\n{GTUBE}\n")
    cli = SpamAssassin()
    for raw in (ham, spam):
        a, b = await spam_scorer.score(raw), cli.score_sync(raw)
        assert a.score == b.score and a.engine == "spamd" and b.engine == "spamassassin-cli"
    report = await spam_scorer.score(spam)
    assert report.score >= 1000 and "GTUBE" in report.rule_names


def test_amia_review_cli_json_shape(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(message(f"Hi\n{GTUBE}\n"))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "review", str(path), "--country", "US", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    data = json.loads(done.stdout)
    assert set(data) == {"verdict", "findings", "spam_score"} and data["verdict"] == "block"
    assert data["spam_score"] >= 5 and all(set(f) == {"rule", "severity", "text", "fix"} for f in data["findings"])
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "review", "-", "--json"],
        input="not an email",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert json.loads(bad.stdout)["findings"][0]["rule"] == "message.unparseable"
