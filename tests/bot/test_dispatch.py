"""The shared command parser and the deterministic intent parser: what users type and what AMIA understands."""

from __future__ import annotations

import pytest

from bot.dispatch import Command, parse_command, parse_intent
from bot.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("research acme.com", Command("research", ("acme.com",))),
        ("research <http://www.Acme.com|www.Acme.com>", Command("research", ("acme.com",))),
        ("score https://acme.com/about", Command("score", ("acme.com",))),
        ("draft acme.com Jane@Acme.com", Command("draft", ("acme.com", "jane@acme.com"))),
        ("draft acme.com", Command("draft", ("acme.com", ""))),
        ("leads", Command("leads", ("", "10"))),
        ("leads hot 5", Command("leads", ("hot", "5"))),
        ("LEADS 3 warm", Command("leads", ("warm", "3"))),
        ("watch acme.com", Command("watch", ("domain", "acme.com"))),
        ("watch https://news.example.com/feed.xml", Command("watch", ("feed", "https://news.example.com/feed.xml"))),
        ("unwatch acme.com", Command("unwatch", ("domain", "acme.com"))),
        ("digest", Command("digest", ())),
        ("digest now", Command("digest", ("now",))),
        ("forget <mailto:jane@acme.com|jane@acme.com>", Command("forget", ("jane@acme.com",))),
        ("forget acme.com", Command("forget", ("acme.com",))),
        ("status", Command("status")),
        ("?", Command("help")),
    ],
)
def test_commands_parse(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tell me what to do"),
        ("   ", "Tell me what to do"),
        ("launch rockets", "I don't know the command 'launch'"),
        ("research acme", "'acme' is not a domain name"),
        ("research a.com b.com", "needs exactly one domain"),
        ("draft", "'draft' needs a domain"),
        ("draft acme.com not@@mail", "is not an email address"),
        ("leads 500", "n is 1–50"),
        ("leads cold", "I don't understand 'cold'"),
        ("digest tomorrow", "'digest' takes only 'now'"),
        ("watch", "needs exactly one target"),
        ("forget @acme.com", "is not an email address"),
    ],
)
def test_bad_commands_explain_the_usage(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_command(text)
    assert message in str(err.value)
    assert "Usage" in str(err.value) or "AMIA commands" in str(err.value)


def test_intents() -> None:
    got = parse_intent("Who raised money in fintech this month?")
    assert got is not None and got.kind == "signals"
    assert got.params == {"types": ["funding"], "industry": "fintech", "days": 31}
    assert parse_intent("any new CTO appointed this week?").params["types"] == ["leadership_change"]
    assert parse_intent("why is acme.com hot?").params == {"domain": "acme.com"}
    assert parse_intent("<@U0AMIABOT1> why is <http://acme.com|acme.com> hot?").params == {"domain": "acme.com"}
    pref = parse_intent("We don't target companies under 50 people")
    assert pref is not None and pref.kind == "preference" and pref.params["rule"] == {"field": "employees", "min": 50}
    assert parse_intent("we never sell to companies with fewer than 1,000 employees").params["rule"]["min"] == 1000
    assert parse_intent("we don't target gambling").params["rule"] == {"field": "industry", "exclude": "gambling"}
    assert parse_intent("show me the hot leads").params == {"tier": "hot"}
    assert parse_intent("please draft an email for acme.com").kind == "draft"
    assert parse_intent("tell me about acme.com").kind == "research"
    assert parse_intent("write me a poem") is None


def test_thread_context_resolves_pronouns() -> None:
    history = ["user: research acme.com", "amia: Acme (acme.com) — B2B analytics"]
    assert parse_intent("why is it hot?", history).params == {"domain": "acme.com"}
    assert parse_intent("why is it hot?") is None  # no context: nothing to guess
