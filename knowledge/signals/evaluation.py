"""Score detected signal types against a labelled corpus: per-type, micro/macro and per-language P/R/F1, and the
items behind every false positive and false negative (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from knowledge.models import SignalType

SIGNAL_TYPES = tuple(t.value for t in SignalType)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Miss:
    id: str
    lang: str
    type: str
    text: str
    evidence: str = ""  # the sentence the detector gave, for a false positive


@dataclass
class Report:
    items: int
    per_type: dict[str, Counts]
    per_lang: dict[str, Counts]
    false_positives: list[Miss] = field(default_factory=list)
    false_negatives: list[Miss] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for c in self.per_type.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        return total

    @property
    def macro_f1(self) -> float:
        scored = [c.f1 for c in self.per_type.values() if c.tp + c.fp + c.fn]
        return sum(scored) / len(scored) if scored else 0.0

    def as_dict(self) -> dict[str, Any]:
        def row(c: Counts) -> dict[str, Any]:
            return {
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "precision": round(c.precision, 3),
                "recall": round(c.recall, 3),
                "f1": round(c.f1, 3),
            }

        return {
            "items": self.items,
            "micro": row(self.micro),
            "macro_f1": round(self.macro_f1, 3),
            "per_type": {t: row(c) for t, c in self.per_type.items()},
            "per_lang": {lang: row(c) for lang, c in self.per_lang.items()},
        }


def evaluate(items: Sequence[Mapping[str, Any]], predictions: Mapping[str, Iterable[Mapping[str, Any]]]) -> Report:
    """``items``: {"id","lang","text","expected":[type…]}; ``predictions``: id → the CLI's signal dicts.
    An item counts each signal type once (several sentences about one event are one prediction)."""
    per_type = {t: Counts() for t in SIGNAL_TYPES}
    per_lang: dict[str, Counts] = {}
    report = Report(len(items), per_type, per_lang)
    for item in items:
        expected = set(item.get("expected") or [])
        evidence: dict[str, str] = {}
        for signal in predictions.get(str(item["id"]), []):
            evidence.setdefault(str(signal["type"]), str(signal.get("evidence", "")))
        lang = str(item.get("lang", "?"))
        lang_counts = per_lang.setdefault(lang, Counts())
        for kind in expected | set(evidence):
            counts = per_type.setdefault(kind, Counts())
            if kind in expected and kind in evidence:
                counts.tp += 1
                lang_counts.tp += 1
            elif kind in evidence:
                counts.fp += 1
                lang_counts.fp += 1
                report.false_positives.append(Miss(str(item["id"]), lang, kind, str(item["text"]), evidence[kind]))
            else:
                counts.fn += 1
                lang_counts.fn += 1
                report.false_negatives.append(Miss(str(item["id"]), lang, kind, str(item["text"])))
    return report
