"""Assembles what Slack and the console share: bot state, the workflows port, the dispatcher, the approval desk,
the alerter, the scheduler and its job handlers. Surfaces add only their own delivery.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.digest_ledger import DigestLedger, Post, Seen, deliver_once, period_of
from bot.dispatch import Dispatcher
from bot.replies import Context, Reply
from bot.scheduler import ALERT_SWEEP_MINUTES, Scheduler
from bot.services import Services
from bot.slack.alerts import Alerter, Deliver
from bot.slack.approvals import ApprovalDesk
from bot.slack.digest import CHART_NAME, Digest, build_digest
from bot.state import BotState, UserSettings, Watch
from bot.workflows import AgentWorkflows, Workflows

log = logging.getLogger(__name__)
PostDigest = Post[Digest]  # (destination, digest, *, thread, posted): the message, then its chart


@dataclass
class Assistant:
    services: Services
    state: BotState
    workflows: Workflows
    dispatcher: Dispatcher
    desk: ApprovalDesk
    alerter: Alerter
    scheduler: Scheduler | None
    surface: str

    async def digest(self, days: int = 1, title: str | None = None) -> Digest:
        since = datetime.now(UTC) - timedelta(days=days)
        return await build_digest(
            self.workflows, self.state, since=since, title=title or f"AMIA digest — last {days} day{'s' * (days != 1)}"
        )

    def close(self) -> None:
        if self.scheduler:
            self.scheduler.shutdown()
        self.state.close()


async def status_lines(services: Services, surface: str, scheduler: Scheduler | None, state: BotState) -> list[str]:
    try:
        latency = await services.graph.ping()
        graph = f"graph: connected ({latency * 1000:.0f} ms)"
    except Exception as exc:  # status must always answer
        graph = f"graph: unavailable ({type(exc).__name__})"
    mode = "LLM" if services.settings.llm_enabled else "deterministic (no LLM configured)"
    counts = await state.count_by_state()
    lines = [graph, f"agents: {mode}", f"surface: {surface}"]
    lines.append(
        f"approvals: {counts.get('pending', 0)} pending, {counts.get('sent', 0)} sent, "
        f"{counts.get('rejected', 0)} rejected"
    )
    lines.append(f"watching: {len(await state.watches())} companies/feeds")
    if scheduler:
        lines.append(f"scheduler: {len(scheduler.jobs())} jobs")
    return lines


def build_assistant(
    services: Services,
    *,
    surface: str,
    deliver_alert: Deliver,
    post_digest: PostDigest,
    workflows: Workflows | None = None,
    scheduler: Scheduler | None = None,
    digest_seen: Seen | None = None,
) -> Assistant:
    settings = services.settings
    state = BotState(settings.data_path("bot.sqlite3"))
    wf: Workflows = workflows or AgentWorkflows(services)
    desk = ApprovalDesk(state, wf, settings.slack.approvers)
    alerter = Alerter(settings.slack, wf, state, deliver_alert)

    async def on_watch(target: str, watch: Watch | None) -> None:
        if scheduler:
            scheduler.watch(target, on=watch is not None)

    async def digest_here(ctx: Context) -> Reply:
        d = await assistant.digest()
        return Reply(d.text(), d.blocks(), files=[(CHART_NAME, d.chart)])

    async def remember(text: str, rule: dict[str, Any], user: str) -> None:
        from knowledge.memory.store import Scope

        memory = services.extras.get("memory")
        store = await memory.get() if memory is not None else None
        if store is not None:  # the scoring and drafting workflows read team rules from here
            await store.remember(text, Scope.TEAM, "team", kind="preference", author=user, metadata={"rule": str(rule)})

    dispatcher = Dispatcher(
        wf,
        state,
        status=lambda: status_lines(services, surface, scheduler, state),
        llm_enabled=settings.llm_enabled,
        on_watch=on_watch,
        digest=digest_here,
        digest_schedule=(lambda: scheduler.digest_jobs()) if scheduler else None,
        remember=remember,
        metrics=services.metrics,
    )
    assistant = Assistant(services, state, wf, dispatcher, desk, alerter, scheduler, surface)
    if scheduler:
        _register_jobs(assistant, scheduler, post_digest, digest_seen)
    return assistant


def _register_jobs(a: Assistant, scheduler: Scheduler, post_digest: PostDigest, seen: Seen | None) -> None:
    ledger = DigestLedger(a.services.settings.data_path("digests.sqlite3"))

    def planned_time(job_id: str) -> datetime:
        """When the run now starting was due (a digest that runs late past midnight still belongs to its day)."""
        return (scheduler.planned.pop(job_id, None) or datetime.now(UTC)).astimezone(scheduler.tz)

    async def digest_job(key: str) -> None:  # key: "channel:cadence", or "channel:cadence@period" for a catch-up
        job, _, period = key.partition("@")
        channel, cadence = job.rsplit(":", 1)
        days = 7 if cadence == "weekly" else 1
        await deliver_once(
            ledger,
            job=f"digest:{job}",
            period=period or period_of(cadence, planned_time(f"digest:{job}")),
            destination=channel,
            build=lambda: a.digest(days, f"AMIA {cadence} digest"),
            post=post_digest,
            seen=seen,
        )

    async def user_digest_job(key: str) -> None:
        user, _, period = key.partition("@")
        await deliver_once(
            ledger,
            job=f"user_digest:{user}",
            period=period or period_of("daily", planned_time(f"userdigest:{user}")),
            destination=user,
            build=lambda: a.digest(1, "Your AMIA daily digest"),
            post=post_digest,
            seen=seen,
        )

    async def watch_job(target: str) -> None:
        watch = await a.state.watch(target)
        if watch is None:
            scheduler.watch(target, on=False)
            return
        since = datetime.now(UTC) - timedelta(hours=a.services.settings.schedules.watch_interval_hours)
        await a.alerter.check_watch(watch, since)

    async def sweep_job(_: str) -> None:
        await a.alerter.sweep(datetime.now(UTC) - timedelta(minutes=ALERT_SWEEP_MINUTES))

    scheduler.on("digest", digest_job)
    scheduler.on("user_digest", user_digest_job)
    scheduler.on("watch", watch_job)
    scheduler.on("sweep", sweep_job)
    for entry in ledger.unfinished():  # digests a crash interrupted: their jobs already moved on to the next run
        kind, _, job_key = entry.job.partition(":")
        scheduler.run_soon(f"catchup:{entry.key}", kind, f"{job_key}@{entry.period}")


async def on_user_settings(scheduler: Scheduler | None, settings: UserSettings) -> None:
    if scheduler:
        scheduler.user_digest(settings.user, settings.digest_time)
