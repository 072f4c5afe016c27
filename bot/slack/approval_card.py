"""An approval card posted once per approval, also when a restart re-runs the command that drafted it.

The approval records where its card is going before the post and the card's ts once Slack answers. A re-run that
finds the ts posts nothing; one that finds only the channel (the bot died with the post in flight) first looks in
the command's thread for a message carrying the approval's block id, and posts only if Slack has none. If Slack
cannot be asked, the card is posted again: two cards for one approval (either decides it, once) beat none.
"""

from __future__ import annotations

import logging

from bot.replies import Reply
from bot.slack import blocks
from bot.slack.lookup import find_marked
from bot.slack.runtime import SlackRuntime
from bot.state import BotState

log = logging.getLogger(__name__)


async def post_card(rt: SlackRuntime, state: BotState, reply: Reply, channel: str, thread_ts: str) -> str:
    """Post ``reply`` (an approval card) in the thread unless the approval's card is already there; its ts."""
    assert reply.approval_id is not None
    approval = await state.approval(reply.approval_id)
    if approval is not None and approval.ts:  # posted and recorded before a restart
        return approval.ts
    if approval is not None and approval.channel == channel:  # the post was in flight when the bot died
        found = await _find_card(rt, channel, thread_ts, reply.approval_id)
        if found is not None:
            log.info("approval %s: its card was already in the thread; not posting it again", reply.approval_id)
            await state.set_message(reply.approval_id, channel, found)
            return found
    await state.card_posting(reply.approval_id, channel)
    resp = await rt.queue.post(channel, text=blocks.clip(reply.text, 3000), blocks=reply.blocks, thread_ts=thread_ts)
    ts = str(resp["ts"])
    await state.set_message(reply.approval_id, channel, ts)
    return ts


async def _find_card(rt: SlackRuntime, channel: str, thread_ts: str, approval_id: str) -> str | None:
    """The ts of the approval's card in the thread, None if it is not there or Slack cannot say."""
    return await find_marked(rt, channel, blocks.card_block_id(approval_id), thread=thread_ts)
