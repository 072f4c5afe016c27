"""The bot's port onto the agent workflows: one async call per user-facing job, each returning plain data.

`Workflows` is the interface listeners and the console call through; `AgentWorkflows` adapts it onto
`agents.workflows.*` (research, scoring, drafting, review) and `bot.outreach` (sending). Workflows that are
not installed raise ServiceError naming what is missing, so users get a plain sentence, never a traceback.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.errors import ServiceError, UsageError
from bot.replies import Progress, no_progress


@dataclass
class Finding:
    """One cited line of output: what we know and where it came from."""

    text: str
    source_url: str | None = None


@dataclass
class LeadSummary:
    domain: str
    name: str
    score: float
    tier: str  # hot | warm | cold | excluded
    reasons: list[str] = field(default_factory=list)
    industry: str | None = None
    employees: int | None = None


@dataclass
class ResearchResult:
    domain: str
    name: str
    summary: str
    findings: list[Finding] = field(default_factory=list)
    signals: list[Finding] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    mode: str = "deterministic"


@dataclass
class DraftResult:
    """A reviewed draft waiting for a human: everything the approval card and the sender need."""

    domain: str
    contact: str
    subject: str
    body: str
    risk_tier: str  # low | medium | high
    verdict: str  # pass | flag | block
    findings: list[str] = field(default_factory=list)
    citations: list[Finding] = field(default_factory=list)
    score: LeadSummary | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # what the sender needs back (draft id, sequence, …)


@dataclass
class SignalHit:
    domain: str
    name: str
    type: str
    evidence: str
    at: datetime
    confidence: float = 1.0
    source_url: str | None = None


@dataclass
class Funnel:
    stages: dict[str, int] = field(default_factory=dict)  # ordered: researched, qualified, drafted, sent, replied…


class Workflows(Protocol):
    async def research(self, domain: str, progress: Progress) -> ResearchResult: ...

    async def score(self, domain: str, progress: Progress) -> LeadSummary: ...

    async def draft(self, domain: str, contact: str | None, progress: Progress) -> DraftResult: ...

    async def leads(self, tier: str | None, limit: int) -> list[LeadSummary]:
        """Ranked leads: tier 'hot' or 'warm', None for both, 'all' for every scored company."""
        ...

    async def signals(self, since: datetime, *, industry: str | None, types: list[str] | None) -> list[SignalHit]: ...

    async def forget(self, target: str) -> str: ...

    async def funnel(self) -> Funnel: ...

    async def score_bins(self) -> list[int]:
        """Companies per 10-point score bin (0–9, …, 90–100), over every scored lead."""
        ...

    async def schedule_send(self, draft: DraftResult, approved_by: str) -> str: ...

    async def check_watch(self, target: str, since: datetime, tracked: list[str]) -> list[SignalHit]:
        """Re-check a watched domain (research again) or feed (items naming ``tracked`` companies)."""
        ...

    async def replies(self, limit: int) -> list[str]: ...

    async def learning_changes(self, since: datetime) -> list[str]: ...


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class AgentWorkflows:
    """The production adapter: scoring, drafting, review and sending through agents.workflows and bot.outreach;
    graph reads directly. Research and feed watching raise ServiceError until their workflows are installed."""

    def __init__(self, services: Any) -> None:
        self.services = services

    @property
    def graph(self) -> Any:
        return self.services.graph

    def _missing(self, what: str, module: str) -> ServiceError:
        return ServiceError(f"{what} is not available in this build yet ({module} is not installed)")

    def _crawler(self) -> Any:
        crawler = self.services.extras.get("crawler")
        if crawler is None:
            raise ServiceError("the web crawler is not configured in this process")
        return crawler

    async def _research(self, domain: str, progress: Progress) -> Any:
        from agents.workflows.research import research_company

        loop = asyncio.get_running_loop()
        pending: set[asyncio.Future[None]] = set()

        def report(message: str, done: int, total: int) -> None:
            task: asyncio.Future[None] = asyncio.ensure_future(progress(f"{message} ({done}/{total} pages)"), loop=loop)
            pending.add(task)
            task.add_done_callback(pending.discard)

        result = await research_company(domain, crawler=self._crawler(), graph=self.graph, on_progress=report)
        if pending:
            await asyncio.wait(pending, timeout=5)
        return result

    async def research(self, domain: str, progress: Progress) -> ResearchResult:
        r = await self._research(domain, progress)
        if not r.ok:
            reasons = "; ".join(r.errors[:3]) or "no page could be read"
            raise ServiceError(f"I couldn't read anything about {domain}: {reasons}")
        c = r.company
        name = str(c.get("name") or domain)
        bits = [str(c[k]) for k in ("description", "industry") if c.get(k)]
        if c.get("employee_count"):
            bits.append(f"about {c['employee_count']} employees")
        findings = [Finding(f"uses {t.name} ({t.category})", t.source_url) for t in r.technologies[:15]]
        findings += [
            Finding(f"customer: {x.get('name') or x.get('domain')}", x.get("source_url")) for x in r.customers[:10]
        ]
        signals = [Finding(f"{s.type.replace('_', ' ')}: {s.evidence[:200]}", s.source_url) for s in r.signals[:15]]
        people = [f"{p.full_name} ({p.title})" for p in r.people[:20]]
        summary = ". ".join(bits) or f"{len(r.sources)} pages read"
        if r.errors:
            summary += f" · {len(r.errors)} problem(s): {'; '.join(r.errors[:2])}"
        return ResearchResult(r.domain or domain, name, summary, findings, signals, people, r.mode)

    async def check_watch(self, target: str, since: datetime, tracked: list[str]) -> list[SignalHit]:
        from agents.workflows.watchlist import is_feed, run_watchlist

        now = datetime.now(UTC)
        if not is_feed(target):
            r = await self._research(target, no_progress)
            hits = []
            for s in r.signals:
                when = _parse_date(s.date) or now
                if when >= since:
                    name = str(r.company.get("name") or target)
                    hits.append(SignalHit(target, name, s.type, s.evidence, when, s.confidence, s.source_url))
            return hits

        async def research_one(domain: str) -> Any:
            return await self._research(domain, no_progress)

        run = await run_watchlist([target, *tracked], crawler=self._crawler(), research=research_one)
        return [
            SignalHit(
                d,
                d,
                str(sig.get("type")),
                str(sig.get("evidence") or h.title),
                now,
                float(str(sig.get("confidence", 0.8))),
                h.link,
            )
            for h in run.feed_hits
            for d in h.mentions
            for sig in h.signals
        ]

    async def score(self, domain: str, progress: Progress) -> LeadSummary:
        from agents.workflows.pipeline import team_rules_from
        from agents.workflows.scoring import score_company

        s = self.services.settings
        await progress(f"scoring {domain}")
        rules, note = await team_rules_from(self.services.extras.get("memory"))
        scored = await score_company(self.graph, domain, s.icp, s.scoring, team_rules=rules)
        if scored is None:
            raise UsageError(f"{domain} is not in the graph yet; research it first: `research {domain}`")
        r = scored.result
        ranked = sorted((c for c in r.contributions if c.points), key=lambda c: -abs(c.points))
        reasons = [f"{c.detail} ({c.points:+.0f})" for c in ranked[:8]]
        reasons += [f"excluded: {x}" for x in r.excluded_reasons]
        reasons += [f"next: {r.next_action}", f"change: {scored.change}"]
        if note:
            reasons.append(note)
        return LeadSummary(r.domain, r.name or r.domain, r.score, str(r.tier), reasons)

    async def leads(self, tier: str | None, limit: int) -> list[LeadSummary]:
        from agents.workflows.scoring import ranked_queue

        wanted = {"hot": {"hot"}, "warm": {"warm"}, None: {"hot", "warm"}}.get(tier)
        # "warm" alone must still see hot leads take their places and capacity first: read from hot down
        read = None if wanted is None else ({"hot", "warm"} if "warm" in wanted else wanted)
        queue = await ranked_queue(  # when every item is shown, the queue can stop at the limit
            self.graph,
            self.services.settings.scoring,
            tiers=sorted(read) if read else None,
            limit=max(limit, 1) if read is not None and read == wanted else None,
        )
        out = []
        for item in queue.items:
            c = item.candidate
            if wanted is None or c.tier in wanted:
                why = [c.next_action] if c.next_action else []
                out.append(LeadSummary(c.domain, c.domain, c.score, c.tier, why))
                if len(out) >= limit:
                    break
        return out

    async def draft(self, domain: str, contact: str | None, progress: Progress) -> DraftResult:
        from agents.policies.risk import assess_risk
        from agents.workflows.drafting import Sender, UnknownCompany, draft_sequence
        from agents.workflows.scoring import profile_to_facts, risk_context, score_company
        from bot.services import build_spam_scorer
        from knowledge.graph.drafts import DraftStore, message_rows

        s = self.services.settings
        store = DraftStore(self.graph)
        await progress(f"reading what we know about {domain}")
        profile = await self.graph.company_profile(domain)
        if profile is not None:
            from agents.workflows.pipeline import team_rules_from

            rules, _ = await team_rules_from(self.services.extras.get("memory"))
            ruled = await score_company(self.graph, domain, s.icp, s.scoring, save=False, team_rules=rules)
            team_reasons = [r for r in (ruled.result.excluded_reasons if ruled else []) if r.startswith("team rule")]
            if team_reasons:
                raise UsageError(f"I won't draft for {domain}: {team_reasons[0]}. Change the rule to override.")
        first = contact or (next((p.email for p in profile.people if p.email), None) if profile else None)
        suppressions = await store.suppressions_for(first) if first else []
        spam = build_spam_scorer(s, one_shot=True)
        written_by = "templates (no model configured)"
        try:
            package = None
            if self.services.extras.get("llm") is not None and profile is not None and not suppressions:
                package, written_by = await self._team_draft(domain, contact, spam, progress)
            if package is None:
                await progress("drafting and reviewing the sequence")
                package = await draft_sequence(
                    profile,
                    domain=domain,
                    persona=s.persona,
                    languages=s.languages,
                    compliance=s.compliance,
                    sender=Sender(address=s.outreach.from_address, public_url=s.http.public_url),
                    contact_email=contact,
                    spam=spam,
                    suppressions=suppressions,
                )
        except UnknownCompany as exc:
            raise UsageError(str(exc)) from exc
        finally:
            if spam:
                spam.close()
        ids: list[str] = []
        step1: list[str] = []
        if package.steps:
            lead, rows = message_rows(package)
            await store.save(lead, rows, actor="slack")
            for row in rows:
                mid = str(row["message_id"])
                ids.append(mid)
                await store.transition(mid, "in_review", actor="amia")
                if int(row.get("step", 1)) == 1:
                    step1.append(mid)
        await progress("assessing risk")
        tier: str = "high"
        group: str | None = None
        summary: LeadSummary | None = None
        scored = await score_company(self.graph, domain, s.icp, s.scoring, save=False) if profile else None
        if scored is not None and profile is not None:
            r = scored.result
            summary = LeadSummary(r.domain, r.name or r.domain, r.score, str(r.tier))
            assessment = assess_risk(risk_context(profile_to_facts(profile), r), s.risk)
            tier, group = str(assessment.tier), assessment.approvers_group
        first_step = package.steps[0] if package.steps else None
        findings = [f"{f.rule}: {f.text} — {f.fix}" for f in package.findings]
        findings += [
            f"{f.rule}: {f.text} — {f.fix}" for st in package.steps for f in st.findings if f.severity != "info"
        ]
        return DraftResult(
            domain=package.domain,
            contact=package.contact or "no contact",
            subject=first_step.subject if first_step else "(no draft)",
            body=first_step.body if first_step else "Nothing could be drafted: see the findings.",
            risk_tier=tier,
            verdict=package.verdict.value,
            findings=findings,
            citations=[Finding(c.text, c.source_url) for c in (first_step.citations if first_step else [])],
            score=summary,
            extra={
                "package": package.as_json(),
                "message_ids": ids,
                "step1_ids": step1,
                "approvers_group": group,
                "raw": first_step.raw if first_step else "",  # re-reviewed after an Edit
                "written_by": written_by,
            },
        )

    async def ask(self, question: str, progress: Progress) -> Any:
        """An open question ("which fintechs hiring SDRs in Germany should I call first?") for the analyst agent."""
        from agents.llm.lead import ProgressEvent
        from agents.llm.team import QuestionDesk
        from agents.workflows.pipeline import team_rules_from

        client = self.services.extras.get("llm")
        if client is None:
            raise ServiceError("open questions need a model: set OPENAI_API_KEY or llm.base_url")
        s = self.services.settings
        toolbox = lead_toolbox(self.services, None)
        rules, _ = await team_rules_from(self.services.extras.get("memory"))
        desk = QuestionDesk(client, s.llm, toolbox, toolbox, self.services.extras["budget"], rules)

        async def on_progress(ev: ProgressEvent) -> None:
            if ev.kind == "tool_call":
                await progress(f"{ev.agent}: {ev.text}")

        await progress("thinking about your question")
        return await desk.ask(question, on_progress=on_progress)

    async def _team_draft(self, domain: str, contact: str | None, spam: Any, progress: Progress) -> tuple[Any, str]:
        """The agent team's sequence for an explicit draft request, or (None, why) to draft from templates.

        The team runs the same pipeline as `amia lead` (research brief, score, copywriter, code review). When it
        judges the lead not qualified, the human asked anyway, so the templates draft it and the card says why.
        """
        from agents.llm.lead import LeadTask, ProgressEvent
        from agents.llm.runstore import RunStore
        from agents.llm.team import LeadTeam
        from agents.workflows.pipeline import process_lead, team_rules_from

        s = self.services.settings
        toolbox = lead_toolbox(self.services, spam)
        rules, _ = await team_rules_from(self.services.extras.get("memory"))
        team = LeadTeam(self.services.extras["llm"], s.llm, s.persona, toolbox, self.services.extras["budget"], rules)

        async def on_progress(ev: ProgressEvent) -> None:
            if ev.kind == "tool_call":
                await progress(f"{ev.agent}: {ev.text}")

        await progress("the agent team is researching, scoring and drafting")
        outcome = await process_lead(
            LeadTask(domain, contact=contact),
            toolbox=toolbox,
            team=team,
            rules=rules,
            runs=RunStore(s.data_path("runs")),
            graph=self.graph,
            on_progress=on_progress,
        )
        draft = outcome.state.draft
        if draft is None:
            score = outcome.state.score
            why = f"{score.tier}, {score.score:.0f}/100" if score else "no score"
            return None, f"templates: the agent team judged {domain} not qualified ({why}); drafted because you asked"
        await progress("reviewing the team's draft")
        package = await toolbox.package_for(domain, draft, contact=contact)
        return package, f"the agent team ({s.llm.model}; {outcome.mode_note})"

    async def schedule_send(self, draft: DraftResult, approved_by: str) -> str:
        from bot.outreach.errors import NotSendable
        from knowledge.graph.drafts import DraftStore, InvalidTransition

        outreach = self.services.extras.get("outreach")
        if outreach is None:
            raise self._missing("sending", "bot/outreach")
        store = DraftStore(self.graph)
        step1 = [str(m) for m in draft.extra.get("step1_ids", [])]
        if not step1:
            raise ServiceError("this draft has no message to send")
        edited_verdict = await self._review_edit(draft) if draft.extra.get("edited_by") else None
        for mid in draft.extra.get("message_ids", []):
            try:
                if edited_verdict is not None and mid == step1[0]:
                    await store.transition(
                        mid, "edited", actor=approved_by, subject=draft.subject, body=draft.body, verdict=edited_verdict
                    )
                await store.transition(str(mid), "approved", actor=approved_by)
            except InvalidTransition as exc:
                if not any(f"is '{done}'" in str(exc) for done in ("approved", "scheduled", "sent")):
                    raise ServiceError(str(exc)) from exc  # already approved earlier is fine; anything else is not
        try:
            if len(step1) > 1:
                step = await outreach.sender.schedule_best_variant(step1, approved_by=approved_by)
            else:
                step = await outreach.sender.schedule_approved_message(step1[0], approved_by=approved_by)
        except NotSendable as exc:
            raise ServiceError(str(exc)) from exc
        due = step.get("due_at")
        return (
            f"due {due:%a %d %b %H:%M} {step.get('timezone', '')}".strip() if isinstance(due, datetime) else "scheduled"
        )

    async def _review_edit(self, draft: DraftResult) -> str:
        """An edited first step is reviewed again (same compliance rules) before it may be approved."""
        import email
        import email.policy

        from agents.workflows.review import review_raw

        raw = str(draft.extra.get("raw") or "")
        if not raw:
            raise ServiceError("the edited draft can't be re-reviewed (its rendered message is missing): draft again")
        msg = email.message_from_bytes(raw.encode(), policy=email.policy.default)
        del msg["Subject"]
        msg["Subject"] = draft.subject
        if msg.is_multipart():
            raise ServiceError("edits to multi-part messages are not supported: draft again")
        msg.set_content(draft.body)  # type: ignore[attr-defined]
        from bot.services import build_spam_scorer

        spam = build_spam_scorer(self.services.settings, one_shot=True)
        try:
            result = await review_raw(msg.as_bytes(), self.services.settings.compliance, spam=spam)
        finally:
            if spam:
                spam.close()
        if result.verdict.value == "block":
            problems = "; ".join(f.text for f in result.findings if f.severity == "block")[:500]
            raise ServiceError(f"the edited draft failed the compliance review: {problems}")
        return str(result.verdict.value)

    async def signals(self, since: datetime, *, industry: str | None, types: list[str] | None) -> list[SignalHit]:
        rows = await self.graph.signals_in_window(since, types=types, industry=industry, limit=50)
        return [
            SignalHit(
                r.company_domain,
                r.company_name or r.company_domain,
                r.type,
                r.evidence,
                r.occurred_at or r.recorded_at or since,
                r.confidence,
                r.source_url,
            )
            for r in rows
        ]

    async def forget(self, target: str) -> str:
        from bot.outreach.forget import forget_everywhere
        from bot.outreach.http import OUTREACH_KEY

        if self.services.extras.get(OUTREACH_KEY) is None:
            raise self._missing("erasure", "the outreach store")
        report = await forget_everywhere(self.services, target)
        d = report.as_dict()
        if not d["graph_nodes_deleted"] and not d["memories_deleted"] and not d["outbox_files_deleted"]:
            return f"I had nothing stored about {report.target}; it is on the do-not-contact list now."
        return (
            f"Erased {report.kind} {report.target} ({d['graph_nodes_deleted']} graph records, "
            f"{d['memories_deleted']} memories, {d['outbox_files_deleted']} outbox files) and kept a hashed "
            "do-not-contact entry."
        )

    async def score_bins(self) -> list[int]:
        from knowledge.graph.scoring import ScoringGraph

        return await ScoringGraph(self.graph).score_bins()

    async def funnel(self) -> Funnel:
        counts = await self.graph.funnel_counts()
        return Funnel({k: counts[k] for k in sorted(counts, key=lambda k: -counts[k])})

    async def replies(self, limit: int) -> list[str]:
        outreach = self.services.extras.get("outreach")
        if outreach is None:
            return []
        rows = (await outreach.store.inbound(kind="reply"))[-limit:]
        out = []
        for row in reversed(rows):
            when = row.get("received_at")
            stamp = f" ({when:%d %b %H:%M})" if isinstance(when, datetime) else ""
            who = row.get("sender") or row.get("from_address") or "a contact"
            out.append(f"{who}: {str(row.get('detail', ''))[:140]}{stamp}")
        return out

    async def learning_changes(self, since: datetime) -> list[str]:
        from agents.policies.scoring import hand_set_weights
        from agents.workflows.scoring import active_learned_points

        learned = await active_learned_points(self.graph)
        if not learned:
            return []
        hand = hand_set_weights(self.services.settings.scoring)
        moved = sorted(hand, key=lambda k: -abs(learned.get(k, hand[k]) - hand[k]))
        return [
            f"scoring weight {k}: {hand[k]:+.0f} → {learned[k]:+.0f} points (learned from outcomes)"
            for k in moved[:5]
            if k in learned and abs(learned[k] - hand[k]) >= 0.5
        ]


def lead_toolbox(services: Any, spam: Any, research_fn: Any = None) -> Any:
    """The agent team's toolbox over this process's graph and settings (`amia lead` and Slack drafts alike)."""
    from agents.workflows.drafting import Sender
    from agents.workflows.pipeline import WorkflowToolbox

    s = services.settings
    return WorkflowToolbox(
        graph=services.graph,
        icp=s.icp,
        scoring=s.scoring,
        persona=s.persona,
        languages=s.languages,
        compliance=s.compliance,
        sender=Sender(address=s.outreach.from_address, public_url=s.http.public_url),
        spam=spam,
        research_fn=research_fn,
    )
