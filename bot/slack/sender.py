"""Per-channel send queue: posts to one channel leave at most once per interval, in order, others unaffected.

A rate-limit storm that outlasts the client's own 429 retries is waited out here (honouring Retry-After, for up
to ``patience`` seconds), holding the channel's place in line, so a burst of posts still arrives once and in order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

log = logging.getLogger(__name__)


def _retry_after(exc: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait, when ``exc`` is a 429; None for any other error."""
    response = getattr(exc, "response", None)
    if response is None or getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after") or "1"
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 1.0


ClientFor = Callable[[str], Awaitable[AsyncWebClient]]  # channel -> the client whose token may post there


class SendQueue:
    """``client`` is one Web API client, or (several workspaces) a function that picks the client by channel."""

    def __init__(self, client: AsyncWebClient | ClientFor, interval: float, *, patience: float = 300.0) -> None:
        self.client, self.interval, self.patience = client, interval, patience
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def client_for(self, channel: str) -> AsyncWebClient:
        return self.client if isinstance(self.client, AsyncWebClient) else await self.client(channel)

    async def _paced(self, channel: str, call: Callable[[AsyncWebClient], Awaitable[Any]]) -> Any:
        client = await self.client_for(channel)  # fails fast (no workspace) before taking the channel's turn
        lock = self._locks.setdefault(channel, asyncio.Lock())  # asyncio.Lock wakes waiters in FIFO order
        async with lock:
            wait = self._last.get(channel, 0.0) + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            give_up = time.monotonic() + self.patience
            while True:
                try:
                    return await call(client)
                except SlackApiError as exc:
                    pause = _retry_after(exc)
                    if pause is None or time.monotonic() + pause > give_up:
                        raise
                    log.warning("channel %s still rate-limited after the client's retries; waiting %gs", channel, pause)
                    await asyncio.sleep(pause)
                finally:
                    self._last[channel] = time.monotonic()

    async def post(self, channel: str, **kwargs: Any) -> AsyncSlackResponse:
        return await self._paced(channel, lambda c: c.chat_postMessage(channel=channel, **kwargs))  # type: ignore[no-any-return]

    async def upload(self, channel: str, **kwargs: Any) -> AsyncSlackResponse:
        """files.getUploadURLExternal + upload + files.completeUploadExternal (which posts in the channel)."""
        return await self._paced(channel, lambda c: c.files_upload_v2(channel=channel, **kwargs))  # type: ignore[no-any-return]

    async def update(self, channel: str, ts: str, **kwargs: Any) -> AsyncSlackResponse:
        return await (await self.client_for(channel)).chat_update(channel=channel, ts=ts, **kwargs)
