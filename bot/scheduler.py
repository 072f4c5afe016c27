"""Scheduled jobs (digests, watches, alert sweeps) on apscheduler with a persistent SQLAlchemy job store.

Jobs survive restarts (SQLite under the data folder by default), run at most one instance at a time and coalesce
missed runs. Job functions are stored by reference (`bot.scheduler:run_job` + kind + key), and the live handlers
are registered per process, so nothing unpicklable goes into the store. `run_due(now)` processes due jobs at a
given time with the same store and triggers: the controllable clock tests and `amia digest` use.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import new_error_id
from bot.metrics import Metrics
from bot.settings import Settings

log = logging.getLogger(__name__)
JobHandler = Callable[[str], Awaitable[None]]
_ACTIVE: dict[str, Scheduler] = {}
ALERT_SWEEP_MINUTES = 30


async def run_job(scheduler: str, kind: str, key: str) -> None:
    """The one function stored in the job store; it finds the live handler for ``kind`` in this process."""
    sched = _ACTIVE.get(scheduler)
    if sched is None:
        log.warning("job %s:%s fired but scheduler %s is not running here", kind, key, scheduler)
        return
    await sched.execute(kind, key)


def job_label(job_id: str) -> str:
    """The bounded metrics label of a job: its id's prefix (digest, alerts, watch, userdigest, catchup), never the
    channel, domain or user id that follows it."""
    return job_id.split(":", 1)[0][:32] or "unknown"


class Scheduler:
    def __init__(
        self, settings: Settings, *, name: str = "amia", url: str | None = None, metrics: Metrics | None = None
    ) -> None:
        self.settings, self.name = settings, name
        self.metrics = metrics  # amia_scheduler_lag_seconds and _last_run_timestamp_seconds, per job kind
        self.tz = ZoneInfo(settings.schedules.timezone)
        if url is None:
            path = settings.data_path("scheduler.sqlite3")
            path.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{path}"
        self.store = SQLAlchemyJobStore(url=url)
        self._sched = AsyncIOScheduler(
            jobstores={"default": self.store},
            timezone=self.tz,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": settings.schedules.misfire_grace_minutes * 60,
            },
        )
        self.handlers: dict[str, JobHandler] = {}
        self.ran: list[tuple[str, str]] = []
        self.planned: dict[str, datetime] = {}  # job id -> the planned time of the run now starting
        self._sched.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)

    def _started(self, job_id: str, planned: datetime, now: datetime) -> None:
        """A job run starts: lag is now minus its planned time (with coalescing, the latest missed one)."""
        self.planned[job_id] = planned
        if self.metrics is not None:
            self.metrics.record_scheduler_lag(
                job_label(job_id), (now - planned).total_seconds(), started_at=now.timestamp()
            )

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        if event.scheduled_run_times:
            self._started(event.job_id, max(event.scheduled_run_times), datetime.now(UTC))

    # ---- lifecycle ---------------------------------------------------------------------------------------------
    def start(self, *, paused: bool = False) -> None:
        """Start inside the running loop; ``paused`` keeps the clock off so only run_due() fires jobs."""
        _ACTIVE[self.name] = self
        self._sched.start(paused=paused)

    def shutdown(self) -> None:
        if self._sched.running:
            self._sched.shutdown(wait=False)
        if _ACTIVE.get(self.name) is self:
            del _ACTIVE[self.name]

    def on(self, kind: str, handler: JobHandler) -> None:
        self.handlers[kind] = handler

    async def execute(self, kind: str, key: str) -> None:
        handler = self.handlers.get(kind)
        if handler is None:
            log.warning("no handler for job kind %s", kind)
            return
        try:
            await handler(key)
            self.ran.append((kind, key))
        except Exception:
            log.exception("job %s:%s failed (%s)", kind, key, new_error_id())

    # ---- jobs --------------------------------------------------------------------------------------------------
    def _add(self, job_id: str, kind: str, key: str, trigger: Any) -> None:
        existing = self._sched.get_job(job_id)
        if existing is not None and repr(existing.trigger) == repr(trigger) and existing.args == (self.name, kind, key):
            return  # unchanged: keep its next run time, so a run missed while the bot was down is caught up
        self._sched.add_job(
            run_job, trigger, args=(self.name, kind, key), id=job_id, name=job_id, replace_existing=True
        )

    def run_soon(self, job_id: str, kind: str, key: str) -> None:
        """A one-off run as soon as the scheduler runs (finishes digests a crash interrupted)."""
        self._add(job_id, kind, key, DateTrigger(run_date=datetime.now(self.tz), timezone=self.tz))

    def add_daily(self, job_id: str, kind: str, key: str, at: str) -> None:
        hour, minute = (int(x) for x in at.split(":"))
        self._add(job_id, kind, key, CronTrigger(hour=hour, minute=minute, timezone=self.tz))

    def add_weekly(self, job_id: str, kind: str, key: str, day: str, at: str) -> None:
        hour, minute = (int(x) for x in at.split(":"))
        self._add(job_id, kind, key, CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=self.tz))

    def add_interval(self, job_id: str, kind: str, key: str, *, minutes: float, start: datetime | None = None) -> None:
        first = start or datetime.now(self.tz) + timedelta(minutes=minutes)
        self._add(job_id, kind, key, IntervalTrigger(minutes=minutes, start_date=first, timezone=self.tz))

    def remove(self, job_id: str) -> bool:
        if self._sched.get_job(job_id) is None:
            return False
        self._sched.remove_job(job_id)
        return True

    def jobs(self) -> list[tuple[str, datetime | None]]:
        return [(j.id, j.next_run_time) for j in self._sched.get_jobs()]

    def digest_jobs(self) -> list[str]:
        """Human lines for `/amia digest`."""
        out = []
        for job_id, when in sorted(self.jobs(), key=lambda j: j[0]):
            if job_id.startswith("digest:"):
                _, channel, cadence = job_id.split(":", 2)
                out.append(
                    f"{cadence} digest to {channel}, next {when:%a %d %b %H:%M %Z}"
                    if when
                    else f"{cadence} to {channel}"
                )
        return out

    def sync_config(self) -> None:
        """Make the digest and sweep jobs match config.yaml (added, changed or removed)."""
        s = self.settings
        wanted: dict[str, tuple[str, str, str | None]] = {}
        if s.slack.digest_channel and s.schedules.daily_digest:
            wanted[f"digest:{s.slack.digest_channel}:daily"] = (s.slack.digest_channel, s.schedules.daily_digest, None)
        if s.slack.digest_channel and s.schedules.weekly_digest:
            day, at = s.schedules.weekly_digest.split()
            wanted[f"digest:{s.slack.digest_channel}:weekly"] = (s.slack.digest_channel, at, day)
        for d in s.schedules.digests:
            wanted[f"digest:{d.channel}:{d.cadence}"] = (d.channel, d.at, d.day if d.cadence == "weekly" else None)
        for job_id, _ in self.jobs():
            if job_id.startswith("digest:") and job_id.count(":") == 2 and job_id not in wanted:
                self.remove(job_id)
        for job_id, (channel, at, weekday) in wanted.items():
            if weekday:
                self.add_weekly(job_id, "digest", f"{channel}:weekly", weekday, at)
            else:
                self.add_daily(job_id, "digest", f"{channel}:daily", at)
        if self._sched.get_job("alerts:sweep") is None:
            self.add_interval("alerts:sweep", "sweep", "hot", minutes=ALERT_SWEEP_MINUTES)

    def watch(self, target: str, *, on: bool) -> None:
        job_id = f"watch:{target}"
        if on:
            if self._sched.get_job(job_id) is None:
                self.add_interval(job_id, "watch", target, minutes=self.settings.schedules.watch_interval_hours * 60)
        else:
            self.remove(job_id)

    def user_digest(self, user: str, at: str | None) -> None:
        job_id = f"userdigest:{user}"
        if at:
            self.add_daily(job_id, "user_digest", user, at)
        else:
            self.remove(job_id)

    # ---- controllable clock ------------------------------------------------------------------------------------
    async def run_due(self, now: datetime) -> list[str]:
        """Run every job due at ``now`` (coalesced, one run each) and move it to its next fire time."""
        fired = []
        for job in self.store.get_due_jobs(now):
            run_times = job._get_run_times(now)
            if not run_times:
                continue
            self._started(job.id, run_times[-1], now)
            await run_job(*job.args)
            fired.append(job.id)
            nxt = job.trigger.get_next_fire_time(run_times[-1], now)
            if nxt:
                job._modify(next_run_time=nxt)
                self.store.update_job(job)
            else:
                self.store.remove_job(job.id)
        return fired
