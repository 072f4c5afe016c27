"""Approval cards: buttons, who may approve, in-place updates, double clicks, stale cards, the Edit modal."""

from __future__ import annotations

import asyncio
import json
import time

from bot.slack import blocks
from tests.bot.slack.conftest import Harness
from tests.fakes.fake_slack import block_actions, slash_command, trigger_id, view_submission


async def post_card(h: Harness, channel: str = "C0SALES001") -> tuple[str, dict]:
    def cards() -> list:
        return [c for c in h.fake.ok_calls("chat.postMessage") if blocks.APPROVE in json.dumps(c.args.get("blocks"))]

    before, updates = len(cards()), len(h.fake.ok_calls("chat.update"))
    await h.command(slash_command("draft acme.io jane@acme.io", response_url=h.fake.response_url(), channel=channel))
    card = await h.fake.wait_for(lambda: cards()[before:], timeout=15)
    call = card[0]
    approval_id = next(
        e["value"]
        for b in call.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == blocks.APPROVE
    )
    message = {
        "type": "message",
        "ts": call.response["ts"],
        "text": call.args["text"],
        "blocks": call.args["blocks"],
        "bot_id": "B0AMIABOT1",
    }
    await h.fake.wait_for(
        lambda: [c for c in h.fake.ok_calls("chat.update")[updates:] if "done" in c.args.get("text", "")]
    )
    return approval_id, message


def click(
    h: Harness, action: str, value: str, message: dict, user: str = "U0ALEX0001", hook: str | None = None
) -> dict:
    return block_actions(
        action, value, message=message, channel="C0SALES001", user=user, response_url=h.fake.response_url(hook)
    )


async def test_card_shows_draft_sources_score_and_verdict(harness: Harness) -> None:
    _, message = await post_card(harness)
    text = json.dumps(message["blocks"])
    for expected in (
        "Congrats on the Series B",
        "https://acme.io/news",
        "Compliance: pass",
        "Score 82/100",
        "Approve",
        "Edit",
        "Reject",
        "Snooze",
    ):
        assert expected in text


async def test_double_clicked_approve_sends_once_and_card_updates_in_place(harness: Harness) -> None:
    approval_id, message = await post_card(harness)
    results = await asyncio.gather(
        *[harness.interact(click(harness, blocks.APPROVE, approval_id, message, hook="dbl")) for _ in range(2)]
    )
    assert [r[0] for r in results] == [200, 200] and max(r[2] for r in results) < 3.0
    updated = await harness.fake.wait_for(
        lambda: [c for c in harness.fake.ok_calls("chat.update") if c.args.get("ts") == message["ts"]]
    )
    assert "Approved by <@U0ALEX0001>" in json.dumps(updated[-1].args["blocks"])
    assert blocks.APPROVE not in json.dumps(updated[-1].args["blocks"])  # buttons gone once decided
    hooks = await harness.fake.wait_for(lambda: harness.fake.hooks.get("commands/T0TEAM0001/dbl"))
    assert "Nothing was changed" in hooks[0]["text"] and hooks[0]["response_type"] == "ephemeral"
    await harness.bot.rt.drain()
    assert harness.workflows.sent == [("jane@acme.io", "U0ALEX0001")]


async def test_only_configured_approvers_may_approve_high_risk(harness: Harness) -> None:
    harness.workflows.risk_tier = "high"
    approval_id, message = await post_card(harness)
    await harness.interact(click(harness, blocks.APPROVE, approval_id, message, user="U0INTERN01", hook="intern"))
    refusal = await harness.fake.wait_for(lambda: harness.fake.hooks.get("commands/T0TEAM0001/intern"))
    assert "can't approve or reject high-risk drafts" in refusal[0]["text"] and "<@U0BOSS0001>" in refusal[0]["text"]
    assert harness.workflows.sent == []
    await harness.interact(click(harness, blocks.APPROVE, approval_id, message, user="U0BOSS0001"))
    await harness.fake.wait_for(lambda: harness.workflows.sent)
    assert harness.workflows.sent == [("jane@acme.io", "U0BOSS0001")]


async def test_stale_card_gets_a_polite_message(harness: Harness) -> None:
    message = {"type": "message", "ts": "1712345678.000100", "text": "old", "blocks": []}
    await harness.interact(click(harness, blocks.APPROVE, "ap_gone", message, hook="stale"))
    got = await harness.fake.wait_for(lambda: harness.fake.hooks.get("commands/T0TEAM0001/stale"))
    assert "out of date" in got[0]["text"]


async def test_reject_and_snooze_update_the_card(harness: Harness) -> None:
    approval_id, message = await post_card(harness)
    await harness.interact(click(harness, blocks.SNOOZE, approval_id, message))
    await harness.fake.wait_for(
        lambda: [c for c in harness.fake.ok_calls("chat.update") if "Snoozed by" in json.dumps(c.args.get("blocks"))]
    )
    await harness.interact(click(harness, blocks.REJECT, approval_id, message))
    await harness.fake.wait_for(
        lambda: [
            c
            for c in harness.fake.ok_calls("chat.update")
            if "Rejected by <@U0ALEX0001>" in json.dumps(c.args.get("blocks"))
        ]
    )
    assert harness.workflows.sent == []


async def test_failed_send_scheduling_is_shown_on_the_card(harness: Harness) -> None:
    harness.workflows.fail_send = True
    approval_id, message = await post_card(harness)
    await harness.interact(click(harness, blocks.APPROVE, approval_id, message))
    got = await harness.fake.wait_for(
        lambda: [
            c
            for c in harness.fake.ok_calls("chat.update")
            if "scheduling the send failed" in json.dumps(c.args.get("blocks"))
        ]
    )
    assert "outbox is not writable" in json.dumps(got[-1].args["blocks"])


async def test_edit_opens_a_modal_validates_and_updates_the_card(harness: Harness) -> None:
    approval_id, message = await post_card(harness)
    await harness.interact(click(harness, blocks.EDIT, approval_id, message))
    opened = await harness.fake.wait_calls("views.open")
    view = opened[0].response["view"]
    assert view["callback_id"] == blocks.EDIT_CALLBACK
    meta = view["private_metadata"]

    def values(subject: str, body: str) -> dict:
        return {
            blocks.EDIT_SUBJECT: {"value": {"type": "plain_text_input", "value": subject}},
            blocks.EDIT_BODY: {"value": {"type": "plain_text_input", "value": body}},
        }

    status, body, _ = await harness.interact(
        view_submission(blocks.EDIT_CALLBACK, values("", "too short"), private_metadata=meta)
    )
    errors = json.loads(body)
    assert status == 200 and errors["response_action"] == "errors"
    assert set(errors["errors"]) == {blocks.EDIT_SUBJECT, blocks.EDIT_BODY}  # both fields explained at once
    status, body, _ = await harness.interact(
        view_submission(
            blocks.EDIT_CALLBACK,
            values("Quick question", "Hi Jane, saw the Series B news. No sources here at all."),
            private_metadata=meta,
        )
    )
    assert "citation" in json.loads(body)["errors"][blocks.EDIT_BODY]
    new_body = "Hi Jane, congrats on the Series B [1] — could forecasting help your team?"
    status, body, _ = await harness.interact(
        view_submission(blocks.EDIT_CALLBACK, values("Quick question", new_body), private_metadata=meta)
    )
    assert status == 200 and body == ""
    edited = await harness.fake.wait_for(
        lambda: [
            c for c in harness.fake.ok_calls("chat.update") if "Quick question" in json.dumps(c.args.get("blocks"))
        ]
    )
    assert edited[-1].args["ts"] == message["ts"]


async def test_expired_trigger_tells_the_user_to_retry(harness: Harness) -> None:
    approval_id, message = await post_card(harness)
    payload = click(harness, blocks.EDIT, approval_id, message, hook="late")
    payload["trigger_id"] = f"{int(time.time() * 1000) - 4000}.1.abc"
    await harness.interact(payload)
    got = await harness.fake.wait_for(lambda: harness.fake.hooks.get("commands/T0TEAM0001/late"))
    assert "Click Edit again" in got[0]["text"]
    assert trigger_id()  # fresh triggers are what Slack sends normally


async def test_snoozed_card_comes_back_once_when_the_snooze_runs_out(harness: Harness) -> None:
    from bot.slack.approvals import SNOOZE_SECONDS, wake_snoozed

    approval_id, message = await post_card(harness)
    await harness.interact(click(harness, blocks.SNOOZE, approval_id, message))
    await harness.fake.wait_for(
        lambda: [c for c in harness.fake.ok_calls("chat.update") if "Snoozed by" in json.dumps(c.args.get("blocks"))]
    )
    state, client = harness.bot.assistant.state, harness.bot.rt.workspaces
    assert await wake_snoozed(state, client) == 0, "not due yet"
    assert (await state.approval(approval_id)).state == "snoozed"  # type: ignore[union-attr]

    later = time.time() + SNOOZE_SECONDS + 1
    updates = len(harness.fake.ok_calls("chat.update"))
    assert await wake_snoozed(state, client, now=later) == 1
    assert await wake_snoozed(state, client, now=later) == 0, "woken once: no second reminder"
    card = harness.fake.ok_calls("chat.update")[updates:]
    assert len(card) == 1 and card[0].args["ts"] == message["ts"]
    assert "Waiting for approval" in json.dumps(card[0].args["blocks"]) and blocks.APPROVE in json.dumps(
        card[0].args["blocks"]
    )
    reminders = [c for c in harness.fake.ok_calls("chat.postMessage") if "back from snooze" in c.args.get("text", "")]
    assert len(reminders) == 1
    assert reminders[0].args["thread_ts"] == message["ts"] and "<@U0ALEX0001>" in reminders[0].args["text"]

    await harness.interact(click(harness, blocks.APPROVE, approval_id, message))  # the buttons work again
    await harness.fake.wait_for(
        lambda: [c for c in harness.fake.ok_calls("chat.update") if "Approved by" in json.dumps(c.args.get("blocks"))]
    )


async def test_running_bot_wakes_due_snoozes_by_itself(harness: Harness) -> None:
    approval_id, message = await post_card(harness)
    state = harness.bot.assistant.state
    assert await state.transition(approval_id, "snoozed", "U0ALEX0001", snooze_until=time.time() - 1)
    await harness.bot.resume()  # what `amia run` calls once the bot is up
    got = await harness.fake.wait_for(
        lambda: [c for c in harness.fake.ok_calls("chat.postMessage") if "back from snooze" in c.args.get("text", "")]
    )
    assert got[0].args["thread_ts"] == message["ts"]
    assert (await state.approval(approval_id)).state == "pending"  # type: ignore[union-attr]


async def test_slack_user_groups_and_the_requester_can_be_approvers(harness: Harness) -> None:
    fake, desk = harness.fake, harness.bot.assistant.desk
    fake.usergroup("S0SALESLD1", "sales-leads", ["U0LEAD0001", "U0LEAD0002"])
    fake.usergroup("S0LEGAL001", "legal", ["U0LAWYER01"])
    desk.approvers = {"low": ["owner"], "medium": ["*"], "high": ["@sales-leads", "S0LEGAL001"], "critical": []}
    harness.workflows.risk_tier = "high"
    approval_id, message = await post_card(harness)

    await harness.interact(click(harness, blocks.APPROVE, approval_id, message, user="U0ALEX0001", hook="no"))
    refusal = await fake.wait_for(lambda: fake.hooks.get("commands/T0TEAM0001/no"))
    assert "can't approve or reject high-risk drafts" in refusal[0]["text"]
    assert "@sales-leads" in refusal[0]["text"] and "<!subteam^S0LEGAL001>" in refusal[0]["text"]
    assert harness.workflows.sent == []

    await harness.interact(click(harness, blocks.APPROVE, approval_id, message, user="U0LAWYER01"))
    await fake.wait_for(lambda: harness.workflows.sent)
    assert harness.workflows.sent == [("jane@acme.io", "U0LAWYER01")]
    assert len(fake.ok_calls("usergroups.list")) == 1  # the handle was looked up once and cached

    # low risk routed to "owner": whoever asked for the draft (U0ALEX0001 in post_card), and nobody else
    harness.workflows.risk_tier = "low"
    low_id, low_message = await post_card(harness)
    await harness.interact(click(harness, blocks.APPROVE, low_id, low_message, user="U0LEAD0001", hook="not-owner"))
    refusal = await fake.wait_for(lambda: fake.hooks.get("commands/T0TEAM0001/not-owner"))
    assert "the requester <@U0ALEX0001>" in refusal[0]["text"]
    await harness.interact(click(harness, blocks.APPROVE, low_id, low_message, user="U0ALEX0001"))
    await fake.wait_for(lambda: len(harness.workflows.sent) == 2)


async def test_a_group_slack_cannot_resolve_fails_closed_and_says_why(harness: Harness) -> None:
    fake, desk = harness.fake, harness.bot.assistant.desk
    fake.usergroup("S0SALESLD1", "sales-leads", ["U0LEAD0001"])
    fake.missing_scope.add("usergroups.list")
    desk.approvers = {"high": ["@sales-leads", "@nobody-here"]}
    harness.workflows.risk_tier = "high"
    approval_id, message = await post_card(harness)
    await harness.interact(click(harness, blocks.APPROVE, approval_id, message, user="U0LEAD0001", hook="scope"))
    refusal = await fake.wait_for(lambda: fake.hooks.get("commands/T0TEAM0001/scope"))
    assert "needs the usergroups:read scope" in refusal[0]["text"] and harness.workflows.sent == []

    fake.missing_scope.clear()
    desk.groups.ttl = 0.0
    await harness.interact(click(harness, blocks.APPROVE, approval_id, message, user="U0OTHER001", hook="absent"))
    refusal = await fake.wait_for(lambda: fake.hooks.get("commands/T0TEAM0001/absent"))
    assert "there is no user group @nobody-here in this workspace" in refusal[0]["text"]
    await harness.interact(click(harness, blocks.APPROVE, approval_id, message, user="U0LEAD0001"))
    await fake.wait_for(lambda: harness.workflows.sent)
