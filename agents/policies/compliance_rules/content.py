"""Links only to allowed domains, attachments policy, addresses written into the body."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from agents.policies.compliance_config import ComplianceConfig
from agents.policies.compliance_rules.base import (
    Finding,
    ReviewContext,
    domain_allowed,
    host_of,
    is_ip_literal,
    norm,
)
from knowledge.deliverability.message import ParsedMessage

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def allowed_domains(msg: ParsedMessage, ctx: ReviewContext, cfg: ComplianceConfig) -> list[str]:
    out = list(cfg.allowed_link_domains)
    for url in (ctx.website, ctx.unsubscribe_url):
        if url:
            out.append(host_of(url))
    sender = ctx.sender_address or msg.from_address
    if "@" in sender:
        out.append(sender.rpartition("@")[2])
    return [d for d in out if d]


def check_links(msg: ParsedMessage, ctx: ReviewContext, cfg: ComplianceConfig) -> list[Finding]:
    out: list[Finding] = []
    allowed = allowed_domains(msg, ctx, cfg)
    untrusted = norm(" ".join(ctx.untrusted_texts))
    for url in msg.links:
        low = url.lower()
        if low.startswith(("mailto:", "tel:", "#")):
            continue
        host = host_of(url)
        if not low.startswith(("http://", "https://", "www.")):
            out.append(
                Finding(rule="links.scheme", severity="block", text=url, fix="links must be https:// web addresses")
            )
            continue
        if (host and norm(url) in untrusted) or (host and host in untrusted and not domain_allowed(host, allowed)):
            out.append(
                Finding(
                    rule="injection.scraped_link",
                    severity="block",
                    text=url,
                    fix="this link came from scraped text; links come only from trusted config",
                )
            )
        elif not host or is_ip_literal(host):
            out.append(
                Finding(
                    rule="links.ip_address",
                    severity="block",
                    text=url,
                    fix="link to a domain name, never a raw IP address",
                )
            )
        elif not domain_allowed(host, allowed):
            out.append(
                Finding(
                    rule="links.domain_not_allowed",
                    severity="block",
                    text=url,
                    fix=f"only link to allowed domains ({', '.join(sorted(set(allowed)))}); "
                    "add trusted ones to compliance.allowed_link_domains",
                )
            )
    for m in _EMAIL.finditer(msg.text):
        addr = m.group(0).lower()
        if addr in msg.recipients or domain_allowed(addr.rpartition("@")[2], allowed):
            continue
        out.append(
            Finding(
                rule="injection.foreign_address",
                severity="block",
                text=addr,
                fix="the body names an address outside our domains; remove it",
            )
        )
    return out


def check_attachments(msg: ParsedMessage, cfg: ComplianceConfig) -> list[Finding]:
    out: list[Finding] = []
    for att in msg.attachments:
        ext = PurePosixPath(att.filename.lower()).suffix
        if ext in cfg.blocked_attachment_extensions or cfg.attachments == "block":
            out.append(
                Finding(
                    rule="attachments.policy",
                    severity="block",
                    text=f"{att.filename} ({att.content_type})",
                    fix="no attachments in outreach: link to a page on our website instead",
                )
            )
        elif cfg.attachments == "flag":
            out.append(
                Finding(
                    rule="attachments.policy",
                    severity="flag",
                    text=f"{att.filename} ({att.content_type})",
                    fix="attachments hurt deliverability; prefer a link",
                )
            )
    if msg.html is not None and not msg.text.strip():
        out.append(
            Finding(
                rule="format.empty_body", severity="block", text="(no readable text)", fix="write the message as text"
            )
        )
    return out
