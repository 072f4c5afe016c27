"""Finding a message the bot posted but never heard back about (killed between Slack storing a post and
answering it). Messages that matter carry a block id naming what they are (a command's progress message, an
approval's card), so a restart can ask Slack whether it is already there instead of posting it twice."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.errors import ServiceError
from bot.slack.runtime import SlackRuntime

log = logging.getLogger(__name__)


async def find_marked(
    rt: SlackRuntime, channel: str, marker: str, *, thread: str | None = None, since: float | None = None
) -> str | None:
    """The ts of the bot's message carrying block id ``marker`` — in ``thread`` (conversations.replies) or
    top-level in the channel since ``since`` (conversations.history). None if absent or Slack can't say."""
    try:
        client = await rt.workspaces.client_for(channel)
        if thread:
            resp = await client.conversations_replies(channel=channel, ts=thread, limit=200)
        else:
            oldest = f"{since:.6f}" if since is not None else "0"
            resp = await client.conversations_history(channel=channel, oldest=oldest, limit=200)
    except (SlackApiError, ServiceError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else str(exc)
        log.warning("can't look for %s in %s (%s)", marker, channel, error)
        return None
    messages: list[dict[str, Any]] = resp.get("messages") or []
    for m in messages:
        if m.get("bot_id") and any(b.get("block_id") == marker for b in m.get("blocks") or []):
            return str(m["ts"])
    return None
