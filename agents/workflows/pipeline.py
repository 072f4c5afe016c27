"""One entry for a lead: ``process_lead`` runs the agent team in LLM mode and the workflows in order otherwise.

Both modes return the same :class:`LeadOutcome` and say which mode ran (``mode``, ``mode_note``, and per step in
``steps``). When the model fails (endpoint down, wrong key, budget exhausted, junk output), the missing steps are
finished by the deterministic workflows and labelled so — never silently. The score's qualification and the
compliance verdict always come from code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from agents.llm.runstore import RunStore
from agents.llm.team import LeadState, LeadTask, LeadTeam, ProgressEvent, ProgressSink, TeamResult
from agents.llm.toolbox import Toolbox, apply_rules
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.usage import record_usage
from knowledge.memory.rules import TeamRules

log = logging.getLogger(__name__)
Mode = Literal["llm", "deterministic"]
Status = Literal["needs_approval", "not_qualified", "blocked"]


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
            task.domain, state.brief, contact=task.contact, language=task.language, feedback=feedback
        )
        state.steps["draft"] = label
    if state.review is None:  # the verdict always comes from code, whoever wrote the draft
        state.review = await toolbox.review(state.draft, country=task.country)
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
    if team is None:
        state = await finish_deterministically(toolbox, task, LeadState(), rules, "no model configured")
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
