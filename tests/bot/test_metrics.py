"""Metrics: the recording helpers show up in the Prometheus exposition, per registry, with bounded labels."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_every_helper_is_exposed_with_its_labels() -> None:
    m = Metrics()
    m.record_command("research", "ok", 1.5)
    m.record_command("research", "usage_error")
    m.record_ack(0.2)
    m.record_ack(3.4)
    m.record_agent_run("qualify", "budget_stopped", 12.0)
    m.record_llm_usage("gpt-4o-mini", prompt_tokens=1200, completion_tokens=300, cost_usd=0.0021)
    m.record_fetch(200)
    m.record_fetch(200)
    m.record_fetch("Timeout")
    m.record_robots_refusal()
    m.record_send("sent")
    m.record_bounce("hard")
    m.record_reply("interested")
    m.record_scheduler_lag("digest", 4.0, started_at=1_700_000_000.0)
    m.record_graph_query("company_profile", 0.004)
    got = samples(m)
    assert got[("amia_commands_total", (("command", "research"), ("outcome", "ok")))] == 1
    assert got[("amia_commands_total", (("command", "research"), ("outcome", "usage_error")))] == 1
    assert got[("amia_command_seconds_count", (("command", "research"),))] == 1
    assert got[("amia_slack_acks_total", (("outcome", "in_time"),))] == 1
    assert got[("amia_slack_acks_total", (("outcome", "late"),))] == 1
    assert got[("amia_slack_ack_seconds_bucket", (("le", "3.0"),))] == 1  # only the 0.2 s ack beat 3 s
    assert got[("amia_agent_runs_total", (("outcome", "budget_stopped"), ("workflow", "qualify")))] == 1
    assert got[("amia_llm_tokens_total", (("kind", "prompt"), ("model", "gpt-4o-mini")))] == 1200
    assert got[("amia_llm_tokens_total", (("kind", "completion"), ("model", "gpt-4o-mini")))] == 300
    assert got[("amia_llm_cost_usd_total", (("model", "gpt-4o-mini"),))] == pytest.approx(0.0021)
    assert got[("amia_fetches_total", (("status", "200"),))] == 2
    assert got[("amia_fetches_total", (("status", "timeout"),))] == 1
    assert got[("amia_robots_refusals_total", ())] == 1
    assert got[("amia_emails_sent_total", (("outcome", "sent"),))] == 1
    assert got[("amia_bounces_total", (("kind", "hard"),))] == 1
    assert got[("amia_replies_total", (("classification", "interested"),))] == 1
    assert got[("amia_scheduler_lag_seconds_sum", (("job", "digest"),))] == 4.0
    assert got[("amia_scheduler_last_run_timestamp_seconds", (("job", "digest"),))] == 1_700_000_000.0
    assert got[("amia_graph_query_seconds_bucket", (("le", "0.005"), ("operation", "company_profile")))] == 1


def test_registries_are_independent_so_two_processes_or_tests_never_share_counts() -> None:
    a, b = Metrics(), Metrics()
    a.record_send("sent")
    assert samples(a)[("amia_emails_sent_total", (("outcome", "sent"),))] == 1
    assert ("amia_emails_sent_total", (("outcome", "sent"),)) not in samples(b)


def test_time_command_counts_failures_as_errors_and_reraises() -> None:
    m = Metrics()
    with m.time_command("score"):
        pass
    with pytest.raises(ValueError), m.time_command("score"):
        raise ValueError("boom")
    got = samples(m)
    assert got[("amia_commands_total", (("command", "score"), ("outcome", "ok")))] == 1
    assert got[("amia_commands_total", (("command", "score"), ("outcome", "error")))] == 1
    assert got[("amia_command_seconds_count", (("command", "score"),))] == 2


def test_zero_usage_adds_no_series() -> None:
    m = Metrics()
    m.record_llm_usage("local-model")
    assert not [k for k in samples(m) if k[0].startswith("amia_llm_")]
