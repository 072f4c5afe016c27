"""Turn the team's remembered preferences ("no companies under 50 people") into rules code can apply. Pure.

Recognised (English and German phrasings, case-insensitive; anything else stays a free-text writing rule):
- minimum headcount:  "no companies under 50 people", "at least 50 employees", "min 50 employees",
                      "skip companies with fewer than 50 staff", "keine Firmen unter 50 Mitarbeitern"
- maximum headcount:  "no companies over 5000 employees", "at most 5000 employees", "max 5000 people"
- excluded industry:  "no gambling companies", "exclude industry crypto", "skip crypto"
- excluded country:   "no leads in RU", "exclude country FR", "avoid companies in CN"
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, Field

_NUM = r"(\d[\d,.]*)\s*(?:\+\s*)?"
_PEOPLE = r"(?:people|employees|staff|heads|headcount|fte|mitarbeiter(?:n|innen)?|personen|leute)"
_MIN = [
    re.compile(rf"\b(?:under|below|less than|fewer than|smaller than|unter|weniger als)\s+{_NUM}{_PEOPLE}", re.I),
    re.compile(rf"\b(?:at least|min(?:imum)?\.?|mindestens)\s+{_NUM}{_PEOPLE}", re.I),
]
_MAX = [
    re.compile(rf"\b(?:over|above|more than|bigger than|larger than|über|mehr als)\s+{_NUM}{_PEOPLE}", re.I),
    re.compile(rf"\b(?:at most|max(?:imum)?\.?|höchstens)\s+{_NUM}{_PEOPLE}", re.I),
]
_NEGATIVE = re.compile(r"\b(?:no|not|never|skip|exclude|avoid|don't|do not|keine?|nicht)\b", re.I)
_COUNTRY = re.compile(r"\b(?:in|country|from|aus)\s+([A-Z]{2})\b")
_INDUSTRY = [
    re.compile(r"\bexclude (?:the )?industry\s+([\w&\- ]+?)(?:[.;,]|$)", re.I),
    re.compile(
        r"\b(?:no|skip|avoid|never)\s+([a-z][\w&\-]*(?: [a-z][\w&\-]*)?)\s+(?:companies|firms|leads|startups)\b", re.I
    ),
    re.compile(r"\bskip\s+([a-z][\w&\-]+)\s*$", re.I),
]
_NOT_INDUSTRY = {"companies", "small", "big", "large", "tiny", "more", "new", "cold", "leads"}


class TeamRules(BaseModel):
    """Active team rules in structured form. ``writing`` holds everything that is advice for the copywriter."""

    min_employees: int | None = None
    max_employees: int | None = None
    excluded_industries: list[str] = Field(default_factory=list)
    excluded_countries: list[str] = Field(default_factory=list)
    writing: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="the remembered sentences the rules came from")

    def exclusion_reason(
        self, *, employee_count: int | None, industries: Iterable[str], country: str | None
    ) -> str | None:
        """Why a company is out by team rule, or None. Unknown headcount is not excluded (nothing to apply)."""
        if self.min_employees is not None and employee_count is not None and employee_count < self.min_employees:
            return f"team rule: no companies under {self.min_employees} people (has {employee_count})"
        if self.max_employees is not None and employee_count is not None and employee_count > self.max_employees:
            return f"team rule: no companies over {self.max_employees} people (has {employee_count})"
        hit = sorted({i.lower() for i in industries} & set(self.excluded_industries))
        if hit:
            return f"team rule: industry {hit[0]} is excluded"
        if country and country.upper() in self.excluded_countries:
            return f"team rule: no leads in {country.upper()}"
        return None

    def describe(self) -> str:
        parts = []
        if self.min_employees is not None:
            parts.append(f"- at least {self.min_employees} employees")
        if self.max_employees is not None:
            parts.append(f"- at most {self.max_employees} employees")
        parts += [f"- exclude industry {i}" for i in self.excluded_industries]
        parts += [f"- exclude country {c}" for c in self.excluded_countries]
        return "\n".join(parts) or "- none"


def _number(raw: str) -> int:
    return int(re.sub(r"[,.]", "", raw))


def parse_rules(texts: Iterable[str]) -> TeamRules:
    """Parse remembered team preferences. Later sentences override earlier ones for the same bound."""
    rules = TeamRules()
    for text in texts:
        sentence = " ".join(text.split())
        if not sentence:
            continue
        rules.sources.append(sentence)
        matched = False
        for pat in _MIN:
            if m := pat.search(sentence):
                rules.min_employees, matched = _number(m.group(1)), True
        for pat in _MAX:
            if m := pat.search(sentence):
                rules.max_employees, matched = _number(m.group(1)), True
        negative = bool(_NEGATIVE.search(sentence))
        if negative and (m := _COUNTRY.search(sentence)):
            rules.excluded_countries.append(m.group(1).upper())
            matched = True
        if not matched and negative:
            for pat in _INDUSTRY:
                if (m := pat.search(sentence)) and m.group(1).lower() not in _NOT_INDUSTRY:
                    rules.excluded_industries.append(m.group(1).strip().lower())
                    matched = True
                    break
        if not matched:
            rules.writing.append(sentence)
    rules.excluded_industries = sorted(set(rules.excluded_industries))
    rules.excluded_countries = sorted(set(rules.excluded_countries))
    return rules
