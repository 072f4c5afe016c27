"""Is a digest's chart already in the digest's thread? Asked after a restart that finds the chart upload was under
way (bot/digest_ledger.py): Slack may have shared the chart before the bot heard back, and it must not go up twice.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.digest import CHART_NAME

log = logging.getLogger(__name__)


async def chart_in_thread(client: AsyncWebClient, channel: str, thread: str) -> bool:
    """True when a message in the thread carries the chart; False when none does or Slack cannot say (then the
    chart is uploaded again: a rare second chart beats a missing one)."""
    try:
        resp = await client.conversations_replies(channel=channel, ts=thread, limit=200)
    except SlackApiError as exc:
        log.warning("can't look for the digest's chart in %s (%s)", channel, exc.response.get("error"))
        return False
    messages: list[dict[str, Any]] = resp.get("messages") or []
    return any(f.get("name") == CHART_NAME for m in messages for f in m.get("files") or [])
