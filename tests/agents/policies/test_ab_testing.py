"""A/B allocation: Thompson sampling explores every variant, then favours the better one; winners need evidence."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from agents.policies.ab_testing import VariantStats, choose_variant, summarise


def test_every_variant_gets_its_minimum_first() -> None:
    rng = random.Random(1)
    stats = [VariantStats("a", 50, 10), VariantStats("b", 3, 0)]
    assert {choose_variant(stats, rng, min_sends=20) for _ in range(20)} == {"b"}


def test_better_variant_gets_most_traffic_but_not_all() -> None:
    rng = random.Random(2)
    true_rates = {"question": 0.12, "statement": 0.04}
    sends = {v: 0 for v in true_rates}
    wins = {v: 0 for v in true_rates}
    picks: Counter[str] = Counter()
    for _ in range(3000):
        stats = [VariantStats(v, sends[v], wins[v]) for v in true_rates]
        v = choose_variant(stats, rng, min_sends=30, explore=0.1)
        picks[v] += 1
        sends[v] += 1
        wins[v] += rng.random() < true_rates[v]
    assert picks["question"] > 2000
    assert picks["statement"] >= 150  # minimum exploration keeps learning


def test_summary_has_credible_intervals_and_declares_a_clear_winner() -> None:
    clear = summarise([VariantStats("a", 400, 60), VariantStats("b", 400, 20)])
    assert clear.winner == "a"
    a = clear.variants[0]
    assert a.low < 0.15 < a.high and a.low > 0.10 and a.high < 0.20
    close = summarise([VariantStats("a", 400, 41), VariantStats("b", 400, 40)])
    assert close.winner is None and "no clear winner" in close.reason
    early = summarise([VariantStats("a", 20, 10), VariantStats("b", 20, 0)])
    assert early.winner is None and "collecting data" in early.reason


def test_impossible_counts_are_rejected() -> None:
    with pytest.raises(ValueError, match="successes"):
        VariantStats("a", 5, 6)
