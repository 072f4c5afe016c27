"""detect_signals(text): every business event the rules find, each with its exact evidence sentence and date."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge.signals.intl import INTL_RULES
from knowledge.signals.rules import RULES, RuleHit
from knowledge.signals.text import find_date, guess_language, split_sentences

EXTRACTOR = "rules:signals@1"
MAX_SENTENCE = 1200  # longer "sentences" are page chrome, not statements


@dataclass
class DetectedSignal:
    type: str
    evidence: str
    confidence: float
    date: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    key: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "evidence": self.evidence, "confidence": self.confidence}
        if self.date:
            out["date"] = self.date
        out["attributes"] = self.attributes
        return out


def dateline(text: str) -> str | None:
    """The document's own date when it opens with one ('BERLIN, March 3, 2026 – …', a date line under the
    headline); background dates ('Founded in March 2015, …') are not taken."""
    for sentence in split_sentences(text[:200])[:3]:
        date = find_date(sentence.text)
        if date:
            return date
    return None


def detect_signals(text: str, *, document_date: str | None = None) -> list[DetectedSignal]:
    """Signals in ``text``, strongest per event first in text order; never raises on odd input."""
    if not text or not text.strip():
        return []
    doc_date = document_date or dateline(text)
    rules = RULES + INTL_RULES if guess_language(text) == "en" else INTL_RULES + RULES
    found: dict[tuple[str, str], DetectedSignal] = {}
    order: list[tuple[str, str]] = []
    for sentence in split_sentences(text):
        s = sentence.text
        if len(s) > MAX_SENTENCE or len(s) < 12:
            continue
        kinds: set[str] = set()
        for rule in rules:
            for hit in rule(s):
                if hit.type in kinds and (rule in INTL_RULES) != (rules[0] in INTL_RULES):
                    continue  # the text's own language's rule already read this sentence
                kinds.add(hit.type)
                signal = _signal(hit, s, doc_date)
                ident = (hit.type, hit.key or s)
                current = found.get(ident)
                if current is None:
                    found[ident] = signal
                    order.append(ident)
                elif _better(signal, current):
                    signal.attributes = {**current.attributes, **signal.attributes}
                    found[ident] = signal
                else:
                    current.attributes = {**signal.attributes, **current.attributes}
    return [found[i] for i in order]


def _signal(hit: RuleHit, sentence: str, doc_date: str | None) -> DetectedSignal:
    return DetectedSignal(
        hit.type, sentence, hit.confidence, find_date(sentence) or doc_date, dict(hit.attributes), hit.key
    )


def _better(new: DetectedSignal, old: DetectedSignal) -> bool:
    return (new.confidence, len(new.attributes)) > (old.confidence, len(old.attributes))
