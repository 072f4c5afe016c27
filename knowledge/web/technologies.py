"""Technology fingerprints: which analytics, CRM, marketing automation, payment and web frameworks a page uses.

The patterns live in ``fingerprints.json`` next to this module (easy to extend without code changes).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

FINGERPRINTS = Path(__file__).with_name("fingerprints.json")


@dataclass(frozen=True)
class TechHit:
    name: str
    category: str
    evidence: str  # the host, generator or snippet that matched

    @property
    def tech_id(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@lru_cache(maxsize=4)
def load_fingerprints(path: Path = FINGERPRINTS) -> tuple[dict[str, Any], ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(data["technologies"])


def parse_html(html: str | bytes) -> Any:
    """An lxml tree, or None when the input cannot be parsed at all."""
    try:
        return lxml_html.fromstring(html) if html and str(html).strip() else None
    except (ValueError, TypeError, Exception):  # lxml raises ParserError/XMLSyntaxError on garbage
        return None


def asset_hosts(tree: Any, base_url: str | None = None) -> set[str]:
    hosts: set[str] = set()
    if tree is None:
        return hosts
    for el in tree.iter("script", "link", "iframe", "img"):
        ref = el.get("src") or el.get("href")
        if not ref:
            continue
        host = urlsplit(urljoin(base_url or "", ref.strip())).hostname
        if host:
            hosts.add(host.lower())
    return hosts


def detect_technologies(html: str, base_url: str | None = None, tree: Any = None) -> list[TechHit]:
    """Technologies whose fingerprint matches this page, one hit per technology."""
    tree = tree if tree is not None else parse_html(html)
    hosts = asset_hosts(tree, base_url)
    generators = [
        (m.get("content") or "")
        for m in (tree.iter("meta") if tree is not None else [])
        if (m.get("name") or "").lower() == "generator"
    ]
    hits: list[TechHit] = []
    for fp in load_fingerprints():
        evidence = next((h for h in hosts for pat in fp.get("hosts", []) if h == pat or h.endswith("." + pat)), None)
        if evidence is None:
            evidence = next(
                (f"generator: {g}" for g in generators for pat in fp.get("generator", []) if pat.lower() in g.lower()),
                None,
            )
        if evidence is None:
            evidence = next((f"html: {pat}" for pat in fp.get("html", []) if pat in html), None)
        if evidence is not None:
            hits.append(TechHit(fp["name"], fp["category"], evidence))
    return hits
