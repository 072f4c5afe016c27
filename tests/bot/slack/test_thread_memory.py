"""Thread context lives in the bot's SQLite file: it survives a restart, stays bounded and can be erased."""

from __future__ import annotations

from pathlib import Path

from bot.slack.conversation import MAX_TURNS, ThreadMemory


def test_thread_context_survives_a_restart_is_bounded_and_erasable(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first = ThreadMemory(path)
    first.add("C1", "111.1", "user: research acme.io", "amia: Acme Analytics — fintech, 240 people")
    first.add("C1", "222.2", "user: draft globex.com jane@globex.com", "amia: draft ready")
    first.close()

    again = ThreadMemory(path)  # a new process
    assert again.history("C1", "111.1") == ["user: research acme.io", "amia: Acme Analytics — fintech, 240 people"]
    for i in range(MAX_TURNS + 5):
        again.add("C1", "111.1", f"user: turn {i}")
    kept = again.history("C1", "111.1")
    assert len(kept) == MAX_TURNS and kept[-1] == f"user: turn {MAX_TURNS + 4}"

    assert again.erase("JANE@globex.com") == 1
    assert again.history("C1", "222.2") == ["amia: draft ready"]
    again.close()
