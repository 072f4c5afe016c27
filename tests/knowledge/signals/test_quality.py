"""Signal quality on the held-out test split of bench/data/signals/ (never used for tuning), and multilingual cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from knowledge.signals.detector import detect_signals
from knowledge.signals.evaluation import SIGNAL_TYPES, Report, evaluate
from knowledge.signals.text import find_money

TEST_SPLIT = Path(__file__).resolve().parents[3] / "bench" / "data" / "signals" / "test.jsonl"
MEASURED_MICRO_F1 = 0.912  # `.venv/bin/python bench/signals_eval.py test` when the rules were last changed
PRECISION_FLOOR = 0.85  # every type, held-out split


def _report() -> tuple[list[dict[str, Any]], Report]:
    items = [json.loads(line) for line in TEST_SPLIT.read_text(encoding="utf-8").splitlines() if line.strip()]
    predictions = {item["id"]: [s.as_dict() for s in detect_signals(item["text"])] for item in items}
    return items, evaluate(items, predictions)


def test_held_out_split_keeps_its_measured_quality() -> None:
    items, report = _report()
    assert len(items) >= 180
    assert sum(1 for i in items if i["lang"] != "en") / len(items) >= 0.2
    assert report.micro.f1 >= MEASURED_MICRO_F1 - 0.03, report.as_dict()["micro"]
    for kind in SIGNAL_TYPES:
        counts = report.per_type[kind]
        assert counts.tp >= 5, kind  # every type is really exercised
        assert counts.precision >= PRECISION_FLOOR, (kind, report.as_dict()["per_type"][kind])
    for lang in ("de", "fr", "es"):
        assert report.per_lang[lang].f1 >= 0.85, (lang, report.as_dict()["per_lang"][lang])


def test_evaluation_counts_each_type_once_per_item() -> None:
    items = [
        {"id": "a", "lang": "en", "text": "x", "expected": ["funding"]},
        {"id": "b", "lang": "de", "text": "y", "expected": []},
    ]
    predictions = {
        "a": [{"type": "funding", "evidence": "1"}, {"type": "funding", "evidence": "2"}],
        "b": [{"type": "layoffs", "evidence": "y"}],
    }
    report = evaluate(items, predictions)
    assert (report.micro.tp, report.micro.fp, report.micro.fn) == (1, 1, 0)
    assert report.per_lang["de"].precision == 0.0 and report.false_positives[0].evidence == "y"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Die Runde über €20 Mio. wurde überzeichnet.", 20e6, "EUR"),
        ("La société lève 20 millions d'euros.", 20e6, "EUR"),
        ("The startup raised US$5m from angels.", 5e6, "USD"),
        ("KKR investiert 1,5 Mrd. Euro in Celonis.", 1.5e9, "EUR"),
        ("Clara levanta 90 millones de dólares.", 90e6, "USD"),
        ("Lengow annonce une levée de 12 M€.", 12e6, "EUR"),
        ("Sennder schließt eine Runde über 160 Mio. US-Dollar ab.", 160e6, "USD"),
    ],
)
def test_european_money_forms(text: str, amount: float, currency: str) -> None:
    money = find_money(text)
    assert money and (money[0].amount, money[0].currency) == (amount, currency)


MULTILINGUAL = [
    (
        "Das Kölner Startup Acme schließt eine Finanzierungsrunde über 20 Millionen Euro ab.",
        "funding",
        {"amount": 20e6},
    ),
    (
        "La start-up lyonnaise Acme lève 15 millions d'euros en série A.",
        "funding",
        {"round": "Series A", "currency": "EUR"},
    ),
    ("La fintech Acme recauda 10 millones de euros en una ronda semilla.", "funding", {"amount": 10e6}),
    ("SAP übernimmt den Berliner Softwareanbieter Signavio.", "acquisition", {}),
    ("Capgemini rachète l'américain WNS pour 3,3 milliards de dollars.", "acquisition", {"amount": 3.3e9}),
    ("Telefónica adquiere la empresa de ciberseguridad Govertis.", "acquisition", {}),
    ("Wir stellen ein: drei Entwickler (m/w/d) für unser Team in Leipzig.", "hiring", {}),
    ("La société recrute 150 ingénieurs à Toulouse.", "hiring", {"count": 150}),
    (
        "Banco Acme nombra a Lucía Romero nuevo CEO.",
        "leadership_change",
        {"person": "Lucía Romero", "direction": "joined"},
    ),
    ("Der Autozulieferer ZF baut in Saarbrücken 1.800 Stellen ab.", "layoffs", {"count": 1800}),
    ("Retrouvez-nous au salon VivaTech 2026 à Paris, stand H24 !", "event_participation", {"role": "exhibitor"}),
]


@pytest.mark.parametrize(("text", "kind", "attrs"), MULTILINGUAL)
def test_german_french_spanish_signals(text: str, kind: str, attrs: dict[str, object]) -> None:
    signals = [s for s in detect_signals(text) if s.type == kind]
    assert signals, f"no {kind} in {text!r}"
    assert signals[0].evidence in text
    for key, value in attrs.items():
        assert signals[0].attributes.get(key) == value, (key, signals[0].attributes)


@pytest.mark.parametrize(
    "text",
    [
        "Das Startup plant, im kommenden Jahr 30 Millionen Euro einzusammeln.",
        "Einen Stellenabbau schloss der Vorstand ausdrücklich aus.",
        "La start-up envisage de lever 50 millions d'euros l'an prochain.",
        "L'entreprise a gelé les embauches jusqu'à la fin de l'année.",
        "La empresa niega estar en conversaciones para la compra de su rival.",
        "Ingeniero de software busca empleo en Sevilla o remoto.",
        "Der Münchner Versicherer Allianz meldet einen Rekordgewinn.",
    ],
)
def test_hedged_or_denied_foreign_statements_are_not_signals(text: str) -> None:
    assert detect_signals(text) == []
