"""`amia run` as a real process for the reliability tests: its own config and state in a tmp dir, the session's
Neo4j, output in a log file the test can wait on, kill -9, and restart on the same state."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def write_config(tmp: Path, sections: dict[str, Any]) -> Path:
    base: dict[str, Any] = {
        "storage": {"data_dir": str(tmp / "var")},
        "memory": {"enabled": False},
        "http": {"host": "127.0.0.1", "port": 0, "public_url": "https://amia.example.com"},
        "compliance": {"spamassassin_mode": "off"},
    }
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(merge(base, sections)))
    return path


class BotProcess:
    """One `amia run`; start() again after kill9() to restart it on the same state (the log is appended)."""

    def __init__(self, config: Path, neo4j_uri: str, log: Path, **env: str) -> None:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "NEO4J_", "SMTP_"))}
        self.env = clean | {"AMIA_CONFIG": str(config), "NEO4J_URI": neo4j_uri, "PYTHONUNBUFFERED": "1"} | env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, ready: str, timeout: float = 60.0) -> None:
        """Start and wait until the log shows ``ready`` (a regex) for this start."""
        mark = self.text()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(ROOT / ".venv/bin/amia"), "run"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,  # console mode waits on it; kept open
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        self.wait_log(ready, timeout, after=len(mark))

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 30.0, *, after: int = 0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.text()[after:])
            if m:
                return m
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"amia run exited ({self.proc.returncode}) before {pattern!r}:\n{self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {pattern!r}:\n{self.text()[-4000:]}")
            time.sleep(0.1)

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert self.proc.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        if self.proc.stdin:
            self.proc.stdin.close()  # console mode ends on EOF
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def amia(config: Path, neo4j_uri: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A one-shot `amia ...` command, as a user would type it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "NEO4J_", "SMTP_"))}
    return subprocess.run(
        [str(ROOT / ".venv/bin/amia"), "--config", str(config), *args],
        cwd=ROOT,
        env=clean | {"NEO4J_URI": neo4j_uri} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
