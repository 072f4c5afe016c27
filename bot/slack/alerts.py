"""Alerts for new high-intent signals on watched or hot companies, with a cool-down per company.

`Alerter` decides what is worth an alert and where it goes; delivery is a callback so Slack posts through the
send queue and the console prints.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.errors import ServiceError
from bot.slack import blocks
from bot.slack.config import SlackConfig
from bot.state import BotState, Watch
from bot.workflows import SignalHit, Workflows

log = logging.getLogger(__name__)
Deliver = Callable[[str, str, list[dict[str, Any]]], Awaitable[None]]  # (destination, text, blocks)


class Alerter:
    def __init__(self, config: SlackConfig, workflows: Workflows, state: BotState, deliver: Deliver) -> None:
        self.config, self.workflows, self.state, self.deliver = config, workflows, state, deliver

    def high_intent(self, hit: SignalHit) -> bool:
        return hit.type in self.config.alert_signal_types and hit.confidence >= self.config.alert_min_confidence

    async def destination(self, watch: Watch | None) -> str | None:
        if watch is None:
            return self.config.alerts_channel
        prefs = await self.state.user_settings(watch.user)
        if prefs.alerts_to == "channel":
            return self.config.alerts_channel or watch.channel or watch.user
        return watch.user  # posting to a user id lands in the app's DM with them

    async def consider(self, hits: list[SignalHit], watch: Watch | None, reason: str, now: float | None = None) -> int:
        """Alert on each high-intent hit unless its company is cooling down; returns alerts sent."""
        sent = 0
        for hit in hits:
            if not self.high_intent(hit):
                continue
            dest = await self.destination(watch)
            if dest is None:
                continue
            if not await self.state.take_cooldown(f"alert:{hit.domain}", self.config.alert_cooldown_hours * 3600, now):
                log.info("alert for %s suppressed by cool-down", hit.domain)
                continue
            text = f"{hit.name} ({hit.domain}): {hit.type.replace('_', ' ')} — {hit.evidence}"
            await self.deliver(dest, text[:3000], blocks.build_alert(hit, reason))
            sent += 1
        return sent

    async def check_watch(self, watch: Watch, since: datetime) -> int:
        tracked = [w.target for w in await self.state.watches() if w.kind == "domain"]
        hits = await self.workflows.check_watch(watch.target, since, tracked)
        return await self.consider(hits, watch, f"you watch {watch.target}")

    async def sweep(self, since: datetime) -> int:
        """New high-intent signals on hot companies (watched ones are handled by their own job)."""
        try:
            hits = await self.workflows.signals(since, industry=None, types=list(self.config.alert_signal_types))
            hot = {lead.domain for lead in await self.workflows.leads("hot", 200)}
        except ServiceError as exc:
            log.info("alert sweep skipped: %s", exc)
            return 0
        watched = {w.target for w in await self.state.watches()}
        return await self.consider([h for h in hits if h.domain in hot and h.domain not in watched], None, "hot lead")
