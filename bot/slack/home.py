"""App Home: the user's queue (hot leads, approvals waiting, recent replies) and their settings."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import ServiceError
from bot.slack import blocks
from bot.slack.approvals import Spawn
from bot.state import BotState, UserSettings
from bot.workflows import LeadSummary, Workflows

log = logging.getLogger(__name__)
SettingsChanged = Callable[[UserSettings], Awaitable[None]]


async def build_home_view(user: str, workflows: Workflows, state: BotState) -> dict[str, Any]:
    hot: list[LeadSummary] = []
    replies: list[str] = []
    try:
        hot = await workflows.leads("hot", 10)
        replies = await workflows.replies(10)
    except ServiceError as exc:
        log.info("home tab without leads/replies: %s", exc)
    return blocks.build_home(user, hot, await state.open_approvals(10), replies, await state.user_settings(user))


def register(
    app: AsyncApp, workflows: Workflows, state: BotState, spawn: Spawn, on_change: SettingsChanged | None = None
) -> None:
    async def publish(client: AsyncWebClient, user: str) -> None:
        await client.views_publish(user_id=user, view=await build_home_view(user, workflows, state))

    async def handle_app_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") == "home":
            spawn(publish(client, event["user"]), "home tab")

    async def handle_setting(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        spawn(save_setting(body, client), "home setting")

    async def save_setting(body: dict[str, Any], client: AsyncWebClient) -> None:
        user = body["user"]["id"]
        action = body["actions"][0]
        value = (action.get("selected_option") or {}).get("value", "")
        current = await state.user_settings(user)
        if action["action_id"] == blocks.HOME_DIGEST_TIME and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            current.digest_time = value
        elif action["action_id"] == blocks.HOME_ALERTS_TO and value in ("dm", "channel"):
            current.alerts_to = value
        else:
            return
        await state.save_user_settings(current)
        if on_change:
            await on_change(current)
        await publish(client, user)

    app.event("app_home_opened")(handle_app_home_opened)
    app.action(blocks.HOME_DIGEST_TIME)(handle_setting)
    app.action(blocks.HOME_ALERTS_TO)(handle_setting)
