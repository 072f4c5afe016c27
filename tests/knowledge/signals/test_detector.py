# ruff: noqa: E501
"""Signal detection: each type found with exact evidence, hedged/negated/denied statements ignored."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from knowledge.signals.detector import detect_signals
from knowledge.signals.text import find_date, find_money, split_sentences
from tests.web_fixture import sites

POSITIVE = [
    (
        "Fintech startup Ramp has raised $150 million at a $13 billion valuation.",
        "funding",
        {"amount": 150e6, "currency": "USD"},
    ),
    (
        "The startup closed a €12 million seed round from Point Nine and Seedcamp.",
        "funding",
        {"currency": "EUR", "round": "Seed"},
    ),
    ("Stripe acquires Bridge for $1.1 billion.", "acquisition", {"target": "Bridge", "acquirer": "Stripe"}),
    ("Initech was acquired by Globex Corp in 2024.", "acquisition", {"target": "Initech", "acquirer": "Globex Corp"}),
    (
        "Salesforce signed a definitive agreement to acquire Slack Technologies.",
        "acquisition",
        {"target": "Slack Technologies"},
    ),
    (
        "Former Google executive Sarah Chen has joined Acme as Chief Product Officer.",
        "leadership_change",
        {"person": "Sarah Chen", "role": "Chief Product Officer", "direction": "joined"},
    ),
    (
        "CEO John Smith stepped down after ten years.",
        "leadership_change",
        {"person": "John Smith", "direction": "left"},
    ),
    ("Jane Doe was promoted to Chief Operating Officer.", "leadership_change", {"direction": "promoted"}),
    ("We are hiring 25 engineers and 10 sales representatives in Berlin.", "hiring", {"count": 25}),
    (
        "Acme today launched Acme Insights, a new analytics dashboard for risk teams.",
        "product_launch",
        {"product": "Acme Insights"},
    ),
    ("Acme has partnered with Stripe to offer instant payouts.", "partnership", {"partner": "Stripe"}),
    ("Acme today announced the opening of a new office in Paris.", "expansion", {"location": "Paris"}),
    ("Shopify cuts 20% of its workforce.", "layoffs", {"percent": 20.0}),
    ("Google said it would cut 12,000 jobs.", "layoffs", {"count": 12000}),
    ("Snowflake has agreed to buy Streamlit for $800 million.", "acquisition", {"target": "Streamlit"}),
    (
        "OpenAI announced that Mira Murati, its chief technology officer, is leaving the company.",
        "leadership_change",
        {"person": "Mira Murati", "role": "chief technology officer", "direction": "left"},
    ),
    (
        "Acme named a new chief marketing officer, Tom Lee, effective immediately.",
        "leadership_change",
        {"person": "Tom Lee", "direction": "joined"},
    ),
    ("Acme appointed Jo Bloggs as head of engineering.", "leadership_change", {"role": "head of engineering"}),
    ("Revolut launches in New Zealand.", "expansion", {"location": "New Zealand"}),
    (
        "Notion is launching Notion Calendar, a new app for scheduling.",
        "product_launch",
        {"product": "Notion Calendar"},
    ),
    ("Acme will showcase its new platform at CES 2026 in Las Vegas.", "event_participation", {"event": "CES 2026"}),
    ("The funding brings the company's total raised to $85 million.", "funding", {"cumulative": True}),
    ("The company will lay off 120 employees.", "layoffs", {"count": 120}),
    (
        "Acme will exhibit at Money20/20 Europe in Amsterdam, booth B42.",
        "event_participation",
        {"event": "Money20/20 Europe", "role": "exhibitor", "booth": "B42"},
    ),
]

NEGATIVE = [
    "The company plans to raise a Series C next year.",
    "Acme denied reports that it had acquired Initech.",
    "Microsoft is in talks to acquire TikTok.",
    "Acme is reportedly raising $200 million.",
    "We raised prices by 10% last year.",
    "Our revenue grew to $30 million in 2025.",
    "Customer acquisition costs fell by 20%.",
    "The company was launched in 2015 by two engineers.",
    "Acme is not planning any layoffs.",
    "Acme's CEO said the company might consider layoffs.",
    "The company cut costs by 20% in 2025.",
    "Could Acme raise $50 million this year?",
    "Acme released its annual report today.",
    "If the deal closes, Globex will acquire Initech.",
    "Acme has no plans to open an office in Tokyo.",
    "Jane Doe did not step down as CEO.",
    "The company has paused hiring.",
    "Shares of Acme rose 5% after it raised its full-year guidance.",
    "The company employs 1,200 people.",
    "Acme presented its results in March 2026.",
]


@pytest.mark.parametrize(("text", "kind", "attrs"), POSITIVE)
def test_each_signal_type(text: str, kind: str, attrs: dict[str, object]) -> None:
    signals = [s for s in detect_signals(text) if s.type == kind]
    assert signals, f"no {kind} in {text!r}"
    assert signals[0].evidence in text
    for key, value in attrs.items():
        assert signals[0].attributes.get(key) == value, (key, signals[0].attributes)


@pytest.mark.parametrize("text", NEGATIVE)
def test_hedged_negated_and_unrelated_statements_are_not_signals(text: str) -> None:
    assert detect_signals(text) == []


def test_press_release_gives_several_signals_with_dateline_date() -> None:
    from knowledge.web.extract import extract_article

    text = extract_article(sites.ACME_SERIES_B).text
    signals = detect_signals(text)
    kinds = [s.type for s in signals]
    assert kinds.count("funding") == 1  # headline and body describe the same round
    assert "leadership_change" in kinds
    funding = next(s for s in signals if s.type == "funding")
    assert funding.attributes["round"] == "Series B" and funding.attributes["amount"] == 30_000_000
    assert "Example Ventures" in funding.attributes["lead_investors"]
    assert funding.date == "2026-03-03"
    assert all(s.evidence in text for s in signals)
    assert not any("2028" in s.evidence for s in signals)  # "does not plan to raise again" is no signal


def test_sentence_split_keeps_exact_slices() -> None:
    text = "Acme Inc. hired Dr. Jane Roe. She starts in Jan. 2026!\nHeadline without stop\nNext line. U.S. sales grew 2.5%."
    parts = split_sentences(text)
    assert [p.text for p in parts] == [
        "Acme Inc. hired Dr. Jane Roe.",
        "She starts in Jan. 2026!",
        "Headline without stop",
        "Next line.",
        "U.S. sales grew 2.5%.",
    ]
    assert all(text[p.start : p.start + len(p.text)] == p.text for p in parts)


def test_dates_and_money() -> None:
    assert find_date("On 3rd March 2026 we") == "2026-03-03"
    assert find_date("in June 2025") == "2025-06"
    assert find_date("no date here") is None
    amounts = [(m.amount, m.currency) for m in find_money("€12.5m, USD 3 billion, 40 million euros and $5")]
    assert amounts == [(12.5e6, "EUR"), (3e9, "USD"), (40e6, "EUR")]


def test_garbage_input_is_harmless() -> None:
    assert detect_signals("") == [] and detect_signals("\x00\x01 <<>> ;;; " * 100) == []


def _run(args: list[str], stdin: str) -> str:
    code = (
        "import sys, argparse; from bot.commands.signals import handle; "
        f"sys.exit(handle(argparse.Namespace(file='-', json={'--json' in args}, jsonl={'--jsonl' in args}), None))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], input=stdin, capture_output=True, text=True, timeout=60, check=True
    ).stdout


def test_cli_jsonl_and_json() -> None:
    lines = [
        json.dumps({"id": "n1", "text": "Acme raised $5 million in seed funding. It plans to raise more."}),
        json.dumps({"id": "n2", "text": "Nothing happened."}),
        "{broken",
    ]
    out = [json.loads(x) for x in _run(["--jsonl"], "\n".join(lines) + "\n").splitlines()]
    assert out[0]["id"] == "n1" and [s["type"] for s in out[0]["signals"]] == ["funding"]
    assert out[0]["signals"][0]["evidence"] == "Acme raised $5 million in seed funding."
    assert set(out[0]["signals"][0]) >= {"type", "evidence", "confidence", "attributes"}
    assert out[1] == {"id": "n2", "signals": []} and "error" in out[2]
    whole = json.loads(_run(["--json"], "Globex has acquired Initech for $500 million."))
    assert whole["signals"][0]["attributes"]["target"] == "Initech"


def test_dateline_is_the_document_date_but_founding_dates_are_not() -> None:
    from knowledge.signals.detector import dateline

    assert dateline("Acme raises $5M\nBERLIN, March 3, 2026 – Acme today announced …") == "2026-03-03"
    assert dateline("Acme raises $5M\nMarch 3, 2026\nAcme today announced …") == "2026-03-03"
    assert dateline("Founded in March 2015, Acme today announced it raised $5 million in seed funding.") is None
    signals = detect_signals("Founded in March 2015, Acme today announced it raised $5 million in seed funding.")
    assert signals and signals[0].date is None
