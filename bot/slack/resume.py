"""After a restart: finish what the last process accepted but did not answer.

Each unfinished command is re-run when repeating it is safe (research, score, draft, leads, status, digest, watch,
unwatch, forget and the conversation turns that map onto them), asked about when it is not (a team rule stated in
conversation would be stored twice, an open question may do anything), given up after MAX_ATTEMPTS interrupted
runs, and dropped with a message when older than EXPIRE_AFTER_HOURS. The asker reads which in their thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError

from bot.dispatch import USAGE, Dispatcher, clean_text, parse_command, parse_intent
from bot.errors import UsageError, new_error_id
from bot.slack import blocks as slack_blocks
from bot.slack import commands, conversation
from bot.slack.conversation import ThreadMemory
from bot.slack.queue import EXPIRE_AFTER_HOURS, HEARTBEAT_SECONDS, MAX_ATTEMPTS, CommandQueue, QueuedCommand
from bot.slack.runtime import SlackRuntime

log = logging.getLogger(__name__)
RUN_AGAIN, DROP = "amia_resume_run", "amia_resume_drop"
REPLAYABLE = frozenset({"research", "score", "draft", "leads", "status", "digest", "watch", "unwatch", "forget"})


def resume_policy(job: QueuedCommand) -> tuple[str, str]:
    """("rerun", "") when repeating the command is harmless, else ("ask", why not)."""
    text = job.text
    if job.surface == "slash" or clean_text(text).split(" ", 1)[0].lower() in USAGE:
        try:
            name = parse_command(text).name
        except UsageError:
            return "ask", "I could not read it again"
        return ("rerun", "") if name in REPLAYABLE else ("ask", f"`{name}` may have had an effect already")
    intent = parse_intent(text)
    if intent is None:
        return "ask", "it was an open question and I can't tell what answering it again would do"
    if intent.kind == "preference":
        return "ask", "it may already be saved as a team rule, and saving it twice would count it twice"
    return "rerun", ""


@dataclass
class ResumeReport:
    rerun: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)


def build_question(job: QueuedCommand, why: str) -> list[dict[str, Any]]:
    text = (
        f":warning: A restart interrupted `{clean_text(job.text)[:200]}` (asked by <@{job.user}>). "
        f"I did not run it again on my own because {why}. Run it again?"
    )
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": RUN_AGAIN,
                    "text": {"type": "plain_text", "text": "Run it again"},
                    "style": "primary",
                    "value": job.id,
                },
                {
                    "type": "button",
                    "action_id": DROP,
                    "text": {"type": "plain_text", "text": "Drop it"},
                    "value": job.id,
                },
            ],
        },
    ]


class Resumer:
    def __init__(self, rt: SlackRuntime, dispatcher: Dispatcher, queue: CommandQueue, memory: ThreadMemory) -> None:
        self.rt, self.dispatcher, self.queue, self.memory = rt, dispatcher, queue, memory

    async def run(self, job: QueuedCommand, *, resumed: bool) -> None:
        if job.surface == "slash":
            await commands.run_command(self.rt, self.dispatcher, self.queue, job, resumed=resumed)
        else:
            await conversation.answer(self.rt, self.dispatcher, self.memory, self.queue, job, resumed=resumed)

    async def _withdraw(self, job: QueuedCommand, why: str) -> None:
        """A dropped draft command may have made an approval whose card never reached Slack: withdraw it."""
        try:
            if await self.dispatcher.state.withdraw_uncarded(job.id, why):
                log.info("withdrew the card-less approval of command %s (%s)", job.id, why)
        except Exception as exc:  # the notice to the user matters more; App Home still shows the approval
            log.warning("could not withdraw the approval of %s: %s", job.id, type(exc).__name__)

    async def watch(self) -> None:
        """Beat and look for orphans every HEARTBEAT_SECONDS: picks up the work of a process that died while this
        one runs (several processes sharing the state file). Runs until cancelled."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.queue.beat()
                await self.resume_all()
            except Exception:
                log.exception("looking for interrupted commands failed (%s)", new_error_id())

    async def resume_all(self, now: float | None = None) -> ResumeReport:
        """Look at every orphaned command once (at start, then every HEARTBEAT_SECONDS); re-runs go to
        background jobs."""
        at = time.time() if now is None else now
        report = ResumeReport()
        await self.queue.prune(at)
        for job in await self.queue.orphans(at):
            if not await self.queue.adopt(job):  # another runner sharing the file took it first
                continue
            shown = f"`{clean_text(job.text)[:200]}`"
            if at - job.received > EXPIRE_AFTER_HOURS * 3600:
                asked = datetime.fromtimestamp(job.received, UTC).strftime("%Y-%m-%d %H:%M UTC")
                await self.queue.finish(job.id, "expired", "older than the expiry when the bot restarted")
                await self._withdraw(job, "its command was dropped after a restart")
                self._notify(
                    job,
                    f":hourglass: I dropped {shown} (asked by <@{job.user}> at {asked}): a restart interrupted it more "
                    f"than {EXPIRE_AFTER_HOURS:.0f} hours ago, which is too old to run now. Run it again if you "
                    f"still need it.",
                    stopped="dropped after a restart — see the thread",
                )
                report.expired.append(job.id)
            elif job.attempts >= MAX_ATTEMPTS:
                error_id = new_error_id()
                log.error("gave up on command %s after %d interrupted runs (%s)", job.id, job.attempts, error_id)
                await self.queue.finish(job.id, "failed", f"gave up after {job.attempts} interrupted runs ({error_id})")
                await self._withdraw(job, f"its command was given up after {job.attempts} interrupted runs")
                self._notify(
                    job,
                    f":x: I stopped retrying {shown}: the bot restarted {job.attempts} times while working on it, so "
                    f"it may be what brings the bot down (error id {error_id}). The team can find it in the logs; "
                    f"run it again if you need it.",
                    stopped="failed — see the thread",
                )
                report.gave_up.append(job.id)
            else:
                policy, why = resume_policy(job)
                if policy == "ask" and job.attempts > 0 and not job.result_ts:  # never started: nothing to repeat
                    await self.queue.finish(job.id, "asked")
                    question = build_question(job, why)
                    self._notify(job, question[0]["text"]["text"], question, stopped="interrupted — see the thread")
                    report.asked.append(job.id)
                else:
                    self.rt.spawn(self.run(job, resumed=job.attempts > 0), f"resumed {job.surface}", heavy=True)
                    report.rerun.append(job.id)
        await self.queue.reap(at)
        if any((report.rerun, report.asked, report.gave_up, report.expired)):
            log.info(
                "resumed commands after a restart: %d re-run, %d asked, %d given up, %d expired",
                len(report.rerun),
                len(report.asked),
                len(report.gave_up),
                len(report.expired),
            )
        return report

    def _notify(
        self, job: QueuedCommand, text: str, blocks: list[dict[str, Any]] | None = None, *, stopped: str
    ) -> None:
        """Tell the asker in the background (posts are paced per channel; start-up must not wait for them)."""

        async def notify() -> None:
            if job.surface == "slash" and job.progress_ts:  # the progress message must not stay at "fetching…"
                title = clean_text(job.text)[:200]
                with contextlib.suppress(SlackApiError):
                    await self.rt.queue.update(
                        job.channel,
                        job.progress_ts,
                        text=f"{title}: {stopped}",
                        blocks=slack_blocks.build_progress(title, stopped, failed=True),
                    )
            await self._tell(job, text, blocks)

        self.rt.spawn(notify(), "restart notice")

    async def _tell(self, job: QueuedCommand, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Post in the command's thread; without one (never started), to the channel, else privately."""
        thread = job.progress_ts if job.surface == "slash" else (job.thread or job.progress_ts)
        try:
            await self.rt.queue.post(job.channel, text=text, blocks=blocks, thread_ts=thread)
        except SlackApiError as exc:
            log.info("can't post in %s (%s); telling the asker privately", job.channel, exc.response.get("error"))
            try:
                await commands.responder(job.response_url)(text=text, response_type="ephemeral")
            except Exception:
                log.warning("could not tell %s about command %s", job.user, job.id)

    async def decide(self, job_id: str, user: str, run_again: bool, channel: str, ts: str) -> str:
        """A click on the question; returns what the clicker reads (the question is edited for everyone)."""
        job = await self.queue.get(job_id)
        if job is None or job.state != "asked":
            return "This question is out of date: the command was already re-run or dropped."
        if user != job.user:
            return f"Only <@{job.user}>, who asked for it, can decide."
        if not await self.queue.move(job.id, "asked", "queued" if run_again else "dropped"):
            return "Someone got there first."
        verb = "Running it again" if run_again else "Dropped"
        text = f"{verb}: `{clean_text(job.text)[:200]}` (<@{user}> decided)."
        await self.rt.queue.update(
            channel, ts, text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        )
        if run_again:
            self.rt.spawn(self.run(job, resumed=True), f"re-run {job.surface}", heavy=True)
        return text


def register(app: AsyncApp, resumer: Resumer) -> None:
    async def handle_resume_choice(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        ts = (body.get("message") or {}).get("ts") or container.get("message_ts", "")
        run_again = action["action_id"] == RUN_AGAIN

        async def decide() -> None:
            said = await resumer.decide(action["value"], body["user"]["id"], run_again, channel, ts)
            if not said.startswith(("Running", "Dropped")):
                await respond(text=said, response_type="ephemeral", replace_original=False)

        resumer.rt.spawn(decide(), "resume decision")

    app.action(RUN_AGAIN)(handle_resume_choice)
    app.action(DROP)(handle_resume_choice)
