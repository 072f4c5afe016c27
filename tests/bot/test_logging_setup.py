"""Logs never carry secrets or full email addresses, in text or JSON format."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logging_setup import configure_logging


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_tokens_and_emails_are_masked(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", fmt, secrets=["hunter2-neo4j-password"])
    log = logging.getLogger("amia.test")
    log.info("connecting with hunter2-neo4j-password for jane.doe@acme.io using xoxb-123456-abcdef")
    try:
        raise RuntimeError("token sk-abcdefghijklmnop leaked")
    except RuntimeError:
        log.exception("failed for %s", "bob@example.org")
    err = capsys.readouterr().err
    for secret in ("hunter2-neo4j-password", "jane.doe@acme.io", "xoxb-123456", "sk-abcdefghijklmnop", "bob@"):
        assert secret not in err
    assert "j***@acme.io" in err and "[REDACTED]" in err
    if fmt == "json":
        first = json.loads(err.splitlines()[0])
        assert first["level"] == "INFO" and first["logger"] == "amia.test"
    logging.getLogger().handlers.clear()
