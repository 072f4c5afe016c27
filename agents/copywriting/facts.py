"""What the copywriter may say about a prospect: stored facts and signals, each with its id and source."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel

from agents.persona import CaseStudy
from agents.policies.compliance import EvidenceFact
from knowledge.graph.store import CompanyProfile


class CitedFact(BaseModel):
    """A fact the draft may state, worded as the source words it (``text``), with where it comes from."""

    fact_id: str
    kind: Literal["signal", "fact", "case"]
    label: str
    text: str
    source_url: str | None = None

    @property
    def source_host(self) -> str:
        return (urlsplit(self.source_url or "").hostname or "").removeprefix("www.")


def _sentence(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def citable_facts(profile: CompanyProfile) -> list[CitedFact]:
    """Signals (newest, surest first) then technology facts; only ones with a source URL are citable."""
    out: list[CitedFact] = []
    signals = sorted(profile.signals, key=lambda s: (s.occurred_at or s.recorded_at or 0, s.confidence), reverse=True)  # type: ignore[arg-type, return-value]
    for s in signals:
        if s.source_url and s.evidence:
            out.append(
                CitedFact(
                    fact_id=s.signal_id,
                    kind="signal",
                    label=s.type,
                    text=_sentence(s.evidence),
                    source_url=s.source_url,
                )
            )
    for f in profile.facts:
        if f.source_url and f.predicate == "USES":
            out.append(CitedFact(fact_id=f.fact_id, kind="fact", label="uses", text=f.object, source_url=f.source_url))
    return out


def evidence_for(profile: CompanyProfile, cases: list[CaseStudy]) -> dict[str, EvidenceFact]:
    """Every stored fact the evidence check may accept, with the words that support it."""
    out: dict[str, EvidenceFact] = {}
    for s in profile.signals:
        attrs = " ".join(f"{k} {v}" for k, v in s.attributes.items())
        out[s.signal_id] = EvidenceFact(fact_id=s.signal_id, source_url=s.source_url, text=f"{s.evidence} {attrs}")
    for f in profile.facts:
        attrs = " ".join(f"{k} {v}" for k, v in f.attributes.items())
        out[f.fact_id] = EvidenceFact(
            fact_id=f.fact_id, source_url=f.source_url, text=f"{f.object} {f.evidence or ''} {attrs}"
        )
    for c in cases:
        out[f"case:{c.case_id}"] = EvidenceFact(
            fact_id=f"case:{c.case_id}", source_url=c.url, text=" ".join([c.customer, *c.summary.values()])
        )
    return out
