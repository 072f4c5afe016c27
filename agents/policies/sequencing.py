"""Sequencing policy (pure): when a step may go out — recipient's business hours, gaps, caps, staggering, stops.

Everything here is a function of its arguments (no clock, no I/O), so the worker, the benchmark and the tests
share exactly the same rules. Times are timezone-aware datetimes; local hours are the recipient's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Primary time zone per ISO country (the capital's); for large countries a city in `location` refines it.
COUNTRY_TZ: dict[str, str] = {
    "US": "America/New_York", "CA": "America/Toronto", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
    "AR": "America/Argentina/Buenos_Aires", "GB": "Europe/London", "IE": "Europe/Dublin", "DE": "Europe/Berlin",
    "FR": "Europe/Paris", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon", "IT": "Europe/Rome", "CH": "Europe/Zurich", "AT": "Europe/Vienna",
    "SE": "Europe/Stockholm", "NO": "Europe/Oslo", "DK": "Europe/Copenhagen", "FI": "Europe/Helsinki",
    "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "EE": "Europe/Tallinn", "GR": "Europe/Athens",
    "IL": "Asia/Jerusalem", "AE": "Asia/Dubai", "IN": "Asia/Kolkata", "SG": "Asia/Singapore",
    "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong",
    "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "ZA": "Africa/Johannesburg", "NG": "Africa/Lagos",
}  # fmt: skip
CITY_TZ: dict[str, str] = {
    "san francisco": "America/Los_Angeles", "los angeles": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "palo alto": "America/Los_Angeles", "austin": "America/Chicago", "chicago": "America/Chicago",
    "denver": "America/Denver", "vancouver": "America/Vancouver", "perth": "Australia/Perth",
    "melbourne": "Australia/Melbourne",
}  # fmt: skip

STOP_EVENTS = frozenset({"reply", "bounce", "unsubscribe", "paused", "erased", "complaint"})


@dataclass(frozen=True)
class SendRules:
    """The sending rules from config (`outreach.sending`)."""

    start_hour: int = 9
    end_hour: int = 17
    business_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    min_gap: timedelta = timedelta(days=3)
    mailbox_gap: timedelta = timedelta(seconds=90)
    daily_cap: int = 50
    stagger: timedelta = timedelta(minutes=10)


@dataclass
class MailboxState:
    """How much one sending mailbox has done today (UTC day) and when it last sent."""

    address: str
    day: date | None = None
    sent_today: int = 0
    last_sent_at: datetime | None = None

    def count_on(self, at: datetime) -> int:
        return self.sent_today if self.day == at.astimezone(UTC).date() else 0

    def record(self, at: datetime) -> None:
        today = at.astimezone(UTC).date()
        self.sent_today = self.sent_today + 1 if self.day == today else 1
        self.day = today
        self.last_sent_at = at


@dataclass(frozen=True)
class Send:
    mailbox: str


@dataclass(frozen=True)
class Defer:
    until: datetime
    reason: str


@dataclass(frozen=True)
class Stop:
    reason: str


Decision = Send | Defer | Stop


def timezone_for(country: str | None, location: str | None = None, default: str = "UTC") -> str:
    """IANA zone for a company: a known city in ``location`` first, then the country, then ``default``."""
    text = (location or "").lower()
    for city, tz in CITY_TZ.items():
        if city in text:
            return tz
    if country and country.upper() in COUNTRY_TZ:
        return COUNTRY_TZ[country.upper()]
    try:
        ZoneInfo(default)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return default


def in_business_hours(at: datetime, tz: str, rules: SendRules) -> bool:
    local = at.astimezone(ZoneInfo(tz))
    return local.weekday() in rules.business_days and rules.start_hour <= local.hour < rules.end_hour


def next_business_time(after: datetime, tz: str, rules: SendRules, hours: Sequence[int] | None = None) -> datetime:
    """Earliest moment >= ``after`` inside business hours in ``tz`` (and in ``hours`` when given)."""
    zone = ZoneInfo(tz)
    allowed = [h for h in (hours or range(rules.start_hour, rules.end_hour)) if rules.start_hour <= h < rules.end_hour]
    allowed = sorted(set(allowed)) or list(range(rules.start_hour, rules.end_hour))
    local = after.astimezone(zone)
    for day_offset in range(15):
        day = (local + timedelta(days=day_offset)).date()
        if day.weekday() not in rules.business_days:
            continue
        for hour in allowed:
            start = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
            end = start + timedelta(hours=1)
            if end.astimezone(UTC) <= after.astimezone(UTC):
                continue
            candidate = max(start.astimezone(UTC), after.astimezone(UTC))
            if in_business_hours(candidate, tz, rules):
                return candidate
    raise ValueError("no business day configured: outreach.sending.business_days is empty")


def stagger_offset(key: str, rules: SendRules) -> timedelta:
    """A stable pseudo-random delay in [0, stagger) per step, so a batch does not go out in one burst."""
    span = int(rules.stagger.total_seconds())
    if span <= 0:
        return timedelta(0)
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return timedelta(seconds=digest % span)


def first_slot(
    step_key: str,
    not_before: datetime,
    tz: str,
    rules: SendRules,
    *,
    last_sent_at: datetime | None = None,
    hours: Sequence[int] | None = None,
) -> datetime:
    """When to schedule a step: after the min gap since the lead's last send, in business hours, staggered."""
    earliest = not_before
    if last_sent_at is not None:
        earliest = max(earliest, last_sent_at + rules.min_gap)
    slot = next_business_time(earliest, tz, rules, hours) + stagger_offset(step_key, rules)
    return slot if in_business_hours(slot, tz, rules) else next_business_time(slot, tz, rules, hours)


def stop_reason(events: Iterable[str]) -> str | None:
    """The first event that ends a sequence (reply, bounce, unsubscribe, pause, erasure, complaint), if any."""
    for event in events:
        if event in STOP_EVENTS:
            return event
    return None


def _next_utc_midnight(at: datetime) -> datetime:
    day = at.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def decide(
    now: datetime,
    tz: str,
    rules: SendRules,
    mailboxes: Sequence[MailboxState],
    *,
    lead_last_sent_at: datetime | None = None,
    events: Iterable[str] = (),
    preferred_mailbox: str | None = None,
) -> Decision:
    """Send now from a mailbox, defer until a time, or stop the sequence. Never breaks hours, gaps or caps."""
    reason = stop_reason(events)
    if reason:
        return Stop(reason)
    if not mailboxes:
        raise ValueError("no sending mailbox configured")
    if lead_last_sent_at is not None and now < lead_last_sent_at + rules.min_gap:
        return Defer(next_business_time(lead_last_sent_at + rules.min_gap, tz, rules), "min_gap")
    if not in_business_hours(now, tz, rules):
        return Defer(next_business_time(now, tz, rules), "outside_business_hours")
    ordered = sorted(mailboxes, key=lambda m: (m.address != preferred_mailbox, m.count_on(now), m.address))
    soonest: datetime | None = None
    for box in ordered:
        if box.count_on(now) >= rules.daily_cap:
            free_at = _next_utc_midnight(now)
        elif box.last_sent_at is not None and now < box.last_sent_at + rules.mailbox_gap:
            free_at = box.last_sent_at + rules.mailbox_gap
        else:
            return Send(box.address)
        soonest = free_at if soonest is None else min(soonest, free_at)
    assert soonest is not None
    return Defer(next_business_time(soonest, tz, rules), "mailbox_busy")


@dataclass
class WindowStats:
    sends: int = 0
    replies: int = 0


@dataclass
class TimingModel:
    """Which local send hours earn replies, per segment (Beta-Binomial, shrunk to the segment's mean)."""

    stats: dict[tuple[str, int], WindowStats] = field(default_factory=dict)

    def observe(self, segment: str, local_hour: int, replied: bool) -> None:
        cell = self.stats.setdefault((segment, local_hour), WindowStats())
        cell.sends += 1
        cell.replies += int(replied)

    def best_hours(self, segment: str, rules: SendRules, *, top: int = 3, min_sends: int = 30) -> list[int] | None:
        """The ``top`` local hours with the best shrunk reply rate, or None while there is too little data."""
        cells = {h: s for (seg, h), s in self.stats.items() if seg == segment}
        total = sum(s.sends for s in cells.values())
        if total < min_sends * 2:
            return None
        prior_rate = (sum(s.replies for s in cells.values()) + 1) / (total + 2)
        strength = 20.0

        def rate(hour: int) -> float:
            cell = cells.get(hour, WindowStats())
            return (cell.replies + prior_rate * strength) / (cell.sends + strength)

        hours = sorted(range(rules.start_hour, rules.end_hour), key=lambda h: (-rate(h), h))
        return sorted(hours[:top])


def timing_model_from(rows: Iterable[Mapping[str, object]]) -> TimingModel:
    """Build a TimingModel from rows {segment, local_hour, replied}."""
    model = TimingModel()
    for row in rows:
        model.observe(str(row["segment"]), int(str(row["local_hour"])), bool(row["replied"]))
    return model
