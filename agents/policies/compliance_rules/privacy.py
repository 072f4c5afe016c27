"""Who may be written to and what may be said about them: jurisdictions (GDPR, UK GDPR, CASL), suppression,
role and sensitive addresses, special-category and excess personal data."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from agents.policies.compliance_config import ComplianceConfig, PhraseRule
from agents.policies.compliance_rules.base import Finding, Regime, ReviewContext, excerpt
from agents.policies.compliance_rules.can_spam import has_opt_out_text
from knowledge.deliverability.message import ParsedMessage

_TLD_COUNTRY = {"uk": "GB", "gb": "GB"}
_GENERIC_CCTLDS = {"io", "co", "ai", "me", "tv", "ly", "gg", "fm", "to", "cc", "ws", "sh", "so", "la", "vc", "sc"}


def recipient_country(msg: ParsedMessage, ctx: ReviewContext) -> str | None:
    """The country whose law applies: the one given, else the recipient domain's country-code TLD."""
    if ctx.country:
        return ctx.country.upper()
    for addr in msg.recipients or ([ctx.expected_recipient] if ctx.expected_recipient else []):
        tld = addr.rpartition(".")[2].lower()
        if len(tld) == 2 and tld.isalpha() and tld not in _GENERIC_CCTLDS:
            return _TLD_COUNTRY.get(tld, tld.upper())
    return None


def regimes(country: str | None, cfg: ComplianceConfig) -> list[Regime]:
    out: list[Regime] = ["can_spam"]  # the baseline for every commercial email
    if country in cfg.eu_countries:
        out.append("gdpr")
    if country in cfg.uk_countries:
        out.append("uk_gdpr")
    if country in cfg.casl_countries:
        out.append("casl")
    return out


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def check_recipients(msg: ParsedMessage, ctx: ReviewContext, cfg: ComplianceConfig) -> list[Finding]:
    out: list[Finding] = []
    recipients = msg.recipients
    if not recipients:
        out.append(
            Finding(
                rule="recipients.missing",
                severity="block",
                text="(no To)",
                fix="address the message to the lead's email",
            )
        )
    if len(recipients) > cfg.max_recipients:
        out.append(
            Finding(
                rule="recipients.too_many",
                severity="block",
                text=", ".join(recipients),
                fix=f"outreach goes to one person at a time (max {cfg.max_recipients} recipient)",
            )
        )
    if msg.bcc:
        out.append(
            Finding(
                rule="recipients.hidden",
                severity="block",
                text=", ".join(msg.bcc),
                fix="remove the Bcc: hidden recipients are never allowed in outreach",
            )
        )
    if ctx.draft and ctx.expected_recipient:
        for addr in recipients:
            if addr != ctx.expected_recipient.lower():
                out.append(
                    Finding(
                        rule="injection.recipient_not_from_record",
                        severity="block",
                        text=addr,
                        fix="recipients come only from the lead's stored contact; remove this one",
                    )
                )
    entries = {(s.kind, s.value): s for s in ctx.suppressions}
    for addr in recipients:
        local, _, domain = addr.partition("@")
        for kind, value in (("email", addr), ("domain", domain)):
            hit = entries.get((kind, value)) or entries.get((kind, _hash(value)))
            if hit:
                out.append(
                    Finding(
                        rule="suppression.listed",
                        severity="block",
                        text=addr,
                        fix=f"this {kind} is suppressed ({hit.reason.value}); never contact it",
                    )
                )
        if local in cfg.never_contact_prefixes:
            out.append(
                Finding(
                    rule="address.never_contact",
                    severity="block",
                    text=addr,
                    fix="this mailbox is not for outreach; find a named person",
                )
            )
        elif local in cfg.role_prefixes:
            out.append(
                Finding(
                    rule="address.role",
                    severity="flag",
                    text=addr,
                    fix="a shared role mailbox: prefer a named person responsible for the topic",
                )
            )
        if any(domain == s.lstrip(".") or domain.endswith(s) for s in cfg.sensitive_domain_suffixes):
            out.append(
                Finding(
                    rule="address.sensitive_domain",
                    severity="block",
                    text=addr,
                    fix="government, military, school and health domains are never contacted",
                )
            )
    return out


def check_jurisdiction(
    msg: ParsedMessage, ctx: ReviewContext, cfg: ComplianceConfig, country: str | None
) -> list[Finding]:
    out: list[Finding] = []
    active = regimes(country, cfg)
    if country is None:
        out.append(
            Finding(
                rule="jurisdiction.unknown",
                severity="info",
                text="recipient country unknown",
                fix="pass --country CC (or store the company's country) to apply GDPR/CASL rules",
            )
        )
    freemail = [a for a in msg.recipients if a.partition("@")[2] in cfg.freemail_domains]
    consent = ctx.consent.kind if ctx.consent else "none"
    if "gdpr" in active or "uk_gdpr" in active:
        law = "gdpr" if "gdpr" in active else "uk_gdpr"
        if cfg.lawful_basis == "consent" and consent != "express":
            out.append(
                Finding(
                    rule=f"{law}.lawful_basis",
                    severity="block",
                    text="no recorded consent",
                    fix="record the contact's express consent before writing",
                )
            )
        elif cfg.lawful_basis == "legitimate_interest" and not cfg.legitimate_interest_assessment:
            out.append(
                Finding(
                    rule=f"{law}.lawful_basis",
                    severity="block",
                    text="no legitimate interest assessment recorded",
                    fix="record the LIA and set compliance.legitimate_interest_assessment",
                )
            )
        if freemail and consent != "express":
            out.append(
                Finding(
                    rule=f"{law}.personal_address",
                    severity="block",
                    text=", ".join(freemail),
                    fix="a personal mailbox is not a business address: consent is needed (PECR/ePrivacy)",
                )
            )
        if not has_opt_out_text(msg.text):
            out.append(
                Finding(
                    rule=f"{law}.right_to_object",
                    severity="block",
                    text="no opt-out in the body",
                    fix="tell the reader in the message how to object (unsubscribe link or reply)",
                )
            )
        if ctx.draft and not ctx.contact_source_url:
            out.append(
                Finding(
                    rule=f"{law}.data_source",
                    severity="flag",
                    text="source of the address not recorded",
                    fix="store where the contact's address came from; it must be disclosed on request",
                )
            )
    elif freemail:
        out.append(
            Finding(
                rule="address.personal",
                severity="flag",
                text=", ".join(freemail),
                fix="a personal mailbox: make sure this is a business contact",
            )
        )
    if "casl" in active:
        now = ctx.now or datetime.now(UTC)
        expired = ctx.consent is not None and ctx.consent.expires_at is not None and ctx.consent.expires_at <= now
        if consent == "none":
            out.append(
                Finding(
                    rule="casl.consent",
                    severity="block",
                    text="no recorded consent (Canada)",
                    fix="CASL needs express or implied consent on record before any commercial email",
                )
            )
        elif expired:
            out.append(
                Finding(
                    rule="casl.consent_expired",
                    severity="block",
                    text=f"{consent} consent expired",
                    fix="implied consent lapses (usually after 2 years): ask for express consent",
                )
            )
    return out


def _phrases(text: str, rules: list[PhraseRule], prefix: str, fix: str) -> list[Finding]:
    out: list[Finding] = []
    for rule in rules:
        try:
            m = re.search(rule.pattern, text, re.I)
        except re.error:
            out.append(
                Finding(
                    rule="config.bad_pattern",
                    severity="block",
                    text=rule.pattern,
                    fix="fix this regular expression in config.yaml",
                )
            )
            continue
        if m:
            out.append(
                Finding(
                    rule=f"{prefix}.{rule.category}",
                    severity=rule.severity,  # type: ignore[arg-type]
                    text=excerpt(text, m.start(), m.end()),
                    fix=fix,
                )
            )
    return out


def check_personal_data(msg: ParsedMessage, cfg: ComplianceConfig) -> list[Finding]:
    text = f"{msg.subject}\n{msg.text}"
    return _phrases(
        text,
        cfg.sensitive_terms,
        "privacy.sensitive",
        "remove it: special-category data (health, religion, origin…) never appears in outreach",
    ) + _phrases(
        text,
        cfg.personal_data_terms,
        "privacy.minimisation",
        "remove it: use only business contact data (name, role, company)",
    )


def check_claims(msg: ParsedMessage, ctx: ReviewContext, cfg: ComplianceConfig) -> list[Finding]:
    text = f"{msg.subject}\n{msg.text}"
    out = _phrases(text, cfg.banned_claims, "claims", "remove the claim or phrase; say only what you can prove")
    for word in ctx.banned_words:
        m = re.search(rf"(?i)\b{re.escape(word)}\b", text)
        if m:
            out.append(
                Finding(
                    rule="persona.banned_word",
                    severity="flag",
                    text=excerpt(text, m.start(), m.end()),
                    fix=f"the brand never says '{word}'",
                )
            )
    return out
