"""Approval decisions (approve, edit, reject, snooze) shared by Slack buttons and the console's numbered actions,
plus the Slack listeners that wire the buttons and the Edit modal.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import BotError, new_error_id
from bot.slack import blocks
from bot.slack.approvers import ApproverGroups, Verdict, mention
from bot.slack.workspaces import Workspaces
from bot.state import Approval, BotState
from bot.workflows import Workflows

log = logging.getLogger(__name__)
CONSOLE_USER = "console"
Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]
SNOOZE_SECONDS = 24 * 3600


@dataclass
class Decision:
    changed: bool
    message: str  # what the person who clicked should read
    approval: Approval | None


class ApprovalDesk:
    def __init__(
        self,
        state: BotState,
        workflows: Workflows,
        approvers: dict[str, list[str]],
        groups: ApproverGroups | None = None,
    ) -> None:
        self.state, self.workflows, self.approvers = state, workflows, approvers
        self.groups = groups or ApproverGroups()

    async def may_decide(self, user: str, a: Approval, client: AsyncWebClient | None = None) -> Verdict:
        """``client`` (the request's workspace) resolves user groups; the console operator owns the machine."""
        if user == CONSOLE_USER:
            return Verdict(True)
        entries = self.approvers.get(a.risk_tier, [])
        return await self.groups.allowed(user, entries, requester=a.requester, client=client)

    async def decide(
        self, approval_id: str, action: str, user: str, note: str | None = None, client: AsyncWebClient | None = None
    ) -> Decision:
        a = await self.state.approval(approval_id)
        if a is None:
            return Decision(
                False, "This card is out of date — the draft no longer exists. Run `draft` again for a fresh one.", None
            )
        if a.state not in ("pending", "snoozed"):
            return Decision(False, f"Already decided: {blocks.approval_status(a)}. Nothing was changed.", a)
        if action in (blocks.APPROVE, blocks.REJECT):
            verdict = await self.may_decide(user, a, client)
            if not verdict.allowed:
                who = self.approvers.get(a.risk_tier) or []
                hint = (
                    "nobody is configured yet (slack.approvers." + a.risk_tier + ")"
                    if not who
                    else "ask one of " + ", ".join(mention(u, a.requester) for u in who)
                )
                if verdict.problem:
                    hint += f" (note: {verdict.problem})"
                return Decision(False, f"Sorry, you can't approve or reject {a.risk_tier}-risk drafts: {hint}.", a)
        if action == blocks.APPROVE and a.draft.verdict == "block":
            return Decision(False, "Compliance blocked this draft, so it can't be approved.", a)
        target = {blocks.APPROVE: "approved", blocks.REJECT: "rejected", blocks.SNOOZE: "snoozed"}[action]
        snooze = time.time() + SNOOZE_SECONDS if action == blocks.SNOOZE else None
        if not await self.state.transition(approval_id, target, user, note=note, snooze_until=snooze):
            latest = await self.state.approval(approval_id)
            status = blocks.approval_status(latest) if latest else "gone"
            return Decision(False, f"Someone got there first: {status}. Nothing was changed.", latest)
        if action == blocks.APPROVE:
            try:
                ref = await self.workflows.schedule_send(a.draft, user)
                await self.state.mark_sent(approval_id, "sent", ref)
            except Exception as exc:  # the approval stands; the card says scheduling failed
                if isinstance(exc, BotError):
                    log.info("scheduling the send for %s refused: %s", approval_id, exc)
                    note = str(exc)[:300]
                else:
                    error_id = new_error_id()
                    log.exception("scheduling the send for %s failed (%s)", approval_id, error_id)
                    note = f"an internal error (error id {error_id})"
                await self.state.mark_sent(approval_id, "failed", "", note=note)
        latest = await self.state.approval(approval_id)
        return Decision(True, blocks.approval_status(latest) if latest else target, latest)

    async def edit(self, approval_id: str, user: str, subject: str, body: str) -> dict[str, str] | Approval:
        """Validate and store an edit; returns errors per field, or the updated approval."""
        a = await self.state.approval(approval_id)
        if a is None or a.state not in ("pending", "snoozed"):
            return {blocks.EDIT_BODY: "This draft was already decided or no longer exists; it can't be edited."}
        had_markers = bool(re.search(r"\[\d+\]", a.draft.body))  # cited by number before: keep it that way
        errors = blocks.validate_edit(subject, body, had_markers)
        if errors:
            return errors
        a.draft.subject, a.draft.body = subject.strip(), body.strip()
        a.draft.extra["edited_by"] = user
        await self.state.update_draft(approval_id, a.draft)
        latest = await self.state.approval(approval_id)
        assert latest is not None
        return latest


async def wake_snoozed(state: BotState, workspaces: Workspaces, now: float | None = None) -> int:
    """Bring back drafts whose snooze ran out: the card shows its buttons as pending again and the person who
    snoozed it is reminded in the card's thread. Each card is woken once (an atomic state change), so two
    workers or a re-run never remind twice; a crash between the change and the reminder leaves the card pending,
    visible in App Home, rather than reminding twice."""
    woken = 0
    for a in await state.due_snoozed(now):
        snoozer = a.actor
        if not await state.wake(a.id, now):
            continue
        woken += 1
        latest = await state.approval(a.id)
        if latest is None or not latest.channel or not latest.ts:
            continue  # a console draft: the console lists it again as pending
        client = await workspaces.client_for(latest.channel)
        await client.chat_update(
            channel=latest.channel, ts=latest.ts, text=blocks.approval_text(latest)[:3000],
            blocks=blocks.build_approval(latest),
        )  # fmt: skip
        who = f"<@{snoozer}> " if snoozer and snoozer != CONSOLE_USER else ""
        await client.chat_postMessage(
            channel=latest.channel,
            thread_ts=latest.ts,
            text=f"{who}this draft for {latest.draft.domain} is back from snooze and waiting for a decision.",
        )
    return woken


def register(app: AsyncApp, desk: ApprovalDesk, spawn: Spawn) -> None:
    """Listeners ack at once and hand the rest to ``spawn`` (the app runs with process_before_response)."""

    async def refresh(client: AsyncWebClient, a: Approval | None, channel: str | None, ts: str | None) -> None:
        if a is None or not (channel or a.channel) or not (ts or a.ts):
            return
        await client.chat_update(
            channel=channel or a.channel or "",
            ts=ts or a.ts or "",
            text=blocks.approval_text(a)[:3000],
            blocks=blocks.build_approval(a),
        )

    async def handle_decision(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        await ack()
        spawn(decide(body, client, respond), "approval decision")

    async def decide(body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        action = body["actions"][0]
        user = body["user"]["id"]
        container = body.get("container", {})
        channel, ts = container.get("channel_id"), container.get("message_ts")
        decision = await desk.decide(action.get("value", ""), action["action_id"], user, client=client)
        if decision.changed:
            await refresh(client, decision.approval, channel, ts)
        else:
            await respond(text=decision.message, response_type="ephemeral", replace_original=False)

    async def handle_edit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        await ack()
        spawn(open_editor(body, client, respond), "edit modal")

    async def open_editor(body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        a = await desk.state.approval(body["actions"][0].get("value", ""))
        if a is None or a.state not in ("pending", "snoozed"):
            msg = (
                "This card is out of date — it was already decided or the draft is gone."
                if a
                else "This card is out of date."
            )
            await respond(text=msg, response_type="ephemeral", replace_original=False)
            return
        container = body.get("container", {})
        a.channel, a.ts = container.get("channel_id") or a.channel, container.get("message_ts") or a.ts
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=blocks.build_edit_modal(a))
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))
            await respond(
                text="Slack closed the edit window before it opened (it took too long). Click Edit again.",
                response_type="ephemeral",
                replace_original=False,
            )

    async def handle_edit_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = view["state"]["values"]
        meta = json.loads(view.get("private_metadata") or "{}")
        subject = (values.get(blocks.EDIT_SUBJECT, {}).get("value", {}).get("value")) or ""
        text = (values.get(blocks.EDIT_BODY, {}).get("value", {}).get("value")) or ""
        result = await desk.edit(meta.get("approval_id", ""), body["user"]["id"], subject, text)
        if isinstance(result, dict):
            await ack(response_action="errors", errors=result)
            return
        await ack()
        spawn(refresh(client, result, meta.get("channel"), meta.get("ts")), "card refresh")

    for action_id in (blocks.APPROVE, blocks.REJECT, blocks.SNOOZE):
        app.action(action_id)(handle_decision)
    app.action(blocks.EDIT)(handle_edit)
    app.view(blocks.EDIT_CALLBACK)(handle_edit_submit)
