"""RFC 5322 messages: render outreach as a realistic email and parse any email (MIME, HTML, charsets) back."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from html.parser import HTMLParser
from typing import ClassVar

URL_RE = re.compile(r"""(?i)\b((?:https?|ftp)://[^\s<>"'\)\]]+|www\.[^\s<>"'\)\]]+)""")


class MessageParseError(ValueError):
    """The bytes are not an email we can read; the message says what is wrong."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass
class ParsedMessage:
    """What the compliance rules need from an email, whatever its MIME shape."""

    headers: dict[str, list[str]]
    from_name: str
    from_address: str
    to: list[str]
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]
    subject: str
    text: str
    html: str | None
    links: list[str]
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def recipients(self) -> list[str]:
        return self.to + self.cc + self.bcc


class _TextAndLinks(HTMLParser):
    """HTML → readable text plus every href/src, without executing or fetching anything."""

    _BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "hr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n")
        for name, value in attrs:
            if value and name == "href":
                self.links.append(value.strip())
            elif value and name == "src" and tag == "img":
                self.images.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title") and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, list[str], list[str]]:
    """Readable text, link targets and image sources of an HTML document."""
    parser = _TextAndLinks()
    parser.feed(markup)
    parser.close()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return html.unescape(text), parser.links, parser.images


def _addresses(msg: Message, name: str) -> list[str]:
    values = [str(v) for v in msg.get_all(name, [])]
    return [addr.lower() for _, addr in getaddresses(values) if addr]


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # unknown charset name: latin-1 never fails and keeps ASCII intact
        return payload.decode("latin-1", errors="replace")


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse any RFC 5322/MIME email; raise MessageParseError when it is not an email at all."""
    if not raw or not raw.strip():
        raise MessageParseError("the message is empty")
    if b"\x00" in raw[:4096]:
        raise MessageParseError("the input is binary data, not an RFC 5322 email")
    msg = BytesParser(policy=policy.compat32).parsebytes(raw)
    keys = [k.lower() for k in msg]
    if not keys or not ({"from", "to", "subject", "date", "message-id"} & set(keys)):
        raise MessageParseError("no email headers found (expected From, To, Subject…) at the top of the input")
    headers: dict[str, list[str]] = {}
    for key, value in msg.items():
        headers.setdefault(key.lower(), []).append(_header_text(value))
    from_name, from_address = parseaddr(_header_text(msg.get("From", "")))
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = (part.get("Content-Disposition") or "").lower()
        filename = part.get_filename()
        ctype = part.get_content_type()
        if filename or disposition.startswith("attachment"):
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            attachments.append(Attachment(_header_text(filename or "unnamed"), ctype, size))
        elif ctype == "text/plain":
            texts.append(_decode_part(part))
        elif ctype == "text/html":
            htmls.append(_decode_part(part))
    html_doc = "\n".join(htmls) if htmls else None
    links: list[str] = []
    if html_doc is not None:
        html_text, hrefs, _images = html_to_text(html_doc)
        links.extend(hrefs)
        if not texts:
            texts.append(html_text)
    text = "\n".join(texts).replace("\r\n", "\n")
    links.extend(URL_RE.findall(text))
    unique = list(dict.fromkeys(links))
    return ParsedMessage(
        headers=headers,
        from_name=from_name.strip(),
        from_address=from_address.lower(),
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        bcc=_addresses(msg, "Bcc"),
        reply_to=_addresses(msg, "Reply-To"),
        subject=_header_text(msg.get("Subject", "")).strip(),
        text=text,
        html=html_doc,
        links=unique,
        attachments=attachments,
        defects=[type(d).__name__ for d in msg.defects],
    )


def _header_text(value: object) -> str:
    """Decode RFC 2047 encoded words (any charset) into text."""
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(str(value))))
    except (LookupError, ValueError, UnicodeError):
        return str(value)


def render_message(
    *,
    from_name: str,
    from_address: str,
    to_address: str,
    to_name: str | None = None,
    subject: str,
    body: str,
    unsubscribe_url: str | None = None,
    unsubscribe_mailto: str | None = None,
    language: str = "en",
    when: datetime | None = None,
    reply_to: str | None = None,
) -> bytes:
    """A realistic outgoing email: Date, Message-ID, MIME text/plain UTF-8, List-Unsubscribe (RFC 8058)."""
    msg = EmailMessage(policy=policy.SMTP)
    local, _, domain = from_address.partition("@")
    msg["From"] = Address(display_name=from_name, username=local, domain=domain)
    to_local, _, to_domain = to_address.partition("@")
    msg["To"] = Address(display_name=to_name or "", username=to_local, domain=to_domain)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when or datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=domain or None)
    targets = [f"<{u}>" for u in (unsubscribe_url, unsubscribe_mailto) if u]
    if targets:
        msg["List-Unsubscribe"] = ", ".join(targets)
        if unsubscribe_url:
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = language
    return msg.as_bytes()
