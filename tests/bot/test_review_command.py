"""`amia review --country CA --consent …`: CASL consent can be vouched for on the command line, and lapses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

CLEAN = Path(__file__).resolve().parents[1] / "agents" / "policies" / "messages" / "clean_us.eml"


def review(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code = main(["review", str(CLEAN), "--country", "CA", "--json", *extra])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else {}), out.err


def casl(data: dict) -> list[str]:  # type: ignore[type-arg]
    return [f["rule"] for f in data["findings"] if f["rule"].startswith("casl.")]


def test_casl_consent_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = review(capsys)
    assert code == 0 and data["verdict"] == "block" and casl(data) == ["casl.consent"]

    code, data, _ = review(capsys, "--consent", "express", "--consent-source", "https://example.com/signup")
    assert code == 0 and casl(data) == []

    code, data, _ = review(capsys, "--consent", "implied", "--consent-date", "2019-03-01")
    assert casl(data) == ["casl.consent_expired"] and data["verdict"] == "block"

    code, data, _ = review(capsys, "--consent", "implied", "--consent-date", "2099-01-01")
    assert code == 1 and data == {}
    code, _, err = review(capsys, "--consent-date", "2024-01-01")
    assert code == 1 and "add --consent express|implied" in err
    code, _, err = review(capsys, "--consent", "implied", "--consent-date", "01/02/2024")
    assert code == 1 and "--consent-date expects YYYY-MM-DD" in err
