"""A/B allocation (pure): Thompson sampling over Beta posteriors with a minimum exploration share.

Each variant of a step has ``sends`` and ``successes`` (replies, or positive replies). ``choose_variant`` picks
the next variant; ``summarise`` gives each variant's rate with a 95% credible interval and says when a winner is
clear (probability of being best >= ``threshold`` and enough sends each).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta as beta_dist


@dataclass(frozen=True)
class VariantStats:
    variant: str
    sends: int
    successes: int

    def __post_init__(self) -> None:
        if self.sends < 0 or self.successes < 0 or self.successes > self.sends:
            raise ValueError(f"variant {self.variant!r}: need 0 <= successes <= sends")


@dataclass(frozen=True)
class VariantSummary:
    variant: str
    sends: int
    successes: int
    rate: float
    low: float
    high: float
    p_best: float


@dataclass(frozen=True)
class Experiment:
    variants: tuple[VariantSummary, ...]
    winner: str | None
    reason: str


def choose_variant(
    stats: Sequence[VariantStats],
    rng: random.Random,
    *,
    min_sends: int = 20,
    explore: float = 0.1,
    prior: tuple[float, float] = (1.0, 1.0),
) -> str:
    """Next variant: any variant under ``min_sends`` first; else with probability ``explore`` a uniform pick;
    else the variant with the highest draw from its Beta(successes + a, failures + b) posterior."""
    if not stats:
        raise ValueError("no variants to choose from")
    starving = [s for s in stats if s.sends < min_sends]
    if starving:
        least = min(s.sends for s in starving)
        return rng.choice([s.variant for s in starving if s.sends == least])
    if rng.random() < explore:
        return rng.choice([s.variant for s in stats])
    a, b = prior
    draws = [(rng.betavariate(s.successes + a, s.sends - s.successes + b), s.variant) for s in stats]
    return max(draws)[1]


def summarise(
    stats: Sequence[VariantStats],
    *,
    threshold: float = 0.95,
    min_sends: int = 50,
    draws: int = 20000,
    seed: int = 7,
) -> Experiment:
    """Rates with 95% credible intervals and P(best) per variant; a winner only when the evidence is clear."""
    if not stats:
        return Experiment((), None, "no variants")
    rng = np.random.default_rng(seed)
    samples = np.stack([rng.beta(s.successes + 1, s.sends - s.successes + 1, size=draws) for s in stats])
    best = np.bincount(samples.argmax(axis=0), minlength=len(stats)) / draws
    summaries = tuple(
        VariantSummary(
            variant=s.variant,
            sends=s.sends,
            successes=s.successes,
            rate=(s.successes / s.sends) if s.sends else 0.0,
            low=float(beta_dist.ppf(0.025, s.successes + 1, s.sends - s.successes + 1)),
            high=float(beta_dist.ppf(0.975, s.successes + 1, s.sends - s.successes + 1)),
            p_best=float(best[i]),
        )
        for i, s in enumerate(stats)
    )
    if len(stats) < 2:
        return Experiment(summaries, None, "only one variant")
    leader = max(summaries, key=lambda v: v.p_best)
    if any(v.sends < min_sends for v in summaries):
        return Experiment(summaries, None, f"collecting data: every variant needs {min_sends} sends")
    if leader.p_best >= threshold:
        return Experiment(summaries, leader.variant, f"P(best) = {leader.p_best:.1%} >= {threshold:.0%}")
    return Experiment(summaries, None, f"no clear winner yet (leader {leader.variant}: P(best) {leader.p_best:.1%})")


def stats_from(rows: Sequence[Mapping[str, object]]) -> list[VariantStats]:
    """Rows {variant, sends, successes} (e.g. from the graph) to VariantStats."""
    return [
        VariantStats(str(r["variant"]), int(str(r["sends"])), int(str(r["successes"]))) for r in rows if r["variant"]
    ]
