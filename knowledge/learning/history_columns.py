"""Turn CRM text cells into model inputs: placeholders, numbers with currency/thousands, dates, labels.

Each column is profiled as numeric, date, categorical or dropped (identifier, free text, constant, empty), with
the reason, so the fit report can say what was used and why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from knowledge.learning.history_csv import HistoryError

MISSING = frozenset(
    {
        "", "-", "--", "---", "?", "n/a", "n.a.", "#n/a", "none", "null", "nil", "nan", "unknown",
        "unk", "(blank)", "blank", "not available", "not set", "tbd", "undefined", "#value!", "#ref!", "(none)",
        "(not set)", "missing", "no data", "0000-00-00",
    }
)  # fmt: skip
"""Cell values that mean 'no value' in CRM exports (compared lower-cased and stripped)."""

POSITIVE = frozenset(
    {
        "1", "1.0", "true", "t", "yes", "y", "won", "win", "closed won", "closedwon", "closed-won", "closed_won",
        "converted", "success", "successful", "positive", "customer", "x", "✓", "ja", "oui", "si", "sí",
    }
)  # fmt: skip
NEGATIVE = frozenset(
    {
        "0", "0.0", "false", "f", "no", "n", "lost", "loss", "closed lost", "closedlost", "closed-lost",
        "closed_lost", "not converted", "unconverted", "failure", "failed", "negative", "churned", "nein", "non",
        "disqualified", "unqualified",
    }
)  # fmt: skip

_CURRENCY = re.compile(r"^(?:[A-Z]{3}\s*)?[$€£¥₹₩]?\s*|\s*(?:[$€£¥₹₩]|[A-Z]{3})$")
_NUMBER = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:[,.' \u00a0\u202f]\d{3})+)(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
_SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%B %d, %Y",
)


def is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING


def parse_number(cell: str) -> float | None:
    """'$1,234.50' → 1234.5, '1.234,5 €' → 1234.5, '(300)' → -300, '12%' → 12, '2.5M' → 2.5e6; else None."""
    s = cell.strip()
    if not s:
        return None
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1].strip()
    s = _CURRENCY.sub("", s).strip()
    s = s.removesuffix("%").strip()
    mult = 1.0
    low = s.lower()
    for suf in ("mm", "bn", "k", "m", "b"):
        if low.endswith(suf) and low[: -len(suf)].strip()[-1:].isdigit():
            mult, s = _SUFFIX[suf], s[: -len(suf)].strip()
            break
    if s.startswith("+"):
        s = s[1:]
    if not _NUMBER.match(s.replace("\u2212", "-")):
        return None
    s = s.replace("\u2212", "-")
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_comma > last_dot:  # European decimal comma ("1.234,5") unless it groups thousands ("1,234")
        tail = s[last_comma + 1 :]
        if len(tail) == 3 and last_dot == -1 and s.count(",") >= 1 and not re.match(r"^-?0,", s):
            s = s.replace(",", "")
        else:
            s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    s = re.sub(r"['\s\u00a0\u202f]", "", s)
    if s.count(".") > 1:  # "1.234.567" thousands with dots
        s = s.replace(".", "")
    try:
        value = float(s) * mult
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return -value if negative else value


def parse_date(cell: str) -> datetime | None:
    s = cell.strip()
    if len(s) < 6 or not any(ch.isdigit() for ch in s):
        return None
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return d if d.tzinfo else d.replace(tzinfo=UTC)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_label(values: list[str], column: str) -> tuple[NDArray[np.int_], NDArray[np.bool_], list[str]]:
    """0/1 labels, a mask of rows with a usable label, and warnings. Raises HistoryError when unusable."""
    warnings: list[str] = []
    y = np.zeros(len(values), dtype=int)
    keep = np.zeros(len(values), dtype=bool)
    unknown: dict[str, int] = {}
    blanks = 0
    for i, raw in enumerate(values):
        v = " ".join(raw.strip().lower().split())
        if is_missing(v):
            blanks += 1
            continue
        num = parse_number(v)
        if v in POSITIVE or (num is not None and num == 1):
            y[i], keep[i] = 1, True
        elif v in NEGATIVE or (num is not None and num == 0):
            keep[i] = True
        elif re.search(r"\bwon\b", v) and not re.search(r"\bnot\b", v):
            y[i], keep[i] = 1, True
        elif re.search(r"\blost\b", v):
            keep[i] = True
        else:
            unknown[raw.strip()] = unknown.get(raw.strip(), 0) + 1
    n_unknown = sum(unknown.values())
    shown = ", ".join(f"'{k}' ({n})" for k, n in sorted(unknown.items(), key=lambda kv: -kv[1])[:6])
    if keep.sum() == 0 or keep.sum() < 0.1 * (keep.sum() + n_unknown):
        raise HistoryError(
            f"label column '{column}': cannot tell positive from negative in values like {shown or 'blanks only'}; "
            "use a yes/no, true/false, 1/0 or won/lost column (or 'Closed Won'/'Closed Lost' stages)"
        )
    if n_unknown:
        warnings.append(
            f"label '{column}': {n_unknown} row(s) with values that are neither a win nor a loss were left out: {shown}"
        )
    if blanks:
        warnings.append(f"label '{column}': {blanks} row(s) with a blank label were left out")
    pos, neg = int(y[keep].sum()), int(keep.sum() - y[keep].sum())
    if pos == 0 or neg == 0:
        which = "positive" if neg == 0 else "negative"
        raise HistoryError(
            f"label column '{column}' has only one class: all {int(keep.sum())} labelled rows are {which}; "
            "a model needs both wins and losses"
        )
    if min(pos, neg) < 5:
        raise HistoryError(
            f"label column '{column}' has {pos} positive and {neg} negative rows; 5-fold validation needs at "
            "least 5 of each"
        )
    return y, keep, warnings


@dataclass
class ColumnProfile:
    name: str
    kind: str  # numeric | date | categorical | dropped
    reason: str
    missing_share: float
    skewed: bool = False
    anchor: float | None = None  # dates: the latest timestamp in the training file (values are days before it)


def profile_column(name: str, cells: list[str]) -> tuple[ColumnProfile, NDArray[np.float64] | list[str | None]]:
    """Decide how a column is used and return its parsed values (floats with NaN, or category strings/None)."""
    n = len(cells)
    present = [c for c in cells if not is_missing(c)]
    missing_share = 1 - len(present) / n if n else 1.0
    if not present:
        return ColumnProfile(name, "dropped", "empty", 1.0), []
    if len({c.lower() for c in present}) == 1 and missing_share == 0:
        return ColumnProfile(name, "dropped", "the same value in every row", missing_share), []
    nums = [parse_number(c) for c in present]
    ok = sum(v is not None for v in nums)
    if ok / len(present) >= 0.95:
        parsed = [None if is_missing(c) else parse_number(c) for c in cells]
        arr = np.array([np.nan if v is None else v for v in parsed], dtype=float)
        finite = arr[np.isfinite(arr)]
        unique = np.unique(finite)
        if (
            len(unique) > 0.98 * len(finite)
            and len(finite) > 50
            and np.all(finite == np.round(finite))
            and re.search(r"(^|[^a-z])(id|key|number|no|num)($|[^a-z])", name.lower())
        ):
            return ColumnProfile(name, "dropped", "looks like a record identifier", missing_share), []
        if len(unique) <= 1:
            return ColumnProfile(name, "dropped", "the same number in every row", missing_share), []
        skewed = _skewed(finite)
        return ColumnProfile(name, "numeric", "numbers", missing_share, skewed=skewed), arr
    sample = present[:: max(1, len(present) // 200)]  # most columns are not dates: decide on a sample first
    if sum(parse_date(c) is not None for c in sample) / len(sample) >= 0.9 and (
        sum(parse_date(c) is not None for c in present) / len(present) >= 0.9
    ):
        when = [None if is_missing(c) else parse_date(c) for c in cells]
        latest = max(d.timestamp() for d in when if d is not None)
        arr = np.array([np.nan if d is None else (latest - d.timestamp()) / 86400 for d in when], dtype=float)
        return ColumnProfile(
            name, "numeric", "dates (days before the latest)", missing_share, _skewed(arr[np.isfinite(arr)]), latest
        ), arr
    lowered = [" ".join(c.lower().split()) for c in present]
    distinct = len(set(lowered))
    avg_len = sum(len(c) for c in present) / len(present)
    if distinct > 0.9 * len(present) and len(present) > 50:
        kind = "free text" if avg_len > 30 else "a unique value per row (an identifier, name or email)"
        return ColumnProfile(name, "dropped", kind, missing_share), []
    if avg_len > 60 and distinct > 0.5 * len(present):
        return ColumnProfile(name, "dropped", "free text", missing_share), []
    values: list[str | None] = [None if is_missing(c) else " ".join(c.lower().split()) for c in cells]
    return ColumnProfile(name, "categorical", f"{distinct} categories", missing_share), values


def parse_like(profile: ColumnProfile, cells: list[str]) -> NDArray[np.float64] | list[str | None]:
    """Parse new cells the way the training column was read (numbers, dates against the same anchor, categories).

    Unparseable cells become missing rather than errors: a scoring run over an open pipeline should not fail on
    one bad cell, and the model was trained with missing values.
    """
    if profile.kind == "categorical":
        return [None if is_missing(c) else " ".join(c.lower().split()) for c in cells]
    if profile.anchor is not None:
        when = [None if is_missing(c) else parse_date(c) for c in cells]
        return np.array([np.nan if d is None else (profile.anchor - d.timestamp()) / 86400 for d in when], dtype=float)
    values = [None if is_missing(c) else parse_number(c) for c in cells]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _skewed(values: NDArray[np.float64]) -> bool:
    if len(values) < 10:
        return False
    sd = float(values.std())
    if sd == 0:
        return False
    skew = float(np.mean(((values - values.mean()) / sd) ** 3))
    return abs(skew) > 1.0
