"""Score an open pipeline (a CRM export of leads not yet decided) with the model learned from CRM history.

Columns are matched to the training columns by name (case and spacing ignored) and read exactly as in training
(numbers with currency, dates against the training anchor, categories lower-cased). A training column missing
from the file is treated as missing in every row and named in a warning; a file with none of them is refused.
Each row gets the calibrated probability and the three columns that move it most, from the explainable logistic
regression, relative to an average training row.
"""

from __future__ import annotations

import warnings as warnings_module
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from knowledge.learning.history_columns import parse_like
from knowledge.learning.history_csv import HistoryError, HistoryTable
from knowledge.learning.history_fit import MISSING_CATEGORY, HistoryModel, prepare_columns, pretty_feature


@dataclass
class Reason:
    column: str
    value: str
    effect: float  # change in log-odds against an average training row; > 0 raises the probability


@dataclass
class Prediction:
    line: int  # 1-based data row in the file (the header is row 0)
    id: str
    probability: float
    reasons: list[Reason]


@dataclass
class PredictReport:
    label: str
    model: str
    trained_auc: float
    n_rows: int
    id_column: str | None
    warnings: list[str] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _id_column(table: HistoryTable, model: HistoryModel, requested: str | None) -> str | None:
    by_key = {_key(c): c for c in table.columns}
    if requested:
        if _key(requested) not in by_key:
            raise HistoryError(
                f"--id: no column '{requested}' in the file; the columns are: {', '.join(table.columns)}"
            )
        return by_key[_key(requested)]
    used = {_key(c) for c in model.columns} | {_key(model.label)}
    best: tuple[int, str] | None = None
    for i, name in enumerate(table.columns):
        if _key(name) in used:
            continue
        values = [r[i] for r in table.rows if r[i]]
        if not values or len(set(values)) < 0.9 * len(table.rows):
            continue
        # prefer a name over a bare record number: the user reads this column
        rank = 0 if any(w in _key(name) for w in ("company", "account", "name", "domain", "email")) else 1
        if best is None or rank < best[0]:
            best = (rank, name)
    return best[1] if best else None


def predict_history(model: HistoryModel, table: HistoryTable, *, id_column: str | None = None) -> PredictReport:
    """Probability and reasons for every row of ``table``, highest first."""
    by_key = {_key(c): i for i, c in enumerate(table.columns)}
    present = [p for p in model.profiles if _key(p.name) in by_key]
    if not present:
        raise HistoryError(
            f"none of the model's columns are in the file. The model (label '{model.label}') needs: "
            f"{', '.join(model.columns)}; the file has: {', '.join(table.columns)}"
        )
    warnings = list(table.warnings)
    absent = [p.name for p in model.profiles if _key(p.name) not in by_key]
    if absent:
        warnings.append(
            f"column(s) not in the file, treated as missing in every row: {', '.join(absent)} "
            "(predictions lean on the other columns and are less sharp)"
        )
    if _key(model.label) in by_key:
        warnings.append(f"the file has the label column '{model.label}'; it is ignored (predictions never read it)")
    n = len(table.rows)
    parsed: dict[str, Any] = {}
    for prof in model.profiles:
        i = by_key.get(_key(prof.name))
        cells = [r[i] for r in table.rows] if i is not None else [""] * n
        parsed[prof.name] = parse_like(prof, cells)
    X = prepare_columns(model.profiles, parsed, n)
    prep = model.explainer.named_steps["prep"]
    coefs = np.asarray(model.explainer.named_steps["model"].coef_[0], dtype=float)
    with warnings_module.catch_warnings():
        # a category never seen in training (or "(missing)" where training had none) counts as no evidence:
        # the encoders are built for that, and the warning would only alarm the user
        warnings_module.filterwarnings("ignore", message="Found unknown categories", category=UserWarning)
        prob = np.asarray(model.estimator.predict_proba(X)[:, 1], dtype=float)
        terms = (np.asarray(prep.transform(X), dtype=float) - model.z_mean) * coefs
    names = [str(raw) for raw in prep.get_feature_names_out()]
    column_of = [pretty_feature(raw, model.columns)[1] for raw in names]
    columns = model.columns

    ident = _id_column(table, model, id_column)
    id_index = table.columns.index(ident) if ident else None
    predictions: list[Prediction] = []
    for r in range(n):
        per_column: dict[str, float] = {}
        for j, col in enumerate(column_of):
            per_column[col] = per_column.get(col, 0.0) + float(terms[r, j])
        top = sorted(per_column.items(), key=lambda kv: -abs(kv[1]))[:3]
        reasons = [
            Reason(col, _shown(X[r, columns.index(col)], table, by_key, r, col), round(v, 3))
            for col, v in top
            if abs(v) >= 0.01
        ]
        row_id = table.rows[r][id_index] if id_index is not None else ""
        predictions.append(Prediction(r + 1, row_id or f"row {r + 1}", round(float(prob[r]), 4), reasons))
    predictions.sort(key=lambda p: (-p.probability, p.line))
    return PredictReport(model.label, model.model_name, model.auc, n, ident, warnings, predictions)


def _shown(value: Any, table: HistoryTable, by_key: dict[str, int], row: int, column: str) -> str:
    """The cell as the user wrote it (not the parsed number), or '(missing)'."""
    i = by_key.get(_key(column))
    raw = table.rows[row][i] if i is not None else ""
    if raw:
        return raw
    return MISSING_CATEGORY if value is None or value == MISSING_CATEGORY else str(value)
