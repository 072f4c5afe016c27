"""Prometheus metrics: one registry per process, built by the composition root, with typed recording helpers.

Nothing here is a module-level global: build one :class:`Metrics` in ``build_services`` and pass it along. Label
values are bounded on purpose (command names, outcomes, HTTP status codes, job ids); never put a domain, an
email or a user id in a label.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The Content-Type of the text exposition format served at /metrics."""

# Slack wants an ack within 3 s; the buckets are dense below that.
_ACK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0)
_QUERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_RUN_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
_LAG_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


def _status_label(status: int | str) -> str:
    """HTTP codes stay as they are ("200"); failures without a response keep their short reason ("timeout")."""
    if isinstance(status, int):
        return str(status)
    return status.strip().lower().replace(" ", "_")[:32] or "error"


class Metrics:
    """Every counter and histogram AMIA exposes. Call the small ``record_*`` helpers; they never raise."""

    def __init__(self, registry: CollectorRegistry | None = None, *, namespace: str = "amia") -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        ns, reg = namespace, self.registry
        self.commands = Counter(
            "commands", "Commands handled, by command and outcome (ok, usage_error, error)",
            ["command", "outcome"], namespace=ns, registry=reg,
        )  # fmt: skip
        self.command_seconds = Histogram(
            "command_seconds", "Time to complete a command", ["command"], namespace=ns, registry=reg,
            buckets=_RUN_BUCKETS,
        )  # fmt: skip
        self.acks = Counter(
            "slack_acks", "Slack acknowledgements, by whether they beat Slack's 3 s deadline (in_time, late)",
            ["outcome"], namespace=ns, registry=reg,
        )  # fmt: skip
        self.ack_seconds = Histogram(
            "slack_ack_seconds", "Time from receiving a Slack request to acknowledging it", namespace=ns,
            registry=reg, buckets=_ACK_BUCKETS,
        )  # fmt: skip
        self.agent_runs = Counter(
            "agent_runs", "Agent or workflow runs, by workflow and outcome (ok, budget_stopped, error)",
            ["workflow", "outcome"], namespace=ns, registry=reg,
        )  # fmt: skip
        self.agent_run_seconds = Histogram(
            "agent_run_seconds", "Duration of agent or workflow runs", ["workflow"], namespace=ns, registry=reg,
            buckets=_RUN_BUCKETS,
        )  # fmt: skip
        self.tokens = Counter(
            "llm_tokens", "LLM tokens used, by model and kind (prompt, completion)", ["model", "kind"],
            namespace=ns, registry=reg,
        )  # fmt: skip
        self.cost = Counter(
            "llm_cost_usd", "Estimated LLM spend in US dollars, by model", ["model"], namespace=ns, registry=reg
        )
        self.fetches = Counter(
            "fetches", "Web fetches by HTTP status code or failure reason", ["status"], namespace=ns, registry=reg
        )
        self.robots_refusals = Counter(
            "robots_refusals", "URLs not fetched because robots.txt disallows them", namespace=ns, registry=reg
        )
        self.sends = Counter(
            "emails_sent", "Outbound emails, by outcome (sent, failed, suppressed)", ["outcome"], namespace=ns,
            registry=reg,
        )  # fmt: skip
        self.bounces = Counter("bounces", "Bounces, by kind (hard, soft)", ["kind"], namespace=ns, registry=reg)
        self.replies = Counter(
            "replies", "Replies received, by classification", ["classification"], namespace=ns, registry=reg
        )
        self.scheduler_lag = Histogram(
            "scheduler_lag_seconds", "How late a scheduled job started after its planned time", ["job"],
            namespace=ns, registry=reg, buckets=_LAG_BUCKETS,
        )  # fmt: skip
        self.scheduler_last_run = Gauge(
            "scheduler_last_run_timestamp_seconds", "Unix time a scheduled job last started", ["job"],
            namespace=ns, registry=reg,
        )  # fmt: skip
        self.graph_query_seconds = Histogram(
            "graph_query_seconds", "Latency of graph database queries, by operation", ["operation"],
            namespace=ns, registry=reg, buckets=_QUERY_BUCKETS,
        )  # fmt: skip
        self.ready = Gauge(
            "component_ready", "1 when a component passed its last readiness check, else 0", ["component"],
            namespace=ns, registry=reg,
        )  # fmt: skip

    # ---- recording helpers --------------------------------------------------------------------

    def record_command(self, command: str, outcome: str, seconds: float | None = None) -> None:
        self.commands.labels(command=command, outcome=outcome).inc()
        if seconds is not None:
            self.command_seconds.labels(command=command).observe(seconds)

    def record_ack(self, seconds: float, *, deadline: float = 3.0) -> None:
        self.ack_seconds.observe(seconds)
        self.acks.labels(outcome="in_time" if seconds <= deadline else "late").inc()

    def record_agent_run(self, workflow: str, outcome: str, seconds: float | None = None) -> None:
        self.agent_runs.labels(workflow=workflow, outcome=outcome).inc()
        if seconds is not None:
            self.agent_run_seconds.labels(workflow=workflow).observe(seconds)

    def record_llm_usage(
        self, model: str, *, prompt_tokens: int = 0, completion_tokens: int = 0, cost_usd: float = 0.0
    ) -> None:
        if prompt_tokens > 0:
            self.tokens.labels(model=model, kind="prompt").inc(prompt_tokens)
        if completion_tokens > 0:
            self.tokens.labels(model=model, kind="completion").inc(completion_tokens)
        if cost_usd > 0:
            self.cost.labels(model=model).inc(cost_usd)

    def record_fetch(self, status: int | str) -> None:
        self.fetches.labels(status=_status_label(status)).inc()

    def record_robots_refusal(self) -> None:
        self.robots_refusals.inc()

    def record_send(self, outcome: str = "sent") -> None:
        self.sends.labels(outcome=outcome).inc()

    def record_bounce(self, kind: str) -> None:
        self.bounces.labels(kind=kind).inc()

    def record_reply(self, classification: str) -> None:
        self.replies.labels(classification=classification).inc()

    def record_scheduler_lag(self, job: str, seconds: float, *, started_at: float | None = None) -> None:
        self.scheduler_lag.labels(job=job).observe(max(0.0, seconds))
        self.scheduler_last_run.labels(job=job).set(time.time() if started_at is None else started_at)

    def record_graph_query(self, operation: str, seconds: float) -> None:
        self.graph_query_seconds.labels(operation=operation).observe(seconds)

    def record_ready(self, component: str, ok: bool) -> None:
        self.ready.labels(component=component).set(1 if ok else 0)

    @contextmanager
    def time_command(self, command: str) -> Iterator[None]:
        """Count and time a command; an exception counts as outcome ``error`` and propagates."""
        t0 = time.perf_counter()
        try:
            yield
        except Exception:
            self.record_command(command, "error", time.perf_counter() - t0)
            raise
        self.record_command(command, "ok", time.perf_counter() - t0)

    @contextmanager
    def time_graph_query(self, operation: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.record_graph_query(operation, time.perf_counter() - t0)

    def render(self) -> bytes:
        """The registry in Prometheus text format, for GET /metrics."""
        return generate_latest(self.registry)
