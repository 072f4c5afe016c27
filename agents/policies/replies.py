"""Reply classification (pure rules): interested, not now, wrong person + referral, unsubscribe, objection, OOO.

Works on the reply's own text (quoted history is cut off first), in English, German, French and Spanish.
Returns the label, the rule that decided it, referrals (name/email) and a return date for out-of-office and
"not now" replies. Deterministic; an LLM may add nuance elsewhere but never overrides an unsubscribe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum


class ReplyLabel(StrEnum):
    INTERESTED = "interested"
    NOT_NOW = "not_now"
    WRONG_PERSON = "wrong_person"
    UNSUBSCRIBE = "unsubscribe"
    OBJECTION = "objection"
    OUT_OF_OFFICE = "out_of_office"
    OTHER = "other"


NEEDS_HUMAN = frozenset({ReplyLabel.INTERESTED, ReplyLabel.WRONG_PERSON, ReplyLabel.OBJECTION, ReplyLabel.OTHER})


@dataclass(frozen=True)
class Referral:
    email: str | None
    name: str | None


@dataclass(frozen=True)
class ReplyClass:
    label: ReplyLabel
    rule: str
    confidence: float
    objection: str | None = None
    referrals: tuple[Referral, ...] = ()
    return_date: date | None = None
    evidence: str | None = None
    needs_human: bool = field(default=False)


_QUOTE_MARKERS = re.compile(
    r"^(>|On .{0,200}wrote:|Am .{0,200}schrieb|Le .{0,200}a écrit|El .{0,200}escribió|-----\s*Original Message"
    r"|-----\s*Ursprüngliche Nachricht|From:\s|Von:\s|De:\s)",
    re.IGNORECASE | re.MULTILINE,
)

_RULES: list[tuple[ReplyLabel, str, str | None, re.Pattern[str]]] = [
    (
        ReplyLabel.UNSUBSCRIBE,
        "unsubscribe",
        None,
        re.compile(
            r"\b(unsubscribe|remove me|take me off|stop (emailing|contacting|sending)|do not (contact|email)|"
            r"don'?t (contact|email) me|opt[- ]?out|not interested,? (please )?remove|"
            r"abmelden|austragen|keine weiteren|"
            r"désabonner|désinscri|ne plus recevoir|darme de baja|dar de baja|no me (escriba|contacte))",
            re.I,
        ),
    ),
    (
        ReplyLabel.OUT_OF_OFFICE,
        "out_of_office",
        None,
        re.compile(
            r"\b(out of (the )?office|on (annual |parental |maternity )?leave|on vacation|on holiday|away from (my )?"
            r"(desk|email)|limited access to (my )?e-?mail|abwesend|im urlaub|außer haus|absent du bureau|en congés?|"
            r"fuera de la oficina|de vacaciones)",
            re.I,
        ),
    ),
    (
        ReplyLabel.WRONG_PERSON,
        "wrong_person",
        None,
        re.compile(
            r"\b(wrong person|not the right person|no longer (work|with)|left the company|not (my|in my) "
            r"(area|remit|department)|you should (talk|speak|reach out) to|better (person|contact) (is|would be)|"
            r"(reach|contact) my colleague|handles this|is responsible for|in charge of|falsche person|"
            r"nicht zuständig|zuständig ist|pas la bonne personne|no soy la persona)",
            re.I,
        ),
    ),
    (
        ReplyLabel.NOT_NOW,
        "not_now",
        None,
        re.compile(
            r"\b(not (right )?now|not at the moment|not a priority|next (quarter|year|month)|in (a few|\d+) "
            r"(months|weeks)|reach out (again )?(in|after|later)|circle back|check back|follow up (in|after|later)|"
            r"timing is(n'?t| not) right|too early|later this year|derzeit nicht|später|pas pour le moment|"
            r"plus tard|más adelante|ahora no)",
            re.I,
        ),
    ),
    (
        ReplyLabel.OBJECTION,
        "objection_competitor",
        "competitor",
        re.compile(
            r"\b(already (use|using|have|work with)|we use \w+|happy with (our|the) current|locked into|under contract|"
            r"nutzen bereits|utilisons déjà|ya usamos)",
            re.I,
        ),
    ),
    (
        ReplyLabel.OBJECTION,
        "objection_price",
        "price",
        re.compile(
            r"\b(too expensive|no budget|budget (is )?(tight|frozen|spent)|can'?t afford|cost too|pricing is|"
            r"kein budget|zu teuer|trop cher|pas de budget|muy caro|sin presupuesto)",
            re.I,
        ),
    ),
    (
        ReplyLabel.OBJECTION,
        "objection_need",
        "no_need",
        re.compile(
            r"\b(not interested|no need|don'?t need|not relevant|not a fit|doesn'?t apply|we build (it|this) "
            r"in-?house|kein interesse|kein bedarf|pas intéressé|no nos interesa|no estamos interesados)",
            re.I,
        ),
    ),
    (
        ReplyLabel.INTERESTED,
        "interested",
        None,
        re.compile(
            r"\b(interested|sounds (good|great|interesting)|let'?s (talk|chat|meet|set up|schedule)|"
            r"happy to (talk|chat|meet)|book a (call|meeting|time)|send (me )?(more|details|info)|tell me more|"
            r"what (times?|does your)|"
            r"how much|calendar|demo|call next week|available (on|next)|gerne|interessiert|termin|intéressé|"
            r"volontiers|rendez-vous|me interesa|hablemos|reunión)",
            re.I,
        ),
    ),
]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_NEAR = re.compile(
    r"(?:talk to|speak (?:to|with)|reach out to|contact|colleague|try|cc'?d|looping in|is|ist|est|es)\s+"
    r"([A-Z][a-zà-ÿ]+(?:\s[A-Z][a-zà-ÿ'-]+){1,2})"
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "january jan januar janvier enero", "february feb februar février febrero", "march mar märz mars marzo",
            "april apr avril abril", "may mai mayo", "june jun juni juin junio", "july jul juli juillet julio",
            "august aug août agosto", "september sep sept septembre septiembre", "october oct oktober octobre octubre",
            "november nov novembre noviembre", "december dec dezember décembre diciembre",
        ]
    )
    for m in names.split()
}  # fmt: skip
_DATE_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:of\s+)?([A-Za-zéûä]{3,10})\.?(?:\s+(\d{4}))?")
_DATE_MDY = re.compile(r"\b([A-Za-z]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_NUM = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2,4})\b")
_RELATIVE = re.compile(r"\b(?:in|after)\s+(a few|\d+|two|three|six)\s+(weeks|months)\b", re.I)
_WORDS = {"a few": 3, "two": 2, "three": 3, "six": 6}


def own_text(body: str) -> str:
    """The reply's new text: everything before the first quote marker or quoted line."""
    match = _QUOTE_MARKERS.search(body)
    return (body[: match.start()] if match else body).strip()


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _future(candidate: date | None, today: date) -> date | None:
    if candidate is None:
        return None
    if candidate < today - timedelta(days=1):
        bumped = _safe_date(candidate.year + 1, candidate.month, candidate.day)
        return bumped if bumped and bumped - today < timedelta(days=370) else None
    return candidate


def extract_return_date(text: str, today: date) -> date | None:
    """The first future date mentioned ('back on 3 December', 'until 2026-12-03', '03.12.2026', 'in 3 months')."""
    candidates: list[tuple[int, date]] = []
    for m in _DATE_ISO.finditer(text):
        d = _future(_safe_date(int(m[1]), int(m[2]), int(m[3])), today)
        if d:
            candidates.append((m.start(), d))
    for m in _DATE_DMY.finditer(text):
        month = _MONTHS.get(m[2].lower())
        if month:
            d = _future(_safe_date(int(m[3] or today.year), month, int(m[1])), today)
            if d:
                candidates.append((m.start(), d))
    for m in _DATE_MDY.finditer(text):
        month = _MONTHS.get(m[1].lower())
        if month:
            d = _future(_safe_date(int(m[3] or today.year), month, int(m[2])), today)
            if d:
                candidates.append((m.start(), d))
    for m in _DATE_NUM.finditer(text):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        d = _future(_safe_date(year, int(m[2]), int(m[1])), today)  # day first: the common form outside the US
        if d:
            candidates.append((m.start(), d))
    for m in _RELATIVE.finditer(text):
        n = _WORDS.get(m[1].lower()) or int(m[1])
        days = n * 7 if m[2].lower() == "weeks" else n * 30
        candidates.append((m.start(), today + timedelta(days=days)))
    return min(candidates)[1] if candidates else None


def extract_referrals(text: str, own_addresses: frozenset[str] = frozenset()) -> tuple[Referral, ...]:
    emails = [e.lower().rstrip(".") for e in _EMAIL.findall(text)]
    emails = [e for e in dict.fromkeys(emails) if e not in own_addresses]
    names = [m.group(1) for m in _NAME_NEAR.finditer(text)]
    out = [Referral(email=e, name=names[i] if i < len(names) else None) for i, e in enumerate(emails)]
    if not out and names:
        out = [Referral(email=None, name=n) for n in dict.fromkeys(names)]
    return tuple(out)


def classify_reply(
    subject: str,
    body: str,
    *,
    auto_submitted: bool = False,
    today: date | None = None,
    own_addresses: frozenset[str] = frozenset(),
) -> ReplyClass:
    """Classify one reply. ``auto_submitted`` comes from headers (Auto-Submitted, X-Autoreply, Precedence)."""
    today = today or datetime.now().date()
    text = own_text(body)
    haystack = f"{subject}\n{text}"
    if auto_submitted or re.search(r"^(auto(matic)?[- ]?reply|out of office|abwesenheit|absence)", subject, re.I):
        return ReplyClass(
            ReplyLabel.OUT_OF_OFFICE,
            "auto_submitted_header" if auto_submitted else "auto_reply_subject",
            0.95,
            return_date=extract_return_date(text, today),
            referrals=extract_referrals(text, own_addresses),
        )
    if not text:
        return ReplyClass(ReplyLabel.OTHER, "empty", 0.3, needs_human=True)
    for label, rule, objection, pattern in _RULES:
        match = pattern.search(haystack)
        if not match:
            continue
        referrals = extract_referrals(text, own_addresses) if label is ReplyLabel.WRONG_PERSON else ()
        when = extract_return_date(text, today) if label in (ReplyLabel.OUT_OF_OFFICE, ReplyLabel.NOT_NOW) else None
        return ReplyClass(
            label,
            rule,
            0.8,
            objection=objection,
            referrals=referrals,
            return_date=when,
            evidence=match.group(0),
            needs_human=label in NEEDS_HUMAN,
        )
    return ReplyClass(ReplyLabel.OTHER, "no_rule", 0.3, needs_human=True)
