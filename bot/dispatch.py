"""One dispatcher for `/amia` subcommands and natural-language turns, shared by Slack and the console.

`parse_command` turns "research acme.com" into a Command or raises UsageError with the right usage line;
`parse_intent` is a small deterministic parser for the common questions; `Dispatcher` runs either through the
Workflows port and returns a Reply rendered with the `build_*` functions.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.errors import ServiceError, UsageError, new_error_id
from bot.metrics import Metrics
from bot.replies import Context, Progress, Reply
from bot.slack import blocks
from bot.state import BotState, Watch
from bot.workflows import Workflows
from knowledge.models import InvalidDomain, normalise_domain, normalise_email

log = logging.getLogger(__name__)

USAGE: dict[str, str] = {
    "research": "research <domain>           research a company and store cited facts",
    "score": "score <domain>              score a company against the ideal customer profile",
    "draft": "draft <domain> [contact]    draft outreach with citations and a compliance verdict",
    "leads": "leads [hot|warm] [n]        the ranked lead queue (default: hot and warm, 10)",
    "watch": "watch <domain|feed url>     re-check on a schedule and alert on new signals",
    "unwatch": "unwatch <domain|feed url>   stop watching",
    "digest": "digest [now]                when digests run; 'now' builds one here",
    "forget": "forget <email|domain>       erase a person or company everywhere, keep a suppression entry",
    "status": "status                      what AMIA is connected to",
    "help": "help                        this list",
}
HELP = "AMIA commands (/amia <command> in Slack, or type them in the console):\n" + "\n".join(
    "  " + line for line in USAGE.values()
)
_SLACK_LINK = re.compile(r"<(?:mailto:|https?://)?([^|>]+)(?:\|([^>]+))?>")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]+)?>")
_DOMAIN_IN_TEXT = re.compile(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.I)
MAX_LEADS = 50


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intent:
    kind: str  # signals | why | preference | research | draft | leads | help
    params: dict[str, Any] = field(default_factory=dict)


def clean_text(text: str) -> str:
    """Slack markup to plain words: '<http://acme.com|acme.com>' → 'acme.com', mentions dropped."""
    text = _MENTION.sub(" ", text or "")
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return " ".join(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").split())


def _domain(value: str, command: str) -> str:
    try:
        return normalise_domain(value)
    except InvalidDomain:
        raise UsageError(
            f"'{value}' is not a domain name — try something like acme.com.\nUsage: {USAGE[command]}"
        ) from None


def _one_arg(name: str, args: list[str]) -> str:
    if len(args) != 1:
        raise UsageError(
            f"'{name}' needs exactly one {'target' if name in ('watch', 'unwatch', 'forget') else 'domain'}."
            f"\nUsage: {USAGE[name]}"
        )
    return args[0]


def parse_command(text: str) -> Command:
    """Parse a subcommand line; raise UsageError with the usage line on anything malformed."""
    words = clean_text(text).split()
    if not words:
        raise UsageError("Tell me what to do — for example `research acme.com`.\n" + HELP)
    name, args = words[0].lower(), words[1:]
    if name in ("help", "?"):
        return Command("help")
    if name == "status":
        return Command("status")
    if name in ("research", "score"):
        return Command(name, (_domain(_one_arg(name, args), name),))
    if name == "draft":
        if not 1 <= len(args) <= 2:
            raise UsageError(f"'draft' needs a domain and optionally a contact.\nUsage: {USAGE['draft']}")
        contact = args[1] if len(args) == 2 else ""
        if contact and "@" in contact:
            try:
                contact = normalise_email(contact)
            except (ValueError, InvalidDomain):
                raise UsageError(f"'{args[1]}' is not an email address.\nUsage: {USAGE['draft']}") from None
        return Command("draft", (_domain(args[0], "draft"), contact))
    if name == "leads":
        tier, limit = "", 10
        for arg in args:
            if arg.lower() in ("hot", "warm"):
                tier = arg.lower()
            elif arg.isdigit() and 1 <= int(arg) <= MAX_LEADS:
                limit = int(arg)
            else:
                raise UsageError(
                    f"I don't understand '{arg}' (tier is hot or warm, n is 1–{MAX_LEADS}).\nUsage: {USAGE['leads']}"
                )
        return Command("leads", (tier, str(limit)))
    if name in ("watch", "unwatch"):
        target = _one_arg(name, args)
        if target.lower().startswith(("http://", "https://")) and "/" in target.split("://", 1)[1].strip("/"):
            return Command(name, ("feed", target))
        return Command(name, ("domain", _domain(target, name)))
    if name == "digest":
        if args and [a.lower() for a in args] != ["now"]:
            raise UsageError(f"'digest' takes only 'now'.\nUsage: {USAGE['digest']}")
        return Command("digest", ("now",) if args else ())
    if name == "forget":
        target = _one_arg(name, args)
        if "@" in target:
            try:
                return Command("forget", (normalise_email(target),))
            except (ValueError, InvalidDomain):
                raise UsageError(f"'{target}' is not an email address.\nUsage: {USAGE['forget']}") from None
        return Command("forget", (_domain(target, "forget"),))
    raise UsageError(f"I don't know the command '{words[0]}'.\n{HELP}")


# ---- deterministic intents -------------------------------------------------------------------------------------
_SIGNAL_WORDS = {
    "funding": r"raised|raise|funding|funded|series [a-e]|seed round",
    "acquisition": r"acquired|acquisition|bought",
    "hiring": r"hiring|hires|recruiting",
    "leadership_change": r"new (?:ceo|cto|cfo|cmo|vp)|appointed|leadership",
    "product_launch": r"launched|launch|released",
    "expansion": r"expand|expansion|new office|opened",
    "partnership": r"partner",
    "layoffs": r"layoff|laid off",
}
_PERIODS = {"today": 1, "this week": 7, "last week": 14, "this month": 31, "last month": 62, "this quarter": 92}
_PREFERENCE = re.compile(
    r"\bwe (?:don'?t|do not|never) (?:target|sell to|want|contact|email)\s+(?:companies|firms|accounts|businesses)?\s*"
    r"(?:with )?(?:under|below|less than|fewer than|smaller than)\s+(\d[\d,]*)\s*(?:people|employees|staff|heads)?",
    re.I,
)
_EXCLUDE_INDUSTRY = re.compile(
    r"\bwe (?:don'?t|do not|never) (?:target|sell to|want|contact)\s+(?:companies in\s+)?(.+)$", re.I
)


def parse_intent(text: str, history: list[str] | None = None) -> Intent | None:
    """Recognise the common questions without a model; None when only an LLM could answer."""
    plain = clean_text(text)
    low = plain.lower().rstrip("?!. ")
    if not low:
        return Intent("help")
    if m := _PREFERENCE.search(low):
        return Intent(
            "preference", {"text": plain, "rule": {"field": "employees", "min": int(m.group(1).replace(",", ""))}}
        )
    if (m := _EXCLUDE_INDUSTRY.search(low)) and not re.search(r"\d", m.group(1)):
        excluded = re.sub(r"\b(companies|firms|the|any)\b", "", m.group(1)).strip(" .")
        return Intent("preference", {"text": plain, "rule": {"field": "industry", "exclude": excluded}})
    domains = [d.lower() for d in _DOMAIN_IN_TEXT.findall(plain)]
    if not domains and history and re.search(r"\b(it|they|them|this company|that company)\b", low):
        for line in reversed(history):
            if found := _DOMAIN_IN_TEXT.findall(clean_text(line)):
                domains = [found[-1].lower()]
                break
    if re.match(r"^(why|how come)\b", low) and domains:
        return Intent("why", {"domain": domains[0]})
    if re.search(r"\b(who|which|any|what)\b", low):
        kinds = [k for k, pat in _SIGNAL_WORDS.items() if re.search(pat, low)]
        if kinds or re.search(r"\b(signals?|news|happened)\b", low):
            days = next((d for p, d in _PERIODS.items() if p in low), 30)
            industry: str | None = None
            if m := re.search(
                r"\bin (?:the )?([a-z][a-z &-]{1,30}?)(?: space| sector| industry)?(?: (?:this|last|today)\b|$)", low
            ):
                industry = m.group(1).strip()
            return Intent("signals", {"types": kinds or None, "industry": industry, "days": days})
    if re.search(r"\b(hot|warm|best|top)\b.*\bleads?\b|\blead queue\b", low):
        tier = "hot" if "hot" in low else "warm" if "warm" in low else ""
        return Intent("leads", {"tier": tier})
    if domains and re.search(r"\b(draft|write|email|reach out)\b", low):
        return Intent("draft", {"domain": domains[0]})
    if domains and re.search(r"\b(research|tell me about|look into|what do we know|who is|what is)\b", low):
        return Intent("research", {"domain": domains[0]})
    if domains and re.search(r"\b(score|qualif)", low):
        return Intent("why", {"domain": domains[0]})
    if re.fullmatch(r"(help|what can you do|commands)", low):
        return Intent("help")
    return None


Watcher = Callable[[str, Watch | None], Awaitable[None]]


JUDGEMENT = re.compile(
    r"\b(first|should|prioriti[sz]e|best|rank|recommend|who to|worth)\b", re.IGNORECASE
)  # a signals question that also asks for a choice goes to the analyst agent when a model is configured


class Dispatcher:
    """Runs commands and conversation turns; catches everything at this edge and answers politely."""

    def __init__(
        self,
        workflows: Workflows,
        state: BotState,
        *,
        status: Callable[[], Awaitable[list[str]]],
        llm_enabled: bool = False,
        on_watch: Watcher | None = None,
        digest: Callable[[Context], Awaitable[Reply]] | None = None,
        digest_schedule: Callable[[], list[str]] | None = None,
        remember: Callable[[str, dict[str, Any], str], Awaitable[None]] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.workflows, self.state = workflows, state
        self._metrics = metrics
        self._status, self._llm = status, llm_enabled
        self._on_watch, self._digest, self._digest_schedule = on_watch, digest, digest_schedule
        self._remember = remember

    async def command(self, text: str, ctx: Context, progress: Progress) -> Reply:
        try:
            cmd = parse_command(text)
        except UsageError as exc:
            self.count_malformed(text)
            return Reply(str(exc), blocks.build_notice(str(exc)), ephemeral=True)
        return await self.run(cmd, ctx, progress)

    def count_malformed(self, text: str) -> None:
        """Count a command that did not parse, under its subcommand word (or 'unknown')."""
        if self._metrics is not None:
            word = clean_text(text).split(" ", 1)[0].lower()
            self._metrics.record_command(word if word in USAGE else "unknown", "usage_error")

    async def converse(self, text: str, ctx: Context, progress: Progress) -> Reply:
        """A natural-language turn: a command typed as prose, a known intent, or an honest 'I need an LLM'."""
        first = clean_text(text).split(" ", 1)[0].lower()
        if first in USAGE:
            return await self.command(text, ctx, progress)
        intent = parse_intent(text, ctx.history)
        ask = getattr(self.workflows, "ask", None) if self._llm else None
        if ask is not None and (intent is None or (intent.kind == "signals" and JUDGEMENT.search(text))):
            # "who raised money?" is a lookup the parser answers; "…and who should I call first?" needs judgement
            return await self._guard(self._ask(ask, text, ctx, progress))
        if intent is None:
            if self._llm:
                msg = "I couldn't match that to a command, and this surface has no LLM question desk."
            else:
                msg = (
                    "I only understand the common questions without an LLM (no LLM is configured). Try "
                    "“who raised money in fintech this month?”, “why is acme.com hot?”, “research acme.com”, "
                    "or `help`. Set OPENAI_API_KEY or llm.base_url for open questions."
                )
            return Reply(msg, blocks.build_notice(msg))
        return await self._guard(self._intent(intent, ctx, progress))

    async def _ask(self, ask: Any, text: str, ctx: Context, progress: Progress) -> Reply:
        """An open question for the analyst agent; its ranking is code (scores and team rules), shown as such."""
        question = clean_text(text)
        if ctx.history:  # the thread so far, so "and in Germany?" makes sense
            question = "Earlier in this thread:\n" + "\n".join(ctx.history[-4:]) + "\n\nQuestion: " + question
        answer = await ask(question, progress)
        if answer.error is not None and not answer.ranked:
            msg = f"I couldn't answer that: {answer.error}"
            return Reply(msg, blocks.build_notice(msg))
        lines = [answer.text.strip() or "I found nothing that matches."]
        if answer.ranked:
            lines.append("\nRanked in code (score, tier, reasons):")
            lines += [
                f"{i}. {r['domain']} — {r['score']:.0f}/100 {r['tier']}"
                + ("" if r.get("qualified") else " (not qualified)")
                + (f": {'; '.join(r['reasons'][:2])}" if r.get("reasons") else "")
                for i, r in enumerate(answer.ranked[:10], 1)
            ]
        if answer.error is not None:
            lines.append(f"\n(The model stopped early: {answer.error}. The ranking above is complete.)")
        msg = "\n".join(lines)
        return Reply(msg, blocks.build_notice(msg))

    async def run(self, cmd: Command, ctx: Context, progress: Progress) -> Reply:
        started, outcome = time.perf_counter(), ["ok"]
        reply = await self._guard(self._run(cmd, ctx, progress), outcome)
        if self._metrics is not None:
            self._metrics.record_command(cmd.name, outcome[-1], time.perf_counter() - started)
        return reply

    async def _guard(self, work: Awaitable[Reply], outcome: list[str] | None = None) -> Reply:
        """Run ``work``; every failure becomes a polite reply. ``outcome`` (if given) gets the kind of ending."""
        note = outcome.append if outcome is not None else (lambda _: None)
        try:
            return await work
        except UsageError as exc:
            note("usage_error")
            return Reply(str(exc), blocks.build_notice(str(exc)), ephemeral=True)
        except ServiceError as exc:
            note("unavailable")
            msg = f"I can't do that right now: {exc}"
            return Reply(msg, blocks.build_notice(msg))
        except Exception:
            note("error")
            error_id = new_error_id()
            log.exception("command failed (%s)", error_id)
            msg = f"Something went wrong on my side (error id {error_id}). The team can find the details in the logs."
            return Reply(msg, blocks.build_notice(msg))

    async def _run(self, cmd: Command, ctx: Context, progress: Progress) -> Reply:
        wf = self.workflows
        if cmd.name == "help":
            return Reply(HELP, blocks.build_help(HELP), ephemeral=True)
        if cmd.name == "status":
            lines = await self._status()
            return Reply("\n".join(lines), blocks.build_status(lines))
        if cmd.name == "research":
            res = await wf.research(cmd.args[0], progress)
            return Reply(blocks.research_text(res), blocks.build_research(res))
        if cmd.name == "score":
            lead = await wf.score(cmd.args[0], progress)
            return Reply(blocks.lead_text(lead), blocks.build_lead(lead))
        if cmd.name == "draft":  # a command re-run after a restart shows the approval its first run made
            approval = await self.state.approval_for_command(ctx.command_id) if ctx.command_id else None
            if approval is None:
                draft = await wf.draft(cmd.args[0], cmd.args[1] or None, progress)
                approval_id = await self.state.create_approval(draft, ctx.user, command=ctx.command_id)
                approval = await self.state.approval(approval_id)
                assert approval is not None
            return Reply(blocks.approval_text(approval), blocks.build_approval(approval), approval_id=approval.id)
        if cmd.name == "leads":
            leads = await wf.leads(cmd.args[0] or None, int(cmd.args[1]))
            return Reply(blocks.leads_text(leads, cmd.args[0]), blocks.build_leads(leads, cmd.args[0]))
        if cmd.name in ("watch", "unwatch"):
            return await self._watch(cmd, ctx)
        if cmd.name == "digest":
            if cmd.args and self._digest is not None:
                return await self._digest(ctx)
            when = self._digest_schedule() if self._digest_schedule else []
            msg = ("Scheduled digests:\n" + "\n".join(f"• {w}" for w in when)) if when else "No digests are scheduled."
            msg += "\nUse `digest now` for one right here."
            return Reply(msg, blocks.build_notice(msg))
        if cmd.name == "forget":
            msg = await wf.forget(cmd.args[0])
            return Reply(msg, blocks.build_notice(msg))
        raise UsageError(HELP)  # parse_command only returns known names

    async def _watch(self, cmd: Command, ctx: Context) -> Reply:
        kind, target = cmd.args
        if cmd.name == "watch":
            watch = Watch(target, kind, ctx.user, ctx.channel, time.time())
            added = await self.state.add_watch(watch)
            if self._on_watch:
                await self._on_watch(target, watch)
            msg = f"Watching {target}: I'll re-check it regularly and alert on new high-intent signals."
            if not added:
                msg = f"I'm already watching {target}."
        else:
            removed = await self.state.remove_watch(target)
            if self._on_watch:
                await self._on_watch(target, None)
            msg = f"Stopped watching {target}." if removed else f"I wasn't watching {target}."
        return Reply(msg, blocks.build_notice(msg))

    async def _intent(self, intent: Intent, ctx: Context, progress: Progress) -> Reply:
        p = intent.params
        if intent.kind == "help":
            return Reply(HELP, blocks.build_help(HELP))
        if intent.kind == "preference":
            await self.state.add_preference(p["text"], p["rule"], ctx.user)
            if self._remember:
                await self._remember(p["text"], p["rule"], ctx.user)
            msg = f"Noted as a team preference: “{p['text']}”. Scoring and drafting will take it into account."
            return Reply(msg, blocks.build_notice(msg))
        if intent.kind == "signals":
            since = datetime.now(UTC) - timedelta(days=p["days"])
            hits = await self.workflows.signals(since, industry=p["industry"], types=p["types"])
            return Reply(blocks.signals_text(hits, p), blocks.build_signals(hits, p))
        if intent.kind == "why":
            return await self.run(Command("score", (_domain(p["domain"], "score"),)), ctx, progress)
        if intent.kind in ("research", "draft"):
            args = (_domain(p["domain"], intent.kind),) + (("",) if intent.kind == "draft" else ())
            return await self.run(Command(intent.kind, args), ctx, progress)
        if intent.kind == "leads":
            return await self.run(Command("leads", (p["tier"], "10")), ctx, progress)
        raise UsageError(HELP)
