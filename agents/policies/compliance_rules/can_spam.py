"""CAN-SPAM baseline (applied to every message): sender identity, postal address, working unsubscribe,
honest subject, no deceptive headers."""

from __future__ import annotations

import re

from agents.policies.compliance_rules.base import (
    Finding,
    ReviewContext,
    host_of,
    is_private_host,
    norm,
    registrable,
)
from knowledge.deliverability.message import ParsedMessage

_STREET = re.compile(
    r"\b\d{1,5}[a-z]?,?\s+(?:[\w.'-]+\s+){0,5}(street|st\.|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|lane|"
    r"drive|way|court|place|square|parkway|pkwy|highway|hwy|suite|floor|rue|quai|chemin|allée|avenida|calle)\b"
    r"|\b[\wäöüß.-]+(straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer)\s+\d+"
    r"|\b(calle|c/|avenida|avda\.?|paseo|plaza|rue|boulevard|avenue)\s+[\w' ]{2,40},?\s*\d+"
    r"|\b(p\.?\s?o\.?\s?box|postfach|bo[iî]te postale|apartado( de correos)?|cedex)\b",
    re.I,
)
_POSTCODE = re.compile(
    r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"  # US state + ZIP
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # UK
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"  # Canada
    r"|\b(?:D-|F-|E-)?\d{5}\s+[A-ZÄÖÜÉ][\wäöüéèà-]+"  # DE/FR/ES/IT postcode + city
)
_OPT_OUT = re.compile(
    r"(?i)unsubscribe|opt[- ]?out|stop receiving|no longer (wish|want) to (hear|receive)|"
    r"reply (with )?[\"'“]?(stop|no|remove|unsubscribe)|abmelden|abbestellen|widersprechen|keine weiteren|"
    r"désabonner|désinscri|vous opposer|ne plus recevoir|darse de baja|darte de baja|cancelar (la )?suscripci|"
    r"oponerse|oponerte|no recibir más"
)
_FAKE_REPLY = re.compile(r"(?i)^\s*(re|fwd?|aw|wg|tr|rv|sv|vs)\s*:")
_EMAIL_IN_NAME = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def has_postal_address(text: str, configured: str | None) -> bool:
    if configured and norm(configured) in norm(text):
        return True
    return bool(_STREET.search(text) or _POSTCODE.search(text))


def has_opt_out_text(text: str) -> bool:
    return bool(_OPT_OUT.search(text))


def unsubscribe_targets(msg: ParsedMessage) -> list[str]:
    header = msg.header("List-Unsubscribe") or ""
    return re.findall(r"<([^>]+)>", header)


def check(msg: ParsedMessage, ctx: ReviewContext) -> list[Finding]:
    out: list[Finding] = []
    # sender identity
    if not msg.from_address or "@" not in msg.from_address:
        out.append(
            Finding(
                rule="can_spam.sender_identity",
                severity="block",
                text=msg.header("From") or "(no From)",
                fix="send from a real address of your company with a display name",
            )
        )
    elif not msg.from_name:
        out.append(
            Finding(
                rule="can_spam.sender_identity",
                severity="flag",
                text=msg.from_address,
                fix="add a display name that says who is writing (e.g. 'Alex from Example Co')",
            )
        )
    if ctx.company_name and norm(ctx.company_name) not in norm(msg.text + " " + msg.from_name):
        out.append(
            Finding(
                rule="can_spam.sender_identity",
                severity="block",
                text=msg.from_name or msg.from_address,
                fix=f"name the sender's company ('{ctx.company_name}') in the signature",
            )
        )
    # postal address
    if not has_postal_address(msg.text, ctx.postal_address):
        fix = "add the company's physical postal address to the footer (persona.postal_address)"
        out.append(Finding(rule="can_spam.postal_address", severity="block", text="no postal address found", fix=fix))
    # unsubscribe: present and working
    targets = unsubscribe_targets(msg)
    body_links = [u for u in msg.links if re.search(r"(?i)unsub|opt-?out|abmeld|desinscri|désinscri|baja", u)]
    if not targets and not has_opt_out_text(msg.text):
        out.append(
            Finding(
                rule="can_spam.unsubscribe",
                severity="block",
                text="no way to opt out",
                fix="add an unsubscribe link and a List-Unsubscribe header",
            )
        )
    elif not targets:
        out.append(
            Finding(
                rule="can_spam.list_unsubscribe_header",
                severity="flag",
                text="no List-Unsubscribe header",
                fix="add List-Unsubscribe (https and mailto) and List-Unsubscribe-Post (RFC 8058)",
            )
        )
    for url in targets + body_links:
        host = host_of(url)
        if url.lower().startswith("mailto:"):
            if "@" not in url:
                out.append(
                    Finding(
                        rule="can_spam.unsubscribe_broken",
                        severity="block",
                        text=url,
                        fix="use a full mailto: address that reaches your team",
                    )
                )
            continue
        if not url.lower().startswith(("https://", "http://")) or not host:
            out.append(
                Finding(
                    rule="can_spam.unsubscribe_broken",
                    severity="block",
                    text=url,
                    fix="the unsubscribe target must be an https:// URL or a mailto: address",
                )
            )
        elif is_private_host(host):
            out.append(
                Finding(
                    rule="can_spam.unsubscribe_broken",
                    severity="block",
                    text=url,
                    fix="recipients cannot reach a private/loopback host: set http.public_url to the "
                    "public address of AMIA's HTTP server",
                )
            )
        elif url.lower().startswith("http://"):
            out.append(
                Finding(
                    rule="can_spam.unsubscribe_insecure",
                    severity="flag",
                    text=url,
                    fix="serve the unsubscribe endpoint over https",
                )
            )
    if targets and msg.header("List-Unsubscribe-Post") is None and any(t.startswith("http") for t in targets):
        out.append(
            Finding(
                rule="can_spam.one_click",
                severity="info",
                text="no List-Unsubscribe-Post header",
                fix="add 'List-Unsubscribe-Post: List-Unsubscribe=One-Click' (RFC 8058)",
            )
        )
    out.extend(_subject(msg))
    out.extend(_headers(msg, ctx))
    return out


def _subject(msg: ParsedMessage) -> list[Finding]:
    subject = msg.subject
    if not subject:
        return [
            Finding(
                rule="can_spam.subject",
                severity="flag",
                text="(empty subject)",
                fix="write a subject that says what the email is about",
            )
        ]
    out: list[Finding] = []
    if _FAKE_REPLY.match(subject) and not (msg.header("In-Reply-To") or msg.header("References")):
        out.append(
            Finding(
                rule="can_spam.deceptive_subject",
                severity="block",
                text=subject,
                fix="don't pretend to reply or forward: remove 'Re:'/'Fwd:' from a first message",
            )
        )
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        out.append(
            Finding(
                rule="can_spam.subject_shouting",
                severity="flag",
                text=subject,
                fix="write the subject in sentence case",
            )
        )
    if re.search(r"!{2,}|\${2,}|€{2,}", subject):
        out.append(
            Finding(
                rule="can_spam.subject_hype",
                severity="flag",
                text=subject,
                fix="drop repeated '!' or '$' from the subject",
            )
        )
    return out


def _headers(msg: ParsedMessage, ctx: ReviewContext) -> list[Finding]:
    out: list[Finding] = []
    named = _EMAIL_IN_NAME.search(msg.from_name)
    if named and named.group(0).lower() != msg.from_address:
        out.append(
            Finding(
                rule="can_spam.deceptive_from",
                severity="block",
                text=msg.header("From") or "",
                fix="the display name must not show a different address than the real sender",
            )
        )
    from_domain = msg.from_address.rpartition("@")[2]
    for addr in msg.reply_to:
        if from_domain and registrable(addr.rpartition("@")[2]) != registrable(from_domain):
            severity = "block" if ctx.draft else "flag"
            out.append(
                Finding(
                    rule="can_spam.reply_to_mismatch",
                    severity=severity,
                    text=addr,
                    fix="replies must go to the sender's own domain",
                )
            )
    sender = msg.header("Sender")
    if sender and from_domain and registrable(host_of("mailto:" + sender.strip("<> "))) != registrable(from_domain):
        out.append(
            Finding(
                rule="can_spam.sender_mismatch",
                severity="flag",
                text=sender,
                fix="Sender and From should be the same organisation",
            )
        )
    if ctx.draft and ctx.sender_address and msg.from_address != ctx.sender_address.lower():
        out.append(
            Finding(
                rule="can_spam.deceptive_from",
                severity="block",
                text=msg.from_address,
                fix=f"send from the configured address {ctx.sender_address}",
            )
        )
    for name in ("Date", "Message-ID"):
        if msg.header(name) is None:
            out.append(
                Finding(
                    rule="headers.missing",
                    severity="flag",
                    text=f"no {name} header",
                    fix=f"add a {name} header (mail without one is treated as spam)",
                )
            )
    if msg.defects:
        out.append(
            Finding(
                rule="headers.malformed",
                severity="flag",
                text=", ".join(sorted(set(msg.defects))),
                fix="fix the MIME structure (a mail client would show it damaged)",
            )
        )
    return out
