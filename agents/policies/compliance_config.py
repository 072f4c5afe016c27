"""Compliance rules the team controls (the `compliance:` section of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

EU_EEA = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
]  # fmt: skip


class PhraseRule(BaseModel):
    """A banned claim or phrase: a case-insensitive regular expression and what it means."""

    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(description="case-insensitive regular expression matched against subject and body")
    category: str = Field(description="short name shown in the finding, e.g. 'guarantee' or 'health_claim'")
    severity: str = Field("block", pattern="^(block|flag)$", description="block or flag")


def _banned_claims() -> list[PhraseRule]:
    rules = [
        (r"\bguarantee(d|s)?\b|\bgarantiert\b|\bgaranti(e|s)\b|\bgarantizad[oa]s?\b", "guarantee"),
        (r"\bfree money\b|\bget rich\b|\bmake \$?\d[\d,.]*\s*(k|dollars)?\s*(a|per) (day|week)\b", "free_money"),
        (r"\brisk[- ]free\b|\bno risk\b|\bohne risiko\b|\bsans risque\b|\bsin riesgo\b", "risk_free"),
        (r"\b(cure[sd]?|miracle|lose weight|weight loss|anti-aging|clinically proven)\b", "health_claim"),
        (r"\b(guaranteed|risk-free|double your|triple your) (returns?|income|money|investment)\b", "financial_claim"),
        (r"\b\d{2,4}\s?% (returns?|roi|profit)\b|\bincrease your (income|profits?) by\b", "financial_claim"),
        (r"\b(act now|limited time only|once in a lifetime|you have been selected|winner)\b", "pressure"),
        (r"\b100\s?% free\b|\bcash bonus\b|\bno credit check\b|\bwire transfer\b", "spam_phrase"),
    ]
    return [PhraseRule(pattern=p, category=c) for p, c in rules]


def _sensitive_terms() -> list[PhraseRule]:
    rules = [
        (r"\b(diagnos(is|ed)|illness|medical condition|pregnan(t|cy)|disabilit(y|ies)|mental health)\b", "health"),
        (r"\b(religio(n|us beliefs?)|your faith)\b", "religion"),
        (r"\b(ethnic(ity| origin)|racial origin|your race)\b", "ethnic_origin"),
        (r"\b(sexual orientation|sex life|gay|lesbian|transgender)\b", "sex_life"),
        (r"\b(political (opinions?|views|party)|party membership)\b", "political_opinion"),
        (r"\btrade union\b|\bgewerkschaft\b|\bsyndicat\b", "trade_union"),
        (r"\b(biometric|genetic) data\b|\bfingerprints?\b", "biometric"),
        (r"\b(criminal (record|conviction)s?|arrest(ed)?)\b", "criminal"),
    ]
    return [PhraseRule(pattern=p, category=c) for p, c in rules]


def _personal_data() -> list[PhraseRule]:
    rules = [
        (r"\b(date of birth|birthday|born on|your age)\b", "birth_date"),
        (r"\b(home address|private address|where you live)\b", "home_address"),
        (r"\b(your (salary|income|net worth)|social security|passport number)\b", "financial_identity"),
    ]
    return [PhraseRule(pattern=p, category=c, severity="flag") for p, c in rules]


class ComplianceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spam_block_threshold: float = Field(5.0, description="SpamAssassin score at or above which a draft is blocked")
    spam_flag_threshold: float = Field(2.0, description="SpamAssassin score at or above which a draft is flagged")
    spam_hard_fail_rules: list[str] = Field(
        default_factory=lambda: ["GTUBE", "MISSING_FROM", "FORGED_MUA_OUTLOOK", "HEADER_FROM_DIFFERENT_DOMAINS"],
        description="SpamAssassin rules that block a draft whatever the total score",
    )
    spamassassin_mode: str = Field(
        "auto",
        pattern="^(auto|spamd|cli|off)$",
        description="auto = start a local spamd (127.0.0.1, -L), fall back to `spamassassin -L -t`; off = "
        "don't score (every draft is then blocked: nothing unscored passes)",
    )
    spamassassin_timeout_seconds: float = Field(30.0, gt=0, description="give up scoring one message after this")
    eu_countries: list[str] = Field(default_factory=lambda: list(EU_EEA), description="countries where GDPR applies")
    uk_countries: list[str] = Field(default_factory=lambda: ["GB"], description="countries where UK GDPR/PECR apply")
    casl_countries: list[str] = Field(default_factory=lambda: ["CA"], description="countries where CASL applies")
    lawful_basis: str = Field(
        "legitimate_interest",
        pattern="^(legitimate_interest|consent)$",
        description="GDPR lawful basis for B2B outreach to business addresses",
    )
    legitimate_interest_assessment: str = Field(
        "",
        description="where the team's legitimate interest assessment is recorded (URL or document id); "
        "EU/UK drafts block while empty",
    )
    freemail_domains: list[str] = Field(
        default_factory=lambda: [
            "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "aol.com",
            "icloud.com", "me.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr", "free.fr",
            "laposte.net", "yahoo.fr", "hotmail.fr", "protonmail.com", "proton.me",
        ],
        description="personal mailbox providers: not business addresses (consent needed in the EU/UK)",
    )  # fmt: skip
    role_prefixes: list[str] = Field(
        default_factory=lambda: ["info", "sales", "contact", "hello", "office", "team", "support", "admin",
                                 "marketing", "hr", "jobs", "careers", "billing", "accounts"],
        description="shared role mailboxes: drafts to them are flagged (prefer a named person)",
    )  # fmt: skip
    never_contact_prefixes: list[str] = Field(
        default_factory=lambda: ["abuse", "postmaster", "hostmaster", "webmaster", "noreply", "no-reply",
                                 "donotreply", "mailer-daemon", "privacy", "dpo", "legal", "security", "spam"],
        description="mailboxes never to send outreach to (blocked)",
    )  # fmt: skip
    sensitive_domain_suffixes: list[str] = Field(
        default_factory=lambda: [".gov", ".mil", ".gov.uk", ".gc.ca", ".k12.us", ".police.uk", ".nhs.uk"],
        description="recipient domains that are never contacted (government, military, schools, health)",
    )
    allowed_link_domains: list[str] = Field(
        default_factory=list,
        description="domains links may point to, besides our website, the sender's domain and the unsubscribe "
        "host (subdomains included)",
    )
    attachments: str = Field(
        "block", pattern="^(block|flag|allow)$", description="what an attachment in outreach does to the verdict"
    )
    blocked_attachment_extensions: list[str] = Field(
        default_factory=lambda: [".exe", ".js", ".vbs", ".scr", ".bat", ".cmd", ".jar", ".zip", ".rar", ".iso",
                                 ".docm", ".xlsm", ".html", ".htm"],
        description="attachment types that always block",
    )  # fmt: skip
    max_recipients: int = Field(1, ge=1, description="recipients per outreach message (To + Cc + Bcc)")
    banned_claims: list[PhraseRule] = Field(
        default_factory=_banned_claims, description="claims and phrases never allowed (guarantees, money, health)"
    )
    sensitive_terms: list[PhraseRule] = Field(
        default_factory=_sensitive_terms, description="special-category personal data (GDPR Art. 9) that blocks"
    )
    personal_data_terms: list[PhraseRule] = Field(
        default_factory=_personal_data, description="personal data beyond name and job that breaks data minimisation"
    )
