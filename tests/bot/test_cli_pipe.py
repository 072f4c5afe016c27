"""`amia signals --jsonl big.jsonl | head -1`: a reader that leaves early is not an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    src = tmp_path / "news.jsonl"
    line = {"id": "x", "text": "Acme raised $5 million in a seed round led by Example Ventures."}
    src.write_text("".join(json.dumps(line | {"id": str(i)}) + "\n" for i in range(20000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "signals", "--jsonl", str(src)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = json.loads(proc.stdout.readline())
    proc.stdout.close()  # like `head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert first["signals"][0]["type"] == "funding"
    assert "unexpected error" not in err and "Traceback" not in err and "BrokenPipe" not in err
