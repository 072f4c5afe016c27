"""robots.txt (RFC 9309) with Google's matching rules: parse once, then answer "may this agent fetch this URL?".

Behaviour follows Google's open-source reference parser (github.com/google/robotstxt):

* lines end at LF, CR or CRLF; ``#`` starts a comment; a UTF-8 byte-order mark is ignored;
* keys are case-insensitive and common typos are accepted (``useragent``, ``dissallow``, ``site-map``…);
  a missing colon is tolerated when the line is exactly ``key value``;
* consecutive ``user-agent`` lines open one group; a ``user-agent`` after a rule opens a new group;
  unknown directives (and ``sitemap``) never end a group; rules before the first ``user-agent`` are ignored;
* an agent line matches by product token: the leading ``[A-Za-z_-]`` run, case-insensitively;
  all groups naming our token are merged; ``*`` groups apply only when no group names us;
* the rule with the longest pattern wins, ``allow`` wins ties; ``*`` matches any run, a final ``$`` anchors;
  an empty pattern matches nothing; ``allow: /dir/index.html`` also allows ``/dir/``;
* non-ASCII pattern characters are percent-encoded, ``%xx`` escapes are upper-cased; URLs are used as given;
* only the first 500 KiB are parsed. ``Crawl-delay`` is read per group, ``Sitemap`` lines globally.

HTTP status handling (RFC 9309 §2.3.1) lives in :func:`robots_for_status`: 2xx parse, 4xx allow all,
5xx / 429 / unreachable disallow all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_ROBOTS_BYTES = 500 * 1024
_MAX_LINE = 2083 * 8
_BOM = "\ufeff"
_TOKEN_RE = re.compile(r"[A-Za-z_-]*")
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
_USER_AGENT_KEYS = ("user-agent", "useragent", "user agent")
_DISALLOW_KEYS = ("disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw")
_SITEMAP_KEYS = ("sitemap", "site-map")


def product_token(user_agent: str) -> str:
    """'AMIA-Research/0.1 (+https://…)' → 'amia-research': the first word's leading [A-Za-z_-] run, lower-cased."""
    first = user_agent.strip().split(None, 1)[0] if user_agent.strip() else ""
    match = _TOKEN_RE.match(first)
    return (match.group(0) if match else "").lower()


def escape_pattern(pattern: str) -> str:
    """Percent-encode non-ASCII bytes and upper-case existing %xx escapes, as Google does."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", pattern[i + 1 : i + 3]):
            out.append("%" + pattern[i + 1 : i + 3].upper())
            i += 3
            continue
        if ord(ch) > 0x7F:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def pattern_matches(path: str, pattern: str) -> bool:
    """Google's matcher: prefix match where ``*`` matches any run and a trailing ``$`` anchors the end."""
    pathlen = len(path)
    positions = [0]
    last = len(pattern) - 1
    for index, pch in enumerate(pattern):
        if pch == "$" and index == last:
            return positions[-1] == pathlen
        if pch == "*":
            positions = list(range(positions[0], pathlen + 1))
            continue
        positions = [p + 1 for p in positions if p < pathlen and path[p] == pch]
        if not positions:
            return False
    return True


def path_of(url: str) -> str:
    """Path, params and query of a URL, without the fragment ('/' when empty): Google's GetPathParamsQuery."""
    search_start = 2 if url.startswith("//") else 0
    early_path = _find_first(url, "/?;", search_start)
    protocol_end = url.find("://", search_start)
    if protocol_end == -1 or (early_path != -1 and early_path < protocol_end):
        protocol_end = search_start
    else:
        protocol_end += 3
    path_start = _find_first(url, "/?;", protocol_end)
    if path_start == -1:
        return "/"
    hash_pos = url.find("#", search_start)
    if hash_pos != -1 and hash_pos < path_start:
        return "/"
    path = url[path_start : hash_pos if hash_pos != -1 else len(url)]
    return path if path.startswith("/") else "/" + path


def _find_first(text: str, chars: str, start: int) -> int:
    hits = [i for i in (text.find(c, start) for c in chars) if i != -1]
    return min(hits) if hits else -1


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str
    line: int


@dataclass
class Group:
    agents: list[str] = field(default_factory=list)
    is_global: bool = False
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass(frozen=True)
class RobotsDecision:
    """The answer for one URL, with the rule that decided it (None when no rule matched)."""

    allowed: bool
    reason: str
    rule: str | None = None


def _split_line(raw: str) -> tuple[str, str] | None:
    line = raw.split("#", 1)[0].strip()
    if not line:
        return None
    if ":" in line:
        key, value = line.split(":", 1)
        return key.strip(), value.strip()
    parts = line.split()
    if len(parts) == 2:  # Google accepts a missing colon when there are exactly two words
        return parts[0], parts[1]
    return None


def _kind(key: str) -> str:
    low = key.lower()
    if low.startswith(_USER_AGENT_KEYS):
        return "user-agent"
    if low.startswith("allow"):
        return "allow"
    if low.startswith(_DISALLOW_KEYS):
        return "disallow"
    if low.startswith(_SITEMAP_KEYS):
        return "sitemap"
    if low in ("crawl-delay", "crawldelay", "crawl delay"):
        return "crawl-delay"
    return "unknown"


class RobotsTxt:
    """A parsed robots.txt. Build with :meth:`parse`, :meth:`allow_all` or :meth:`disallow_all`."""

    def __init__(
        self, groups: list[Group], sitemaps: list[str], *, default: bool | None = None, note: str = ""
    ) -> None:
        self.groups = groups
        self.sitemaps = sitemaps
        self._default = default  # True/False: the whole site is allowed/disallowed regardless of rules
        self.note = note
        self.unreachable: tuple[str, str] | None = None  # (reason, detail) when robots.txt could not be fetched

    @classmethod
    def allow_all(cls, note: str = "no robots.txt") -> RobotsTxt:
        return cls([], [], default=True, note=note)

    @classmethod
    def disallow_all(cls, note: str = "robots.txt unreachable") -> RobotsTxt:
        return cls([], [], default=False, note=note)

    @classmethod
    def parse(cls, body: str | bytes) -> RobotsTxt:
        if isinstance(body, bytes):
            text = body[:MAX_ROBOTS_BYTES].decode("utf-8", "surrogateescape")
        else:
            text = body.encode("utf-8", "surrogateescape")[:MAX_ROBOTS_BYTES].decode("utf-8", "surrogateescape")
        if text.startswith(_BOM):
            text = text[1:]
        groups: list[Group] = []
        sitemaps: list[str] = []
        current: Group | None = None
        seen_rule = False
        for number, raw in enumerate(_LINE_SPLIT.split(text), start=1):
            parsed = _split_line(raw[:_MAX_LINE])
            if parsed is None:
                continue
            key, value = parsed
            kind = _kind(key)
            if kind == "user-agent":
                if current is None or seen_rule:
                    current = Group()
                    groups.append(current)
                    seen_rule = False
                if value[:1] == "*" and (len(value) == 1 or value[1].isspace()):
                    current.is_global = True
                else:
                    token = _TOKEN_RE.match(value)
                    if token and token.group(0):
                        current.agents.append(token.group(0).lower())
            elif kind in ("allow", "disallow"):
                if current is None:
                    continue
                seen_rule = True
                pattern = escape_pattern(value)
                current.rules.append(Rule(kind == "allow", pattern, number))
                if kind == "allow":  # Google: '/dir/index.htm(l)' also allows '/dir/'
                    slash = pattern.rfind("/")
                    if slash >= 0 and pattern[slash:].startswith("/index.htm"):
                        current.rules.append(Rule(True, pattern[: slash + 1] + "$", number))
            elif kind == "crawl-delay":
                if current is None:
                    continue
                try:  # not a rule: like any other extension it does not end the group
                    delay = float(value)
                except ValueError:
                    continue
                if delay >= 0:
                    current.crawl_delay = delay
            elif kind == "sitemap" and value:
                sitemaps.append(value)
        return cls(groups, sitemaps)

    def _groups_for(self, user_agent: str) -> list[Group]:
        token = product_token(user_agent)
        specific = [g for g in self.groups if token and token in g.agents]
        return specific or [g for g in self.groups if g.is_global]

    def decide(self, user_agent: str, url: str) -> RobotsDecision:
        if self._default is not None:
            return RobotsDecision(self._default, self.note)
        path = path_of(url)
        best: Rule | None = None
        for group in self._groups_for(user_agent):
            for rule in group.rules:
                if not rule.pattern or not pattern_matches(path, rule.pattern):
                    continue
                if (
                    best is None
                    or len(rule.pattern) > len(best.pattern)
                    or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
                ):
                    best = rule
        if best is None:
            return RobotsDecision(True, "no rule matches")
        verb = "allow" if best.allow else "disallow"
        return RobotsDecision(best.allow, f"{verb}: {best.pattern} (line {best.line})", best.pattern)

    def allowed(self, user_agent: str, url: str) -> bool:
        return self.decide(user_agent, url).allowed

    def crawl_delay(self, user_agent: str) -> float | None:
        delays = [g.crawl_delay for g in self._groups_for(user_agent) if g.crawl_delay is not None]
        return max(delays) if delays else None


def robots_for_status(status: int | None, body: bytes | None) -> RobotsTxt:
    """RFC 9309 §2.3.1: 2xx parse; 4xx (not 429) allow all; 429, 5xx and no answer (None) disallow all."""
    if status is None:
        return RobotsTxt.disallow_all("robots.txt unreachable: disallow all until it can be read")
    if 200 <= status < 300:
        return RobotsTxt.parse(body or b"")
    if status == 429 or status >= 500:
        return RobotsTxt.disallow_all(f"robots.txt answered {status}: disallow all until it can be read")
    if 400 <= status < 500:
        return RobotsTxt.allow_all(f"robots.txt answered {status}: allow all")
    return RobotsTxt.disallow_all(f"robots.txt answered unexpected status {status}: disallow all")
