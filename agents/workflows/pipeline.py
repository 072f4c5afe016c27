"""One entry for a lead: ``process_lead`` runs the agent team in LLM mode and the workflows in order otherwise.

Both modes return the same :class:`LeadOutcome` and say which mode ran (``mode``, ``mode_note``, and per step in
``steps``). When the model fails (endpoint down, wrong key, budget exhausted, junk output), the missing steps are
finished by the deterministic workflows and labelled so — never silently. The score's qualification and the
compliance verdict always come from code.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from agents.copywriting.facts import citable_facts
from agents.copywriting.sequence import DraftPackage
from agents.copywriting.writer import TemplateWriter, Writer, WritingBrief, WrittenStep
from agents.llm.lead import LeadState, LeadTask, ProgressEvent, ProgressSink, TeamResult
from agents.llm.runstore import RunStore
from agents.llm.toolbox import (
    BriefFact,
    DraftOutcome,
    ResearchBrief,
    ReviewOutcome,
    ScoreOutcome,
    Toolbox,
    apply_rules,
)
from agents.persona import LanguagesConfig, PersonaConfig
from agents.policies.compliance_config import ComplianceConfig
from agents.policies.compliance_rules.base import Claim
from agents.policies.icp_config import IcpConfig, ScoringConfig
from agents.workflows.drafting import Sender, choose_language, draft_sequence
from agents.workflows.review import SpamScorer
from agents.workflows.scoring import score_company
from knowledge.errors import MemoryStoreError
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.store import CompanyProfile
from knowledge.graph.usage import record_usage
from knowledge.memory.rules import TeamRules
from knowledge.memory.store import MemoryHandle

if TYPE_CHECKING:  # deterministic mode never imports autogen
    from agents.llm.team import LeadTeam

log = logging.getLogger(__name__)
Mode = Literal["llm", "deterministic"]
Status = Literal["needs_approval", "not_qualified", "blocked"]
MAX_BRIEF_FACTS = 10
MAX_FOUND = 30


@dataclass
class LeadOutcome:
    """The workflow result, identical in shape for both modes."""

    task: LeadTask
    mode: Mode
    mode_note: str
    state: LeadState
    run_id: str | None = None
    usage: dict[str, Any] | None = None
    events: list[ProgressEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        if self.state.score is None or not self.state.score.qualified:
            return "not_qualified"
        if self.state.review is not None and self.state.review.verdict == "block":
            return "blocked"
        return "needs_approval"

    def to_dict(self) -> dict[str, Any]:
        s = self.state
        return {
            "domain": self.task.domain,
            "contact": self.task.contact,
            "language": self.task.language,
            "mode": self.mode,
            "mode_note": self.mode_note,
            "status": self.status,
            "run_id": self.run_id,
            "steps": dict(s.steps),
            "research": s.brief.model_dump(mode="json") if s.brief else None,
            "score": s.score.model_dump(mode="json") if s.score else None,
            "draft": s.draft.model_dump(mode="json") if s.draft else None,
            "review": s.review.model_dump(mode="json") if s.review else None,
            "rejected_drafts": list(s.rejected_drafts),
            "revisions": s.revisions,
            "usage": self.usage,
            "notes": list(self.notes),
        }


async def finish_deterministically(
    toolbox: Toolbox, task: LeadTask, state: LeadState, rules: TeamRules, why: str
) -> LeadState:
    """Run every step the team did not complete with the deterministic workflows; label each one with ``why``."""
    label = f"deterministic ({why})"
    if state.brief is None:
        state.brief = await toolbox.research(task.domain)
        state.steps["research"] = label
    if state.score is None:
        score = await toolbox.score(task.domain, state.brief)
        b = state.brief
        reason = rules.exclusion_reason(employee_count=b.employee_count, industries=b.industries, country=b.country)
        state.score = apply_rules(score, b, reason)
        state.steps["score"] = label
    if not state.score.qualified:
        return state
    if state.draft is None:
        feedback = state.feedback[-1] if state.feedback else None
        state.draft = await toolbox.draft(
            task.domain, state.brief, contact=task.contact, language=task.language or "en", feedback=feedback
        )
        state.steps["draft"] = label
    if state.review is None:  # the verdict always comes from code, whoever wrote the draft
        state.review = await toolbox.review(task.domain, state.draft, contact=task.contact, country=task.country)
        state.steps["review"] = "code" if why == "no model configured" else label
    return state


async def _after_team(
    result: TeamResult,
    *,
    toolbox: Toolbox,
    rules: TeamRules,
    runs: RunStore | None,
    graph: Neo4jGraphStore | None,
    model: str,
    notes: list[str],
) -> LeadOutcome:
    state, task = result.state, result.task
    if result.error is not None:
        why = f"LLM failed: {result.error}"
        notes.append(str(result.error))
    elif state.score is not None and state.score.qualified and state.draft is None and state.rejected_drafts:
        why = f"LLM drafts rejected: {state.rejected_drafts[-1]}"
    else:
        why = "LLM skipped this step"
    await finish_deterministically(toolbox, task, state, rules, why)
    llm_steps = [k for k, v in state.steps.items() if not v.startswith("deterministic")]
    mode: Mode = "llm" if llm_steps else "deterministic"
    note = "agent team" if mode == "llm" else f"deterministic fallback: {why}"
    if mode == "llm" and len(llm_steps) < len(state.steps):
        note = "agent team, finished deterministically: " + why
    out = LeadOutcome(task, mode, note, state, result.run_id, result.usage, result.events, notes)
    if runs is not None and result.state_blob is not None and out.status == "needs_approval":
        runs.save(result.run_id, result.state_blob)
    if graph is not None and result.usage.get("calls"):
        try:
            await record_usage(
                graph,
                run_id=str(result.usage["run_id"]),
                lead=task.lead_key,
                domain=task.domain,
                model=model,
                mode=mode,
                by_agent=result.usage["by_agent"],  # type: ignore[arg-type]
                currency=str(result.usage.get("currency", "USD")),
            )
        except Exception as exc:  # accounting must not lose the lead's result
            log.warning("could not record LLM usage for run %s: %s", result.run_id, type(exc).__name__)
            notes.append("LLM usage could not be recorded in the graph")
    return out


async def process_lead(
    task: LeadTask,
    *,
    toolbox: Toolbox,
    team: LeadTeam | None = None,
    rules: TeamRules | None = None,
    runs: RunStore | None = None,
    graph: Neo4jGraphStore | None = None,
    on_progress: ProgressSink | None = None,
) -> LeadOutcome:
    """Research, score, and (if qualified) draft and review one lead. ``team`` None = deterministic mode."""
    rules = rules or TeamRules()
    notes: list[str] = []
    start = LeadState()
    if task.language is None:  # the lead's language: the site's, else the HQ country's, else the default
        start.brief = await toolbox.research(task.domain)
        task = replace(task, language=start.brief.language or "en")
    if team is None:
        if start.brief is not None:
            start.steps["research"] = "deterministic (no model configured)"
        state = await finish_deterministically(toolbox, task, start, rules, "no model configured")
        return LeadOutcome(task, "deterministic", "deterministic mode: no model configured", state, notes=notes)
    team.rules = rules
    result = await team.run(task, on_progress=on_progress)
    return await _after_team(
        result, toolbox=toolbox, rules=rules, runs=runs, graph=graph, model=team.cfg.model, notes=notes
    )


async def revise_lead(
    run_id: str,
    feedback: str,
    *,
    toolbox: Toolbox,
    team: LeadTeam,
    runs: RunStore,
    rules: TeamRules | None = None,
    graph: Neo4jGraphStore | None = None,
    on_progress: ProgressSink | None = None,
) -> LeadOutcome:
    """A human rejected the draft with feedback: resume the saved run (any process) for a bounded revision."""
    rules = rules or TeamRules()
    team.rules = rules
    blob = runs.load(run_id)
    result = await team.revise(blob, feedback, on_progress=on_progress)
    return await _after_team(
        result, toolbox=toolbox, rules=rules, runs=runs, graph=graph, model=team.cfg.model, notes=[]
    )


class UnknownLead(LookupError):
    """Nothing is stored about the company and no research function was given."""


class _SubmittedWriter:
    """Feeds the copywriter agent's accepted draft into the drafting workflow as step 1 (later steps: templates)."""

    def __init__(self, draft: DraftOutcome, fallback: Writer) -> None:
        self.draft, self.fallback = draft, fallback

    async def write(self, brief: WritingBrief) -> WrittenStep:
        if brief.step != 1:
            return await self.fallback.write(brief)
        claims = [
            Claim(text=str(c["text"]), fact_id=str(c["fact_id"]), source_url=c.get("source_url"))
            for c in self.draft.claims
        ]
        return WrittenStep(subjects=[self.draft.subject], body=self.draft.body, claims=claims, mode="llm")


@dataclass
class WorkflowToolbox:
    """The Toolbox over the real workflows: graph profile, scoring workflow, drafting workflow, compliance gate."""

    graph: Neo4jGraphStore
    icp: IcpConfig
    scoring: ScoringConfig
    persona: PersonaConfig
    languages: LanguagesConfig
    compliance: ComplianceConfig
    sender: Sender
    spam: SpamScorer | None = None
    research_fn: Callable[[str], Awaitable[object]] | None = None

    async def _profile(self, domain: str) -> CompanyProfile:
        profile = await self.graph.company_profile(domain)
        if profile is None and self.research_fn is not None:
            await self.research_fn(domain)
            profile = await self.graph.company_profile(domain)
        if profile is None:
            raise UnknownLead(f"nothing is stored about {domain}: research it first with `amia research {domain}`")
        return profile

    async def research(self, domain: str) -> ResearchBrief:
        profile = await self._profile(domain)
        props = profile.properties
        facts = [
            BriefFact(ref=f"F{i}", fact_id=f.fact_id, text=f.text, source_url=f.source_url)
            for i, f in enumerate(citable_facts(profile)[:MAX_BRIEF_FACTS], start=1)
        ]
        count = props.get("employee_count")
        language, _ = choose_language(None, profile, self.languages)
        return ResearchBrief(
            domain=domain,
            name=profile.name,
            summary=str(props.get("description") or "")[:400],
            employee_count=int(count) if isinstance(count, int | float) else None,
            industries=[str(i) for i in props.get("industries") or []],
            country=props.get("hq_country"),
            language=language,
            signals=[f"{s.type}: {s.evidence}" for s in profile.signals[:5]],
            facts=facts,
        )

    async def find_leads(
        self, *, signal_type: str | None, industry: str | None, country: str | None, days: int
    ) -> list[dict[str, str | None]]:
        """Companies with a signal of this type in the window, newest first, one row per company."""
        since = datetime.now(UTC) - timedelta(days=days)
        rows = await self.graph.signals_in_window(since, types=[signal_type] if signal_type else None, limit=500)
        out: dict[str, dict[str, str | None]] = {}
        for r in rows:
            if r.company_domain in out or len(out) >= MAX_FOUND:
                continue
            if country or industry:
                profile = await self.graph.company_profile(r.company_domain)
                if profile is None:
                    continue
                props = profile.properties
                if country and str(props.get("hq_country") or "").upper() != country:
                    continue
                if industry and industry.lower() not in {str(i).lower() for i in props.get("industries") or []}:
                    continue
            out[r.company_domain] = {
                "domain": r.company_domain,
                "name": r.company_name,
                "evidence": f"{r.type}: {r.evidence}",
                "source_url": r.source_url,
            }
        return list(out.values())

    async def score(self, domain: str, brief: ResearchBrief) -> ScoreOutcome:
        scored = await score_company(self.graph, domain, self.icp, self.scoring)
        if scored is None:
            raise UnknownLead(f"nothing is stored about {domain}: research it first with `amia research {domain}`")
        r = scored.result
        reasons = [*r.excluded_reasons, *(c.detail for c in r.contributions if c.points)]
        qualified = r.tier in ("hot", "warm") and not r.excluded_reasons
        return ScoreOutcome(score=r.score, tier=r.tier, qualified=qualified, reasons=reasons[:8])

    async def _package(self, domain: str, contact: str | None, language: str, writer: Writer | None) -> DraftPackage:
        return await draft_sequence(
            await self._profile(domain),
            domain=domain,
            persona=self.persona,
            languages=self.languages,
            compliance=self.compliance,
            sender=self.sender,
            contact_email=contact,
            language=language,
            writer=writer,
            spam=self.spam,
        )

    async def draft(
        self, domain: str, brief: ResearchBrief, *, contact: str | None, language: str, feedback: str | None
    ) -> DraftOutcome:
        package = await self._package(domain, contact, language, None)
        if not package.steps:
            why = "; ".join(f.text for f in package.findings) or "no draft could be made"
            raise UnknownLead(f"no draft for {domain}: {why}")
        step = package.steps[0]
        return DraftOutcome(
            subject=step.subject,
            body=step.body,
            language=step.language,
            cited_fact_ids=[c.fact_id for c in step.citations],
            claims=[{"text": c.text, "fact_id": c.fact_id, "source_url": c.source_url} for c in step.citations],
            mode=step.mode,
        )

    async def package_for(self, domain: str, draft: DraftOutcome, *, contact: str | None) -> DraftPackage:
        """The whole reviewed sequence around an accepted step-1 draft (the team's, or the templates')."""
        writer = _SubmittedWriter(draft, TemplateWriter()) if draft.mode == "llm" else None
        return await self._package(domain, contact, draft.language, writer)

    async def review(
        self, domain: str, draft: DraftOutcome, *, contact: str | None, country: str | None
    ) -> ReviewOutcome:
        """Always the drafting workflow's own review (footer, unsubscribe, rules, spam), whoever wrote step 1."""
        package = await self.package_for(domain, draft, contact=contact)
        step = package.steps[0] if package.steps else None
        findings = [f.model_dump() for f in (step.findings if step else package.findings)]
        verdict = (step.verdict if step else package.verdict).value
        return ReviewOutcome(
            verdict=verdict,  # type: ignore[arg-type]
            findings=[f for f in findings if f.get("severity") != "info"],
            spam_score=step.spam_score if step else None,
            package=package.as_json(),
        )


async def team_rules_from(memory: MemoryHandle | None) -> tuple[TeamRules, str | None]:
    """The team's rules from memory, or empty rules and a note saying why they could not be read."""
    if memory is None or not memory.cfg.enabled:  # memory switched off: nothing to apply, nothing to report
        return TeamRules(), None
    store = await memory.get()
    if store is None:
        return TeamRules(), f"team rules from memory not applied: {memory.error}"
    try:
        return await store.team_rules(), None
    except MemoryStoreError as exc:
        return TeamRules(), f"team rules from memory not applied: {exc}"
