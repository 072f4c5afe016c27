"""The Transport interface the sender uses: the outbox folder (dry run) or SMTP."""

from __future__ import annotations

from typing import Protocol


class Transport(Protocol):
    name: str

    async def send(self, raw: bytes, *, sender: str, recipients: list[str], rfc_message_id: str) -> str:
        """Deliver ``raw``; return the server's answer. Raise TemporaryFailure or PermanentFailure."""
        ...

    async def delivered(self, rfc_message_id: str) -> bool | None:
        """Whether a message with this id already went out: True/False when known, None when unknowable."""
        ...
