# ruff: noqa: E501  (regular expressions read better unbroken)
"""Text primitives for signal rules: sentence spans (exact slices of the input), dates and money amounts."""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = {
    "inc",
    "corp",
    "ltd",
    "co",
    "llc",
    "plc",
    "gmbh",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "jr",
    "sr",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "u.s.a",
    "no",
    "approx",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "ave",
    "dept",
    "est",
    "fig",
    "govt",
    "intl",
    "mt",
    "ft",
    "op",
    "pp",
    "ag",
    "s.a",
    "n.v",
    "b.v",
    "a.g",
    "bros",
    "hon",
    "gen",
    "col",
    "capt",
    "lt",
    "sgt",
    "rep",
    "sen",
    "gov",
    "pres",
    "mio",  # German and Spanish abbreviations: "160 Mio. US-Dollar", "1,5 Mrd. Euro", "Sra. López"
    "mrd",
    "mill",
    "bzw",
    "ca",
    "inkl",
    "z.b",
    "u.a",
    "d.h",
    "nr",
    "sra",
    "srta",
    "dña",
    "mme",
    "mlle",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n\s*\n|\n(?=\s*[^a-z\s])")


_ORDINAL_MONTH = re.compile(
    r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b"
)


@dataclass(frozen=True)
class Sentence:
    text: str  # an exact slice of the input (leading/trailing whitespace and bullets removed)
    start: int


def split_sentences(text: str) -> list[Sentence]:
    """Sentences as exact slices of ``text``; abbreviations, initials and decimals do not end a sentence."""
    out: list[Sentence] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        chunk_end = m.end()
        if "\n" not in m.group(0):
            before = text[start : m.start() + 1]
            last = re.search(r"([\w.&]+)\.$", before)
            nxt = text[m.end() : m.end() + 1]
            if last:
                word = last.group(1).lower().rstrip(".")
                if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                    continue
            if nxt and nxt.islower():
                continue
            if last and last.group(1).isdigit() and len(last.group(1)) <= 2 and _ORDINAL_MONTH.match(text, m.end()):
                continue  # German ordinal date: "ab 1. Juli", "am 3. März 2026"
        _emit(text, start, m.start() + len(m.group(0).rstrip()), out)
        start = chunk_end
    _emit(text, start, len(text), out)
    return out


def _emit(text: str, start: int, end: int, out: list[Sentence]) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip(" \t\r\n-•*·–—>"))
    stripped = piece.strip(" \t\r\n-•*·>")
    if stripped.strip("–— ") and len(stripped) >= 3:
        stripped = stripped.lstrip("–— ")
        out.append(Sentence(stripped, start + lead))


MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
DATE_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{{2}})\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>(?:19|20)\d{{2}})\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<mnum>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b(?:in\s+|since\s+|during\s+)?{_MONTH}\s+(?P<year>(?:19|20)\d{{2}})\b"),
)


def find_dates(text: str) -> list[tuple[int, str]]:
    """Every explicit date in ``text`` as (position, 'YYYY-MM-DD' or 'YYYY-MM'), in text order."""
    found: dict[int, str] = {}
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = (
                int(groups["mnum"])
                if groups.get("mnum")
                else MONTHS.get((groups.get("month") or "").lower().rstrip("."), 0)
            )
            day = int(groups["day"]) if groups.get("day") else None
            if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            if any(abs(p - m.start()) < 12 for p in found):  # the same date matched by a looser pattern
                continue
            found[m.start()] = f"{int(groups['year']):04d}-{month:02d}" + (f"-{day:02d}" if day else "")
    return sorted(found.items())


_BACKGROUND = re.compile(
    r"\b(founded|since|established|incorporated|launched|until|before|as of|from|previously|formerly|joined)\W+(?:in\W+|on\W+)?$",
    re.IGNORECASE,
)


def find_date(text: str) -> str | None:
    """The first explicit date in ``text`` that is not background ('founded in March 2015', 'since 2019')."""
    for start, iso in find_dates(text):
        if not _BACKGROUND.search(text[max(0, start - 30) : start]):
            return iso
    return None


CURRENCIES = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pounds": "GBP",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "chf": "CHF",
    "c$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "aud": "AUD",
    "inr": "INR",
    "₹": "INR",
    "rs": "INR",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
    "sgd": "SGD",
    "s$": "SGD",
    "cny": "CNY",
    "rmb": "CNY",
    "yuan": "CNY",
    "brl": "BRL",
    "r$": "BRL",
    "hkd": "HKD",
    "nzd": "NZD",
    "zar": "ZAR",
    "pln": "PLN",
    "krw": "KRW",
    "₩": "KRW",
}
MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "millionen": 1e6,
    "millones": 1e6,
    "millón": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "mill": 1e6,
    "m": 1e6,
    "mm": 1e6,
    "billion": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "milliarde": 1e9,
    "milliarden": 1e9,
    "mil millones": 1e9,
    "mrd": 1e9,
    "md": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "crore": 1e7,
    "lakh": 1e5,
    "trillion": 1e12,
}
_CUR_PRE = r"(?P<cur>US\$|C\$|A\$|S\$|R\$|\$|€|£|¥|₹|₩|USD|EUR|GBP|CHF|CAD|AUD|INR|SEK|NOK|DKK|SGD|JPY|CNY|RMB|BRL|HKD|NZD|ZAR|PLN|KRW|Rs\.?)"
# 1,200,000 / 1.200.000 (grouped thousands) or 2.5 / 2,5 (decimals)
_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)"
_MULT = (
    r"(?P<mult>thousand|millions?|millionen|millones|millón|mil\s+millones|milliarden?|milliards?|billion|trillion|"
    r"mrd|mio|mill|mn|bn|mm|md|crore|lakh|[mkb])(?:\b|(?=€|\$))\.?"
)
_CUR_POST = (
    r"(?P<cur>dollars?|dólares|dolares|euros?|pounds|livres|libras|yen|yuan|francs?|franken|"
    r"US-Dollar|US\$|\$|€|£|USD|EUR|GBP|CHF|CAD|AUD|INR|SEK|SGD|JPY)"
)
MONEY_RES = (
    re.compile(rf"{_CUR_PRE}\s?{_NUM}(?:\s*-?\s*{_MULT})?", re.IGNORECASE),
    re.compile(rf"{_NUM}(?:\s*{_MULT})?\s*(?:de\s+|d['’]\s*)?{_CUR_POST}(?!\w)", re.IGNORECASE),
)
_POST_CURRENCIES = {
    "dollar": "USD",
    "dólares": "USD",
    "dolares": "USD",
    "us-dollar": "USD",
    "livres": "GBP",
    "libras": "GBP",
    "franc": "CHF",
    "francs": "CHF",
    "franken": "CHF",
}


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str
    text: str
    start: int
    end: int


def find_money(text: str) -> list[Money]:
    found: list[Money] = []
    for pattern in MONEY_RES:
        for m in pattern.finditer(text):
            if any(f.start <= m.start() < f.end for f in found):
                continue
            num = m.group("num")
            if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", num):
                num = num.replace(",", "")
            elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", num):
                num = num.replace(".", "").replace(",", ".")
            else:
                num = num.replace(",", ".")
            try:
                value = float(num)
            except ValueError:
                continue
            mult = " ".join((m.group("mult") or "").lower().rstrip(".").split())
            if not mult and value < 1000:  # "$5" alone is a price, not a funding amount
                continue
            value *= MULTIPLIERS.get(mult, 1.0)
            raw = m.group("cur").lower().rstrip(".")
            cur = CURRENCIES.get(raw) or _POST_CURRENCIES.get(raw) or m.group("cur").upper()
            found.append(Money(value, cur, m.group(0).strip(), m.start(), m.end()))
    return sorted(found, key=lambda x: x.start)


_STOPWORDS = {
    "en": "the and of to in is for with has its that from by on at was will are this our we as",
    "de": "der die das und ist mit für von den dem des ein eine einen sich auf im zu wird hat nach bei wir sie nicht",
    "fr": "le la les et des du un une est pour avec dans sur au aux son sa ses qui par nous vous d'euros l'",
    "es": "el la los las y del en un una es para con por que su sus al se ha nuestro nuestra",
}
_WORD = re.compile(r"[a-zà-ÿ]+['’]?", re.IGNORECASE)


def guess_language(text: str) -> str:
    """'en', 'de', 'fr' or 'es' by stop-word counts (English on a tie or when nothing is recognised)."""
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text[:3000])]
    scores = {lang: sum(1 for w in words if w in stops) for lang, stops in _STOP_SETS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > scores["en"] else "en"


_STOP_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
