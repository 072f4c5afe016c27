"""IMAP polling (aioimaplib): fetch new messages by UID, hand each to the InboundProcessor, advance a cursor.

The cursor (UIDVALIDITY + last UID) lives in the graph and moves only after a message is processed, and
processing is idempotent, so a crash between the two re-reads one message and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aioimaplib

from bot.errors import ServiceError
from bot.outreach.inbound import InboundProcessor, InboundResult
from knowledge.graph.outreach import OutreachStore

log = logging.getLogger(__name__)
UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
FETCH_UID = re.compile(rb"UID (\d+)")
Notify = Callable[[InboundResult], Awaitable[None]]


class ImapPoller:
    def __init__(
        self,
        store: OutreachStore,
        processor: InboundProcessor,
        *,
        host: str,
        port: int,
        user: str,
        password: str,
        folder: str = "INBOX",
        ssl: bool = True,
        timeout: float = 30.0,
        notify: Notify | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.processor = store, processor
        self.host, self.port, self.user, self._password = host, port, user, password
        self.folder, self.ssl, self.timeout = folder, ssl, timeout
        self.notify, self.clock = notify, clock
        self.key = f"{user}@{host}:{port}/{folder}"

    async def _connect(self) -> aioimaplib.IMAP4:
        where = f"{self.host}:{self.port}"
        cls = aioimaplib.IMAP4_SSL if self.ssl else aioimaplib.IMAP4
        try:
            client = cls(host=self.host, port=self.port, timeout=self.timeout)
            await client.wait_hello_from_server()
        except (OSError, TimeoutError) as exc:
            raise ServiceError(f"cannot reach the IMAP server {where}: {exc}") from exc
        response = await client.login(self.user, self._password)
        if response.result != "OK":
            raise ServiceError(f"the IMAP server {where} refused the login for {self.user}: check IMAP_PASSWORD")
        return client

    async def poll_once(self) -> list[InboundResult]:
        """Process every message newer than the cursor; returns what was found."""
        client = await self._connect()
        results: list[InboundResult] = []
        try:
            selected = await client.select(self.folder)
            if selected.result != "OK":
                raise ServiceError(f"IMAP folder '{self.folder}' cannot be opened: check outreach.imap.folder")
            joined = b" ".join(bytes(x) for x in selected.lines)
            match = UIDVALIDITY.search(joined)
            validity = int(match.group(1)) if match else 0
            cursor = await self.store.imap_cursor(self.key)
            last = int(cursor["last_uid"]) if cursor and int(cursor["uidvalidity"]) == validity else 0
            found = await client.uid_search(f"UID {last + 1}:*")
            if found.result != "OK":
                raise ServiceError(f"IMAP search failed in '{self.folder}': {found.lines[-1]!r}")
            uids = sorted(int(u) for line in found.lines[:-1] for u in bytes(line).split() if u.isdigit())
            for uid in (u for u in uids if u > last):
                fetched = await client.uid("fetch", str(uid), "(RFC822)")
                raw = next((bytes(x) for x in fetched.lines if isinstance(x, bytearray)), None)
                if fetched.result != "OK" or raw is None:
                    log.warning("IMAP uid %d could not be fetched; will retry next poll", uid)
                    break
                result = await self.processor.process(raw, self.clock())
                results.append(result)
                await self.store.set_imap_cursor(self.key, validity, uid)
                if self.notify and result.needs_human:
                    try:
                        await self.notify(result)
                    except Exception:
                        log.exception("could not alert about inbound %s", result.inbound_id)
        finally:
            try:
                await client.logout()
            except (TimeoutError, OSError, aioimaplib.Abort):
                pass
        return results

    async def run_forever(self, stop: asyncio.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                found = await self.poll_once()
                if found:
                    log.info("imap: %d new messages", len(found))
            except ServiceError as exc:
                log.warning("imap poll failed: %s", exc)
            except Exception:
                log.exception("imap poll failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
