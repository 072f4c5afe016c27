"""What a command or a conversation turn answers: text for every surface, optional Block Kit for Slack.

The console renders the same blocks as text with numbered actions, so one reply shape serves both surfaces.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[str], Awaitable[None]]
"""Reports a stage of long work ("fetching acme.com/about…"); Slack edits one message, the console prints it."""


async def no_progress(stage: str) -> None:
    return None


@dataclass
class Reply:
    text: str
    blocks: list[dict[str, Any]] | None = None
    approval_id: str | None = None
    ephemeral: bool = False  # only the asker should see it (usage errors, refusals)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, content) to upload with the reply


@dataclass
class Context:
    """Who is asking, where, and what was said before in this thread."""

    user: str
    channel: str | None = None
    thread: str | None = None
    surface: str = "slack"  # slack | console
    history: list[str] = field(default_factory=list)
    # the durable id of the queued command this serves (bot/slack/queue.py); effects that must happen once per
    # command, such as the approval a draft makes, are keyed by it, so a re-run after a restart reuses them
    command_id: str | None = None
