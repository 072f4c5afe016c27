"""Settings: config.yaml (behaviour) + environment (secrets), validated once. The only reader of env."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.llm.config import LlmConfig
from agents.persona import LanguagesConfig, PersonaConfig
from agents.policies.compliance_config import ComplianceConfig
from agents.policies.icp_config import IcpConfig, ScoringConfig
from agents.policies.risk_config import RiskConfig
from bot.outreach.config import OutreachConfig
from bot.slack.config import SchedulesConfig, SlackConfig
from knowledge.memory.config import MemoryConfig
from knowledge.web.config import CrawlerConfig

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"


class SettingsError(Exception):
    """config.yaml or the environment is wrong; the message names the key and what is expected."""


class Neo4jConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database: str = Field("neo4j", description="database name on the server")
    local_port: int = Field(7687, ge=1, le=65535, description="Bolt port of the local server AMIA starts")
    local_home: str = Field(".neo4j/home", description="data and logs folder of the local server (git-ignored)")
    local_heap: str = Field("1g", pattern=r"^\d+[mg]$", description="JVM heap of the local server (e.g. 1g)")
    local_pagecache: str = Field("512m", pattern=r"^\d+[mg]$", description="page cache of the local server")
    connect_timeout_seconds: float = Field(5.0, gt=0, description="how long to wait for a connection")


class StorageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_dir: str = Field("var", description="folder for local state: scheduler, memory, caches, outbox")


class LoggingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$", description="log level")
    format: str = Field("text", pattern="^(text|json)$", description="'text' for people, 'json' in production")


class HttpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="address the HTTP server binds (Slack events, unsubscribe, health)")
    port: int = Field(3000, ge=0, le=65535, description="port of the HTTP server")
    public_url: str = Field(
        "http://127.0.0.1:3000",
        description="URL people and Slack reach the HTTP server at (unsubscribe links)",
    )


class Secrets(BaseSettings):
    """Secrets, read from the environment only. Never put these in config.yaml."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=True)

    SLACK_BOT_TOKEN: SecretStr | None = Field(None, description="Slack bot token (xoxb-…)")
    SLACK_APP_TOKEN: SecretStr | None = Field(None, description="Slack app-level token (xapp-…) for Socket Mode")
    SLACK_SIGNING_SECRET: SecretStr | None = Field(None, description="Slack signing secret (HTTP mode)")
    SLACK_CLIENT_ID: str | None = Field(
        None, description="Slack app client id; with SLACK_CLIENT_SECRET: OAuth install into several workspaces"
    )
    SLACK_CLIENT_SECRET: SecretStr | None = Field(None, description="Slack app client secret (OAuth install)")
    OPENAI_API_KEY: SecretStr | None = Field(None, description="API key for the LLM endpoint; unset = deterministic")
    NEO4J_URI: str | None = Field(None, description="Neo4j URI; unset = AMIA starts its local server")
    NEO4J_USER: str = Field("neo4j", description="Neo4j user name")
    NEO4J_PASSWORD: SecretStr | None = Field(None, description="Neo4j password")
    SMTP_USERNAME: str | None = Field(None, description="SMTP login user")
    SMTP_PASSWORD: SecretStr | None = Field(None, description="SMTP login password")
    IMAP_PASSWORD: SecretStr | None = Field(None, description="IMAP password for reply tracking")
    AMIA_SECRET_KEY: SecretStr | None = Field(
        None, description="key that signs unsubscribe tokens and webhooks; required when sending real email"
    )


SECRET_NAMES = frozenset(Secrets.model_fields)


class Settings(BaseModel):
    """Everything AMIA is configured with. Build it with :func:`load_settings`."""

    model_config = ConfigDict(extra="forbid")

    neo4j: Neo4jConfig = Field(default_factory=Neo4jConfig, description="graph database")
    storage: StorageConfig = Field(default_factory=StorageConfig, description="local state")
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="logs")
    http: HttpConfig = Field(default_factory=HttpConfig, description="HTTP server")
    crawler: CrawlerConfig = Field(default_factory=CrawlerConfig, description="web research politeness")
    icp: IcpConfig = Field(default_factory=IcpConfig, description="ideal customer profile")
    scoring: ScoringConfig = Field(default_factory=ScoringConfig, description="scoring weights and tiers")
    risk: RiskConfig = Field(default_factory=RiskConfig, description="risk tiers, escalation and autonomy")
    compliance: ComplianceConfig = Field(default_factory=ComplianceConfig, description="compliance rules")
    persona: PersonaConfig = Field(default_factory=PersonaConfig, description="brand persona")
    languages: LanguagesConfig = Field(default_factory=LanguagesConfig, description="draft languages")
    llm: LlmConfig = Field(default_factory=LlmConfig, description="LLM engine (optional)")
    memory: MemoryConfig = Field(default_factory=MemoryConfig, description="long-term memory")
    slack: SlackConfig = Field(default_factory=SlackConfig, description="Slack app")
    schedules: SchedulesConfig = Field(default_factory=SchedulesConfig, description="scheduled jobs")
    outreach: OutreachConfig = Field(default_factory=OutreachConfig, description="email delivery")
    secrets: Secrets = Field(default_factory=Secrets, exclude=True, description="from the environment")

    @property
    def llm_enabled(self) -> bool:
        return self.secrets.OPENAI_API_KEY is not None or self.llm.base_url is not None

    @property
    def slack_oauth(self) -> bool:
        """Several workspaces, each installing AMIA over OAuth (tokens in the installation store)."""
        return self.secrets.SLACK_CLIENT_ID is not None and self.secrets.SLACK_CLIENT_SECRET is not None

    @property
    def slack_enabled(self) -> bool:
        return self.secrets.SLACK_BOT_TOKEN is not None or self.slack_oauth

    def data_path(self, *parts: str) -> Path:
        base = Path(self.storage.data_dir)
        if not base.is_absolute():
            base = DEFAULT_CONFIG.parent / base
        return base.joinpath(*parts)


def _format_errors(exc: ValidationError, origin: str) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p != "secrets")
        if err["type"] == "extra_forbidden":
            lines.append(f"{origin}: unknown key '{loc}' (check the spelling; see docs/configuration.md)")
        else:
            got = err.get("input")
            shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
            lines.append(f"{origin}: {loc}: {err['msg']}{shown}")
    return "\n".join(lines)


def load_settings(path: Path | str | None = None, *, environ: dict[str, str] | None = None) -> Settings:
    """Read config.yaml (or ``AMIA_CONFIG``) and the environment; raise SettingsError on any problem."""
    env = dict(os.environ if environ is None else environ)
    config_path = Path(path or env.get("AMIA_CONFIG") or DEFAULT_CONFIG)
    data: dict[str, Any] = {}
    if config_path.exists():
        try:
            loaded = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise SettingsError(f"{config_path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
        except UnicodeDecodeError as exc:
            raise SettingsError(f"{config_path}: not UTF-8 text") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise SettingsError(f"{config_path}: expected a mapping of sections at the top level")
        data = loaded
    elif path is not None:
        raise SettingsError(f"config file {config_path} does not exist")
    leaked = sorted(k for k in data if k.upper() in SECRET_NAMES or k in ("secrets",))
    if leaked:
        raise SettingsError(
            f"{config_path}: {', '.join(leaked)} must not be in config.yaml; set them as environment variables"
        )
    try:
        secrets = Secrets(**{k: v for k, v in env.items() if k in SECRET_NAMES})  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_format_errors(exc, "environment")) from exc
    try:
        return Settings(**data, secrets=secrets)
    except ValidationError as exc:
        raise SettingsError(_format_errors(exc, str(config_path.name))) from exc
