"""People and job titles from team / leadership pages (name line followed by title line, or 'Name, Title')."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BLOCK_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "span",
    "div",
    "strong",
    "b",
    "td",
    "figcaption",
    "dt",
    "dd",
    "a",
    "em",
}
_NAME_PART = r"(?:[A-ZÀ-Ý][a-zà-ÿ'’]+(?:-[A-ZÀ-Ý][a-zà-ÿ'’]+)?|[A-Z]\.)"
NAME_RE = re.compile(rf"^{_NAME_PART}(?:\s+(?:van|von|de|der|den|da|di|du|la|le|del|bin|al)?\s*{_NAME_PART}){{1,3}}$")
ROLE_WORDS = (
    r"chief|ceo|cto|cfo|coo|cmo|cro|cio|ciso|cpo|president|founder|co-founder|cofounder|owner|partner|"
    r"vp|vice president|svp|evp|director|head|manager|lead|officer|chair|chairman|chairwoman|board|"
    r"managing director|general counsel|principal|executive"
)
TITLE_RE = re.compile(rf"\b({ROLE_WORDS})\b", re.IGNORECASE)
INLINE_RE = re.compile(r"^(?P<name>[^,–—|:]{4,60}?)\s*(?:,|–|—|-|\||:)\s*(?P<title>.{2,80})$")
NOT_NAMES = {
    "our",
    "team",
    "the",
    "about",
    "contact",
    "meet",
    "join",
    "careers",
    "board",
    "leadership",
    "management",
    "read",
    "more",
    "learn",
    "view",
    "all",
    "news",
    "home",
    "us",
    "company",
    "press",
    "directors",
    "advisors",
    "executive",
    "investors",
    "privacy",
    "policy",
    "terms",
    "cookie",
    "customers",
    "pricing",
    "blog",
    "open",
}


@dataclass(frozen=True)
class PersonHit:
    full_name: str
    title: str
    seniority: str
    function: str
    evidence: str


_C_LEVEL = (
    r"\b(chief|ceo|cto|cfo|coo|cmo|cro|cio|ciso|cpo|president|founder|co-founder|cofounder|owner|"
    r"managing director|chair\w*)\b"
)


_C_LEVEL = (
    r"\b(chief|ceo|cto|cfo|coo|cmo|cro|cio|ciso|cpo|president|founder|co-founder|cofounder|owner|"
    r"managing director|chair\w*)\b"
)


def seniority_of(title: str) -> str:
    t = title.lower()
    if re.search(_C_LEVEL, t):
        return "c_level"
    if re.search(r"\b(vp|vice president|svp|evp)\b", t):
        return "vp"
    if re.search(r"\b(director|head)\b", t):
        return "director"
    if re.search(r"\b(manager|lead|principal)\b", t):
        return "manager"
    return "other"


FUNCTIONS = (
    ("finance", r"\b(cfo|finance|financial|accounting|controller)\b"),
    ("engineering", r"\b(cto|engineering|technology|technical|it|developer|engineer|architect|ciso|security)\b"),
    ("marketing", r"\b(cmo|marketing|brand|growth|communications|demand)\b"),
    ("sales", r"\b(cro|sales|revenue|business development|account|commercial|partnerships)\b"),
    ("product", r"\b(cpo|product|design|ux)\b"),
    ("operations", r"\b(coo|operations|operating|supply chain|logistics)\b"),
    ("people", r"\b(hr|people|talent|human resources|recruiting)\b"),
    ("customer_success", r"\b(customer|support|success|service)\b"),
    ("legal", r"\b(legal|counsel|compliance)\b"),
    ("general_management", r"\b(ceo|president|founder|co-founder|managing director|owner|chair\w*)\b"),
)


def function_of(title: str) -> str:
    t = title.lower()
    for name, pattern in FUNCTIONS:
        if re.search(pattern, t):
            return name
    return "other"


def _is_name(text: str) -> bool:
    if not NAME_RE.match(text) or TITLE_RE.search(text):
        return False
    return not any(w.lower().strip(".") in NOT_NAMES for w in text.split())


def _is_title(text: str) -> bool:
    return 2 <= len(text) <= 90 and bool(TITLE_RE.search(text)) and text.count(".") <= 2


def text_lines(tree: Any) -> list[str]:
    """Text of leaf-level blocks in document order (each block once)."""
    if tree is None:
        return []
    lines: list[str] = []
    for el in tree.iter(*BLOCK_TAGS):
        if any(child.tag in BLOCK_TAGS for child in el):
            own = " ".join((el.text or "").split())
        else:
            own = " ".join(el.text_content().split())
        if own:
            lines.append(own)
    return lines


def extract_people(tree: Any) -> list[PersonHit]:
    """People named with a job title on the page; one hit per name (first title wins)."""
    lines = text_lines(tree)
    found: dict[str, PersonHit] = {}

    def add(name: str, title: str, evidence: str) -> None:
        name, title = " ".join(name.split()), " ".join(title.split()).strip(" .")
        if name not in found:
            found[name] = PersonHit(name, title, seniority_of(title), function_of(title), evidence)

    for i, line in enumerate(lines):
        if _is_name(line):
            for nxt in lines[i + 1 : i + 3]:  # title right after the name (sometimes after a pronoun line)
                if _is_title(nxt) and not _is_name(nxt):
                    add(line, nxt, f"{line} — {nxt}")
                    break
            continue
        m = INLINE_RE.match(line)
        if m and _is_name(m.group("name").strip()) and _is_title(m.group("title")):
            add(m.group("name"), m.group("title"), line)
    return list(found.values())
