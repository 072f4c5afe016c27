"""Learn a lead-conversion model from CRM history: honest 5-fold CV, a plain baseline, calibration, explanations.

Candidates (compared on the same folds): a regularised logistic regression on carefully prepared columns
(log for skewed numbers, missing-value indicators, one-hot with rare categories pooled), a histogram gradient
boosting model, and a plain logistic regression baseline. The explanations always come from the regularised
logistic regression, so every effect has a sign and a size.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from knowledge.learning.history_columns import ColumnProfile, parse_label, profile_column
from knowledge.learning.history_csv import HistoryError, HistoryTable
from knowledge.learning.leakage import leakage_warnings

MISSING_CATEGORY = "(missing)"


def signed_log1p(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """log1p that keeps the sign, for skewed amounts that can be negative."""
    return np.sign(x) * np.log1p(np.abs(x))  # type: ignore[no-any-return]


@dataclass
class FitReport:
    label: str
    model: str
    auc: float
    auc_std: float
    baseline_auc: float
    baseline_auc_std: float
    candidates: dict[str, dict[str, float]]
    n_rows: int
    n_features: int
    n_encoded_features: int
    positive_rate: float
    brier: float  # of the calibrated model that is saved and predicts, out of fold
    brier_baseline: float
    brier_uncalibrated: float  # the chosen model before calibration, out of fold
    reliability: list[dict[str, float]]  # calibrated, out of fold
    top_features: list[dict[str, Any]]
    columns: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Prepared:
    X: NDArray[Any]
    y: NDArray[np.int_]
    numeric: list[int]
    skewed: list[int]
    categorical: list[int]
    names: list[str]
    profiles: list[ColumnProfile]
    parsed: dict[str, Any]
    warnings: list[str]


def prepare(table: HistoryTable, label: str, exclude: list[str]) -> Prepared:
    """Parse the label and every other column; raise HistoryError for an unknown label/exclude column."""
    if label not in table.columns:
        lowered = {c.lower().strip(): c for c in table.columns}
        if label.lower().strip() in lowered:
            label = lowered[label.lower().strip()]
        else:
            raise HistoryError(f"no column '{label}' in the file; the columns are: {', '.join(table.columns)}")
    unknown = [c for c in exclude if c not in table.columns]
    if unknown:
        raise HistoryError(
            f"--exclude names column(s) not in the file: {', '.join(unknown)}; the columns are: "
            f"{', '.join(table.columns)}"
        )
    warnings = list(table.warnings)
    y_all, keep, label_warnings = parse_label(table.column(label), label)
    warnings += label_warnings
    rows = [r for r, k in zip(table.rows, keep, strict=True) if k]
    y = y_all[keep]
    profiles: list[ColumnProfile] = []
    parsed: dict[str, Any] = {}
    for i, name in enumerate(table.columns):
        if name == label or name in exclude:
            continue
        prof, values = profile_column(name, [r[i] for r in rows])
        profiles.append(prof)
        if prof.kind != "dropped":
            parsed[name] = values
    if not parsed:
        raise HistoryError(
            "no usable feature columns: every column besides the label is empty, constant, an identifier or "
            "free text (see the column list with --json)"
        )
    names = list(parsed)
    by_name = {p.name: p for p in profiles}
    used = [by_name[n] for n in names]
    numeric = [j for j, pr in enumerate(used) if pr.kind == "numeric" and not pr.skewed]
    skewed = [j for j, pr in enumerate(used) if pr.kind == "numeric" and pr.skewed]
    categorical = [j for j, pr in enumerate(used) if pr.kind == "categorical"]
    X = prepare_columns(used, parsed, len(y))
    return Prepared(X, y, numeric, skewed, categorical, names, profiles, parsed, warnings)


def prepare_columns(profiles: list[ColumnProfile], parsed: dict[str, Any], n: int) -> NDArray[Any]:
    """The model's input matrix: one object column per used profile, in order (training and prediction alike)."""
    X = np.empty((n, len(profiles)), dtype=object)
    for j, prof in enumerate(profiles):
        values = parsed[prof.name]
        if isinstance(values, np.ndarray):
            X[:, j] = values
        else:
            X[:, j] = [MISSING_CATEGORY if v is None else v for v in values]
    return X


@dataclass
class HistoryModel:
    """What `amia scoring fit --save` stores and `amia scoring predict` uses.

    ``estimator`` is the calibrated model that gives probabilities; ``explainer`` is the regularised logistic
    regression fitted on all rows, used only to say why a row scores as it does (its per-feature terms relative
    to the training average). ``profiles`` say how to read each input column, in model order.
    """

    label: str
    model_name: str
    auc: float
    estimator: Any
    explainer: Pipeline
    profiles: list[ColumnProfile]
    z_mean: NDArray[np.float64]
    positive_rate: float

    @property
    def columns(self) -> list[str]:
        return [p.name for p in self.profiles]


def _to_float(x: NDArray[Any]) -> NDArray[np.float64]:
    return np.asarray(x, dtype=float)


def _min_frequency(n: int) -> int:
    return max(5, int(0.01 * n))


def regularised_lr(p: Prepared, c: float) -> Pipeline:
    num = make_pipeline(
        FunctionTransformer(_to_float, feature_names_out="one-to-one"),
        SimpleImputer(strategy="median", add_indicator=True),
        StandardScaler(),
    )
    skew = make_pipeline(
        FunctionTransformer(_to_float, feature_names_out="one-to-one"),
        FunctionTransformer(signed_log1p, feature_names_out="one-to-one"),
        SimpleImputer(strategy="median"),
        StandardScaler(),
    )
    cat = OneHotEncoder(
        handle_unknown="ignore", min_frequency=_min_frequency(len(p.y)), drop="if_binary", sparse_output=False
    )
    # skewed columns enter twice: on a log scale and as they are; the regularisation picks what helps
    pre = ColumnTransformer(
        [("num", num, p.numeric + p.skewed), ("log", skew, p.skewed), ("cat", cat, p.categorical)], remainder="drop"
    )
    return Pipeline([("prep", pre), ("model", LogisticRegression(C=c, max_iter=3000))])


def plain_lr(p: Prepared) -> Pipeline:
    num = make_pipeline(
        FunctionTransformer(_to_float, feature_names_out="one-to-one"),
        SimpleImputer(strategy="median"),
        StandardScaler(),
    )
    cat = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    pre = ColumnTransformer([("num", num, p.numeric + p.skewed), ("cat", cat, p.categorical)], remainder="drop")
    return Pipeline([("prep", pre), ("model", LogisticRegression(max_iter=3000))])


def boosting(p: Prepared) -> Pipeline:
    cats = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        min_frequency=_min_frequency(len(p.y)),
        max_categories=200,
    )
    pre = ColumnTransformer(
        [
            ("num", FunctionTransformer(_to_float, feature_names_out="one-to-one"), p.numeric + p.skewed),
            ("cat", cats, p.categorical),
        ],
        remainder="drop",
    )
    n_num = len(p.numeric) + len(p.skewed)
    mask = [False] * n_num + [True] * len(p.categorical)
    model = HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=250,
        max_leaf_nodes=15,
        min_samples_leaf=max(20, len(p.y) // 200),
        l2_regularization=1.0,
        categorical_features=mask if any(mask) else None,
        early_stopping=False,
        random_state=0,
    )
    return Pipeline([("prep", pre), ("model", model)])


def _cv(estimator: BaseEstimator, p: Prepared, folds: StratifiedKFold) -> tuple[float, float, NDArray[np.float64]]:
    oof = np.zeros(len(p.y))
    aucs = []
    for train, test in folds.split(p.X, p.y):
        model = clone(estimator).fit(p.X[train], p.y[train])
        oof[test] = model.predict_proba(p.X[test])[:, 1]
        aucs.append(roc_auc_score(p.y[test], oof[test]))
    return float(np.mean(aucs)), float(np.std(aucs)), oof


def _choose_c(p: Prepared, seed: int) -> float:
    """Regularisation strength by 3-fold log loss on a grid (log loss also rewards calibrated probabilities)."""
    inner = StratifiedKFold(3, shuffle=True, random_state=seed + 1)
    best_c, best = 1.0, np.inf
    for c in (0.03, 0.1, 0.3, 1.0, 3.0):
        oof = _cv(regularised_lr(p, c), p, inner)[2]
        loss = float(log_loss(p.y, np.clip(oof, 1e-6, 1 - 1e-6)))
        if loss < best - 1e-5:
            best_c, best = c, loss
    return best_c


def reliability_bins(y: NDArray[np.int_], prob: NDArray[np.float64], bins: int = 10) -> list[dict[str, float]]:
    """Predicted vs observed rate per probability decile (equal-count bins)."""
    order = np.argsort(prob)
    out = []
    for chunk in np.array_split(order, bins):
        if len(chunk) == 0:
            continue
        out.append(
            {
                "predicted": round(float(prob[chunk].mean()), 4),
                "observed": round(float(y[chunk].mean()), 4),
                "n": len(chunk),
            }
        )
    return out


def pretty_feature(raw: str, names: list[str]) -> tuple[str, str]:
    """ColumnTransformer feature name ('cat__x3_fintech', 'log__x1', 'num__missingindicator_x2') → readable."""
    part, _, rest = raw.partition("__")
    missing = rest.startswith("missingindicator_")
    rest = rest.removeprefix("missingindicator_")
    index, _, value = rest.partition("_")
    try:
        column = names[int(index.removeprefix("x"))]
    except (ValueError, IndexError):
        return rest, rest
    if missing:
        return f"{column} (missing)", column
    if part == "cat":
        return f"{column} = {value}", column
    return (f"{column} (log)" if part == "log" else column), column


def explain(model: Pipeline, p: Prepared, top: int = 10) -> list[dict[str, Any]]:
    """Per-feature effect of the fitted logistic regression: change in log-odds for one SD (or the category)."""
    prep = model.named_steps["prep"]
    lr = model.named_steps["model"]
    raw_names = prep.get_feature_names_out()
    Z = prep.transform(p.X)
    sd = Z.std(axis=0)
    coefs = lr.coef_[0]
    rows: list[dict[str, Any]] = []
    for raw, coef, s in zip(raw_names, coefs, sd, strict=True):
        if s == 0:
            continue
        name, column = pretty_feature(str(raw), p.names)
        effect = float(coef * s)
        rows.append(
            {
                "feature": name,
                "column": column,
                "effect": round(effect, 4),
                "direction": "raises" if effect > 0 else "lowers",
                "odds_ratio_per_sd": round(float(np.exp(effect)), 3),
            }
        )
    rows.sort(key=lambda r: -abs(float(r["effect"])))
    return rows[:top]


def fit_history(
    table: HistoryTable, label: str, exclude: list[str] | None = None, *, seed: int = 0
) -> tuple[FitReport, HistoryModel]:
    """Cross-validate the candidates, choose the best honestly, fit it (calibrated) on all rows."""
    t0 = time.perf_counter()
    p = prepare(table, label, list(exclude or []))
    warnings = list(p.warnings)
    leak, _ = leakage_warnings(p.parsed, p.y)
    warnings += leak
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    c = _choose_c(p, seed)
    lr = regularised_lr(p, c)
    lr_auc, lr_sd, lr_oof = _cv(lr, p, folds)
    base_auc, base_sd, base_oof = _cv(plain_lr(p), p, folds)
    hgb = boosting(p)
    hgb_auc, hgb_sd, hgb_oof = _cv(hgb, p, folds)
    candidates = {
        "logistic_regression": {"auc": round(lr_auc, 4), "auc_std": round(lr_sd, 4), "C": c},
        "hist_gradient_boosting": {"auc": round(hgb_auc, 4), "auc_std": round(hgb_sd, 4)},
        "baseline_logistic_regression": {"auc": round(base_auc, 4), "auc_std": round(base_sd, 4)},
    }
    # boosting must beat the explainable model clearly (more than one fold-sd of noise) to be chosen
    use_hgb = hgb_auc > lr_auc + max(0.01, min(hgb_sd, lr_sd))
    name, main, auc, sd, oof = (
        ("hist_gradient_boosting", hgb, hgb_auc, hgb_sd, hgb_oof)
        if use_hgb
        else ("logistic_regression", lr, lr_auc, lr_sd, lr_oof)
    )
    if auc < base_auc:
        warnings.append(
            f"the prepared model ({auc:.3f}) did not beat the plain baseline ({base_auc:.3f}); the data may be small "
            "or the signal weak"
        )
    if auc < 0.6:
        warnings.append(f"AUC {auc:.2f} is close to chance: these columns barely predict '{label}'")
    lr_full = clone(lr).fit(p.X, p.y)
    top = explain(lr_full, p)
    method = "isotonic" if len(p.y) >= 5000 else "sigmoid"
    calibrated = CalibratedClassifierCV(clone(main), method=method, cv=5)
    # the probabilities people see come from the calibrated model, so its Brier score and reliability are
    # measured out of fold too (calibration fitted inside each training fold, never on the rows it is scored on)
    cal_oof = _cv(CalibratedClassifierCV(clone(main), method=method, cv=3), p, folds)[2]
    final = calibrated.fit(p.X, p.y)
    report = FitReport(
        label=label,
        model=name,
        auc=round(auc, 4),
        auc_std=round(sd, 4),
        baseline_auc=round(base_auc, 4),
        baseline_auc_std=round(base_sd, 4),
        candidates=candidates,
        n_rows=len(p.y),
        n_features=len(p.names),
        n_encoded_features=len(lr_full.named_steps["prep"].get_feature_names_out()),
        positive_rate=round(float(p.y.mean()), 4),
        brier=round(float(brier_score_loss(p.y, cal_oof)), 4),
        brier_baseline=round(float(brier_score_loss(p.y, base_oof)), 4),
        brier_uncalibrated=round(float(brier_score_loss(p.y, oof)), 4),
        reliability=reliability_bins(p.y, cal_oof),
        top_features=top,
        columns=[
            {"name": pr.name, "use": pr.kind, "reason": pr.reason, "missing": round(pr.missing_share, 3)}
            for pr in p.profiles
        ],
        warnings=warnings,
        seconds=round(time.perf_counter() - t0, 2),
    )
    by_name = {pr.name: pr for pr in p.profiles}
    model = HistoryModel(
        label=label,
        model_name=name,
        auc=round(auc, 4),
        estimator=final,
        explainer=lr_full,
        profiles=[by_name[n] for n in p.names],
        z_mean=np.asarray(lr_full.named_steps["prep"].transform(p.X), dtype=float).mean(axis=0),
        positive_rate=float(p.y.mean()),
    )
    return report, model
