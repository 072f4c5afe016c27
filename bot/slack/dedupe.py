"""Global Bolt middleware: an Events API delivery whose event_id was already handled is acked and dropped.

Works in both transports: the Socket Mode adapter turns retry_attempt into X-Slack-Retry-Num headers, and the
event id is remembered in the bot's SQLite state, so a redelivery after a restart is dropped too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.state import BotState

log = logging.getLogger(__name__)
# Mentions and DMs are deduplicated by the command queue under the same key, in the same write that stores them
# (bot/slack/conversation.py): marking them seen here first would lose one killed between the two writes.
QUEUED = ("app_mention", "message")


def register(app: AsyncApp, state: BotState, ttl_seconds: float) -> None:
    @app.middleware
    async def drop_redeliveries(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]], req: Any
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if isinstance(body, dict) else None
        kind = (body.get("event") or {}).get("type") if isinstance(body, dict) else None
        if event_id and kind not in QUEUED:
            key = f"{body.get('team_id', '')}:{event_id}"
            if not await state.first_time(key, ttl_seconds):
                retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
                log.info("dropped redelivery of %s (retry %s)", event_id, retry)
                return BoltResponse(status=200, body="")
        return await next()
