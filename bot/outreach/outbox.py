"""Dry-run transport: every message becomes one .eml file in the outbox folder (written atomically)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

from bot.outreach.errors import TemporaryFailure


def _name(rfc_message_id: str) -> str:
    return hashlib.sha256(rfc_message_id.encode()).hexdigest()[:32] + ".eml"


class OutboxTransport:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, rfc_message_id: str) -> Path:
        return self.folder / _name(rfc_message_id)

    def _write(self, raw: bytes, rfc_message_id: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.path_for(rfc_message_id)
        if final.exists():
            return f"already in outbox: {final.name}"
        tmp = final.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        return f"written to outbox: {final.name}"

    async def send(self, raw: bytes, *, sender: str, recipients: list[str], rfc_message_id: str) -> str:
        try:
            return await asyncio.to_thread(self._write, raw, rfc_message_id)
        except OSError as exc:
            raise TemporaryFailure(f"cannot write to the outbox folder {self.folder}: {exc.strerror}") from exc

    async def delivered(self, rfc_message_id: str) -> bool | None:
        return self.path_for(rfc_message_id).exists()

    def erase(self, needle: str) -> int:
        """Delete outbox files that mention ``needle`` (an address or domain); returns how many."""
        if not self.folder.exists():
            return 0
        removed = 0
        for path in self.folder.glob("*.eml"):
            if needle.lower().encode() in path.read_bytes().lower():
                path.unlink()
                removed += 1
        return removed
