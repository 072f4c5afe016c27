"""Main-text extraction with trafilatura (text, title, date, author) plus language detection; never raises."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import py3langid
import trafilatura

log = logging.getLogger(__name__)
for _chatty in ("trafilatura", "htmldate", "courlan"):  # they log ERROR for every unreadable page
    logging.getLogger(_chatty).setLevel(logging.CRITICAL)
EXTRACTOR = f"trafilatura@{trafilatura.__version__}"


@dataclass
class Article:
    """What trafilatura found in a page. Empty strings/None when the page has no readable content."""

    title: str = ""
    date: str | None = None
    author: str | None = None
    language: str | None = None
    text: str = ""
    description: str | None = None
    sitename: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text to tell."""
    sample = " ".join(text[:1500].split())[:600]  # 600 characters decide reliably; more only costs time
    if len(sample) < 20:
        return None
    lang, _ = py3langid.classify(sample)
    return str(lang)


def extract_article(html: str | bytes, url: str | None = None, *, language: bool = True) -> Article:
    """Extract the main text and metadata of one page exactly as ``trafilatura.extract`` would (same defaults)."""
    if not html or (isinstance(html, str) and not html.strip()):
        return Article()
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    except Exception as exc:  # trafilatura/lxml can fail on pathological input; that page just has no text
        log.info("extraction failed for %s: %s", url or "(no url)", type(exc).__name__)
        return Article()
    if doc is None or isinstance(doc, dict):
        return Article()
    text = doc.text or ""
    if doc.comments:  # trafilatura.extract() appends comments (include_comments=True by default)
        text = f"{text}\n{doc.comments}".strip()
    return Article(
        title=doc.title or "",
        date=doc.date,
        author=doc.author,
        language=detect_language(text) if language else None,
        text=text,
        description=doc.description,
        sitename=doc.sitename,
    )
