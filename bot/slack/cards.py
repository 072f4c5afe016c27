"""Approval card content (pure Block Kit): the draft, its citations as linked sources, spam score, verdict,
findings and the Approve / Edit / Reject / Snooze buttons. The Slack listeners wire the action ids."""

from __future__ import annotations

from typing import Any

from agents.copywriting.sequence import DraftPackage, DraftStep

ACTION_APPROVE = "draft_approve"
ACTION_EDIT = "draft_edit"
ACTION_REJECT = "draft_reject"
ACTION_SNOOZE = "draft_snooze"
VERDICT_ICON = {"pass": ":white_check_mark:", "flag": ":warning:", "block": ":no_entry:"}
MAX_TEXT = 2900  # Block Kit section text limit is 3000


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _step_blocks(step: DraftStep) -> list[dict[str, Any]]:
    icon = VERDICT_ICON[step.verdict.value]
    score = "not scored" if step.spam_score is None else f"{step.spam_score:.1f}"
    variants = " · ".join(f"`{v.tag}` {_escape(v.subject)}" for v in step.variants)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(f"Step {step.step} · {step.angle}", 150)}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _clip(f"*Subject:* {_escape(step.subject)}\n*Variants:* {variants}")},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip("```" + _escape(step.body) + "```")}},
    ]
    if step.citations:
        lines = [
            f"• <{c.source_url}|{_escape(c.text[:80])}>" if c.source_url else f"• {_escape(c.text[:80])}"
            for c in step.citations
        ]
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip("*Sources:*\n" + "\n".join(lines))}]}
        )
    problems = [f for f in step.findings if f.severity != "info"]
    summary = f"{icon} *{step.verdict.value.upper()}* · spam score {score} · {step.mode}"
    if problems:
        summary += "\n" + "\n".join(f"• `{f.rule}` {_escape(f.text[:120])} — _{_escape(f.fix)}_" for f in problems[:8])
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(summary)}})
    return blocks


def build_approval_card(package: DraftPackage) -> list[dict[str, Any]]:
    """Blocks for one draft package. Approve is only offered when nothing blocks."""
    verdict = package.verdict.value
    title = f"{VERDICT_ICON[verdict]} Draft for {_escape(package.company)} ({package.domain})"
    who = f"To: {package.contact_name or ''} <{package.contact or 'no email'}> · language {package.language}"
    mode = "deterministic templates" if package.mode == "template" else "model-written"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(f"*{title}*\n{_escape(who)} · {mode}")}},
    ]
    for f in package.findings:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _clip(f"`{f.rule}` {_escape(f.text)} — _{_escape(f.fix)}_")}],
            }
        )
    for step in package.steps:
        blocks.append({"type": "divider"})
        blocks.extend(_step_blocks(step))
    value = package.lead_id or package.domain
    buttons: list[dict[str, Any]] = []
    if verdict != "block":
        buttons.append(
            {
                "type": "button",
                "action_id": ACTION_APPROVE,
                "style": "primary",
                "value": value,
                "text": {"type": "plain_text", "text": "Approve"},
            }
        )
    buttons += [
        {"type": "button", "action_id": ACTION_EDIT, "value": value, "text": {"type": "plain_text", "text": "Edit"}},
        {
            "type": "button",
            "action_id": ACTION_REJECT,
            "style": "danger",
            "value": value,
            "text": {"type": "plain_text", "text": "Reject"},
        },
        {
            "type": "button",
            "action_id": ACTION_SNOOZE,
            "value": value,
            "text": {"type": "plain_text", "text": "Snooze"},
        },
    ]
    blocks.append({"type": "actions", "block_id": f"draft:{value}"[:255], "elements": buttons})
    return blocks
