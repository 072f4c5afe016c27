"""Erase a person (EMAIL) or a company (DOMAIN) everywhere AMIA keeps data, keeping only a hashed suppression
entry so they are never contacted again: graph (person, leads, messages, steps, sends, inbound mail, visits),
long-term memory (when available), the outbox folder, and the bot's own SQLite state (approval cards' drafts,
queued Slack commands, thread context)."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.outreach.outbox import OutboxTransport
from knowledge.graph.outreach import OutreachStore, sha256_hex
from knowledge.models import InvalidDomain, normalise_domain, normalise_email

log = logging.getLogger(__name__)


class PersonMemory(Protocol):
    async def forget_person(self, email: str) -> int: ...

    async def forget_company(self, domain: str) -> int: ...


@dataclass
class ForgetReport:
    target: str
    kind: str
    graph_nodes: int = 0
    memories: int = 0
    outbox_files: int = 0
    bot_state_rows: int = 0
    people: list[str] = field(default_factory=list)
    suppression: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "people_erased": len(self.people),
            "graph_nodes_deleted": self.graph_nodes,
            "memories_deleted": self.memories,
            "outbox_files_deleted": self.outbox_files,
            "bot_state_rows_deleted": self.bot_state_rows,
            "suppression": self.suppression,
        }


def parse_target(value: str) -> tuple[str, str]:
    """('email', address) or ('domain', domain); ValueError with a readable message otherwise."""
    text = value.strip()
    if "@" in text:
        return "email", normalise_email(text)
    try:
        return "domain", normalise_domain(text)
    except InvalidDomain as exc:
        raise ValueError(f"'{value}' is neither an email address nor a domain") from exc


async def _forget_email(
    store: OutreachStore, email: str, memory: PersonMemory | None, outbox: OutboxTransport | None, report: ForgetReport
) -> None:
    report.graph_nodes += await store.erase_outreach_for_email(email)
    report.graph_nodes += await store.graph.erase_person(email)
    if memory is not None:
        report.memories += await memory.forget_person(email)
    if outbox is not None:
        report.outbox_files += await _erase_outbox(outbox, email)
    await store.drop_plain_suppression(email)
    report.people.append(email)


async def _erase_outbox(outbox: OutboxTransport, needle: str) -> int:
    import asyncio

    return await asyncio.to_thread(outbox.erase, needle)


# Tables of the bot's state file that can hold a person's address or a company's domain in free text, and the
# column to search. Rows mentioning the target are deleted: a draft card, a queued "/amia draft acme.io
# jane@acme.io", a conversation turn. The hashed suppression entry is what keeps them from being contacted again.
BOT_STATE_TEXT = {
    "approvals": "draft",
    "commands": "text",
    "thread_turns": "line",
    "watches": "target",
    "preferences": "text",
}


def erase_bot_state(path: Path, needle: str) -> int:
    """Delete rows mentioning ``needle`` (case-insensitive) from the bot's SQLite state; tables not created yet
    (a process that never ran Slack) are skipped. Returns the number of rows deleted."""
    if not path.exists():
        return 0
    db = sqlite3.connect(str(path), timeout=10)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        deleted = 0
        with db:
            for table, column in BOT_STATE_TEXT.items():
                if table in tables:
                    deleted += db.execute(
                        f"DELETE FROM {table} WHERE instr(lower({column}), ?) > 0",  # fixed names, never input
                        (needle.lower(),),
                    ).rowcount
        return deleted
    finally:
        db.close()


async def forget(
    store: OutreachStore,
    target: str,
    *,
    memory: PersonMemory | None = None,
    outbox: OutboxTransport | None = None,
    bot_state: Path | None = None,
) -> ForgetReport:
    """Erase ``target`` (an email or a domain). Safe to run again; the hashed suppression stays."""
    kind, value = parse_target(target)
    report = ForgetReport(target=value, kind=kind)
    if kind == "email":
        await _forget_email(store, value, memory, outbox, report)
    else:
        for email in await store.emails_at_domain(value):
            await _forget_email(store, email, memory, outbox, report)
        report.graph_nodes += await store.erase_company(value)
        if memory is not None:
            try:
                report.memories += await memory.forget_company(value)
            except Exception as exc:  # the graph erasure stands; say what could not be done
                log.warning("memory erasure for a company failed: %s", type(exc).__name__)
        if outbox is not None:
            report.outbox_files += await _erase_outbox(outbox, "@" + value)
        await store.drop_plain_suppression(value)
    if bot_state is not None:
        import asyncio

        report.bot_state_rows += await asyncio.to_thread(erase_bot_state, bot_state, value)
    hashed = sha256_hex(value)
    await store.suppress(hashed, kind, "erased", source="forget", hashed=True)
    report.suppression = f"sha256:{hashed[:12]}…"
    log.info("forgot a %s: %d graph nodes, %d memories, %d outbox files", kind, report.graph_nodes,
             report.memories, report.outbox_files)  # fmt: skip
    return report


async def forget_everywhere(services: Any, target: str) -> ForgetReport:
    """:func:`forget` with the running services: the memory *handle* (so an erasure is queued when another
    process holds the store, never skipped) and the outbox folder (even when the transport is SMTP)."""
    from bot.outreach.http import OUTREACH_KEY

    settings = services.settings
    outreach = services.extras[OUTREACH_KEY]
    memory = services.extras.get("memory") if settings.memory.enabled else None
    outbox = outreach.transport if isinstance(outreach.transport, OutboxTransport) else None
    if outbox is None:
        outbox = OutboxTransport(settings.data_path().parent / settings.outreach.outbox_dir)
    return await forget(
        outreach.store, target, memory=memory, outbox=outbox, bot_state=settings.data_path("bot.sqlite3")
    )
