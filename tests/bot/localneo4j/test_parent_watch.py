"""A test server whose owner dies without stopping it exits on its own (no leaked JVMs after a killed run)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

STARTER = """
import sys, time
from pathlib import Path
from bot.localneo4j import LocalNeo4j
from bot.localneo4j.server import free_port
info = LocalNeo4j(Path(sys.argv[1]), home=Path(sys.argv[2])).start(
    port=free_port(), heap="256m", pagecache="64m", exit_with_pid=__import__("os").getpid(),
    preallocate_logs=False)
print(info.pid, flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is as good as gone: it has exited and only waits to be reaped by its (dead) parent's reaper
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")


def test_server_exits_when_its_owner_is_killed(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(ROOT / ".neo4j"), str(tmp_path / "home")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert owner.stdout is not None
    jvm = int(owner.stdout.readline())
    assert alive(jvm)
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 60
    while alive(jvm) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not alive(jvm), "the Neo4j JVM outlived the process that owned it"
