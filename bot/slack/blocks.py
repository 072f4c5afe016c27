"""Block Kit rendering: every `build_*` returns plain dicts within Slack's limits (50 blocks, 3000 chars)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from bot.slack.cards import ACTION_APPROVE, ACTION_EDIT, ACTION_REJECT, ACTION_SNOOZE, build_approval_card
from bot.state import Approval, UserSettings
from bot.workflows import Finding, LeadSummary, ResearchResult, SignalHit

# the approval card's content comes from bot/slack/cards.py; its action ids are the ones we listen for
APPROVE, EDIT, REJECT, SNOOZE = ACTION_APPROVE, ACTION_EDIT, ACTION_REJECT, ACTION_SNOOZE
APPROVAL_ACTIONS = (APPROVE, EDIT, REJECT, SNOOZE)
EDIT_CALLBACK = "amia_edit_draft"
EDIT_SUBJECT, EDIT_BODY = "edit_subject", "edit_body"
HOME_DIGEST_TIME, HOME_ALERTS_TO = "amia_home_digest_time", "amia_home_alerts_to"
MAX_BLOCKS, MAX_TEXT = 50, 3000
Block = dict[str, Any]


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text or " ")}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 2000)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150), "emoji": True}}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    b: Block = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    return b


def _cap(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context(f"…{len(blocks) - limit + 1} more not shown")]


def cite(f: Finding) -> str:
    return f"{f.text} (<{f.source_url}|source>)" if f.source_url else f.text


def build_notice(text: str) -> list[Block]:
    return [section(text)]


def build_help(text: str) -> list[Block]:
    return [section("```" + clip(text, MAX_TEXT - 6) + "```")]


def build_status(lines: list[str]) -> list[Block]:
    return [header("AMIA status"), section("\n".join(f"• {line}" for line in lines))]


def build_progress(
    title: str, stage: str, *, done: bool = False, failed: bool = False, marker: str | None = None
) -> list[Block]:
    """``marker`` (see progress_block_id) lets a restart find this message if the bot never heard its ts."""
    icon = ":x:" if failed else ":white_check_mark:" if done else ":hourglass_flowing_sand:"
    head = section(f"{icon} *{title}*")
    if marker:
        head["block_id"] = marker
    return [head, context(stage)]


def progress_block_id(command_id: str) -> str:
    """The block id that marks a message as this queued command's progress message (at most 255 characters)."""
    return f"amia_cmd:{hashlib.sha256(command_id.encode()).hexdigest()[:32]}"


def research_text(r: ResearchResult) -> str:
    lines = [f"{r.name} ({r.domain}) — {r.summary}"]
    lines += [f"- {cite(f)}" for f in r.findings]
    if r.signals:
        lines.append("Signals:")
        lines += [f"- {cite(s)}" for s in r.signals]
    if r.people:
        lines.append("People: " + ", ".join(r.people))
    lines.append(f"({r.mode} mode)")
    return "\n".join(lines)


def build_research(r: ResearchResult) -> list[Block]:
    out: list[Block] = [header(f"{r.name} ({r.domain})"), section(r.summary)]
    if r.findings:
        out.append(section("*What we know*\n" + "\n".join(f"• {cite(f)}" for f in r.findings[:25])))
    if r.signals:
        out.append(section("*Signals*\n" + "\n".join(f"• {cite(s)}" for s in r.signals[:25])))
    if r.people:
        out.append(section("*People*\n" + ", ".join(r.people[:40])))
    out.append(context(f"{r.mode} mode · every line links to its source"))
    return _cap(out)


def lead_text(lead: LeadSummary) -> str:
    lines = [f"{lead.name} ({lead.domain}): {lead.score:.0f}/100, {lead.tier}"]
    lines += [f"- {r}" for r in lead.reasons]
    return "\n".join(lines)


def build_lead(lead: LeadSummary) -> list[Block]:
    reasons = "\n".join(f"• {r}" for r in lead.reasons[:30]) or "No criteria matched."
    return [header(f"{lead.name}: {lead.score:.0f}/100 ({lead.tier})"), section("*Why*\n" + reasons)]


def leads_text(leads: list[LeadSummary], tier: str) -> str:
    if not leads:
        return f"No {tier or 'hot or warm'} leads yet. Research a few companies first."
    return "\n".join(
        f"{i}. {x.name} ({x.domain}) {x.score:.0f} {x.tier}" + (f" — {x.reasons[0]}" if x.reasons else "")
        for i, x in enumerate(leads, 1)
    )


def build_leads(leads: list[LeadSummary], tier: str) -> list[Block]:
    if not leads:
        return [section(leads_text(leads, tier))]
    out: list[Block] = [header(f"{(tier or 'hot and warm').capitalize()} leads")]
    for i, x in enumerate(leads, 1):
        why = f"\n_{x.reasons[0]}_" if x.reasons else ""
        out.append(section(f"*{i}. {x.name}* ({x.domain}) — *{x.score:.0f}* {x.tier}{why}"))
    return _cap(out)


def signals_text(hits: list[SignalHit], params: dict[str, Any]) -> str:
    if not hits:
        return f"No matching signals in the last {params.get('days', 30)} days."
    return "\n".join(f"- {h.name} ({h.domain}): {h.type} on {h.at:%Y-%m-%d}: {h.evidence}" for h in hits)


def build_signals(hits: list[SignalHit], params: dict[str, Any]) -> list[Block]:
    if not hits:
        return [section(signals_text(hits, params))]
    out: list[Block] = []
    for h in hits[: MAX_BLOCKS - 1]:
        src = f" (<{h.source_url}|source>)" if h.source_url else ""
        out.append(section(f"*{h.name}* ({h.domain}) · {h.type} · {h.at:%Y-%m-%d}\n>{clip(h.evidence, 500)}{src}"))
    return _cap(out)


def approval_status(a: Approval) -> str:
    who = f"<@{a.actor}>" if a.actor and a.actor != "console" else (a.actor or "")
    return {
        "pending": "Waiting for approval",
        "snoozed": f"Snoozed by {who}",
        "approved": f"Approved by {who}, send scheduled",
        "sent": f"Approved by {who}, send scheduled ({a.send_ref})",
        "rejected": f"Rejected by {who}" + (f": {a.note}" if a.note else ""),
        "failed": f"Approved by {who}, but scheduling the send failed: {a.note}",
        "withdrawn": f"Withdrawn: {a.note}",
    }.get(a.state, a.state)


def approval_text(a: Approval) -> str:
    d = a.draft
    lines = [
        f"Draft to {d.contact} at {d.domain} — risk {a.risk_tier}, compliance {d.verdict}",
        f"Subject: {d.subject}",
        d.body,
    ]
    lines += [f"! {f}" for f in d.findings]
    lines += [f"[{i}] {cite(c)}" for i, c in enumerate(d.citations, 1)]
    lines.append(f"Status: {approval_status(a)}")
    return "\n".join(lines)


def _package_card(a: Approval) -> list[Block]:
    """cards.build_approval_card's content, with its buttons bound to this approval (or removed once decided)."""
    from agents.copywriting.sequence import DraftPackage

    package = DraftPackage.model_validate(a.draft.extra["package"])
    if a.draft.extra.get("edited_by") and package.steps:
        package.steps[0].subject, package.steps[0].body = a.draft.subject, a.draft.body
    out: list[Block] = []
    for block in build_approval_card(package):
        if block.get("type") == "actions":
            if a.state not in ("pending", "snoozed"):
                continue
            block = {
                **block,
                "block_id": "approval_actions",
                "elements": [{**e, "value": a.id} for e in block["elements"]],
            }
        out.append(block)
    score = f"Score {a.draft.score.score:.0f}/100 ({a.draft.score.tier})" if a.draft.score else "Not scored"
    written = a.draft.extra.get("written_by")
    out.append(
        context(f"{score} · risk {a.risk_tier} · {approval_status(a)}" + (f" · by {written}" if written else ""))
    )
    return _cap(out)


def card_block_id(approval_id: str) -> str:
    """The block id that marks a message as this approval's card (looked for after a crash mid-post)."""
    return f"amia_approval:{approval_id}"


def build_approval(a: Approval) -> list[Block]:
    """The approval card: draft, citations, score, verdict; buttons only while a decision is open. Its first block
    carries the approval's id (card_block_id)."""
    out = _package_card(a) if "package" in a.draft.extra else _plain_card(a)
    return [{**out[0], "block_id": card_block_id(a.id)}, *out[1:]]


def _plain_card(a: Approval) -> list[Block]:
    d = a.draft
    verdict_icon = {"pass": ":large_green_circle:", "flag": ":large_yellow_circle:", "block": ":red_circle:"}
    out: list[Block] = [
        header(f"Draft for {d.contact} at {d.domain}"),
        section(f"*Subject:* {d.subject}\n\n{d.body}"),
    ]
    if d.citations:
        out.append(section("*Sources*\n" + "\n".join(f"[{i}] {cite(c)}" for i, c in enumerate(d.citations, 1))))
    score = f"Score {d.score.score:.0f}/100 ({d.score.tier})" if d.score else "Not scored"
    findings = "\n".join(f"• {f}" for f in d.findings[:20]) or "No findings."
    out.append(
        section(
            f"{verdict_icon.get(d.verdict, '')} *Compliance: {d.verdict}* · risk {a.risk_tier} · {score}\n{findings}"
        )
    )
    if a.state in ("pending", "snoozed") and d.verdict != "block":
        out.append(
            {
                "type": "actions",
                "block_id": "approval_actions",
                "elements": [
                    button("Approve", APPROVE, a.id, "primary"),
                    button("Edit", EDIT, a.id),
                    button("Reject", REJECT, a.id, "danger"),
                    button("Snooze 1 day", SNOOZE, a.id),
                ],
            }
        )
    elif d.verdict == "block" and a.state == "pending":
        out.append(
            context(
                "Compliance blocked this draft: it cannot be approved. Edit the facts or the contact and draft again."
            )
        )
    out.append(context(approval_status(a)))
    return _cap(out)


def build_edit_modal(a: Approval) -> dict[str, Any]:
    d = a.draft
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "private_metadata": json.dumps({"approval_id": a.id, "channel": a.channel, "ts": a.ts}),
        "title": {"type": "plain_text", "text": "Edit draft"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": EDIT_SUBJECT,
                "label": {"type": "plain_text", "text": "Subject"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "initial_value": d.subject,
                    "max_length": 150,
                },
            },
            {
                "type": "input",
                "block_id": EDIT_BODY,
                "label": {"type": "plain_text", "text": "Body"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "initial_value": clip(d.body, 3000),
                    "max_length": 3000,
                },
            },
        ],
    }


def validate_edit(subject: str, body: str, keep_markers: bool) -> dict[str, str]:
    """Errors per input block (empty = valid); shown inline by Slack or printed by the console."""
    errors: dict[str, str] = {}
    if len(subject.strip()) < 3:
        errors[EDIT_SUBJECT] = "Give the email a subject (at least 3 characters)."
    elif "\n" in subject:
        errors[EDIT_SUBJECT] = "The subject must be one line."
    if len(body.strip()) < 20:
        errors[EDIT_BODY] = "The body is too short to send (at least 20 characters)."
    elif keep_markers and not re.search(r"\[\d+\]", body):
        errors[EDIT_BODY] = "Keep at least one citation like [1] so every claim stays sourced."
    return errors


def build_alert(hit: SignalHit, reason: str) -> list[Block]:
    src = f" (<{hit.source_url}|source>)" if hit.source_url else ""
    return [
        section(
            f":rotating_light: *{hit.name}* ({hit.domain}): *{hit.type.replace('_', ' ')}*\n"
            f">{clip(hit.evidence, 600)}{src}"
        ),
        context(f"{reason} · `/amia draft {hit.domain}` to reach out"),
    ]


def build_home(
    user: str, hot: list[LeadSummary], approvals: list[Approval], replies: list[str], settings: UserSettings
) -> dict[str, Any]:
    out: list[Block] = [header("Your AMIA queue"), section("*Hot leads*")]
    out += [
        section(f"• *{x.name}* ({x.domain}) {x.score:.0f}" + (f" — {x.reasons[0]}" if x.reasons else ""))
        for x in hot[:10]
    ] or [context("No hot leads yet.")]
    out.append({"type": "divider"})
    out.append(section(f"*Waiting for approval* ({len(approvals)})"))
    out += [
        section(f"• {a.draft.subject} → {a.draft.contact} ({a.draft.domain}), risk {a.risk_tier}")
        for a in approvals[:10]
    ] or [context("Nothing to approve.")]
    out.append({"type": "divider"})
    out.append(section("*Recent replies*"))
    out += [section(f"• {r}") for r in replies[:10]] or [context("No replies yet.")]
    out.append({"type": "divider"})
    times = [f"{h:02d}:{m:02d}" for h in range(6, 12) for m in (0, 30)]
    if settings.digest_time not in times:
        times.append(settings.digest_time)

    def opt(v: str, label: str | None = None) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": label or v}, "value": v}

    out.append(section("*Your settings*"))
    out.append(
        {
            "type": "section",
            "block_id": "home_digest_time",
            "text": {"type": "mrkdwn", "text": "Daily digest time"},
            "accessory": {
                "type": "static_select",
                "action_id": HOME_DIGEST_TIME,
                "options": [opt(t) for t in times],
                "initial_option": opt(settings.digest_time),
            },
        }
    )
    labels = {"dm": "Direct message", "channel": "The alerts channel"}
    out.append(
        {
            "type": "section",
            "block_id": "home_alerts_to",
            "text": {"type": "mrkdwn", "text": "Send my alerts to"},
            "accessory": {
                "type": "static_select",
                "action_id": HOME_ALERTS_TO,
                "options": [opt(k, v) for k, v in labels.items()],
                "initial_option": opt(settings.alerts_to, labels.get(settings.alerts_to)),
            },
        }
    )
    return {"type": "home", "blocks": _cap(out, 100)}
