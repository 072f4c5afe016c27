"""Slack ack latency for /metrics: the time from a request reaching the app to its acknowledgement being ready.

Every transport (signed HTTP requests, Socket Mode) hands requests to ``async_dispatch``; with
``process_before_response`` its return *is* the ack Slack waits for (listeners ack, spawn their work and return), so
timing it measures what Slack sees minus the network. Refused requests (forged signatures, 4xx) are not acks.
"""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.metrics import Metrics


class TimedApp(AsyncApp):
    """An AsyncApp that records amia_slack_ack_seconds and amia_slack_acks_total for each acknowledged request."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ack_metrics = metrics

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        resp = await super().async_dispatch(req)
        if 200 <= resp.status < 300:
            self.ack_metrics.record_ack(time.perf_counter() - started)
        return resp
