"""`amia neo4j start|status|stop` and `amia doctor` as a user runs them, against a real local server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.localneo4j.server import free_port

ROOT = Path(__file__).resolve().parents[3]


def amia(
    *args: str, config: Path, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**base, **(env or {})},
    )


def write_config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"neo4j:\n  local_port: {port}\n  local_home: {tmp_path / 'home'}\n  local_heap: 512m\n"
        "  local_pagecache: 128m\n"
    )
    return path


def test_start_status_doctor_stop(tmp_path: Path) -> None:
    config = write_config(tmp_path, free_port())
    assert amia("neo4j", "status", config=config).returncode == 3
    started = amia("neo4j", "start", config=config)
    try:
        assert started.returncode == 0, started.stderr
        assert "Neo4j started at bolt://127.0.0.1:" in started.stdout
        again = amia("neo4j", "start", config=config)
        assert "already running" in again.stdout
        status = amia("neo4j", "status", config=config)
        assert status.returncode == 0 and "running at" in status.stdout
        doctor = amia("doctor", "--json", config=config)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert '"status": "ok"' in doctor.stdout and '"name": "neo4j"' in doctor.stdout
    finally:
        stopped = amia("neo4j", "stop", config=config)
    assert "Neo4j stopped" in stopped.stdout
    assert amia("neo4j", "status", config=config).returncode == 3
    # data lives where configured, not in the repo
    assert (tmp_path / "home" / "db").is_dir()


def test_port_in_use_is_one_clear_message(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = amia("neo4j", "start", config=write_config(tmp_path, port))
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_unreachable_external_database(tmp_path: Path) -> None:
    result = amia(
        "doctor", config=write_config(tmp_path, free_port()), env={"NEO4J_URI": "bolt://127.0.0.1:1"}, timeout=60
    )
    assert result.returncode == 1
    assert "✗ neo4j" in result.stdout and "fix:" in result.stdout


def test_malformed_config_is_one_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("crawler:\n  per_host_rate: fast\n")
    result = amia("doctor", config=bad)
    assert result.returncode == 1
    assert "crawler.per_host_rate" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("argv", [["--help"], ["neo4j", "--help"]])
def test_help_works_without_services(tmp_path: Path, argv: list[str]) -> None:
    result = amia(*argv, config=write_config(tmp_path, free_port()))
    assert result.returncode == 0 and "usage: amia" in result.stdout
