"""Outbound email and inbound replies (the `outreach:` section of config.yaml). Passwords come from the env."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SmtpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="SMTP relay host name")
    port: int = Field(587, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 implicit TLS, 25 plain)")
    tls: str = Field(
        "starttls", pattern="^(starttls|ssl|none)$", description="'starttls', 'ssl' (implicit TLS) or 'none'"
    )
    ca_file: str | None = Field(
        None,
        description="PEM bundle of CAs to trust for the relay's TLS certificate (an internal relay with a private "
        "CA); unset: the system's trust store. Certificates are always verified.",
    )
    timeout_seconds: float = Field(30.0, gt=0, description="give up on one SMTP conversation after this long")
    max_attempts: int = Field(5, ge=1, le=20, description="send attempts for temporary failures before 'failed'")
    retry_base_seconds: float = Field(300.0, gt=0, description="first retry delay; doubles on each attempt")


class DkimConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="sign outgoing mail with DKIM (needs domain, selector and key)")
    domain: str | None = Field(None, description="signing domain (d=), normally the From domain")
    selector: str = Field(
        "amia", description="DKIM selector (s=); the DNS TXT record is <selector>._domainkey.<domain>"
    )
    key_path: str | None = Field(None, description="PEM file with the RSA private key (keep it out of git)")


class ImapConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="poll a mailbox for replies, bounces and auto-replies")
    host: str = Field("127.0.0.1", description="IMAP server host name")
    port: int = Field(993, ge=1, le=65535, description="IMAP port (993 TLS, 143 plain/STARTTLS)")
    ssl: bool = Field(True, description="connect with implicit TLS")
    user: str | None = Field(None, description="IMAP login (the password is IMAP_PASSWORD in the env)")
    folder: str = Field("INBOX", description="folder to read replies and bounces from")
    poll_seconds: int = Field(120, ge=10, description="how often to poll")


class SendingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mailboxes: list[str] = Field(
        default_factory=list, description="sender addresses to rotate through; empty = just from_address"
    )
    daily_cap_per_mailbox: int = Field(50, ge=1, description="most emails one mailbox sends per calendar day (UTC)")
    business_hours_start: int = Field(9, ge=0, le=23, description="first hour (recipient's local time) to send in")
    business_hours_end: int = Field(17, ge=1, le=24, description="sending stops at this local hour")
    business_days: list[int] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4], description="weekdays to send on, 0 = Monday"
    )
    min_gap_days: float = Field(3.0, ge=0, description="least time between two steps to the same lead")
    min_gap_per_mailbox_seconds: int = Field(
        90, ge=0, description="least time between two sends from one mailbox (staggering)"
    )
    stagger_seconds: int = Field(600, ge=0, description="random spread added to each slot so sends don't bunch")
    default_timezone: str = Field("UTC", description="time zone when the company's location gives none")
    lease_seconds: int = Field(300, ge=30, description="how long a worker owns a step it is sending")
    poll_seconds: float = Field(
        30.0, gt=0, le=3600, description="how often the running bot's outreach worker looks for due steps"
    )


class TrackingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    utm_source: str = Field("amia", description="utm_source added to links in outreach email")
    utm_medium: str = Field("email", description="utm_medium added to links")
    clicks: bool = Field(False, description="rewrite links through the click redirect endpoint (records clicks)")
    opens: bool = Field(False, description="tracking pixel; off by default for privacy (see docs/outreach.md)")


class CrmConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhook_url: str | None = Field(None, description="POST each outcome here, signed with AMIA_SECRET_KEY")
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="timeout of one webhook call")


class OutreachConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transport: str = Field("outbox", pattern="^(outbox|smtp)$", description="'outbox' writes .eml files; 'smtp' sends")
    outbox_dir: str = Field("var/outbox", description="where the outbox transport writes messages")
    from_address: str = Field("alex@example.com", description="sender address of outreach email")
    from_name: str | None = Field(None, description="display name on From; unset = persona.sender_name")
    reply_to: str | None = Field(None, description="Reply-To address; unset = the sending mailbox")
    unsubscribe_mailto: str | None = Field(
        None, description="mailbox for List-Unsubscribe mailto; unset = from_address"
    )
    smtp: SmtpConfig = Field(default_factory=SmtpConfig, description="outgoing mail server")
    dkim: DkimConfig = Field(default_factory=DkimConfig, description="DKIM signing")
    imap: ImapConfig = Field(default_factory=ImapConfig, description="reply and bounce mailbox")
    sending: SendingConfig = Field(default_factory=SendingConfig, description="caps, hours and gaps")
    tracking: TrackingConfig = Field(default_factory=TrackingConfig, description="links and engagement")
    crm: CrmConfig = Field(default_factory=CrmConfig, description="CRM hand-off")
