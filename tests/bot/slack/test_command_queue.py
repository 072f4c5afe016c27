"""The durable command queue: commands are stored before the ack, a restart finishes them in their own thread
(editing the progress message already posted), repeats only what is safe to repeat, gives up on commands that keep
dying with the bot and drops very old ones — always telling the asker which.

A "crash" here is what kill -9 leaves behind: the background jobs vanish mid-work and the SQLite rows stay as they
were. The next bot is a new SlackBot on the same data directory, as after a real restart (tests/reliability has the
real-process kill -9 test).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from bot.http_server import build_http_app, serve
from bot.services import Services
from bot.slack import blocks, resume
from bot.slack.app import build_slack
from bot.slack.queue import MAX_ATTEMPTS, CommandQueue, QueuedCommand
from tests.bot.slack.conftest import Harness, make_settings
from tests.bot.slack.doubles import ScriptedWorkflows
from tests.fakes.fake_slack import (
    FakeSlack,
    app_mention,
    block_actions,
    event_callback,
    slash_command,
)


@contextlib.asynccontextmanager
async def bot_on(tmp_path: Path, fake: FakeSlack, graph: Any, *, delay: float = 0.0) -> AsyncIterator[Harness]:
    """One bot process: its state lives in tmp_path, so the next bot_on(tmp_path) is that bot restarted."""
    settings = make_settings(tmp_path, fake)
    services = Services(settings=settings, graph=graph)
    workflows = ScriptedWorkflows(services, delay=delay)
    bot = build_slack(services, workflows=workflows)
    runner, port = await serve(build_http_app(services, slack=bot.app), "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        try:
            yield Harness(bot, workflows, fake, f"http://127.0.0.1:{port}{settings.slack.events_path}", session)
        finally:
            await bot.close()
            await runner.cleanup()


async def crash(h: Harness) -> None:
    """Stop the bot's jobs mid-work without letting them write anything more (what kill -9 leaves behind)."""
    tasks = list(h.bot.rt.tasks)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def stored(tmp_path: Path, command_id: str, predicate: Any = bool, timeout: float = 15.0) -> QueuedCommand:
    """The command's row as another process would read it from the SQLite file, once ``predicate`` holds."""
    queue = CommandQueue(tmp_path / "bot.sqlite3")
    try:
        deadline = time.monotonic() + timeout
        while True:
            job = await queue.get(command_id)
            if job is not None and predicate(job):
                return job
            assert time.monotonic() < deadline, f"timed out; last row: {job}"
            await asyncio.sleep(0.05)
    finally:
        queue.close()


def posts(fake: FakeSlack) -> list[Any]:
    return fake.ok_calls("chat.postMessage")


def parents(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.ok_calls("chat.postMessage") if not c.args.get("thread_ts")]


def in_thread(fake: FakeSlack, ts: str) -> list[Any]:
    return [c for c in fake.ok_calls("chat.postMessage") if c.args.get("thread_ts") == ts]


async def test_command_is_stored_before_the_ack_and_marked_done_with_its_messages(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    async with bot_on(tmp_path, fake, graph, delay=0.5) as h:
        fields = slash_command("research acme.io", response_url=fake.response_url())
        status, body, _ = await h.command(fields)
        assert status == 200 and "Working on it" in json.loads(body)["text"]
        job = await stored(tmp_path, fields["trigger_id"])  # readable the moment the ack arrived
        assert (job.surface, job.user, job.channel, job.text) == (
            "slash",
            "U0ALEX0001",
            "C0SALES001",
            "research acme.io",
        )
        assert job.response_url == fields["response_url"] and job.state in ("queued", "running")
        done = await stored(tmp_path, fields["trigger_id"], lambda j: j.state == "done")
    parent = parents(fake)[0]
    assert done.progress_ts == parent.response["ts"] and done.attempts == 1
    assert done.result_ts == in_thread(fake, parent.response["ts"])[0].response["ts"]


async def test_slack_sending_the_same_command_twice_runs_it_once(tmp_path: Path, fake: FakeSlack, graph: Any) -> None:
    async with bot_on(tmp_path, fake, graph, delay=0.3) as h:
        fields = slash_command("score acme.io", response_url=fake.response_url())
        first, second = await asyncio.gather(h.command(fields), h.command(fields))
        acks = sorted(json.loads(r[1])["text"] for r in (first, second))
        assert acks[0].startswith("Already working on `score acme.io`") and acks[1].startswith("Working on it")
        await stored(tmp_path, fields["trigger_id"], lambda j: j.state == "done")
        await h.bot.rt.drain()
    assert len(parents(fake)) == 1 and len(fake.ok_calls("chat.postMessage")) == 2


async def test_interrupted_command_resumes_in_its_thread_without_a_second_progress_message(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    fields = slash_command("research acme.io", response_url=fake.response_url())
    async with bot_on(tmp_path, fake, graph, delay=60) as h:
        await h.command(fields)
        running = await stored(tmp_path, fields["trigger_id"], lambda j: j.progress_ts)
        await fake.wait_for(lambda: fake.ok_calls("chat.update"))  # "fetching acme.io" shown: work in flight
        await crash(h)
    assert running.state == "running" and parents(fake)[0].response["ts"] == running.progress_ts

    t0 = time.perf_counter()
    async with bot_on(tmp_path, fake, graph) as h:
        report = await h.bot.resume()
        assert report.rerun == [fields["trigger_id"]] and not (report.asked or report.gave_up or report.expired)
        done = await stored(tmp_path, fields["trigger_id"], lambda j: j.state == "done")
        resumed_in = time.perf_counter() - t0
        await h.bot.rt.drain()
        again = await h.bot.resume()  # the next restart finds nothing left to do
    assert again.rerun == [] and done.attempts == 2
    ts = running.progress_ts
    thread = in_thread(fake, ts)
    assert len(parents(fake)) == 1, "the resumed run must edit the progress message, not post another"
    assert "Resumed after a restart" in thread[0].args["text"] and "attempt 2 of 3" in thread[0].args["text"]
    results = [c for c in thread if "Acme" in json.dumps(c.args.get("blocks"))]
    assert len(results) == 1 and done.result_ts == results[0].response["ts"]
    edits = [c for c in fake.ok_calls("chat.update") if c.args["ts"] == ts]
    assert any("resumed after a restart" in json.dumps(c.args["blocks"]) for c in edits)
    assert "done" in fake.messages[("C0SALES001", ts)]["text"]
    assert resumed_in < 10, f"resumed result took {resumed_in:.1f}s"


async def test_command_that_keeps_dying_with_the_bot_is_given_up_with_a_message(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    fields = slash_command("research acme.io", response_url=fake.response_url())
    for attempt in range(1, MAX_ATTEMPTS + 1):
        async with bot_on(tmp_path, fake, graph, delay=60) as h:
            if attempt == 1:
                await h.command(fields)
            else:
                assert (await h.bot.resume()).rerun == [fields["trigger_id"]]
            await stored(tmp_path, fields["trigger_id"], lambda j, n=attempt: j.attempts == n and j.state == "running")
            note = f"attempt {attempt} of {MAX_ATTEMPTS}"
            await fake.wait_for(lambda n=note, a=attempt: a == 1 or any(n in c.args["text"] for c in posts(fake)))
            await crash(h)
    async with bot_on(tmp_path, fake, graph) as h:
        report = await h.bot.resume()
        await h.bot.rt.drain()
    assert report.gave_up == [fields["trigger_id"]] and report.rerun == []
    job = await stored(tmp_path, fields["trigger_id"])
    assert job.state == "failed" and job.attempts == MAX_ATTEMPTS
    thread = [c.args["text"] for c in in_thread(fake, job.progress_ts or "")]
    assert sum("Resumed after a restart" in t for t in thread) == MAX_ATTEMPTS - 1
    assert "I stopped retrying `research acme.io`" in thread[-1] and "error id E-" in thread[-1]
    assert len(parents(fake)) == 1 and not [t for t in thread if "Acme" in t]
    assert "failed — see the thread" in fake.messages[("C0SALES001", job.progress_ts or "")]["text"]


async def test_very_old_interrupted_command_is_dropped_with_a_message(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    from tests.bot.test_state import make_draft

    fields = slash_command("score acme.io", response_url=fake.response_url())
    async with bot_on(tmp_path, fake, graph, delay=60) as h:
        await h.command(fields)
        running = await stored(tmp_path, fields["trigger_id"], lambda j: j.progress_ts)
        # as if it had drafted: an approval made, its card never posted; and another command's approval with a card
        state = h.bot.assistant.state
        orphan = await state.create_approval(make_draft(), "U0ALEX0001", command=fields["trigger_id"])
        shown = await state.create_approval(make_draft(), "U0ALEX0001", command="other-command")
        await state.set_message(shown, "C0SALES001", "1.000001")
        await crash(h)
    async with bot_on(tmp_path, fake, graph) as h:
        report = await h.bot.resumer.resume_all(now=time.time() + 25 * 3600)  # the restart happens a day later
        await h.bot.rt.drain()
        state = h.bot.assistant.state
        withdrawn = await state.approval(orphan)
        assert withdrawn is not None and withdrawn.state == "withdrawn" and "dropped" in (withdrawn.note or "")
        assert [a.id for a in await state.open_approvals()] == [shown]  # App Home no longer lists the orphan
    assert report.expired == [fields["trigger_id"]] and report.rerun == []
    told = in_thread(fake, running.progress_ts or "")
    assert len(told) == 1 and "too old to run now" in told[0].args["text"] and "score acme.io" in told[0].args["text"]
    assert (await stored(tmp_path, fields["trigger_id"])).state == "expired"
    assert "dropped after a restart" in fake.messages[("C0SALES001", running.progress_ts or "")]["text"]


async def test_interrupted_mention_is_answered_in_the_same_message(tmp_path: Path, fake: FakeSlack, graph: Any) -> None:
    event = event_callback(app_mention("tell me about acme.io"))
    job_id = f"{event['team_id']}:{event['event_id']}"
    async with bot_on(tmp_path, fake, graph, delay=60) as h:
        status, _, _ = await h.event(event)
        assert status == 200
        working = await stored(tmp_path, job_id, lambda j: j.progress_ts)
        await crash(h)
    async with bot_on(tmp_path, fake, graph) as h:
        assert (await h.bot.resume()).rerun == [job_id]
        await stored(tmp_path, job_id, lambda j: j.state == "done")
        await h.bot.rt.drain()
    looking = [c for c in fake.ok_calls("chat.postMessage") if c.args.get("text") == "Looking into it…"]
    assert len(looking) == 1, "one working message, edited in place on resume"
    answer = fake.messages[("C0SALES001", working.progress_ts or "")]
    assert "Acme" in json.dumps(answer["blocks"]) and answer["thread_ts"] == event["event"]["ts"]
    notes = [c.args["text"] for c in in_thread(fake, event["event"]["ts"]) if c.args["text"] != "Looking into it…"]
    assert len(notes) == 1 and "Resumed after a restart" in notes[0]


async def test_draft_turn_interrupted_after_its_approval_keeps_that_one_approval(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    """A mention that drafted (its approval exists) but died before the card replaced "Looking into it…": the
    re-run shows that approval on the card, it does not open a second one."""
    event = event_callback(app_mention("please draft an email for acme.io"))
    job_id = f"{event['team_id']}:{event['event_id']}"
    async with bot_on(tmp_path, fake, graph) as h:
        at_the_card, real_update = asyncio.Event(), h.bot.rt.queue.update

        async def die_at_the_card(channel: str, ts: str, **kwargs: Any) -> Any:
            if str(kwargs.get("text", "")).startswith("Draft to"):
                at_the_card.set()
                await asyncio.Event().wait()  # the bot dies here
            return await real_update(channel, ts, **kwargs)

        h.bot.rt.queue.update = die_at_the_card  # type: ignore[method-assign]
        await h.event(event)
        await asyncio.wait_for(at_the_card.wait(), 15)
        (first,) = await h.bot.assistant.state.open_approvals()
        await crash(h)
    async with bot_on(tmp_path, fake, graph) as h:
        assert (await h.bot.resume()).rerun == [job_id]
        job = await stored(tmp_path, job_id, lambda j: j.state == "done")
        await h.bot.rt.drain()
        (approval,) = await h.bot.assistant.state.open_approvals()  # App Home and the digest show one draft waiting
    assert approval.id == first.id and approval.ts == job.progress_ts  # Approve edits the card the asker sees
    card = fake.messages[("C0SALES001", job.progress_ts or "")]
    assert blocks.card_block_id(first.id) in [b.get("block_id") for b in card["blocks"]]


async def test_team_rule_interrupted_mid_turn_is_asked_about_not_repeated(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    mention = app_mention("we don't target companies under 50 people")
    queue = CommandQueue(tmp_path / "bot.sqlite3")  # the row a process killed in the middle of this turn leaves
    job = QueuedCommand("T0TEAM0001:EvKILLED0001", "mention", "U0ALEX0001", "C0SALES001", mention["ts"], None,
                        mention["text"], time.time(), "queued")  # fmt: skip
    assert await queue.accept(job) and await queue.start(job.id) == 1
    queue.close()
    async with bot_on(tmp_path, fake, graph) as h:
        report = await h.bot.resume()
        assert report.asked == [job.id] and report.rerun == []
        question = (await fake.wait_calls("chat.postMessage"))[0]
        assert question.args["thread_ts"] == mention["ts"] and "saving it twice" in question.args["text"]
        assert await h.bot.assistant.state.preferences() == []  # nothing repeated without asking
        message = {"type": "message", "ts": question.response["ts"], "text": "q", "blocks": question.args["blocks"]}
        url = fake.response_url("resume")
        await h.interact(block_actions(resume.DROP, job.id, message=message, channel="C0SALES001", user="U0BOB0001",
                                       response_url=url))  # fmt: skip
        hook = await fake.wait_for(lambda: fake.hooks.get("commands/T0TEAM0001/resume"))
        assert "Only <@U0ALEX0001>" in hook[0]["text"]
        clicks = [
            block_actions(resume.RUN_AGAIN, job.id, message=message, channel="C0SALES001", response_url=url)
            for _ in range(2)
        ]
        await asyncio.gather(*[h.interact(c) for c in clicks])  # a double click re-runs once
        await stored(tmp_path, job.id, lambda j: j.state == "done")
        await h.bot.rt.drain()
        prefs = await h.bot.assistant.state.preferences()
    assert [p["rule"] for p in prefs] == [{"field": "employees", "min": 50}]
    assert "Running it again" in fake.messages[("C0SALES001", question.response["ts"])]["text"]
    assert any("Noted as a team preference" in (m.get("text") or "") for m in fake.messages.values())


async def test_a_restart_never_takes_over_work_another_live_process_is_doing(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    """Two processes share the state file: one (re)starting leaves the other's command in flight alone, and takes
    it over once that process is gone."""
    fields = slash_command("research acme.io", response_url=fake.response_url())
    async with bot_on(tmp_path, fake, graph) as other:
        async with bot_on(tmp_path, fake, graph, delay=60) as busy:
            await busy.command(fields)
            await stored(tmp_path, fields["trigger_id"], lambda j: j.progress_ts)
            assert (await other.bot.resume()).rerun == []  # busy is alive: its work is not an orphan
            await crash(busy)
        assert (await other.bot.resumer.resume_all()).rerun == [fields["trigger_id"]]
        done = await stored(tmp_path, fields["trigger_id"], lambda j: j.state == "done")
        await other.bot.rt.drain()
    assert done.attempts == 2 and len(parents(fake)) == 1
    assert len([c for c in in_thread(fake, done.progress_ts or "") if "Acme" in json.dumps(c.args.get("blocks"))]) == 1


async def test_command_that_cannot_be_stored_is_refused_in_the_ack_not_lost_silently(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    async with bot_on(tmp_path, fake, graph) as h:
        blocker = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holding the state file's write lock
        try:
            status, body, seconds = await h.command(slash_command("score acme.io", response_url=fake.response_url()))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await h.bot.rt.drain()
    text = json.loads(body)["text"]
    assert status == 200 and seconds < 3.0, seconds  # still inside Slack's 3 s
    assert text.startswith("I couldn't accept that command: the bot's state file is not writable (error id E-")
    assert "Please try again" in text and fake.ok_calls("chat.postMessage") == []


async def test_interrupted_quick_command_answers_privately_after_the_restart(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    url = fake.response_url("status")
    queue = CommandQueue(tmp_path / "bot.sqlite3")  # `/amia status` acked, then the process died mid-answer
    job = QueuedCommand("1795546934014.0TEAM0001.abc", "slash", "U0ALEX0001", "C0SALES001", None, url, "status",
                        time.time(), "queued")  # fmt: skip
    assert await queue.accept(job) and await queue.start(job.id) == 1
    queue.close()
    async with bot_on(tmp_path, fake, graph) as h:
        assert (await h.bot.resume()).rerun == [job.id]
        hook = await fake.wait_for(lambda: fake.hooks.get("commands/T0TEAM0001/status"))
        await stored(tmp_path, job.id, lambda j: j.state == "done")
    assert hook[0]["text"].startswith("(resumed after a restart) graph: connected")
    assert hook[0]["response_type"] == "ephemeral" and fake.ok_calls("chat.postMessage") == []


async def test_progress_message_slack_stored_before_the_crash_is_found_not_posted_again(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    fields = slash_command("research acme.io", response_url=fake.response_url())
    async with bot_on(tmp_path, fake, graph, delay=60) as h:
        fake.stall("research acme.io (asked by", after_store=True)  # Slack keeps it; the bot never hears the ts
        await h.command(fields)
        await asyncio.wait_for(fake.stalled.wait(), 15)
        await crash(h)
    assert (await stored(tmp_path, fields["trigger_id"])).progress_ts is None
    kept = [ts for (ch, ts), m in fake.messages.items() if "research acme.io" in str(m.get("text"))]
    assert len(kept) == 1
    async with bot_on(tmp_path, fake, graph) as h:
        assert (await h.bot.resume()).rerun == [fields["trigger_id"]]
        done = await stored(tmp_path, fields["trigger_id"], lambda j: j.state == "done", timeout=30)
    assert done.progress_ts == kept[0] and fake.ok_calls("conversations.history")
    assert len([m for m in fake.messages.values() if not m.get("thread_ts")]) == 1  # one progress message
    assert [c for c in in_thread(fake, kept[0]) if "Acme" in json.dumps(c.args.get("blocks"))]
    assert "done" in fake.messages[("C0SALES001", kept[0])]["text"]


async def test_working_message_slack_stored_before_the_crash_is_found_in_the_thread(
    tmp_path: Path, fake: FakeSlack, graph: Any
) -> None:
    event = event_callback(app_mention("tell me about acme.io"))
    job_id, thread = f"{event['team_id']}:{event['event_id']}", event["event"]["ts"]
    async with bot_on(tmp_path, fake, graph, delay=60) as h:
        fake.stall("Looking into it", after_store=True)
        await h.event(event)
        await asyncio.wait_for(fake.stalled.wait(), 15)
        await crash(h)
    assert (await stored(tmp_path, job_id)).progress_ts is None
    async with bot_on(tmp_path, fake, graph) as h:
        assert (await h.bot.resume()).rerun == [job_id]
        done = await stored(tmp_path, job_id, lambda j: j.state == "done", timeout=30)
        await h.bot.rt.drain()
    working = [m for m in fake.messages.values() if m.get("text") == "Looking into it…" or "Acme" in str(m)]
    assert len([m for m in fake.messages.values() if m.get("thread_ts") == thread and "Resumed" not in m["text"]]) == 1
    answer = fake.messages[("C0SALES001", done.progress_ts or "")]
    assert working and "Acme" in json.dumps(answer["blocks"]) and fake.ok_calls("conversations.replies")
