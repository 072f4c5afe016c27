"""Learning from outcomes: learned points replace hand-set ones only when they validate better."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from knowledge.learning.outcomes import fit_outcomes, what_changed

NOW = datetime(2026, 11, 20, tzinfo=UTC)
HAND = {"fit.industry": 14.0, "fit.headcount": 10.0, "intent.funding": 18.0, "intent.hiring": 10.0}
BUDGETS = {"fit": 50.0, "intent": 35.0}


def capped(features: dict[str, float], points: dict[str, float]) -> float:
    return sum(points.get(k, 0.0) * v for k, v in features.items())


def rows(n: int, seed: int = 3) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        f = {k: float(rnd.random() < 0.5) for k in HAND}
        # the truth: hiring matters most, industry not at all (the hand-set weights think otherwise)
        p = 0.05 + 0.6 * f["intent.hiring"] + 0.1 * f["fit.headcount"]
        out.append({"features": f, "label": int(rnd.random() < p), "decided_at": NOW - timedelta(days=n - i)})
    return out


def test_learned_points_replace_hand_set_when_they_validate_better() -> None:
    fit = fit_outcomes(rows(400), HAND, BUDGETS, capped, half_life_days=180, min_outcomes=40, min_auc_gain=0.02,
                       now=NOW)  # fmt: skip
    assert fit.accepted, fit.reason
    assert fit.learned_auc is not None and fit.hand_auc is not None and fit.learned_auc > fit.hand_auc
    assert fit.points["intent.hiring"] > fit.points["intent.funding"]
    assert sum(max(v, 0) for k, v in fit.points.items() if k.startswith("intent.")) == 35.0 or abs(
        sum(max(v, 0) for k, v in fit.points.items() if k.startswith("intent.")) - 35.0) < 0.1  # fmt: skip
    lines = what_changed(fit.to_record(), None)
    assert "validate better" in lines[0] and any(line.startswith("intent.") for line in lines[1:])


def test_too_few_outcomes_keeps_hand_set() -> None:
    fit = fit_outcomes(rows(20), HAND, BUDGETS, capped, half_life_days=180, min_outcomes=40, min_auc_gain=0.02,
                       now=NOW)  # fmt: skip
    assert not fit.accepted and "not enough outcomes" in fit.reason
    assert what_changed(fit.to_record(), None) == [fit.reason]
