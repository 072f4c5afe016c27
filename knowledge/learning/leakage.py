"""Leakage checks: columns that look filled in after contact, or that predict the label almost perfectly alone."""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

LEAKY_NAME = re.compile(
    r"close_?d?_?date|closed|(^|_)stage|deal_?stage|(^|_)won|is_won|(^|_)lost|lost_reason|(^|_)reason|"
    r"last_activity|last_contact|last_modified|last_engage|modified|next_step|outcome|(^|_)status|converted|"
    r"conversion|became_|customer_since|date_entered|entered_|lifecycle|days_to_close|time_to_close|forecast|"
    r"probability|churn|(^|_)result|win_|loss_|signed|contract_|renewal|revenue_won|closed_won|close_reason"
)
"""Column-name patterns of fields CRMs fill in after the outcome is known (normalised names: lower, '_')."""

NEAR_PERFECT_AUC = 0.95


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def name_looks_leaky(name: str) -> bool:
    return bool(LEAKY_NAME.search(normalise_name(name)))


def _auc(y: NDArray[np.int_], score: NDArray[np.float64]) -> float:
    if np.unique(score).size < 2:
        return 0.5
    a = float(roc_auc_score(y, score))
    return max(a, 1 - a)


def single_column_auc(values: NDArray[np.float64] | list[str | None], y: NDArray[np.int_], seed: int = 0) -> float:
    """How well one column ranks the label by itself (its values, and whether it is blank), 0.5-1."""
    if isinstance(values, np.ndarray):
        missing = ~np.isfinite(values)
        filled = np.where(missing, np.nanmedian(values) if (~missing).any() else 0.0, values)
        return max(_auc(y, filled), _auc(y, missing.astype(float)))
    # categories: out-of-fold target-mean encoding, so a unique value per row earns nothing
    cats = np.array(["\x00" if v is None else v for v in values], dtype=object)
    encoded = np.zeros(len(cats))
    prior = float(y.mean())
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(cats, y):
        means: dict[str, tuple[float, int]] = {}
        for c, label in zip(cats[train], y[train], strict=True):
            s, n = means.get(c, (0.0, 0))
            means[c] = (s + label, n + 1)
        encoded[test] = [(means[c][0] + prior * 5) / (means[c][1] + 5) if c in means else prior for c in cats[test]]
    missing_auc = _auc(y, (cats == "\x00").astype(float))
    return max(_auc(y, encoded), missing_auc)


def leakage_warnings(
    columns: dict[str, NDArray[np.float64] | list[str | None]], y: NDArray[np.int_]
) -> tuple[list[str], dict[str, float]]:
    """Warnings for suspicious columns, and each column's single-column AUC."""
    warnings: list[str] = []
    aucs: dict[str, float] = {}
    for name, values in columns.items():
        auc = single_column_auc(values, y)
        aucs[name] = auc
        if auc >= NEAR_PERFECT_AUC:
            warnings.append(
                f"possible leakage: '{name}' alone predicts the label with AUC {auc:.2f}; if it is filled in after "
                f"contact, rerun with --exclude '{name}'"
            )
        elif name_looks_leaky(name):
            warnings.append(
                f"possible leakage: '{name}' looks like a field filled in after contact (AUC alone {auc:.2f}); "
                f"if so, rerun with --exclude '{name}'"
            )
    return warnings, aucs
