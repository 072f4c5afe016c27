"""Test-server homes left behind by killed runs are removed; live runs' homes are kept."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests import neo4j_server


def test_sweep_removes_only_homes_of_dead_runs(tmp_path: Path) -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()  # a pid that existed and has gone
    gone = tmp_path / f"{neo4j_server.PREFIX}{proc.pid}-abc"
    mine = tmp_path / f"{neo4j_server.PREFIX}{os.getpid()}-def"
    legacy = tmp_path / f"{neo4j_server.PREFIX}x8z61s16l"
    unrelated = tmp_path / "amia-dovecot-123"
    for d in (gone, mine, legacy, unrelated):
        (d / "db").mkdir(parents=True)

    assert neo4j_server.sweep_stale_homes(tmp_path) == 2

    assert not gone.exists() and not legacy.exists()
    assert mine.exists() and unrelated.exists()
