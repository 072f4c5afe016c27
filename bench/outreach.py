"""Outreach scheduler benchmark: schedule 10k sequence steps across time zones and mailboxes, run a simulated
week minute by minute with the same policy the worker uses (agents.policies.sequencing), and check that no
daily cap, mailbox gap, lead gap, business-hours rule or stop was ever broken, and no step went out twice.

    .venv/bin/python bench/outreach.py [--steps 10000] [--mailboxes 40] [--days 7] [--seed 1]
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.policies.sequencing import (
    COUNTRY_TZ,
    Defer,
    MailboxState,
    Send,
    SendRules,
    Stop,
    decide,
    first_slot,
    in_business_hours,
    timezone_for,
)

START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # a Monday


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--mailboxes", type=int, default=40)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reply-rate", type=float, default=0.08, help="chance a sent step gets a reply (stops)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rules = SendRules(daily_cap=50, mailbox_gap=timedelta(seconds=90), min_gap=timedelta(days=2),
                      stagger=timedelta(minutes=10))  # fmt: skip
    countries = list(COUNTRY_TZ)
    steps_per_lead = 3
    leads = args.steps // steps_per_lead + (1 if args.steps % steps_per_lead else 0)
    lead_tz = {i: timezone_for(rng.choice(countries)) for i in range(leads)}
    boxes = [MailboxState(f"rep{i}@example.com") for i in range(args.mailboxes)]

    # ---- schedule: first steps now; later steps are scheduled when the previous one is sent ----
    t0 = time.perf_counter()
    heap: list[tuple[datetime, int, int]] = []
    approved_at = {i: START + timedelta(minutes=rng.randrange(0, 24 * 60)) for i in range(leads)}
    for lead in range(leads):
        due = first_slot(f"{lead}:1", approved_at[lead], lead_tz[lead], rules)
        heapq.heappush(heap, (due, lead, 1))
    schedule_s = time.perf_counter() - t0
    scheduled = leads

    # ---- simulate the week ----
    end = START + timedelta(days=args.days)
    now = START
    stopped: set[int] = set()
    stop_at: dict[int, datetime] = {}
    last_sent: dict[int, datetime] = {}
    sends: list[tuple[datetime, str, int, int]] = []
    decisions = defers = stops = 0
    decide_s = 0.0
    tick = timedelta(minutes=1)
    while now < end:
        while heap and heap[0][0] <= now:
            due, lead, step = heapq.heappop(heap)
            t = time.perf_counter()
            d = decide(now, lead_tz[lead], rules, boxes, lead_last_sent_at=last_sent.get(lead),
                       events=["reply"] if lead in stopped else ())  # fmt: skip
            decide_s += time.perf_counter() - t
            decisions += 1
            if isinstance(d, Stop):
                stops += 1
            elif isinstance(d, Defer):
                defers += 1
                heapq.heappush(heap, (max(d.until, now + tick), lead, step))
            elif isinstance(d, Send):
                next(b for b in boxes if b.address == d.mailbox).record(now)
                sends.append((now, d.mailbox, lead, step))
                last_sent[lead] = now
                if lead not in stopped and rng.random() < args.reply_rate:
                    stopped.add(lead)
                    stop_at[lead] = now
                if step < steps_per_lead and (lead * steps_per_lead + step) < args.steps:
                    t = time.perf_counter()
                    nxt = first_slot(f"{lead}:{step + 1}", now, lead_tz[lead], rules, last_sent_at=now)
                    schedule_s += time.perf_counter() - t
                    scheduled += 1
                    heapq.heappush(heap, (nxt, lead, step + 1))
        now += tick

    # ---- verify ----
    problems: Counter[str] = Counter()
    per_box_day: Counter[tuple[str, object]] = Counter()
    last_box: dict[str, datetime] = {}
    lead_times: dict[int, list[datetime]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for at, box, lead, step in sends:
        if not in_business_hours(at, lead_tz[lead], rules):
            problems["outside business hours"] += 1
        per_box_day[(box, at.date())] += 1
        if box in last_box and at - last_box[box] < rules.mailbox_gap:
            problems["mailbox gap"] += 1
        last_box[box] = at
        if lead_times[lead] and at - lead_times[lead][-1] < rules.min_gap:
            problems["lead gap"] += 1
        lead_times[lead].append(at)
        if (lead, step) in seen:
            problems["sent twice"] += 1
        seen.add((lead, step))
    problems["daily cap"] = sum(1 for n in per_box_day.values() if n > rules.daily_cap)
    for at, _box, lead, _step in sends:  # a lead that replied gets nothing after the reply
        if lead in stop_at and at > stop_at[lead]:
            problems["sent after stop"] += 1
    local_hours = Counter(at.astimezone(ZoneInfo(lead_tz[lead])).hour for at, _, lead, _ in sends)

    total_policy = schedule_s + decide_s
    print(f"steps planned: {args.steps} ({leads} leads x {steps_per_lead}), scheduled so far: {scheduled}")
    print(f"mailboxes: {args.mailboxes}, cap {rules.daily_cap}/day, simulated {args.days} days minute by minute")
    print(f"sent: {len(sends)}, decisions: {decisions}, deferrals: {defers}, stopped by reply: {stops}")
    print(f"busiest mailbox-day: {max(per_box_day.values(), default=0)} sends (cap {rules.daily_cap})")
    print(f"local send hours: {dict(sorted(local_hours.items()))}")
    print(f"scheduling: {schedule_s * 1e6 / max(scheduled, 1):.1f} us per step scheduled")
    print(f"decisions:  {decide_s * 1e6 / max(decisions, 1):.1f} us per decision")
    print(f"scheduler overhead: {total_policy * 1e6 / max(args.steps, 1):.1f} us per planned step "
          f"({total_policy:.2f} s total)")  # fmt: skip
    broken = {k: v for k, v in problems.items() if v}
    print("rules broken: " + (", ".join(f"{k}: {v}" for k, v in broken.items()) if broken else "none"))
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
