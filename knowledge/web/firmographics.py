"""Firmographics where a page states them (founding year, headcount, locations, industries) and customer names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from knowledge.web.people import text_lines

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")
FOUNDED_RE = re.compile(
    r"\b(?:founded|established|incorporated|started|launched)\s+(?:in\s+)?(?:[A-Z][a-z]+\s+)?((?:18|19|20)\d{2})\b"
    r"|\bsince\s+((?:18|19|20)\d{2})\b",
    re.IGNORECASE,
)
HEADCOUNT_RE = re.compile(
    r"\b(?:team of|over|more than|about|around|nearly|almost)?\s*(\d{1,3}(?:,\d{3})+|\d{1,6})\s*\+?\s*"
    r"(?:full-time\s+)?(?:employees|people|staff|team members|colleagues|professionals|experts|engineers and)\b",
    re.IGNORECASE,
)
PLACE = r"[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,2}"
LOCATIONS_RE = re.compile(
    rf"\b(?:offices?|locations?|hubs?|studios?|based|headquartered|headquarters|HQ)\s+(?:is\s+|are\s+)?in\s+"
    rf"({PLACE}(?:\s*,\s*{PLACE})*(?:,?\s+and\s+{PLACE})?)"
)
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "fintech": ("fintech", "financial technology", "payments", "banking", "lending", "insurtech", "financial services"),
    "saas": ("saas", "software-as-a-service", "software as a service", "cloud platform", "cloud software"),
    "e-commerce": ("e-commerce", "ecommerce", "online retail", "online store", "d2c", "direct-to-consumer"),
    "healthcare": ("healthcare", "healthtech", "health tech", "medtech", "clinical", "patients"),
    "logistics": ("logistics", "supply chain", "freight", "warehouse", "fulfilment", "fulfillment", "shipping"),
    "cybersecurity": ("cybersecurity", "cyber security", "threat detection", "zero trust"),
    "edtech": ("edtech", "education technology", "e-learning", "online learning"),
    "martech": ("martech", "marketing technology", "marketing automation"),
    "hr tech": ("hr tech", "hr software", "recruiting software", "payroll"),
    "proptech": ("proptech", "real estate"),
    "manufacturing": ("manufacturing", "industrial", "factory", "factories"),
    "energy": ("renewable energy", "cleantech", "solar", "energy storage"),
    "artificial intelligence": ("artificial intelligence", "machine learning", " ai-powered", "generative ai"),
    "robotics": ("robotics", "robots", "automation robots"),
    "gaming": ("gaming", "video games", "game studio"),
    "travel": ("travel", "hospitality", "hotels"),
}
_ALT_NOISE = re.compile(r"\b(logo|logotype|customer|client|image|icon|picture|photo|of)\b", re.IGNORECASE)
_CASE_RE = re.compile(
    r"^(?:case study|customer story|success story)?\s*:?\s*(?:how\s+)?(?P<name>(?:[A-Z][\w&.'’-]*\s?){1,4}?)\s+"
    r"(?:cut|cuts|reduced|reduces|increased|increases|uses|used|saved|saves|built|builds|grew|grows|scaled|"
    r"scales|achieved|achieves|boosted|boosts|improved|improves|doubled|tripled|moved|switched|chose|relies)\b"
)


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for para in text.splitlines():
        out.extend(s.strip() for s in _SENT_SPLIT.split(para) if s.strip())
    return out


@dataclass
class Firmographics:
    founded_year: int | None = None
    employee_count: int | None = None
    locations: list[str] = field(default_factory=list)
    industries: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)  # field → the sentence that states it


def extract_firmographics(text: str) -> Firmographics:
    """Facts a company states about itself; each kept with its evidence sentence."""
    firmo = Firmographics()
    year_now = datetime.now(UTC).year
    for sentence in sentences(text):
        if firmo.founded_year is None and (m := FOUNDED_RE.search(sentence)):
            year = int(m.group(1) or m.group(2))
            if 1800 <= year <= year_now:
                firmo.founded_year, firmo.evidence["founded_year"] = year, sentence
        if firmo.employee_count is None and (m := HEADCOUNT_RE.search(sentence)):
            count = int(m.group(1).replace(",", ""))
            if 2 <= count <= 3_000_000:
                firmo.employee_count, firmo.evidence["employee_count"] = count, sentence
        if m := LOCATIONS_RE.search(sentence):
            for place in re.split(r"\s*,\s*|\s+and\s+", m.group(1)):
                place = place.strip(" .")
                if place and place not in firmo.locations and len(firmo.locations) < 20:
                    firmo.locations.append(place)
                    firmo.evidence.setdefault("locations", sentence)
        low = f" {sentence.lower()} "
        for industry, words in INDUSTRIES.items():
            if any(w in low for w in words):
                firmo.industries[industry] = firmo.industries.get(industry, 0) + 1
                firmo.evidence.setdefault(f"industry:{industry}", sentence)
    return firmo


@dataclass(frozen=True)
class CustomerHit:
    name: str
    evidence: str


def extract_customers(tree: Any, own_name: str | None = None) -> list[CustomerHit]:
    """Customer names on a customers / case-studies page: logo alt text and case-study headings."""
    if tree is None:
        return []
    found: dict[str, CustomerHit] = {}
    own = (own_name or "").lower()

    def add(name: str, evidence: str) -> None:
        name = " ".join(name.split()).strip(" -–|:,.")
        fits = 2 <= len(name) <= 60 and name[:1].isupper() and len(name.split()) <= 5
        if fits and name.lower() not in found and (not own or own not in name.lower()):
            found[name.lower()] = CustomerHit(name, evidence)

    for img in tree.iter("img"):
        alt = (img.get("alt") or "").strip()
        if alt:
            add(_ALT_NOISE.sub(" ", alt), f'logo: "{alt}"')
    for line in text_lines(tree):
        m = _CASE_RE.match(line)
        if m and len(line) < 200:
            add(m.group("name"), line)
    return list(found.values())
