"""Slack app behaviour and scheduled digests (the `slack:` and `schedules:` sections of config.yaml)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SlackConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str = Field("/amia", description="slash command name registered in the Slack app")
    digest_channel: str | None = Field(None, description="channel id that receives scheduled digests")
    api_base_url: str = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL (must end in /api/); change only for an Enterprise proxy or tests",
    )
    events_path: str = Field("/slack/events", description="HTTP path for events, commands and interactivity")
    alerts_channel: str | None = Field(
        None, description="channel id for high-intent signal alerts; null = DM the user who watches the company"
    )
    alert_signal_types: list[str] = Field(
        ["funding", "acquisition", "leadership_change", "expansion", "product_launch"],
        description="signal types that count as high intent and trigger an alert",
    )
    alert_min_confidence: float = Field(0.7, ge=0, le=1, description="minimum signal confidence for an alert")
    alert_cooldown_hours: float = Field(24.0, ge=0, description="at most one alert per company in this window")
    approvers: dict[str, list[str]] = Field(
        {"low": ["*"], "medium": ["*"], "high": ["@sales-leads"], "critical": ["@compliance"]},
        description="who may approve drafts, per risk tier: Slack user ids (U…), user groups (@handle or S… id; "
        "needs usergroups:read), 'owner' (whoever asked for the draft), '*' (anyone); [] = nobody yet",
    )
    channel_send_interval_seconds: float = Field(
        1.0, ge=0, description="minimum gap between bot posts in one channel (Slack allows ~1 message/s)"
    )
    rate_limit_retries: int = Field(3, ge=0, le=10, description="retries after HTTP 429, honouring Retry-After")
    server_error_retries: int = Field(2, ge=0, le=10, description="retries after Slack 5xx responses")
    event_dedupe_hours: float = Field(
        1.0, gt=0, description="how long an event_id is remembered to drop Events API redeliveries"
    )
    install_path: str = Field(
        "/slack/install",
        description="OAuth install page (several workspaces: SLACK_CLIENT_ID + SLACK_CLIENT_SECRET); it sends "
        "the visitor to Slack to add AMIA to their workspace",
    )
    oauth_redirect_path: str = Field(
        "/slack/oauth_redirect",
        description="where Slack returns after an install; register http.public_url + this path as the app's "
        "Redirect URL",
    )
    oauth_authorize_url: str = Field(
        "https://slack.com/oauth/v2/authorize", description="Slack's authorize page; change only for tests"
    )
    oauth_scopes: list[str] = Field(
        [
            "app_mentions:read",
            "chat:write",
            "chat:write.public",
            "commands",
            "files:write",
            "channels:history",
            "groups:history",
            "usergroups:read",
            "im:history",
            "im:read",
            "im:write",
        ],
        min_length=1,
        description="bot scopes requested when a workspace installs AMIA over OAuth",
    )
    default_team_id: str | None = Field(
        None,
        description="with several workspaces installed: the team (T…) or org (E…) id that receives digests and "
        "alerts for channels no request has come from yet; null = the only installed workspace",
    )

    @field_validator("api_base_url", "oauth_authorize_url")
    @classmethod
    def _http_url(cls, value: str, info: ValidationInfo) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError("must start with http:// or https://")
        if info.field_name == "api_base_url" and not value.endswith("/"):
            return value + "/"
        return value

    @field_validator("install_path", "oauth_redirect_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9_/.-]*", value):
            raise ValueError("must be a URL path starting with / (letters, digits, _ . - /)")
        return value

    @field_validator("command")
    @classmethod
    def _command(cls, value: str) -> str:
        if not re.fullmatch(r"/[a-z0-9_-]{1,31}", value):
            raise ValueError("must look like /amia (lower case, at most 32 characters)")
        return value


class DigestSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(description="channel id that receives this digest")
    cadence: Literal["daily", "weekly"] = Field("daily", description="daily or weekly")
    at: str = Field("08:30", pattern=_HHMM, description="HH:MM in schedules.timezone")
    day: str = Field("mon", description="weekday for weekly digests (mon..sun)")

    @field_validator("day")
    @classmethod
    def _day(cls, value: str) -> str:
        if value.lower()[:3] not in WEEKDAYS:
            raise ValueError(f"must be one of {', '.join(WEEKDAYS)}")
        return value.lower()[:3]


class SchedulesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str = Field("UTC", description="time zone for schedules (IANA name)")
    daily_digest: str | None = Field("08:30", description="HH:MM for the daily digest; null turns it off")
    weekly_digest: str | None = Field(
        "mon 09:00", description="'ddd HH:MM' for the weekly digest to slack.digest_channel; null turns it off"
    )
    digests: list[DigestSchedule] = Field([], description="extra digests per channel (channel, cadence, at, day)")
    watch_interval_hours: float = Field(24.0, gt=0, description="how often a watched company or feed is re-checked")
    misfire_grace_minutes: int = Field(
        60, ge=1, description="a job missed while AMIA was down still runs if it is at most this late"
    )

    @field_validator("weekly_digest")
    @classmethod
    def _weekly(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.lower().split()
        if len(parts) != 2 or parts[0][:3] not in WEEKDAYS or not re.match(_HHMM, parts[1]):
            raise ValueError("must look like 'mon 09:00'")
        return f"{parts[0][:3]} {parts[1]}"

    @field_validator("daily_digest")
    @classmethod
    def _daily(cls, value: str | None) -> str | None:
        if value is not None and not re.match(_HHMM, value):
            raise ValueError("must be HH:MM (24 h)")
        return value
