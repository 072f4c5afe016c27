"""The agent team: researcher → scorer → (only if qualified) copywriter → compliance, as an autogen GraphFlow.

Every tool is a thin wrapper over the Toolbox (the same typed functions deterministic mode runs). Numbers and the
compliance verdict come from code; the copywriter's draft is accepted only if it cites facts that exist. The run's
state (ours plus autogen's) is returned as JSON at the approval point so a rejection can be revised later, in
another process. One of the two modules that import autogen.
"""

from __future__ import annotations

import inspect
import itertools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import TaskResult
from autogen_agentchat.conditions import MaxMessageTermination, SourceMatchTermination
from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    ToolCallSummaryMessage,
)
from autogen_agentchat.teams import DiGraphBuilder, GraphFlow
from autogen_core.model_context import BufferedChatCompletionContext
from autogen_core.models import ChatCompletionClient
from autogen_core.tools import FunctionTool

from agents.llm.budget import BudgetLedger, RunBudget
from agents.llm.client import GuardedClient
from agents.llm.config import LlmConfig
from agents.llm.errors import LlmBadOutput, LlmError, RevisionLimitReached
from agents.llm.lead import (
    AGENTS,
    STATE_VERSION,
    AnswerResult,
    LeadState,
    LeadTask,
    LeadTools,
    ProgressEvent,
    ProgressSink,
    TeamResult,
    fence_untrusted,
    prompt,
)
from agents.llm.toolbox import (
    LeadFinder,
    Toolbox,
    apply_rules,
)
from agents.persona import PersonaConfig
from knowledge.memory.rules import TeamRules

__all__ = [
    "AnswerResult",
    "LeadState",
    "LeadTask",
    "LeadTeam",
    "ProgressEvent",
    "ProgressSink",
    "QuestionDesk",
    "TeamResult",
]

log = logging.getLogger(__name__)


class _HandledByTeam(logging.Filter):
    """autogen_core logs a traceback per agent when a model call fails, and again for each agent that then sees
    the group chat's error. The team reports that failure itself (one warning naming the endpoint, and the run's
    error for the user), so those records would only bury the message in tracebacks: drop them."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, LlmError) or "GroupChatError" in str(exc):
                return False
            exc = exc.__cause__ or exc.__context__
        return True


logging.getLogger("autogen_core").addFilter(_HandledByTeam())


async def _report(
    ev: BaseAgentEvent | BaseChatMessage, events: list[ProgressEvent], on_progress: ProgressSink | None
) -> None:
    """Turn a stream item into a progress event (if it is one), keep it, and pass it to the sink."""
    pe = _progress(ev)
    if pe is None:
        return
    events.append(pe)
    if on_progress is not None:
        maybe = on_progress(pe)
        if inspect.isawaitable(maybe):
            await maybe


def _progress(ev: BaseAgentEvent | BaseChatMessage) -> ProgressEvent | None:
    if isinstance(ev, ToolCallRequestEvent):
        return ProgressEvent(agent=ev.source, kind="tool_call", text=", ".join(c.name for c in ev.content))
    if isinstance(ev, ToolCallExecutionEvent):
        bad = any(r.is_error for r in ev.content)
        return ProgressEvent(agent=ev.source, kind="tool_result", text="error" if bad else "done")
    if isinstance(ev, ToolCallSummaryMessage | TextMessage) and ev.source != "user":
        return ProgressEvent(agent=ev.source, kind="message", text=ev.to_text()[:200])
    return None


class LeadTeam:
    """Builds a fresh GraphFlow per lead (agents hold conversation context; never share them across runs)."""

    def __init__(
        self,
        client: ChatCompletionClient,
        cfg: LlmConfig,
        persona: PersonaConfig,
        toolbox: Toolbox,
        ledger: BudgetLedger,
        rules: TeamRules | None = None,
    ) -> None:
        self.client, self.cfg, self.persona, self.toolbox, self.ledger = client, cfg, persona, toolbox, ledger
        self.rules = rules or TeamRules()

    def _value_props(self, language: str) -> list[str]:
        props = self.persona.value_props
        return props.get(language) or props.get("en") or next(iter(props.values()), [])

    def _agents(
        self, tools: LeadTools, budget: RunBudget, names: tuple[str, ...]
    ) -> tuple[dict[str, AssistantAgent], dict[str, GuardedClient]]:
        writing = "\n".join(f"- {w}" for w in self.rules.writing) or "- none"
        lang = tools.task.language or "en"
        values = {
            "company_name": self.persona.company_name,
            "sender_name": self.persona.sender_name,
            "voice": self.persona.voice,
            "value_props": "\n".join(f"- {v}" for v in self._value_props(lang)) or "- (none given)",
            "banned_words": ", ".join(self.persona.banned_words) or "(none)",
            "sign_off": self.persona.sign_off.get(lang, self.persona.sign_off.get("en", "Best")),
            "language": lang,
            "team_rules": self.rules.describe(),
            "writing_rules": writing,
        }
        fns: dict[str, Callable[..., Awaitable[str]]] = {
            "researcher": tools.research_company,
            "scorer": tools.score_lead,
            "copywriter": tools.submit_draft,
            "compliance": tools.review_draft,
        }
        agents, guards = {}, {}
        for name in names:
            fn = fns[name]
            guards[name] = GuardedClient(self.client, self.cfg, budget, name)
            tool = FunctionTool(fn, description=inspect.getdoc(fn) or name, name=fn.__name__)
            agents[name] = AssistantAgent(
                name,
                guards[name],
                tools=[tool],
                system_message=prompt(name, **values),
                model_context=BufferedChatCompletionContext(buffer_size=self.cfg.history_messages),
                reflect_on_tool_use=False,
                max_tool_iterations=1,
            )
        return agents, guards

    def _flow(self, agents: dict[str, AssistantAgent], state: LeadState) -> GraphFlow:
        b = DiGraphBuilder()
        for a in agents.values():
            b.add_node(a)
        names = list(agents)
        for src, dst in itertools.pairwise(names):
            if src == "scorer":
                b.add_edge(
                    agents[src],
                    agents[dst],
                    condition=lambda _m: bool(state.score and state.score.qualified),
                    activation_condition="any",
                )
            elif src == "copywriter":
                b.add_edge(agents[src], agents[dst], condition=lambda _m: state.draft is not None)
            else:
                b.add_edge(agents[src], agents[dst])
        if "copywriter" in agents:  # a rejected draft goes back to the copywriter, a bounded number of times
            retries = self.cfg.citation_retries

            def redraft(_m: object) -> bool:
                return state.draft is None and 0 < len(state.rejected_drafts) <= retries

            b.add_edge(agents["copywriter"], agents["copywriter"], condition=redraft, activation_condition="any")
        b.set_entry_point(agents[names[0]])
        return GraphFlow(
            participants=b.get_participants(),
            graph=b.build(),
            termination_condition=SourceMatchTermination(["compliance"]) | MaxMessageTermination(40),
        )

    async def _drive(
        self,
        flow: GraphFlow,
        task_text: str,
        guards: dict[str, GuardedClient],
        events: list[ProgressEvent],
        on_progress: ProgressSink | None,
    ) -> tuple[str | None, LlmError | None]:
        stop: str | None = None
        try:
            async for ev in flow.run_stream(task=task_text):
                if isinstance(ev, TaskResult):  # always the last item; let the generator finish on its own
                    stop = ev.stop_reason
                    continue
                await _report(ev, events, on_progress)
        except Exception as exc:
            err = next((g.last_error for g in guards.values() if g.last_error is not None), None)
            if err is None:
                log.warning("team run failed: %s", type(exc).__name__, exc_info=True)
                err = LlmBadOutput(f"the agent team failed ({type(exc).__name__}); finishing without the model")
            events.append(ProgressEvent(agent="team", kind="error", text=str(err)))
            return "error", err
        return stop, None

    async def run(
        self, task: LeadTask, *, on_progress: ProgressSink | None = None, run_id: str | None = None
    ) -> TeamResult:
        run_id = run_id or uuid.uuid4().hex[:12]
        budget = self.ledger.run(run_id, task.lead_key)
        state = LeadState()
        tools = LeadTools(self.toolbox, task, state, self.rules, self.cfg.citation_retries)
        agents, guards = self._agents(tools, budget, AGENTS)
        flow = self._flow(agents, state)
        events: list[ProgressEvent] = []
        stop, err = await self._drive(flow, task.text(), guards, events, on_progress)
        budget.finish("lead", err)
        blob = None
        if state.draft is not None:
            blob = json.dumps(
                {
                    "version": STATE_VERSION,
                    "run_id": run_id,
                    "task": task.__dict__,
                    "lead": state.model_dump(mode="json"),
                    "team": await flow.save_state(),
                }
            )
        return TeamResult(run_id, task, state, stop, budget.summary(), err, blob, events)

    async def revise(self, blob: str, feedback: str, *, on_progress: ProgressSink | None = None) -> TeamResult:
        """Resume a saved run after a human rejected the draft: copywriter → compliance with the feedback."""
        saved = json.loads(blob)
        if saved.get("version") != STATE_VERSION:
            raise LlmBadOutput("the saved run is from an incompatible version; start a new run")
        task = LeadTask(**saved["task"])
        state = LeadState.model_validate(saved["lead"])
        if state.revisions >= self.cfg.max_revisions:
            raise RevisionLimitReached(self.cfg.max_revisions)
        state.revisions += 1
        state.feedback.append(feedback)
        state.draft, state.review, state.rejected_drafts = None, None, []
        run_id = saved["run_id"]
        budget = self.ledger.run(f"{run_id}-r{state.revisions}", task.lead_key)
        tools = LeadTools(self.toolbox, task, state, self.rules, self.cfg.citation_retries)
        agents, guards = self._agents(tools, budget, ("copywriter", "compliance"))
        for name, agent in agents.items():  # restore each agent's memory of the original run
            container = saved["team"].get("agent_states", {}).get(name)
            if container and "agent_state" in container:
                await agent.load_state(container["agent_state"])
        flow = self._flow(agents, state)
        events: list[ProgressEvent] = []
        text = f"A teammate rejected the draft with this feedback: {feedback}\nRevise the email and submit it again."
        stop, err = await self._drive(flow, text, guards, events, on_progress)
        budget.finish("revise", err)
        new_blob = None
        if state.draft is not None:
            saved["lead"] = state.model_dump(mode="json")
            revised = await flow.save_state()
            for name in agents:  # the next revision starts from this one's conversation
                if name in revised.get("agent_states", {}):
                    saved["team"]["agent_states"][name] = revised["agent_states"][name]
            new_blob = json.dumps(saved)
        return TeamResult(run_id, task, state, stop, budget.summary(), err, new_blob, events)


class QuestionDesk:
    """Open questions from Slack, answered by one analyst agent whose ranking tool is code (scores + team rules)."""

    def __init__(
        self,
        client: ChatCompletionClient,
        cfg: LlmConfig,
        toolbox: Toolbox,
        finder: LeadFinder,
        ledger: BudgetLedger,
        rules: TeamRules | None = None,
        *,
        max_candidates: int = 15,
    ) -> None:
        self.client, self.cfg, self.toolbox, self.finder, self.ledger = client, cfg, toolbox, finder, ledger
        self.rules = rules or TeamRules()
        self.max_candidates = max_candidates

    async def ask(self, question: str, *, on_progress: ProgressSink | None = None) -> AnswerResult:
        run_id = uuid.uuid4().hex[:12]
        budget = self.ledger.run(run_id, "question")
        ranked: list[dict[str, Any]] = []

        async def find_leads(signal_type: str, industry: str, country: str, days: int) -> str:
            """Companies with a recent signal. signal_type: funding, hiring, expansion, … or "" for any; industry
            and country (ISO code) may be ""; days: how far back to look (1-365)."""
            rows = await self.finder.find_leads(
                signal_type=signal_type or None,
                industry=industry or None,
                country=(country or "").upper() or None,
                days=max(1, min(365, int(days))),
            )
            if not rows:
                return "no matching companies"
            lines = [f"{r['domain']} — {r.get('name') or ''}: {str(r.get('evidence') or '')[:160]}" for r in rows[:30]]
            return fence_untrusted("matching companies", "\n".join(lines))

        async def rank_leads(domains: list[str]) -> str:
            """Score the given company domains in code and return them best first with the reasons."""
            out: list[dict[str, Any]] = []
            for domain in list(dict.fromkeys(domains))[: self.max_candidates]:
                try:
                    brief = await self.toolbox.research(domain)
                    score = await self.toolbox.score(domain, brief)
                except LookupError:
                    continue
                reason = self.rules.exclusion_reason(
                    employee_count=brief.employee_count, industries=brief.industries, country=brief.country
                )
                score = apply_rules(score, brief, reason)
                out.append({"domain": domain, "name": brief.name, **score.model_dump()})
            out.sort(key=lambda r: (not r["qualified"], -r["score"]))
            ranked[:] = out
            if not out:
                return "none of these companies is known"
            return "\n".join(
                f"{i}. {r['domain']} score {r['score']:.0f} ({r['tier']}{'' if r['qualified'] else ', NOT QUALIFIED'})"
                f": {'; '.join(r['reasons'][:3])}"
                for i, r in enumerate(out, 1)
            )

        guard = GuardedClient(self.client, self.cfg, budget, "analyst")
        agent = AssistantAgent(
            "analyst",
            guard,
            tools=[
                FunctionTool(find_leads, description=inspect.getdoc(find_leads) or "", name="find_leads"),
                FunctionTool(rank_leads, description=inspect.getdoc(rank_leads) or "", name="rank_leads"),
            ],
            system_message=prompt("analyst", team_rules=self.rules.describe()),
            model_context=BufferedChatCompletionContext(buffer_size=self.cfg.history_messages),
            reflect_on_tool_use=True,
            max_tool_iterations=self.cfg.max_tool_iterations,
        )
        events: list[ProgressEvent] = []
        text, err = "", None
        try:
            async for ev in agent.run_stream(task=question):
                if isinstance(ev, TaskResult):  # always the last item; let the generator finish on its own
                    last = ev.messages[-1] if ev.messages else None
                    text = last.to_text() if isinstance(last, TextMessage) else ""
                    continue
                await _report(ev, events, on_progress)
        except Exception as exc:
            err = guard.last_error or LlmBadOutput(f"the analyst failed ({type(exc).__name__})")
        budget.finish("question", err)
        if not text and ranked:  # the ranking is code: show it even when the model could not phrase an answer
            text = "\n".join(
                f"{i}. {r['domain']} — score {r['score']:.0f} ({r['tier']})" for i, r in enumerate(ranked, 1)
            )
        return AnswerResult(question, text, ranked, budget.summary(), err, events)
