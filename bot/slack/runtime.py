"""What every Slack listener shares at run time: settings, the Web API client, the send queue and the
background tasks that run after an ack (tracked so shutdown can wait for them and failures are logged).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import new_error_id
from bot.settings import Settings
from bot.slack.sender import SendQueue

if TYPE_CHECKING:
    from bot.slack.workspaces import Workspaces

log = logging.getLogger(__name__)


def build_client(settings: Settings, token: str | None) -> AsyncWebClient:
    """A Web API client that honours Retry-After on 429 and retries 5xx and connection errors. Without a token
    (several workspaces) it is the template Bolt copies, with each request's own token, for its listeners."""
    s = settings.slack
    return AsyncWebClient(
        token=token,
        base_url=s.api_base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=s.rate_limit_retries),
            AsyncServerErrorRetryHandler(max_retry_count=s.server_error_retries),
        ],
    )


@dataclass
class SlackRuntime:
    settings: Settings
    client: AsyncWebClient  # the app's client: with several workspaces it has no token (see workspaces)
    queue: SendQueue
    workspaces: Workspaces
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    workers: int = 4  # agent jobs running at once; the rest wait their turn so acks never queue behind them

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.workers)

    def spawn(self, work: Coroutine[Any, Any, Any], what: str, *, heavy: bool = False) -> asyncio.Task[Any]:
        """Run work after the ack; errors are logged with an id instead of vanishing. ``heavy`` (agent) jobs
        share ``workers`` slots; light UI updates (card refreshes, home tab) never wait behind them."""

        async def guarded() -> None:
            try:
                if heavy:
                    async with self._slots:
                        await work
                else:
                    await work
            except Exception:
                log.exception("background %s failed (%s)", what, new_error_id())

        task = asyncio.get_running_loop().create_task(guarded())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def drain(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait for in-flight work (used on shutdown and by tests)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)
