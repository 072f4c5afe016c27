"""`amia memory …` as a user runs it: a team rule goes in, comes back parsed, and bad input is a clear error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def amia(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "amia"), "--config", str(config), "memory", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_team_rule_round_trip_and_clear_errors(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"memory:\n  path: {tmp_path / 'memory'}\n")
    added = amia(config, "add", "team", "Keine Firmen unter 50 Mitarbeitern", "--json")
    assert added.returncode == 0, added.stderr
    mid = json.loads(added.stdout)["id"]
    rules = amia(config, "rules", "--json")
    assert rules.returncode == 0 and json.loads(rules.stdout)["min_employees"] == 50
    assert "WARNING" not in rules.stderr  # no noise about optional mem0 extras
    bad = amia(config, "forget", "no-such-id")
    assert bad.returncode != 0 and "no memory with id no-such-id" in bad.stderr + bad.stdout
    assert mid  # the id printed by add is what `amia memory forget` takes
