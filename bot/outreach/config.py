"""Outbound email and inbound replies (the `outreach:` section of config.yaml). Passwords come from the env."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OutreachConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transport: str = Field("outbox", pattern="^(outbox|smtp)$", description="'outbox' writes .eml files; 'smtp' sends")
    outbox_dir: str = Field("var/outbox", description="where the outbox transport writes messages")
    from_address: str = Field("alex@example.com", description="sender address of outreach email")
