"""SpamAssassin adapter: a throwaway local spamd (127.0.0.1, -L) with spamc, or `spamassassin -L -t` per message.

Network tests are always off (-L): scores come from the local rule set only, so they are lenient; callers
combine the score with hard-fail rules (see ComplianceConfig).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_SCORE_LINE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)\s*$", re.M)
_ANALYSIS = re.compile(r"Content analysis details:\s+\((-?\d+(?:\.\d+)?) points?, (-?\d+(?:\.\d+)?) required\)")
_RULE_LINE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")


class SpamAssassinUnavailable(RuntimeError):
    """SpamAssassin is not installed or failed to score; the message says how to fix it."""


@dataclass(frozen=True)
class RuleHit:
    name: str
    points: float
    description: str


@dataclass(frozen=True)
class SpamReport:
    score: float
    required: float
    rules: list[RuleHit] = field(default_factory=list)
    engine: str = "spamd"

    @property
    def rule_names(self) -> list[str]:
        return [r.name for r in self.rules]


def parse_report(text: str, engine: str) -> SpamReport:
    """Read the score and the 'pts rule name description' table of a SpamAssassin report."""
    m = _ANALYSIS.search(text)
    if m:
        score, required = float(m.group(1)), float(m.group(2))
    else:
        s = _SCORE_LINE.search(text)
        if not s:
            raise SpamAssassinUnavailable(f"{engine} returned no score: {text[:200]!r}")
        score, required = float(s.group(1)), float(s.group(2))
    rules: list[RuleHit] = []
    in_table = False
    for line in text.splitlines():
        if line.startswith("---- ----"):
            in_table = True
            continue
        if not in_table:
            continue
        hit = _RULE_LINE.match(line)
        if hit:
            rules.append(RuleHit(hit.group(2), float(hit.group(1)), hit.group(3).strip()))
        elif line.startswith(" " * 5) and rules:  # wrapped description
            last = rules[-1]
            rules[-1] = RuleHit(last.name, last.points, f"{last.description} {line.strip()}")
        elif not line.strip():
            break
    return SpamReport(score=score, required=required, rules=rules, engine=engine)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SpamdProcess:
    """A private spamd on 127.0.0.1 (local tests only, no per-user config, bayes kept in a temp dir)."""

    def __init__(self, *, port: int | None = None, workdir: Path | None = None) -> None:
        self.port = port or _free_port()
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="amia-spamd-")
        self.workdir = workdir or Path(self._tmp.name if self._tmp else ".")
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 30.0) -> SpamdProcess:
        spamd = shutil.which("spamd") or ("/usr/sbin/spamd" if Path("/usr/sbin/spamd").exists() else None)
        if not spamd or not shutil.which("spamc"):
            raise SpamAssassinUnavailable("spamd/spamc are not installed: run `make system-deps`")
        home = self.workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        args = [spamd, "-L", "-x", "--listen", f"127.0.0.1:{self.port}", "--allowed-ips=127.0.0.1"]
        args += ["--min-children=1", "--max-children=2", "--syslog=stderr", "-H", str(home)]
        args += [f"--cf=bayes_path {home}/bayes", "--cf=bayes_auto_learn 0", "--cf=use_bayes 0"]
        if os.geteuid() == 0:  # spamd refuses to run children as root
            shutil.chown(home, "nobody", "nogroup")
            args += ["-u", "nobody"]
        log_file = (self.workdir / "spamd.log").open("wb")
        self._proc = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = (self.workdir / "spamd.log").read_text(errors="replace")[-400:]
                raise SpamAssassinUnavailable(f"spamd exited at start: {tail}")
            ping = subprocess.run(
                ["spamc", "-d", "127.0.0.1", "-p", str(self.port), "-K"], capture_output=True, timeout=5
            )
            if ping.returncode == 0:
                return self
            time.sleep(0.05)
        self.stop()
        raise SpamAssassinUnavailable(f"spamd did not answer on 127.0.0.1:{self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        self._proc = None
        if self._tmp:
            with contextlib.suppress(OSError):
                self._tmp.cleanup()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


class SpamAssassin:
    """Scores raw messages. Use ``spamd`` (fast, ~30 ms/message) or the CLI (~0.7 s/message)."""

    def __init__(self, *, spamd: SpamdProcess | None = None, timeout: float = 30.0) -> None:
        self._spamd = spamd
        self._timeout = timeout

    @classmethod
    def from_mode(cls, mode: str, *, timeout: float = 30.0) -> SpamAssassin | None:
        """Build per config: 'spamd' starts a local spamd, 'cli' runs per message, 'auto' tries spamd first."""
        if mode == "off":
            return None
        if mode in ("spamd", "auto"):
            try:
                return cls(spamd=SpamdProcess().start(timeout=timeout), timeout=timeout)
            except (SpamAssassinUnavailable, OSError) as exc:
                if mode == "spamd":
                    raise SpamAssassinUnavailable(str(exc)) from exc
                log.warning("spamd unavailable (%s); scoring with `spamassassin -L -t`", exc)
        return cls(timeout=timeout)

    def close(self) -> None:
        if self._spamd:
            self._spamd.stop()

    @property
    def engine(self) -> str:
        return "spamd" if self._spamd else "spamassassin-cli"

    def score_sync(self, raw: bytes) -> SpamReport:
        if self._spamd and self._spamd.running:
            cmd = ["spamc", "-d", "127.0.0.1", "-p", str(self._spamd.port), "-R", "-x"]
            return self._run(cmd, raw, "spamd", env=None)
        exe = shutil.which("spamassassin")
        if not exe:
            raise SpamAssassinUnavailable("spamassassin is not installed: run `make system-deps`")
        with tempfile.TemporaryDirectory(prefix="amia-sa-") as home:
            env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
            return self._run([exe, "-L", "-t", "--cf=use_bayes 0"], raw, "spamassassin-cli", env=env)

    def _run(self, cmd: list[str], raw: bytes, engine: str, env: dict[str, str] | None) -> SpamReport:
        try:
            done = subprocess.run(cmd, input=raw, capture_output=True, timeout=self._timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise SpamAssassinUnavailable(f"{engine} took longer than {self._timeout:.0f}s") from exc
        except OSError as exc:
            raise SpamAssassinUnavailable(f"{engine} could not run: {exc}") from exc
        out = done.stdout.decode("utf-8", errors="replace")
        if engine == "spamd" and done.returncode not in (0, 1):
            raise SpamAssassinUnavailable(f"spamc failed (exit {done.returncode}); is spamd running?")
        return parse_report(out, engine)

    async def score(self, raw: bytes) -> SpamReport:
        """Score one RFC 5322 message (runs the blocking call in a thread)."""
        return await asyncio.to_thread(self.score_sync, raw)
