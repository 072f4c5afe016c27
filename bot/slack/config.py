"""Slack app behaviour and scheduled digests (the `slack:` and `schedules:` sections of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SlackConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str = Field("/amia", description="slash command name registered in the Slack app")
    digest_channel: str | None = Field(None, description="channel id that receives scheduled digests")


class SchedulesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str = Field("UTC", description="time zone for schedules (IANA name)")
    daily_digest: str | None = Field("08:30", description="HH:MM for the daily digest; null turns it off")
