# ruff: noqa: E501  (regular expressions read better unbroken)
"""Deterministic rules, one per signal type, applied to a single sentence. Precision first: hedged, negated,
conditional or denied statements are not signals (see docs/research.md for each type's rules)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from knowledge.signals.text import find_money

# ---- shared vocabulary -------------------------------------------------------------------------------------

_CAP = r"[A-Z][\w&'’.+-]*"
ORG = rf"{_CAP}(?:\s+(?:{_CAP}|of|for|and|&|de|la|the)){{0,5}}(?:\s+(?:Inc|Corp|Ltd|LLC|GmbH|AG|SA|plc|Group)\.?)?"
_NAME_PART = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"
PERSON = rf"{_NAME_PART}(?:\s+(?:[A-Z]\.|{_NAME_PART}|(?:van|von|de|da|del|der|den|le|la|di|du|bin|al)(?!\w)|Mc{_NAME_PART})){{1,3}}"
_DEPARTMENTS = (
    r"(?i:engineering|sales|marketing|product|finance|operations|people|technology|design|data|growth|research|"
    r"legal|hr|customer\s+success|partnerships|communications|revenue|talent|security|strategy|business\s+development)"
)
ROLE = (
    r"(?i:(?:(?:interim|acting|new|incoming|founding|co-|deputy|group|global|executive|senior)\s*)*"
    r"(?:CEO|CFO|CTO|COO|CMO|CRO|CIO|CISO|CPO|CCO|CHRO|CDO|CSO|SVP|EVP|VP"
    r"|(?:Chief|Vice|Managing|General|Executive)\s+[A-Za-z&,\s-]{0,50}?(?:Officer|President|Director|Counsel)"
    r"|President|Chair(?:man|woman|person)?|Director|Head|General\s+Counsel|Board\s+[Mm]ember|Partner|Co-?[Ff]ounder))"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?(?:[A-Z][\w&/-]*|"
    + _DEPARTMENTS
    + r")(?:\s+(?:and|&)?\s*(?:[A-Z][\w&/-]*|"
    + _DEPARTMENTS
    + r")){0,3})?"
    r"(?:,?\s+(?:EMEA|APAC|Americas|Europe|North America|International))?"
)
_ROLE_I = re.compile(ROLE, re.IGNORECASE)
NOT_PERSON_WORDS = {
    "The",
    "Our",
    "This",
    "That",
    "Inc",
    "Ltd",
    "Group",
    "Capital",
    "Ventures",
    "Partners",
    "Bank",
    "Fund",
    "Company",
    "Board",
    "Series",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Today",
    "Chief",
    "Officer",
    "Executive",
    "President",
    "Director",
    "Head",
    "Vice",
    "New",
    "Global",
}

HEDGES = re.compile(
    r"\b(plans?|planning|planned|intends?|intending|intention|aims?|aiming|hopes?|hoping|seeks?|seeking|looking|"
    r"considers?|considering|explores?|exploring|mulls?|mulling|weighs?|weighing|eyes|eyeing|in talks|in discussions|"
    r"negotiating|negotiations|could|might|would|should|may|possibly|potential(?:ly)?|rumou?r(?:s|ed)?|"
    r"reportedly|speculat\w*|is said to|are said to|allegedly|if|whether|unless|expected to|expects? to|"
    r"set to|poised to|likely|unlikely|wants? to|ready to|preparing to|prepares? to|would-be|proposed)\b",
    re.IGNORECASE,
)
NEGATIONS = re.compile(
    r"\b(not|no|never|neither|nor|without|denied|denies|deny|denying|refuted|refutes|dismissed|dismisses|"
    r"rejected|rejects|false|cancel(?:l)?ed|scrapped|abandoned|called off|failed to|fails to|won't|didn't|"
    r"hasn't|haven't|isn't|wasn't|doesn't|don't|cannot)\b|n't\b",
    re.IGNORECASE,
)
DENIAL_SENTENCE = re.compile(
    r"\b(denied|denies|refuted|dismissed|rejected)\b.{0,80}\b(reports?|rumou?rs?|speculation|claims?|media)\b"
    r"|\b(no plans to|not planning to|has no intention)\b",
    re.IGNORECASE,
)
REPORTED_FUTURE = re.compile(
    r"\b(?:said|says|announced|confirmed|told \w+)\s+(?:on\s+\w+\s+|\w+day\s+)?(?:that\s+)?(?:it|they|the company|the firm|the group)\s+would\b",
    re.IGNORECASE,
)
FUTURE = re.compile(r"\b(will|shall|is going to|are going to|to be|upcoming)\b", re.IGNORECASE)


@dataclass
class RuleHit:
    type: str
    confidence: float
    attributes: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # what makes two hits of the same type the same event (for de-duplication)


def _window(sentence: str, start: int, width: int = 45) -> str:
    """The clause just before a trigger (stops at the previous sentence-internal boundary)."""
    before = sentence[max(0, start - width) : start]
    cut = max(before.rfind(";"), before.rfind(","), before.rfind(" but "), before.rfind("“"), before.rfind(" while "))
    return before[cut + 1 :] if cut >= 0 else before


BACKGROUND_EVENT = re.compile(
    r"\bin\s+(?:19|20)\d\d\b(?![-–/])[^.;]{0,80}?(?:,\s*(?:and\s+)?|\s+and\s+)(?:\w+\s+){0,4}?(?:now|still|since|has since|today)\b",
    re.IGNORECASE,
)
CALLED_OFF = re.compile(
    r"\b(?:was|were|has been|had been|is being)\s+(?:abandoned|called off|scrapped|terminated|blocked|cancel(?:l)?ed)\b"
    r"|\b(?:fell through|collapsed|was never completed)\b",
    re.IGNORECASE,
)


def blocked(sentence: str, start: int, *, allow_future: bool = False, allow_hedge: bool = False) -> bool:
    """True when the trigger at ``start`` is hedged, negated, conditional, questioned or denied, or a dated past
    event told as background ("which raised a Series A in 2021, now serves …")."""
    if DENIAL_SENTENCE.search(sentence) or sentence.rstrip().endswith("?") or CALLED_OFF.search(sentence):
        return True
    if BACKGROUND_EVENT.search(sentence, start):
        return True
    window = _window(sentence, start)
    if allow_future:  # "said it would cut 12,000 jobs" reports a decision, not a possibility
        window = REPORTED_FUTURE.sub(" ", window)
    if NEGATIONS.search(window):
        return True
    if not allow_hedge and HEDGES.search(window):
        return True
    if re.match(r"\s*(if|whether|should|unless|when)\b", sentence, re.IGNORECASE):
        return True
    return not allow_future and bool(FUTURE.search(window))


def clean_names(text: str) -> list[str]:
    """'Example Ventures, Seed Partners and existing investors' → ['Example Ventures', 'Seed Partners']."""
    parts = re.split(
        r",\s*(?:and\s+|as well as\s+)?|\s+and\s+|\s+as well as\s+|\s*;\s*|\s+&\s+(?=[A-Z][a-z]+\s+[A-Z])", text
    )
    names: list[str] = []
    for part in parts:
        part = re.sub(
            r"^(?:the\s+|new\s+|existing\s+|investors?\s+|including\s+|such as\s+)+", "", part.strip(), flags=re.I
        )
        part = re.split(r"\s+(?:with|among|alongside|who|which|that|in|to|for|at|on)\s+", part)[0].strip(" .,")
        if (
            part
            and part[0].isupper()
            and len(part) <= 60
            and not re.search(r"\b(investors|others|backers)\b", part, re.I)
        ):
            names.append(part)
    return names


def _person_ok(name: str) -> bool:
    return not any(word.strip(".,") in NOT_PERSON_WORDS for word in name.split())


# ---- funding -----------------------------------------------------------------------------------------------

ROUND_RE = re.compile(
    r"\b(pre-seed|seed(?:\s+(?:round|funding|financing|extension))?|series\s+[a-h](?:[1-9])?(?:[- ](?:extension|plus|prime))?|"
    r"growth(?:\s+equity)?\s+(?:round|funding|financing)|bridge\s+(?:round|financing)|angel\s+round|"
    r"pre-series\s+[a-h]|venture\s+debt|debt\s+financing|strategic\s+(?:round|investment)|convertible\s+note|"
    r"crowdfunding(?:\s+round)?)\b",
    re.IGNORECASE,
)
FUNDING_NOUN = re.compile(
    r"\b(funding|round|financing|investment|capital|seed|series\s+[a-h]|venture|raise|backing|investors?)\b", re.I
)
FUNDING_VERB = re.compile(
    r"\b(raised|raises|raising|has raised|secured|secures|closed|closes|completed|completes|announced|announces|"
    r"landed|lands|received|receives|bagged|bags|nabbed|nabs|picked up|picks up|got|gets|attracted|attracts|"
    r"led|co-led|leads|invested|invests|injected|obtained|obtains|scored|scores|snagged|snags|collected)\b",
    re.IGNORECASE,
)
NOT_FUNDING = re.compile(
    r"\b(revenue|sales|prices?|valuation of|valued at|awareness|concerns?|questions?|guidance|salary|salaries|"
    r"donat\w+|charity|charities|fundrais\w+|giving|food banks?|for (?:charity|the)|helped (?:\w+ )?(?:customers|clients|startups|companies) raise|"
    r"(?:customers|clients|portfolio companies) (?:have )?raised|acquisition|acquired|fund (?:i|ii|iii|iv|v)\b|"
    r"new fund|closes? (?:its |a )?(?:\w+ )?fund\b|market cap|ipo price)\b",
    re.IGNORECASE,
)
LED_BY = re.compile(
    r"\b(?:led|co-led)\s+by\s+(?P<x>[^.;]+?)(?=,?\s+(?:with|and (?:existing|other|new)|bringing|to\b|which|as\b)|[.;]|$)"
)
PARTICIPATION = re.compile(
    r"\b(?:participation|participating|support)\s+(?:from|of|by)\s+(?:new\s+and\s+existing\s+investors\s+(?:including\s+)?)?"
    r"(?P<x>[^.;]+?)(?=,?\s+(?:bringing|to\b|which|as\b)|[.;]|$)"
    r"|\b(?:investors|backers)\s+(?:including|such as)\s+(?P<y>[^.;]+?)(?=,?\s+(?:bringing|to\b|which)|[.;]|$)"
    r"|\bfrom\s+(?P<z>(?:[A-Z][\w&.'-]*\s?){1,4}(?:,\s*(?:and\s+)?(?:[A-Z][\w&.'-]*\s?){1,4})*)\s*(?=[.;]|$)"
)


def funding(sentence: str) -> list[RuleHit]:
    verb = FUNDING_VERB.search(sentence)
    noun = FUNDING_NOUN.search(sentence)
    rnd = ROUND_RE.search(sentence)
    if not noun and re.search(
        r"\b(?:raised|raises|raising|has raised|secured|secures|closed|closes|lands|landed|bags|bagged|nabs|nabbed)\s+"
        r"(?:a\s+|an\s+|another\s+|over\s+|more than\s+|nearly\s+|about\s+|roughly\s+|some\s+)?"
        r"(?:US\$|C\$|A\$|\$|€|£|¥|₹|USD|EUR|GBP|CHF)\s?\d",
        sentence,
        re.IGNORECASE,
    ):
        noun = verb
    money = [
        m
        for m in find_money(sentence)
        if not re.match(r"\s*(?:valuation|in revenue|revenue|ARR)", sentence[m.end :], re.I)
    ]
    if not verb or not (noun or rnd) or not (money or rnd):
        return []
    if NOT_FUNDING.search(sentence) and not rnd:
        return []
    if re.search(r"\braise[sd]?\s+(?:the\s+)?(?:prices?|rates?|awareness|concerns?)", sentence, re.I):
        return []
    if blocked(sentence, verb.start()):
        return []
    attrs: dict[str, Any] = {}
    if money:
        attrs.update(amount=money[0].amount, currency=money[0].currency, amount_text=money[0].text)
    if rnd:
        attrs["round"] = _round_name(rnd.group(1))
    investors: list[str] = []
    for m in LED_BY.finditer(sentence):
        investors += clean_names(m.group("x"))
    if investors:
        attrs["lead_investors"] = list(investors)
    for m in PARTICIPATION.finditer(sentence):
        investors += clean_names(m.group("x") or m.group("y") or m.group("z") or "")
    if investors:
        attrs["investors"] = list(dict.fromkeys(investors))
    confidence = 0.9 if money and rnd else 0.8 if money else 0.75
    if re.search(
        r"\bto date\b|\bin total\b|\btotal funding\b|\bsince raised\b|\bso far\b|\bbringing (?:its|the) total\b|\btotal raised\b|\bbrings (?:its|the|the company's) total\b",
        sentence,
        re.I,
    ):
        attrs["cumulative"] = True
        confidence -= 0.15
    key = f"{attrs.get('round', '')}|{round(attrs.get('amount', 0) / 1e5)}"
    return [RuleHit("funding", round(confidence, 2), attrs, key)]


def _round_name(raw: str) -> str:
    text = re.sub(r"\s+(?:round|funding|financing)$", "", " ".join(raw.split()), flags=re.IGNORECASE)
    low = text.lower()
    if low.startswith("series") or low.startswith("pre-series"):
        head, letter = text.rsplit(" ", 1)[0], text.split()[-1]
        return f"{head.capitalize()} {letter[0].upper()}{letter[1:]}"
    return text[0].upper() + text[1:].lower()


# ---- acquisition -------------------------------------------------------------------------------------------

_DESCRIPTOR = r"(?:(?:[a-z][\w-]*\s+){0,4}?(?:firm|company|startup|start-up|provider|maker|platform|developer|specialist|rival|operator|unit|business|chain|group|vendor|player|lender|retailer|insurer|bank)\s+)?"
ACQ_ACTIVE = re.compile(
    rf"(?P<acq>{ORG})\s+(?:has\s+|have\s+)?(?:completed\s+(?:the|its)\s+acquisition\s+of|announced\s+(?:the|its)\s+acquisition\s+of|"
    rf"acquired|acquires|has agreed to (?:acquire|buy|purchase)|agreed to (?:acquire|buy|purchase)|signed (?:a|an) (?:definitive )?agreement to (?:acquire|buy)|"
    rf"to acquire|to buy|bought|buys|snapped up|snaps up|takes over|took over|purchased|purchases)\s+{_DESCRIPTOR}(?P<tgt>{ORG})"
)
ACQ_AGREEMENT = re.compile(
    rf"\b(?:signed|entered into|reached|signs|enters into|reaches)\s+(?:a|an)\s+(?:definitive\s+)?(?:merger\s+)?agreement\s+to\s+(?:acquire|buy|purchase)\s+{_DESCRIPTOR}(?P<tgt>{ORG})"
)
ACQ_PASSIVE = re.compile(
    rf"(?P<tgt>{ORG})\s+(?:has\s+been|have\s+been|was|is\s+being|were|is)\s+(?:acquired|bought|purchased|taken over)\s+by\s+(?P<acq>{ORG})"
)
ACQ_NOUN = re.compile(rf"\b(?:acquisition|purchase|takeover)\s+of\s+(?P<tgt>{ORG})(?:\s+by\s+(?P<acq>{ORG}))?")
MERGER = re.compile(
    rf"(?P<acq>{ORG})\s+(?:and\s+(?P<tgt>{ORG})\s+)?(?:have\s+|has\s+)?(?:merged|merge|completed (?:a|their|its) merger)(?:\s+with\s+(?P<tgt2>{ORG}))?"
)
NOT_ACQ_TARGET = re.compile(
    r"^(customers?|users?|talent|data|new|more|the|a|an|its|their|our|rights|shares?|stake)\b", re.I
)


def acquisition(sentence: str) -> list[RuleHit]:
    if re.search(r"\b(customer|user|talent|data|client|lead)\s+acquisition\b", sentence, re.I) and not re.search(
        r"\bacqui(?:red|res|sition of)\s+[A-Z]", sentence
    ):
        return []
    for pattern, conf in ((ACQ_PASSIVE, 0.9), (ACQ_ACTIVE, 0.9), (ACQ_AGREEMENT, 0.9), (ACQ_NOUN, 0.8), (MERGER, 0.75)):
        for m in pattern.finditer(sentence):
            groups = m.groupdict()
            target = (groups.get("tgt") or groups.get("tgt2") or "").strip()
            acquirer = (groups.get("acq") or "").strip()
            if not target or NOT_ACQ_TARGET.match(target) or target.split()[0] in NOT_PERSON_WORDS - {"The"}:
                continue
            trigger = (
                m.start("tgt") if pattern in (ACQ_NOUN, ACQ_AGREEMENT) else m.end("acq") if acquirer else m.start()
            )
            if (
                pattern is ACQ_ACTIVE
                and re.search(r"\bto acquire\b", m.group(0))
                and not re.search(r"\b(agreed|agreement|announced|announces|will|definitive)\b", sentence, re.I)
                and m.start() > 0  # "X to acquire Y" is only accepted as a headline
            ):
                continue
            allow_future = bool(re.search(r"\b(agreed|agreement|definitive)\b", sentence, re.I))
            if blocked(sentence, trigger, allow_future=allow_future):
                continue
            attrs: dict[str, Any] = {"target": _trim_org(target)}
            if acquirer:
                attrs["acquirer"] = _trim_org(acquirer)
            money = find_money(sentence)
            if money:
                attrs.update(amount=money[0].amount, currency=money[0].currency, amount_text=money[0].text)
            if pattern is MERGER:
                attrs["kind"] = "merger"
            return [RuleHit("acquisition", conf, attrs, attrs["target"].lower())]
    return []


def _trim_org(name: str) -> str:
    name = re.sub(r"^(?:The|Today|On\s+\w+,?)\s+", "", name.strip(" ,."))
    name = re.split(r",|\s+(?:for|in|from|to|on|at|today|announced|and|the)(?:\s+|$)", name)[0].strip(" ,.")
    return re.sub(r"\s+(?:of|for|and|&|de|la|the)$", "", name)


# ---- leadership change -------------------------------------------------------------------------------------

_ARTICLES = r"(?:(?:its|the|our|their|his|her|a|new|as)\s+)*"
_APPOSITION = r"(?:,\s*(?P<appos>[^,]{2,80}),)?"
LEAD_JOIN = [
    re.compile(
        rf"\b(?:appoint(?:ed|s)?|names?|named|hires?|hired|welcomes?|welcomed|taps?|tapped|elected|elects|"
        rf"(?:the\s+)?appointment\s+of|(?:the\s+)?hiring\s+of)\s+(?P<name>{PERSON}){_APPOSITION}(?:\s+(?:as|to\s+(?:the\s+)?(?:role|position|post)\s+of|to\s+be|to\s+serve\s+as))?\s+{_ARTICLES}(?P<role>{ROLE})"
    ),
    re.compile(
        rf"(?P<name>{PERSON}){_APPOSITION}\s+(?:has\s+been|have\s+been|was|is|will\s+be|had\s+been)\s+(?P<verb>appointed|named|hired|elected|promoted|elevated)\s+"
        rf"(?:as\s+|to\s+(?:the\s+(?:role|position|post)\s+of\s+)?)?{_ARTICLES}(?P<role>{ROLE})"
    ),
    re.compile(
        rf"(?P<name>{PERSON}){_APPOSITION}\s+(?:has\s+|will\s+|is\s+)?(?:joins?|joined|joining|rejoins?|rejoined|returns?|returned)\s+(?:{_CAP}\s*){{0,4}}\s*as\s+{_ARTICLES}(?P<role>{ROLE})"
    ),
    re.compile(
        rf"(?P<name>{PERSON}){_APPOSITION}\s+(?:has\s+|will\s+)?(?:takes?|took|taking)\s+over\s+as\s+{_ARTICLES}(?P<role>{ROLE})"
    ),
    re.compile(
        rf"(?P<name>{PERSON}){_APPOSITION}\s+(?:becomes|became|has become|will become)\s+{_ARTICLES}(?P<role>{ROLE})"
    ),
]
LEAD_JOIN.append(
    re.compile(
        rf"\b(?:appoint(?:ed|s)|names|named|hires|hired|welcomes|welcomed|taps|tapped)\s+(?:a|an|its|their)\s+new\s+(?P<role>{ROLE}),?\s+(?P<name>{PERSON})"
    )
)
LEAD_PROMOTE = re.compile(rf"\bpromot(?:ed|es|ing)\s+(?P<name>{PERSON})\s+to\s+{_ARTICLES}(?P<role>{ROLE})")
LEAD_LEAVE = [
    re.compile(
        rf"(?:(?P<role0>{ROLE})\s+)?(?P<name>{PERSON}){_APPOSITION}\s+(?:has\s+|have\s+|will\s+|is\s+to\s+|to\s+|is\s+)?"
        rf"(?:stepped|steps|step|stepping)\s+down(?:\s+(?:as|from\s+(?:his|her|their|the)\s+(?:role|position)\s+as)\s+{_ARTICLES}(?P<role>{ROLE}))?"
    ),
    re.compile(
        rf"(?:(?P<role0>{ROLE})\s+)?(?P<name>{PERSON}){_APPOSITION}\s+(?:has\s+|have\s+|will\s+|is\s+to\s+|to\s+)?"
        rf"(?:resigned|resigns|resign|retired|retires|retire|departed|departs|depart|left|leaves|leave|is leaving|exited|exits|was ousted|was fired|was dismissed|was removed)"
        rf"(?:\s+(?:as|from\s+(?:his|her|their|the)\s+(?:role|position|post)\s+as|from\s+the\s+company\s+as)\s+{_ARTICLES}(?P<role>{ROLE}))?"
    ),
    re.compile(
        rf"\b(?:departure|resignation|retirement|exit|ouster|dismissal)\s+of\s+(?:(?:its|the|our)\s+)?(?:(?P<role0>{ROLE})\s+)?(?P<name>{PERSON})"
        rf"(?:,\s*{_ARTICLES}(?P<role>{ROLE}))?"
    ),
]
FIRST_PERSON_LEAVE = re.compile(
    rf"\b(?:I am|I'm|I’m|I have|I've|I’ve|I will|I'll|I’ll|I)\s+(?:decided to\s+|be\s+)?(?:stepping|step|stepped|will step)\s+down\s+as\s+{_ARTICLES}(?P<role>{ROLE})"
)
ROLE_BEFORE = re.compile(rf"(?P<role>{ROLE})\s+$")


def leadership_change(sentence: str) -> list[RuleHit]:
    hits: list[RuleHit] = []
    seen: set[str] = set()

    def add(m: re.Match[str], direction: str, conf: float) -> None:
        name = m.group("name").strip()
        groups = m.groupdict()
        role = (groups.get("role") or groups.get("role0") or "").strip(" ,")
        if not role and groups.get("appos"):
            inner = _ROLE_I.search(groups["appos"])
            role = inner.group(0).strip() if inner else ""
        if not role:
            before = ROLE_BEFORE.search(sentence[: m.start("name")])
            role = before.group("role").strip() if before else ""
        if not _person_ok(name) or name in seen or not role or not _ROLE_I.fullmatch(role):
            return
        allow_future = direction == "left" or bool(
            re.search(r"\bwill\s+(?:join|become|take over|be appointed)", sentence)
        )
        if blocked(sentence, m.start(), allow_future=allow_future) or blocked(
            sentence, m.end("name"), allow_future=allow_future
        ):
            return
        seen.add(name)
        hits.append(
            RuleHit(
                "leadership_change", conf, {"person": name, "role": role, "direction": direction}, f"{name}|{direction}"
            )
        )

    own = FIRST_PERSON_LEAVE.search(sentence)
    if own and not blocked(sentence, own.start(), allow_future=True):
        hits.append(RuleHit("leadership_change", 0.8, {"role": own.group("role"), "direction": "left"}, "author|left"))
    for m in LEAD_PROMOTE.finditer(sentence):
        add(m, "promoted", 0.85)
    for pattern in LEAD_JOIN:
        for m in pattern.finditer(sentence):
            verb = (m.groupdict().get("verb") or "").lower()
            add(m, "promoted" if verb in ("promoted", "elevated") else "joined", 0.85)
    for pattern in LEAD_LEAVE:
        for m in pattern.finditer(sentence):
            add(m, "left", 0.8)
    return hits


# ---- hiring ------------------------------------------------------------------------------------------------

ROLE_FAMILIES: dict[str, str] = {
    "engineering": r"engineer\w*|developers?|software|devops|sre|programmers?|data scientists?|machine learning|ml|ai researchers?|architects?|qa|technical",
    "sales": r"sales\w*|account executives?|account managers?|sdrs?|bdrs?|business development|sales representatives?",
    "marketing": r"marketing|marketers?|growth|content|seo|brand|communications|pr\b",
    "customer_success": r"customer success|customer support|support|customer service|customer experience",
    "product": r"product managers?|product|designers?|ux|ui",
    "operations": r"operations|ops|logistics|warehouse|drivers?|supply chain",
    "finance": r"finance|accountants?|accounting|controllers?|analysts?",
    "people": r"hr|recruiters?|people|talent",
    "legal": r"legal|lawyers?|counsel|compliance",
}
HIRING_TRIGGER = re.compile(
    r"\b(?:is|are|we're|we are|currently|actively)\s+hiring\b|\bhiring\s+(?:for\s+)?(?:\d|more|over|around|up to|dozens|hundreds)"
    r"|\b(?:hire|hires|add|adds|adding|recruit|recruits|recruiting|create|creates|creating)\s+(?:more than\s+|over\s+|up to\s+|about\s+|another\s+|an additional\s+)?[\d,]+\s+(?:new\s+)?(?:\w+\s+){0,3}(?:jobs|roles|positions|employees|people|staff|engineers|developers|hires|workers|team members|graduates|interns|apprentices|trainees|nurses|drivers|technicians|consultants|salespeople|researchers)"
    r"|\b[\d,]+\+?\s+(?:open|new)\s+(?:positions|roles|jobs|vacancies|openings|requisitions)\b"
    r"|\b(?:open|new)\s+(?:positions|roles|jobs|vacancies|openings)\b.{0,30}\b(?:engineering|sales|marketing|product)"
    r"|\bgrow(?:ing)?\s+(?:its|our|the)\s+(?:\w+\s+)?(?:team|headcount|workforce)\s+(?:to|by)\s+[\d,]+"
    r"|\b(?:double|doubling|triple|tripling|expand|expanding|grow|growing|scale|scaling|increase|increasing)\s+(?:its|our|their|the)\s+"
    r"(?:(?:engineering|sales|marketing|product|support|customer success|r&d|data|go-to-market|global)\s+)?(?:team|teams|headcount|workforce)\b",
    re.IGNORECASE,
)
COUNT_RE = re.compile(
    r"([\d,]{1,7})\+?\s+(?:new\s+|open\s+|additional\s+)?(?:\w+\s+){0,2}?(?:jobs|roles|positions|employees|people|staff|engineers|developers|designers|executives|representatives|reps|managers|scientists|specialists|salespeople|hires|vacancies|openings|workers|nurses|drivers|analysts)\b",
    re.I,
)


def role_families(text: str) -> dict[str, int]:
    """Role families mentioned in ``text`` (each family once per mention)."""
    counts: dict[str, int] = {}
    low = text.lower()
    for family, pattern in ROLE_FAMILIES.items():
        n = len(re.findall(rf"\b(?:{pattern})\b", low))
        if n:
            counts[family] = n
    return counts


def hiring(sentence: str) -> list[RuleHit]:
    m = HIRING_TRIGGER.search(sentence)
    if not m or re.search(
        r"\b(hiring freeze|freeze on hiring|lay(?:s|ing)?\s*off|laid off|cut|cuts|eliminat\w+)\b", sentence, re.I
    ):
        return []
    if blocked(sentence, m.start(), allow_future=True, allow_hedge=True) or re.search(
        r"\b(no longer|stopped|paused|halted)\s+hiring\b", sentence, re.I
    ):
        return []
    attrs: dict[str, Any] = {}
    count = COUNT_RE.search(sentence)
    if count:
        try:
            attrs["count"] = int(count.group(1).replace(",", ""))
        except ValueError:
            pass
    families = role_families(sentence[m.start() :])
    if families:
        attrs["role_families"] = sorted(families)
    if re.search(r"\b(plans?|planning|expects?|aims?|intends?)\s+to\b", sentence[: m.end()], re.I):
        attrs["planned"] = True
    return [RuleHit("hiring", 0.8 if attrs.get("count") else 0.7, attrs, "hiring")]


# ---- product launch ----------------------------------------------------------------------------------------

LAUNCH = re.compile(
    r"\b(?:launched|launches|(?:is|are)\s+launching|unveiled|unveils|(?:is|are)\s+unveiling|introduced|introduces|(?:is|are)\s+introducing|released|releases|debuted|debuts|rolled out|rolls out|(?:is|are)\s+rolling out|"
    r"announced the (?:launch|release|general availability|availability) of|announces the (?:launch|release|general availability|availability) of|"
    r"is now (?:generally )?available|are now (?:generally )?available|now (?:generally )?available|"
    r"the launch of|the release of|went live|goes live|shipped|ships|unwrapped|showcased|premiered)\b",
    re.IGNORECASE,
)
NOT_PRODUCT = re.compile(
    r"\b(report|study|survey|results|statement|earnings|figures|investigation|probe|inquiry|campaign|search for|"
    r"lawsuit|petition|appeal|legislation|bill|guidance|white ?paper|podcast episode|in (?:18|19|20)\d\d|"
    r"was (?:founded|launched) in|since its launch|prisoners?|hostages?|statement|ipo|office|offices|headquarters)\b",
    re.IGNORECASE,
)
_PRODUCT_CAP = r"(?:[A-Z]|[a-z](?=[A-Z]))[\w&'’.+-]*"
PRODUCT_OBJ = re.compile(
    rf"(?P<obj>(?:(?:its|a|an|the|their|our)\s+)?(?:new|next-generation|next-gen|latest|first|upgraded)?\s*(?:{_PRODUCT_CAP}\s*){{1,4}}"
    rf"|(?:(?:its|a|an|the|their|our)\s+)(?:new|next-generation|latest|first)\s+[\w-]+(?:\s+[\w-]+){{0,3}}\s+"
    rf"(?:platform|product|app|application|feature|features|solution|service|tool|api|sdk|model|version|suite|module|device|chip|integration|engine|assistant|offering|card|plugin|extension|dashboard))"
)


def product_launch(sentence: str) -> list[RuleHit]:
    m = LAUNCH.search(sentence)
    if not m or NOT_PRODUCT.search(sentence):
        return []
    if blocked(sentence, m.start()):
        return []
    after = sentence[m.end() :].lstrip()
    obj = PRODUCT_OBJ.match(after)
    product = ""
    if obj:
        product = re.sub(r"^(?:its|a|an|the|their|our)\s+", "", obj.group("obj").strip(" ,.")).strip()
    elif re.search(r"\bnow (?:generally )?available\b", m.group(0), re.I):
        before = re.search(rf"((?:(?:{_CAP}|\d+(?:\.\d+)+)\s*){{1,4}})\s+(?:(?:is|are)\s+)?$", sentence[: m.start()])
        product = before.group(1).strip() if before else ""
    if not product or product.lower() in ("new", "the", "a"):
        return []
    product = re.split(r",|\s+(?:to|for|in|that|which|with|at|on|today)\s+", product)[0].strip()
    if not product:
        return []
    return [RuleHit("product_launch", 0.8, {"product": product}, product.lower())]


# ---- partnership -------------------------------------------------------------------------------------------

PARTNER = re.compile(
    rf"\b(?:partnered|partners|partnering|has partnered|teamed up|teams up|teaming up|joined forces|joins forces|"
    rf"(?:strategic\s+|new\s+|global\s+|multi-year\s+|exclusive\s+)*(?:partnership|alliance|collaboration|joint venture)|"
    rf"signed (?:a|an) (?:strategic |multi-year |exclusive |distribution |reseller |technology )*(?:partnership|agreement|memorandum of understanding|mou|deal)|"
    rf"collaborates|collaborated|collaborating|integration)\s+(?:agreement\s+)?(?:with|between)\s+(?P<partner>{ORG})"
)
PARTNER_AND = re.compile(
    rf"(?P<a>{ORG})\s+and\s+(?P<b>{ORG})\s+(?:have\s+|today\s+)?(?:announced\s+(?:a|an)\s+(?:\w+\s+)?partnership|partner|team up|join forces|form(?:ed)? (?:a|an) (?:\w+\s+)?(?:partnership|alliance|joint venture))"
)


def partnership(sentence: str) -> list[RuleHit]:
    hits: list[RuleHit] = []
    for m in PARTNER.finditer(sentence):
        partner = _trim_org(m.group("partner"))
        if not partner or (partner.split()[0] in ("The", "Our", "Its", "Their") and len(partner.split()) == 1):
            continue
        if re.search(r"\b(looking for|seeking|open to)\s+(?:\w+\s+)?partner", sentence, re.I):
            continue
        if blocked(
            sentence, m.start(), allow_future=bool(re.search(r"\b(signed|announced|agreement)\b", sentence, re.I))
        ):
            continue
        if m.group(0).lower().startswith("integration") and not re.search(
            r"\b(announc\w+|launch\w*|introduc\w+|new|unveil\w+|releas\w+|now)\b", sentence, re.I
        ):
            continue
        conf = 0.65 if m.group(0).lower().startswith("integrat") else 0.85
        hits.append(RuleHit("partnership", conf, {"partner": partner}, partner.lower()))
        break
    if not hits:
        m2 = PARTNER_AND.search(sentence)
        if m2 and not blocked(sentence, m2.end("b")):
            hits.append(
                RuleHit(
                    "partnership",
                    0.8,
                    {"partner": _trim_org(m2.group("b")), "with": _trim_org(m2.group("a"))},
                    m2.group("b").lower(),
                )
            )
    return hits


# ---- expansion ---------------------------------------------------------------------------------------------

FACILITY = r"(?:office|offices|headquarters|hq|hub|facility|plant|factory|warehouse|data cent(?:er|re)|store|stores|location|campus|r&d cent(?:er|re)|engineering cent(?:er|re)|fulfil?ment cent(?:er|re)|distribution cent(?:er|re)|studio|branch|subsidiary|showroom|flagship(?: store)?|outlet|lab|laboratory|gigafactory|fab|service cent(?:er|re)|depot|shop|restaurant)"
PLACE = r"(?P<place>[A-Z][\w'’.-]+(?:[ -][A-Z][\w'’.-]+){0,3}(?:,\s*[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+)?)?)"
EXPAND_OPEN = re.compile(
    rf"\b(?i:our|its|their|the)\s+(?:new|first)\s+{PLACE}\s+{FACILITY}\s+(?:is|are|has|have)\s+(?:now\s+)?(?:officially\s+)?(?:open|opened)\b"
)
EXPAND_MARKETS = re.compile(
    r"\b(?:launched|launches|launching|expanded|expands|expanding|is now live|went live|now available)\s+in\s+(?P<n>\d+|several|two|three|four|five|six|seven|eight|nine|ten|a dozen)\s+(?:new\s+)?(?:markets|countries)"
    r"(?:[^.]{0,60}?\b(?:including|such as)\s+(?P<place>[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+)?))?"
)
EXPAND = [
    re.compile(
        rf"\b(?:opened|opens|opening|has opened|inaugurated|inaugurates|launched|launches|established|establishes|set up|sets up|unveiled)\s+(?:of\s+)?(?:a|an|its|the|their)?\s*(?:new|first|second|third|additional|european|us|u\.s\.|regional|international)?\s*(?:[\w-]+\s+)?{FACILITY}\s+in\s+{PLACE}",
        re.I,
    ),
    re.compile(
        rf"\b(?:the\s+)?opening\s+of\s+(?:a|an|its|the|their)?\s*(?:new|first|second|additional)?\s*(?:[\w-]+\s+)?{FACILITY}\s+in\s+{PLACE}",
        re.I,
    ),
    re.compile(
        rf"\b(?:expands?|expanded|expanding|expansion)\s+(?:its\s+\w+\s+|operations\s+|presence\s+|footprint\s+)?(?:in)?to\s+(?:the\s+)?{PLACE}"
    ),
    re.compile(
        rf"\b(?:enters?|entered|entering|entry into|launch(?:es|ed)? in|arrives? in|arrived in|debuts? in)\s+(?:the\s+)?{PLACE}(?:\s+market)?"
    ),
]
NOT_PLACE = re.compile(
    r"^(?:The|A|An|Its|Series|Q[1-4]|January|February|March|April|May|June|July|August|September|October|November|December|\d)",
    re.I,
)


def expansion(sentence: str) -> list[RuleHit]:
    for pattern, kind in ((EXPAND_OPEN, "office"), (EXPAND_MARKETS, "market")):
        found = pattern.search(sentence)
        if found and not blocked(sentence, found.start()):
            place = found.groupdict().get("place") or f"{found.group('n')} markets"
            return [RuleHit("expansion", 0.8, {"location": place, "kind": kind}, place.lower())]
    for i, pattern in enumerate(EXPAND):
        for m in pattern.finditer(sentence):
            place = re.split(
                r"\s+(?:to|for|and|with|as|on|in|that|which|this|next)\s+|,\s*(?:where|which|to|a|the)\b",
                m.group("place"),
            )[0].strip(" ,.")
            if not place or NOT_PLACE.match(place) or not place[0].isupper():
                continue
            if i >= 2 and re.search(
                r"\b(partnership|product|portfolio|offering|team|board|line|range|capabilities|platform)\b",
                m.group(0),
                re.I,
            ):
                continue
            if blocked(sentence, m.start()):
                continue
            kind = "office" if i < 2 else "market"
            return [RuleHit("expansion", 0.85 if i < 2 else 0.7, {"location": place, "kind": kind}, place.lower())]
    return []


# ---- layoffs -----------------------------------------------------------------------------------------------

JOBS = r"(?:jobs|roles|positions|staff|employees|workers|people|workforce|headcount|team members|its team|staffers|colleagues|teammates)"
LAYOFF = re.compile(
    rf"\b(?:laid off|lays off|laying off|lay off|layoffs?|redundanc(?:y|ies)|job cuts|reduction in force|rif\b|downsiz\w+|"
    rf"(?:cut|cuts|cutting|eliminat(?:e|es|ed|ing)|slash(?:es|ed|ing)?|shed|sheds|shedding|reduc(?:e|es|ed|ing)|axe[sd]?|axing)\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|some\s+|more than\s+|over\s+|up to\s+|another\s+)?(?:[\d,.]+%?\s+(?:of\s+)?(?:its\s+|their\s+|the\s+)?(?:global\s+)?)?{JOBS}"
    rf"|(?:reduc\w+|cut\w*|shrink\w*|trim\w*)\s+(?:our|its|their|the)\s+(?:\w+\s+)?(?:team|teams|workforce|headcount|staff)\s+by\s+(?:about\s+|around\s+|roughly\s+)?[\d,.]+"
    rf"|(?:parting ways with|letting go(?: of)?|let go(?: of)?)\s+(?:about\s+|around\s+|roughly\s+|some\s+)?[\d,.]+%?\s+(?:of\s+)?(?:our|its|their|the)?\s*(?:\w+\s+)?{JOBS})",
    re.IGNORECASE,
)
NOT_LAYOFF = re.compile(
    r"\b(?:tracked|tracker|tally|counted|survey|data shows?|analysis|statistics|across the (?:industry|sector))\b"
    r"|\bif\b|^(?:\W*\w+){0,3}\s+(?:could|might|may|would)\s+follow\b",
    re.IGNORECASE,
)


def layoffs(sentence: str) -> list[RuleHit]:
    m = LAYOFF.search(sentence)
    if (
        not m
        or NOT_LAYOFF.search(sentence)
        or re.match(r"\W*\s*(?:could|might|may|would)\b", sentence[m.end() :], re.I)
    ):
        return []
    allow_future = not re.search(r"\b(may|might|could|considering|weighing|mulling)\b", sentence, re.I)
    if blocked(sentence, m.start(), allow_future=allow_future) or re.search(
        r"\bno (?:layoffs|job cuts|redundancies)\b", sentence, re.I
    ):
        return []
    attrs: dict[str, Any] = {}
    pct = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)", sentence)
    if pct:
        attrs["percent"] = float(pct.group(1))
    count = re.search(rf"([\d,]{{2,7}})\s+(?:\w+\s+)?{JOBS}", sentence, re.I)
    if count:
        try:
            attrs["count"] = int(count.group(1).replace(",", ""))
        except ValueError:
            pass
    return [RuleHit("layoffs", 0.85 if attrs else 0.75, attrs, "layoffs")]


# ---- event participation -----------------------------------------------------------------------------------

EVENT_NAME = r"(?P<event>(?:the\s+)?[A-Z][\w&/.'’-]*(?:\s+(?:[A-Z0-9][\w&/.'’-]*|of|on|for|and|&)){0,6})"
EVENT = re.compile(
    rf"\b(?P<verb>(?i:exhibit(?:s|ed|ing)?|will be exhibiting|showcas(?:e|es|ed|ing)|present(?:s|ed|ing)?|speak(?:s|ing)?|spoke|will speak|"
    rf"keynot(?:e|es|ed|ing)|sponsor(?:s|ed|ing)?|host(?:s|ed|ing)? a (?:booth|stand|session)|attend(?:s|ed|ing)?|join us|meet us|visit us|"
    rf"be at|are at|is at|see you|join(?:s|ed)? (?:us|our \w+)|participat(?:e|es|ed|ing)))(?:\s+(?:(?:a|the)\s+(?:panel|session|keynote|talk|workshop)\s+)?(?:at|in)|(?:\s+[\w'’-]+){{1,5}}?\s+at)\s+{EVENT_NAME}"
)
EVENT_ROLE_NOUN = re.compile(
    rf"\b(?:is|are|was|as)\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?P<verb>sponsor|exhibitor|speaker|keynote speaker|partner)\s+(?:of|at)\s+{EVENT_NAME}"
)
NOT_EVENT_SUBJECT = re.compile(
    r"^\W*(?:the\s+)?(?:analysts|experts|speakers|attendees|visitors|investors|researchers|officials|delegates|participants)\b",
    re.I,
)
MONTH_START = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|December|Q[1-4]|\d)", re.I
)
EVENT_WORDS = re.compile(
    r"\b(conference|summit|expo|exposition|forum|week|show|fair|congress|con|world|days|festival|symposium|meetup|convention|conf|20\d\d|money20/20|ces|mwc|web summit|dreamforce|re:invent|slush|vivatech|sxsw|gitex|hannover messe|cebit|ifa)\b",
    re.I,
)


def event_participation(sentence: str) -> list[RuleHit]:
    if NOT_EVENT_SUBJECT.search(sentence):
        return []
    for m in [*EVENT.finditer(sentence), *EVENT_ROLE_NOUN.finditer(sentence)]:
        event = re.split(r",|\s+(?:in|on|from|to|this|next|where|booth|stand)\s+", m.group("event"))[0].strip(" .")
        event = re.sub(r"^the\s+", "", event, flags=re.I)
        if (
            not event
            or MONTH_START.match(event)
            or not EVENT_WORDS.search(event + " " + sentence[m.end() : m.end() + 40])
        ):
            continue
        if blocked(sentence, m.start(), allow_future=True):
            continue
        verb = m.group("verb").lower()
        role = (
            "exhibitor"
            if verb.startswith(("exhibit", "will be exhibiting", "showcas", "host"))
            or "booth" in sentence.lower()
            or " stand " in sentence.lower()
            else "speaker"
            if verb.startswith(("present", "speak", "spoke", "will speak", "keynot"))
            else "sponsor"
            if verb.startswith("sponsor")
            else "attendee"
        )
        attrs: dict[str, Any] = {"event": event, "role": role}
        booth = re.search(r"\b(?:booth|stand|hall)\s*(?:#|no\.?|number)?\s*([A-Z]?\d[\w.-]*)", sentence, re.I)
        if booth:
            attrs["booth"] = booth.group(1).rstrip(".,")
        return [RuleHit("event_participation", 0.8, attrs, event.lower())]
    return []


RULES: tuple[Callable[[str], list[RuleHit]], ...] = (
    funding,
    acquisition,
    leadership_change,
    hiring,
    product_launch,
    partnership,
    expansion,
    layoffs,
    event_participation,
)
