"""Per-channel send queue: posts to one channel leave at most once per interval, in order, others unaffected."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse


class SendQueue:
    def __init__(self, client: AsyncWebClient, interval: float) -> None:
        self.client, self.interval = client, interval
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def _paced(self, channel: str, call: Any) -> Any:
        lock = self._locks.setdefault(channel, asyncio.Lock())  # asyncio.Lock wakes waiters in FIFO order
        async with lock:
            wait = self._last.get(channel, 0.0) + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await call()
            finally:
                self._last[channel] = time.monotonic()

    async def post(self, channel: str, **kwargs: Any) -> AsyncSlackResponse:
        return await self._paced(channel, lambda: self.client.chat_postMessage(channel=channel, **kwargs))  # type: ignore[no-any-return]

    async def upload(self, channel: str, **kwargs: Any) -> AsyncSlackResponse:
        """files.getUploadURLExternal + upload + files.completeUploadExternal (which posts in the channel)."""
        return await self._paced(channel, lambda: self.client.files_upload_v2(channel=channel, **kwargs))  # type: ignore[no-any-return]

    async def update(self, channel: str, ts: str, **kwargs: Any) -> AsyncSlackResponse:
        return await self.client.chat_update(channel=channel, ts=ts, **kwargs)
