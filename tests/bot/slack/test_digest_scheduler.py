"""Digests fire from the persistent scheduler at the configured time (controllable clock), post a summary with
a PNG chart uploaded into the thread, and the jobs survive a restart."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.scheduler import Scheduler
from tests.bot.slack.conftest import Harness


async def test_daily_digest_fires_at_its_time_with_a_chart_and_survives_restart(harness: Harness) -> None:
    fake, sched = harness.fake, harness.bot.assistant.scheduler
    assert sched is not None
    sched.sync_config()
    jobs = dict(sched.jobs())
    daily = jobs["digest:C0DIGEST01:daily"]
    assert (daily.hour, daily.minute) == (8, 30) and "digest:C0DIGEST01:weekly" in jobs

    before = daily - timedelta(minutes=1)
    assert not [j for j in await sched.run_due(before) if j.startswith("digest:")]  # not yet
    fired = await sched.run_due(daily + timedelta(seconds=5))
    assert "digest:C0DIGEST01:daily" in fired
    post = (await fake.wait_calls("chat.postMessage"))[0]
    assert post.args["channel"] == "C0DIGEST01" and "daily digest" in post.args["text"]
    text = json.dumps(post.args["blocks"])
    for part in (
        "New hot leads",
        "Acme",
        "Approvals waiting",
        "Replies",
        "Funnel",
        "What learning changed",
        "question subject lines",
    ):
        assert part in text
    done = await fake.wait_calls("files.completeUploadExternal")
    assert done[0].args["thread_ts"] == post.response["ts"] and done[0].args["channel_id"] == "C0DIGEST01"
    png = next(iter(fake.uploads.values()))
    assert png.startswith(b"\x89PNG") and len(png) > 5000

    # a second process on the same job store: the daily job is there and has moved on to tomorrow
    again = Scheduler(harness.bot.assistant.services.settings, name="restarted")
    again.start(paused=True)
    try:
        nxt = dict(again.jobs())["digest:C0DIGEST01:daily"]
        assert nxt.date() == (daily + timedelta(days=1)).date() and (nxt.hour, nxt.minute) == (8, 30)
    finally:
        again.shutdown()


async def test_missed_runs_coalesce_into_one(harness: Harness) -> None:
    sched = harness.bot.assistant.scheduler
    assert sched is not None
    sched.add_daily("digest:C0LATE0001:daily", "digest", "C0LATE0001:daily", "07:00")
    first = dict(sched.jobs())["digest:C0LATE0001:daily"]
    fired = await sched.run_due(first + timedelta(days=3, minutes=1))  # down for three days
    assert fired.count("digest:C0LATE0001:daily") == 1
    await harness.fake.wait_calls("chat.postMessage")
    assert len([c for c in harness.fake.ok_calls("chat.postMessage") if c.args["channel"] == "C0LATE0001"]) == 1


async def test_watch_command_schedules_a_job_and_alerts_with_cooldown(harness: Harness) -> None:
    from bot.workflows import SignalHit
    from tests.fakes.fake_slack import slash_command

    fake, sched = harness.fake, harness.bot.assistant.scheduler
    assert sched is not None
    _status, _body, _ = await harness.command(
        slash_command("watch acme.io", response_url=fake.response_url(), user="U0ALEX0001")
    )
    await fake.wait_for(lambda: fake.hooks)
    assert "watch:acme.io" in dict(sched.jobs())
    now = datetime.now(ZoneInfo("UTC"))
    harness.workflows.watch_hits["acme.io"] = [
        SignalHit("acme.io", "Acme", "funding", "Acme raised a Series B.", now, 0.9, "https://acme.io/news"),
        SignalHit("acme.io", "Acme", "hiring", "Acme is hiring 3 engineers.", now, 0.9),
    ]
    due = dict(sched.jobs())["watch:acme.io"]
    await sched.run_due(due + timedelta(seconds=1))
    alert = (await fake.wait_calls("chat.postMessage"))[0]
    assert alert.args["channel"] == "U0ALEX0001"  # DM by default
    assert "Series B" in alert.args["text"]
    await sched.run_due(due + timedelta(days=1, seconds=2))  # same company within the cool-down
    await harness.bot.rt.drain()
    assert len(fake.ok_calls("chat.postMessage")) == 1
    await harness.command(slash_command("unwatch acme.io", response_url=fake.response_url()))
    await fake.wait_for(lambda: "watch:acme.io" not in dict(sched.jobs()))


async def test_a_personal_digest_goes_to_the_dm_and_is_found_there_after_a_crash(harness: Harness) -> None:
    from bot.assistant import on_user_settings
    from bot.digest_ledger import DigestLedger, period_of
    from bot.state import UserSettings

    fake, sched = harness.fake, harness.bot.assistant.scheduler
    assert sched is not None
    await on_user_settings(sched, UserSettings(user="U0ALEX0001", digest_time="07:15"))
    due = dict(sched.jobs())["userdigest:U0ALEX0001"]
    assert "userdigest:U0ALEX0001" in await sched.run_due(due + timedelta(seconds=5))
    post = (await fake.wait_calls("chat.postMessage"))[0]
    upload = (await fake.wait_calls("files.completeUploadExternal"))[0]
    assert fake.ok_calls("conversations.open")[0].args["users"] == "U0ALEX0001"
    assert post.args["channel"] == "D0ALEX0001" and upload.args["channel_id"] == "D0ALEX0001"
    assert upload.args["thread_ts"] == post.response["ts"]

    # the next day's run died after Slack stored the DM but before answering: found in the DM, not posted again
    ledger = DigestLedger(harness.bot.assistant.services.settings.data_path("digests.sqlite3"))
    tomorrow = due + timedelta(days=1)
    key = f"user_digest:U0ALEX0001@{period_of('daily', tomorrow)}"
    await ledger.begin(key, "user_digest:U0ALEX0001", period_of("daily", tomorrow), "U0ALEX0001")
    await ledger.mark(key, "posting", "Your AMIA daily digest")
    stored = await harness.bot.rt.queue.post("D0ALEX0001", text="Your AMIA daily digest")
    posts = len(fake.ok_calls("chat.postMessage"))
    assert "userdigest:U0ALEX0001" in await sched.run_due(tomorrow + timedelta(seconds=5))
    charts = await fake.wait_calls("files.completeUploadExternal", 2)
    assert len(fake.ok_calls("chat.postMessage")) == posts  # no second digest
    assert charts[1].args["channel_id"] == "D0ALEX0001" and charts[1].args["thread_ts"] == stored["ts"]
