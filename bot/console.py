"""Console chat: the same commands and conversation as Slack, typed at a terminal (used when no Slack tokens
are set). Cards are rendered as readable text; their buttons become numbered actions you type to use.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.assistant import Assistant, build_assistant
from bot.replies import Context, Reply
from bot.services import Services
from bot.slack import blocks as bk
from bot.slack.approvals import CONSOLE_USER
from bot.slack.digest import Digest
from bot.workflows import Workflows

Action = tuple[str, str, str]  # (label, action_id, value)
BANNER = "AMIA console. Type 'help' for commands, 'quit' to leave. Numbers pick an action on the last card."


def mrkdwn_to_text(text: str) -> str:
    text = re.sub(r"<(https?://[^|>]+)\|source>", r"\1", text)
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r"<@([A-Z0-9]+)>", r"@\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r":[a-z_]+:\s?", "", text)  # emoji codes
    text = re.sub(r"(?<!\w)[*_](\S(?:.*?\S)?)[*_](?!\w)", r"\1", text)
    return text.replace("```", "")


def render_blocks(blocks: Iterable[dict[str, Any]], first: int = 1) -> tuple[str, list[Action]]:
    """Block Kit as text; buttons are numbered from ``first`` and returned so the console can act on them."""
    lines: list[str] = []
    actions: list[Action] = []
    for b in blocks:
        kind = b.get("type")
        if kind == "header":
            lines += ["", f"== {b['text']['text']} =="]
        elif kind == "section":
            if "text" in b:
                lines.append(mrkdwn_to_text(b["text"]["text"]))
            lines += [mrkdwn_to_text(f["text"]) for f in b.get("fields", [])]
        elif kind == "context":
            lines.append("  (" + " ".join(mrkdwn_to_text(e.get("text", "")) for e in b.get("elements", [])) + ")")
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            shown = []
            for e in b.get("elements", []):
                if e.get("type") == "button":
                    actions.append((e["text"]["text"], e["action_id"], e.get("value", "")))
                    shown.append(f"[{first + len(actions) - 1}] {e['text']['text']}")
            lines.append("Actions: " + "  ".join(shown))
    return "\n".join(lines).strip("\n"), actions


class ConsoleSession:
    def __init__(self, assistant: Assistant, out: TextIO) -> None:
        self.a, self.out = assistant, out
        self.actions: list[Action] = []
        self.history: list[str] = []

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def progress(self, stage: str) -> None:
        self.write(f"  … {stage}")

    def show(self, reply: Reply) -> None:
        if reply.blocks:
            text, self.actions = render_blocks(reply.blocks)
        else:
            text, self.actions = reply.text, []
        self.write(text)
        for name, content in reply.files:
            folder = self.a.services.settings.data_path("console")
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{name}"
            path.write_bytes(content)
            self.write(f"(chart saved to {path})")

    async def act(self, number: int, ask: Any) -> None:
        if not 1 <= number <= len(self.actions):
            self.write(
                f"There is no action {number} on the last card."
                if self.actions
                else "There is no card with actions to use."
            )
            return
        _, action_id, value = self.actions[number - 1]
        if action_id == bk.EDIT:
            await self.edit(value, ask)
            return
        decision = await self.a.desk.decide(value, action_id, CONSOLE_USER)
        self.write(decision.message)
        if decision.approval is not None and decision.changed:
            self.show(Reply(bk.approval_text(decision.approval), bk.build_approval(decision.approval)))

    async def edit(self, approval_id: str, ask: Any) -> None:
        current = await self.a.state.approval(approval_id)
        if current is None or current.state not in ("pending", "snoozed"):
            self.write("This card is out of date — it was already decided or the draft is gone.")
            return
        subject = (await ask(f"Subject [{current.draft.subject}]: ")).strip() or current.draft.subject
        self.write("Body (finish with a line containing only '.'; empty keeps the current body):")
        lines: list[str] = []
        while (line := await ask("")) not in (".", ""):
            lines.append(line.rstrip("\n"))
        body = "\n".join(lines) if lines else current.draft.body
        result = await self.a.desk.edit(approval_id, CONSOLE_USER, subject, body)
        if isinstance(result, dict):
            self.write("Not saved: " + " ".join(result.values()))
            return
        self.write("Saved.")
        self.show(Reply(bk.approval_text(result), bk.build_approval(result)))

    async def turn(self, line: str, ask: Any) -> None:
        if line.isdigit():
            await self.act(int(line), ask)
            return
        ctx = Context(user=CONSOLE_USER, surface="console", history=list(self.history))
        reply = await self.a.dispatcher.converse(line, ctx, self.progress)
        self.show(reply)
        self.history += [f"user: {line}", f"amia: {reply.text[:500]}"]
        del self.history[:-20]


async def run_console(
    services: Services,
    *,
    workflows: Workflows | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Read commands line by line until EOF or 'quit'; errors are shown, never fatal."""
    inp, out = stdin or sys.stdin, stdout or sys.stdout

    async def print_alert(destination: str, text: str, blocks: list[dict[str, Any]]) -> None:
        out.write(f"\n[alert] {render_blocks(blocks)[0]}\n")

    async def print_digest(destination: str, digest: Digest, **_: Any) -> None:
        out.write("\n" + digest.text() + "\n")

    assistant = build_assistant(
        services, surface="console", deliver_alert=print_alert, post_digest=print_digest, workflows=workflows
    )
    session = ConsoleSession(assistant, out)
    loop = asyncio.get_running_loop()

    async def ask(prompt: str) -> str:
        if prompt:
            out.write(prompt)
            out.flush()
        line = await loop.run_in_executor(None, inp.readline)
        return line.rstrip("\n") if line else "."

    session.write(BANNER)
    try:
        while True:
            out.write("amia> ")
            out.flush()
            line = await loop.run_in_executor(None, inp.readline)
            if not line:
                out.write("\n")
                return 0
            line = line.strip()
            if line in ("quit", "exit"):
                return 0
            if line:
                await session.turn(line, ask)
    finally:
        assistant.close()
