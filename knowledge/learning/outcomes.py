"""Learn scoring points from recorded outcomes: time-decayed, regularised logistic regression, validated on the
most recent leads against the hand-set points, and a plain-language 'what changed' for the digest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ScoreFn = Callable[[Mapping[str, float], Mapping[str, float]], float]
"""(features, points) → score; the workflow passes the scorer's own capped sum so validation is like-for-like."""


@dataclass
class OutcomeFit:
    fitted_at: datetime
    n: int
    positives: int
    hand_auc: float | None
    learned_auc: float | None
    accepted: bool
    reason: str
    points: dict[str, float] = field(default_factory=dict)
    hand_set: dict[str, float] = field(default_factory=dict)
    explanation: list[dict[str, Any]] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


def fit_outcomes(
    rows: Sequence[Mapping[str, Any]],
    hand_set: Mapping[str, float],
    budgets: Mapping[str, float],
    score: ScoreFn,
    *,
    half_life_days: float,
    min_outcomes: int,
    min_auc_gain: float,
    now: datetime | None = None,
    holdout_share: float = 0.3,
) -> OutcomeFit:
    """Fit on older leads (weighted by recency), validate on the newest ``holdout_share``; accept when better.

    ``budgets`` maps a component prefix ('fit', 'intent', 'engagement') to its points cap: learned coefficients
    are rescaled so the positive ones in each component add up to that cap, keeping scores on the 0-100 scale.
    """
    now = now or datetime.now(UTC)
    names = sorted(hand_set)
    n = len(rows)
    positives = int(sum(int(r["label"]) for r in rows))
    base = OutcomeFit(now, n, positives, None, None, False, "", hand_set=dict(hand_set))
    if n < min_outcomes or positives < 3 or n - positives < 3:
        base.reason = f"not enough outcomes yet ({n} leads, {positives} positive; need {min_outcomes})"
        return base
    order = sorted(range(n), key=lambda i: rows[i]["decided_at"])
    cut = int(n * (1 - holdout_share))
    train, test = order[:cut], order[cut:]
    X = np.array([[float(rows[i]["features"].get(k, 0.0)) for k in names] for i in range(n)])
    y = np.array([int(rows[i]["label"]) for i in range(n)])
    if len(set(y[train])) < 2 or len(set(y[test])) < 2:
        base.reason = "the older or the newer leads have only one kind of outcome; waiting for more"
        return base
    ages = np.array([(now - rows[i]["decided_at"]).total_seconds() / 86400 for i in range(n)])
    weights = 0.5 ** (np.clip(ages, 0, None) / half_life_days)
    model = LogisticRegression(C=0.5, max_iter=2000).fit(X[train], y[train], sample_weight=weights[train])
    points = _to_points(dict(zip(names, model.coef_[0], strict=True)), budgets)
    hand_scores = [score(dict(zip(names, X[i], strict=True)), hand_set) for i in test]
    learned_scores = [score(dict(zip(names, X[i], strict=True)), points) for i in test]
    hand_auc = float(roc_auc_score(y[test], hand_scores)) if len(set(hand_scores)) > 1 else 0.5
    learned_auc = float(roc_auc_score(y[test], learned_scores)) if len(set(learned_scores)) > 1 else 0.5
    accepted = learned_auc >= hand_auc + min_auc_gain
    # refit on everyone (still recency-weighted) for the points actually used
    if accepted:
        full = LogisticRegression(C=0.5, max_iter=2000).fit(X, y, sample_weight=weights)
        points = _to_points(dict(zip(names, full.coef_[0], strict=True)), budgets)
    return OutcomeFit(
        fitted_at=now,
        n=n,
        positives=positives,
        hand_auc=round(hand_auc, 4),
        learned_auc=round(learned_auc, 4),
        accepted=accepted,
        reason=(
            f"learned points validate better on the newest {len(test)} leads (AUC {learned_auc:.2f} vs {hand_auc:.2f})"
            if accepted
            else f"hand-set points kept: learned AUC {learned_auc:.2f} vs hand-set {hand_auc:.2f} on the newest "
            f"{len(test)} leads (needs +{min_auc_gain:.2f})"
        ),
        points={k: round(v, 2) for k, v in points.items()},
        hand_set=dict(hand_set),
        explanation=[
            {"feature": k, "hand_set": hand_set[k], "learned": round(points[k], 2)}
            for k in sorted(names, key=lambda k: -abs(points[k] - hand_set[k]))
        ],
    )


def _to_points(coefs: Mapping[str, float], budgets: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for component, cap in budgets.items():
        keys = [k for k in coefs if k.startswith(component + ".")]
        positive = sum(max(coefs[k], 0.0) for k in keys)
        scale = cap / positive if positive > 0 else 0.0
        out |= {k: coefs[k] * scale for k in keys}
    return out


def what_changed(latest: Mapping[str, Any] | None, previous: Mapping[str, Any] | None, *, top: int = 5) -> list[str]:
    """Sentences for the digest: was the model replaced or kept, and which points moved most."""
    if latest is None:
        return ["no learning run yet"]
    lines = [str(latest.get("reason", ""))]
    new_points: Mapping[str, float] = latest.get("points") or {}
    old_points: Mapping[str, float] = (
        (previous.get("points") if previous and previous.get("accepted") else None) or latest.get("hand_set") or {}
    )
    if latest.get("accepted"):
        moves = sorted(new_points, key=lambda k: -abs(new_points[k] - old_points.get(k, 0.0)))
        for k in moves[:top]:
            before, after = old_points.get(k, 0.0), new_points[k]
            if round(before, 1) != round(after, 1):
                lines.append(f"{k}: {before:+.1f} → {after:+.1f} points")
    return lines
