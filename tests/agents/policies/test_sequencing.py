"""Sequencing policy: recipient's business hours and time zone, gaps, caps, staggering, stops, timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.policies.sequencing import (
    Defer,
    MailboxState,
    Send,
    SendRules,
    Stop,
    TimingModel,
    decide,
    first_slot,
    in_business_hours,
    timezone_for,
)

RULES = SendRules(stagger=timedelta(0), mailbox_gap=timedelta(seconds=60), daily_cap=2)
TUE_0900_UTC = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_time_zone_comes_from_city_then_country() -> None:
    assert timezone_for("US", "San Francisco, CA") == "America/Los_Angeles"
    assert timezone_for("US", None) == "America/New_York"
    assert timezone_for(None, None, "Europe/Paris") == "Europe/Paris"
    assert timezone_for("ZZ", None, "Not/AZone") == "UTC"


def test_first_slot_is_next_local_business_morning() -> None:
    # 09:00 UTC is 04:00 in New York: wait until 09:00 local (14:00 UTC).
    assert first_slot("k", TUE_0900_UTC, "America/New_York", RULES) == datetime(2026, 11, 24, 14, tzinfo=UTC)
    # Friday 18:00 in Berlin: next is Monday 09:00 Berlin.
    friday = datetime(2026, 11, 27, 17, tzinfo=UTC)
    assert first_slot("k", friday, "Europe/Berlin", RULES) == datetime(2026, 11, 30, 8, tzinfo=UTC)


def test_min_gap_since_last_step_is_respected() -> None:
    slot = first_slot("k", TUE_0900_UTC, "Europe/Berlin", RULES, last_sent_at=TUE_0900_UTC)
    assert slot - TUE_0900_UTC >= RULES.min_gap and in_business_hours(slot, "Europe/Berlin", RULES)


def test_stagger_spreads_steps_but_stays_in_hours() -> None:
    rules = SendRules(stagger=timedelta(minutes=30))
    slots = {first_slot(f"step-{i}", TUE_0900_UTC, "Europe/Berlin", rules) for i in range(50)}
    assert len(slots) > 20
    assert all(in_business_hours(s, "Europe/Berlin", rules) for s in slots)


def test_decide_respects_cap_gap_and_stops() -> None:
    box = MailboxState("a@x.com")
    assert decide(TUE_0900_UTC, "Europe/Berlin", RULES, [box], events=["reply"]) == Stop("reply")
    assert decide(TUE_0900_UTC, "Europe/Berlin", RULES, [box]) == Send("a@x.com")
    box.record(TUE_0900_UTC)
    busy = decide(TUE_0900_UTC + timedelta(seconds=10), "Europe/Berlin", RULES, [box])
    assert isinstance(busy, Defer) and busy.reason == "mailbox_busy"
    box.record(TUE_0900_UTC + timedelta(minutes=2))
    capped = decide(TUE_0900_UTC + timedelta(minutes=5), "Europe/Berlin", RULES, [box])
    assert isinstance(capped, Defer) and capped.until >= datetime(2026, 11, 25, tzinfo=UTC)
    night = decide(datetime(2026, 11, 24, 22, tzinfo=UTC), "Europe/Berlin", RULES, [MailboxState("b@x.com")])
    assert isinstance(night, Defer) and night.reason == "outside_business_hours"


def test_timing_model_learns_the_better_window() -> None:
    model = TimingModel()
    for i in range(200):
        model.observe("DE:fintech", 9, replied=i % 4 == 0)  # 25% replies at 9
        model.observe("DE:fintech", 15, replied=i % 20 == 0)  # 5% at 15
    best = model.best_hours("DE:fintech", RULES, top=1)
    assert best == [9]
    assert model.best_hours("US:saas", RULES) is None  # no data: no opinion
