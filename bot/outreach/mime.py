"""Build the RFC 5322 message that goes out: headers (Message-ID, List-Unsubscribe one-click per RFC 8058),
plain-text and HTML parts, UTM-tagged (and optionally click-tracked) links, and the unsubscribe footer."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

POLICY = SMTP.clone(max_line_length=998)
URL_RE = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]")
UNSUBSCRIBE_PLACEHOLDER = "{{unsubscribe_url}}"


@dataclass(frozen=True)
class OutgoingEmail:
    """Everything needed to render one email; no I/O."""

    from_address: str
    to_address: str
    subject: str
    text: str
    rfc_message_id: str
    date: datetime
    unsubscribe_url: str
    unsubscribe_mailto: str
    from_name: str | None = None
    to_name: str | None = None
    reply_to: str | None = None
    html_body: str | None = None
    language: str = "en"
    utm: dict[str, str] = field(default_factory=dict)
    in_reply_to: str | None = None


FOOTERS = {
    "en": "If you'd rather not hear from me again, unsubscribe here: {url}",
    "de": "Wenn Sie keine weiteren Nachrichten möchten, melden Sie sich hier ab: {url}",
    "fr": "Si vous ne souhaitez plus recevoir de messages, désabonnez-vous ici : {url}",
    "es": "Si prefiere no recibir más mensajes, puede darse de baja aquí: {url}",
}


def tag_url(url: str, utm: dict[str, str]) -> str:
    """Add UTM parameters that the link does not already carry (existing ones are kept)."""
    if not utm:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    query += [(k, v) for k, v in utm.items() if k not in present and v]
    return urlunsplit(parts._replace(query=urlencode(query)))


def rewrite_links(text: str, utm: dict[str, str], wrap: Callable[[str], str] | None, skip: str) -> str:
    def one(match: re.Match[str]) -> str:
        url = match.group(0)
        if url == skip or url.startswith(skip):
            return url
        tagged = tag_url(url, utm)
        return wrap(tagged) if wrap else tagged

    return URL_RE.sub(one, text)


def text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = []
    for para in paragraphs:
        escaped = html.escape(para).replace("\n", "<br>\n")
        escaped = URL_RE.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        out.append(f"<p>{escaped}</p>")
    return '<!doctype html>\n<html><body style="font-family:sans-serif">\n' + "\n".join(out) + "\n</body></html>\n"


def build_message(mail: OutgoingEmail, *, wrap_link: Callable[[str], str] | None = None) -> EmailMessage:
    """The message, ready to sign and send. Links get UTM tags; the footer carries the unsubscribe link."""
    body = rewrite_links(mail.text, mail.utm, wrap_link, mail.unsubscribe_url)
    if UNSUBSCRIBE_PLACEHOLDER in body:
        body = body.replace(UNSUBSCRIBE_PLACEHOLDER, mail.unsubscribe_url)
    else:
        footer = FOOTERS.get(mail.language, FOOTERS["en"]).format(url=mail.unsubscribe_url)
        body = body.rstrip() + "\n\n--\n" + footer + "\n"
    msg = EmailMessage(policy=POLICY)
    msg["From"] = formataddr((mail.from_name, mail.from_address)) if mail.from_name else mail.from_address
    msg["To"] = formataddr((mail.to_name, mail.to_address)) if mail.to_name else mail.to_address
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(mail.date)
    msg["Message-ID"] = mail.rfc_message_id
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
        msg["References"] = mail.in_reply_to
    mailto = f"mailto:{mail.unsubscribe_mailto}?subject={quote('unsubscribe ' + mail.rfc_message_id.strip('<>'))}"
    msg["List-Unsubscribe"] = f"<{mailto}>, <{mail.unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Content-Language"] = mail.language
    msg.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    html_body = mail.html_body
    if html_body:
        html_body = rewrite_links(html_body, mail.utm, wrap_link, mail.unsubscribe_url)
        if UNSUBSCRIBE_PLACEHOLDER in html_body:
            html_body = html_body.replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(mail.unsubscribe_url))
    else:
        html_body = text_to_html(body)
    msg.add_alternative(html_body, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def message_id_for(step_id: str, domain: str) -> str:
    """Deterministic Message-ID per step, so a retried or recovered step is recognisable everywhere."""
    return f"<amia.{step_id}@{domain}>"
