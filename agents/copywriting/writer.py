"""Writers turn a brief into one step (subjects, body, claims). The template writer is deterministic; a model
writer plugs in through the same protocol and must cite real facts or it is rejected and retried (bounded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, Field

from agents.copywriting.facts import CitedFact
from agents.persona import CaseStudy
from agents.policies.compliance import Claim, Finding

TEMPLATES = Path(__file__).parent / "templates"
Angle = Literal["signal", "pain", "case_study", "breakup"]


class WritingBrief(BaseModel):
    """Everything a writer may use. Facts are the only things it may state about the prospect."""

    angle: Angle
    step: int
    language: str
    company: str
    first_name: str | None = None
    full_name: str | None = None
    formal: bool = False
    sender_name: str
    sign_off: str
    value_prop: str | None = None
    facts: list[CitedFact] = Field(default_factory=list)
    case: CaseStudy | None = None
    voice: str = ""


class WrittenStep(BaseModel):
    subjects: list[str]
    body: str
    claims: list[Claim]
    mode: Literal["template", "llm"] = "template"


class Writer(Protocol):
    """Writes one step. Implementations: TemplateWriter (deterministic) and the LLM writer (agents.llm)."""

    async def write(self, brief: WritingBrief) -> WrittenStep: ...


def available_languages() -> set[str]:
    return {p.name for p in TEMPLATES.iterdir() if p.is_dir()}


class TemplateWriter:
    """Fills agents/copywriting/templates/<lang>/<angle>.j2; `cite(fact)` inserts a fact and records the claim."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            undefined=StrictUndefined,
            autoescape=select_autoescape(default=False, default_for_string=False),
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    async def write(self, brief: WritingBrief) -> WrittenStep:
        claims: list[Claim] = []

        def cite(fact: CitedFact) -> str:
            claims.append(Claim(text=fact.text, fact_id=fact.fact_id, source_url=fact.source_url))
            return fact.text

        def cite_case(case: CaseStudy) -> str:
            text = case.summary.get(brief.language) or next(iter(case.summary.values()))
            claims.append(Claim(text=text, fact_id=f"case:{case.case_id}", source_url=case.url, kind="persona"))
            return text

        template = self._env.get_template(f"{brief.language}/{brief.angle}.j2")
        signal = next((f for f in brief.facts if f.kind == "signal"), None)
        pain = next((f for f in brief.facts if f.kind == "fact"), None) or next(
            (f for f in brief.facts if f.kind == "signal" and f.label == "hiring"), None
        )
        values: dict[str, Any] = brief.model_dump() | {
            "signal": signal,
            "pain": pain,
            "case": brief.case,
            "cite": cite,
            "cite_case": cite_case,
        }
        ctx = template.new_context(values)
        parts = {name: "".join(block(ctx)).strip() for name, block in template.blocks.items()}
        subjects = [parts[k] for k in ("subject_a", "subject_b") if parts.get(k)]
        body = parts["body"]
        unique: dict[tuple[str, str], Claim] = {(c.fact_id, c.text): c for c in claims}
        return WrittenStep(subjects=subjects, body=body, claims=list(unique.values()))


async def write_checked(
    writer: Writer, brief: WritingBrief, *, attempts: int = 3, fallback: Writer | None = None
) -> tuple[WrittenStep, list[Finding]]:
    """Ask ``writer``; reject output citing facts not in the brief (or nothing, when facts exist); retry, then
    fall back to the template writer with a finding. Nothing uncited reaches the reviewer from here."""
    known = {f.fact_id for f in brief.facts} | ({f"case:{brief.case.case_id}"} if brief.case else set())
    findings: list[Finding] = []
    for attempt in range(1, attempts + 1):
        step = await writer.write(brief)
        bogus = [c for c in step.claims if c.fact_id not in known]
        missing = [c for c in step.claims if " ".join(c.text.split()) not in " ".join(step.body.split())]
        if not bogus and not missing and (step.claims or not known or step.mode == "template"):
            return step, findings
        findings.append(
            Finding(
                rule="writer.rejected",
                severity="info",
                text=f"attempt {attempt}: {len(bogus)} unknown and {len(missing)} absent citations",
                fix="the writer must cite facts from the brief, quoting them",
            )
        )
    step = await (fallback or TemplateWriter()).write(brief)
    findings.append(
        Finding(
            rule="writer.fallback",
            severity="flag",
            text="model output never cited real facts",
            fix="this step was written from templates instead; review the wording",
        )
    )
    return step, findings
