"""Which Slack token to use for a conversation.

One workspace (SLACK_BOT_TOKEN): every call uses that token.

Several workspaces (OAuth install: SLACK_CLIENT_ID + SLACK_CLIENT_SECRET): each workspace that installs AMIA gets
its own bot token, kept by slack_sdk's SQLite installation store. Requests from Slack carry their team, and Bolt
gives their listeners a client with the right token. Work that starts later and elsewhere — a command resumed
after a restart, a snoozed card waking, a digest, an alert — only knows a channel or user id. So every request
that passes Bolt's authorization records which workspace its channel and user belong to (``routes``, a table in
the bot's SQLite file), and outbound calls look the token up from there. A channel never seen (the configured
digest channel before anyone spoke in it) goes to ``slack.default_team_id``, or to the only installed workspace.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import ServiceError
from bot.settings import Settings
from bot.slack.runtime import build_client

SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_routes (conversation TEXT PRIMARY KEY, enterprise_id TEXT NOT NULL,
  team_id TEXT NOT NULL, enterprise_install INTEGER NOT NULL, updated REAL NOT NULL);
"""
INSTALLATIONS_FILE = "slack_installations.sqlite3"  # bot tokens of installed workspaces (slack_sdk's schema)


class InstallationStore(SQLite3InstallationStore):
    """slack_sdk's SQLite store, plus the async deletes it lacks (slack_sdk 3.47 raises NotImplementedError from
    ``async_delete_bot``, so Bolt's uninstall listener would fail and leave a dead workspace's token stored)."""

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(self.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)


@dataclass(frozen=True)
class Workspace:
    enterprise_id: str  # '' outside Enterprise Grid
    team_id: str  # '' for an org-wide (enterprise) install
    enterprise_install: bool = False
    name: str | None = None


class Workspaces:
    """Clients by conversation. Build with :meth:`single` or :meth:`oauth`."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: AsyncWebClient | None = None,
        store: SQLite3InstallationStore | None = None,
        routes_path: Path | None = None,
    ) -> None:
        self.settings = settings
        self._single = client
        self.store = store
        self._routes_path = routes_path
        self._routes: dict[str, Workspace] = {}
        self._clients: dict[str, AsyncWebClient] = {}  # token -> client, so connection pools are reused
        self._lock = asyncio.Lock()
        if routes_path is not None:
            with self._connect() as db:
                db.executescript(SCHEMA)
                for conv, ent, team, ent_install in db.execute(
                    "SELECT conversation, enterprise_id, team_id, enterprise_install FROM slack_routes"
                ):
                    self._routes[conv] = Workspace(ent, team, bool(ent_install))

    @classmethod
    def single(cls, settings: Settings, client: AsyncWebClient) -> Workspaces:
        return cls(settings, client=client)

    @classmethod
    def oauth(cls, settings: Settings, client_id: str) -> Workspaces:
        path = settings.data_path(INSTALLATIONS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        store = InstallationStore(database=str(path), client_id=client_id)
        store.init()  # type: ignore[no-untyped-call]
        path.chmod(0o600)  # it holds bot tokens
        return cls(settings, store=store, routes_path=settings.data_path("bot.sqlite3"))

    @property
    def multi(self) -> bool:
        return self.store is not None

    def _connect(self) -> sqlite3.Connection:
        assert self._routes_path is not None
        return sqlite3.connect(self._routes_path, timeout=5)

    # ---- learning where conversations live -------------------------------------------------------------------
    async def remember(
        self, conversations: list[str | None], enterprise_id: str | None, team_id: str | None, enterprise_install: bool
    ) -> None:
        """Record that these channel/user ids belong to this workspace (called for every authorized request;
        writes only when something changed)."""
        if not self.multi:
            return
        where = Workspace(enterprise_id or "", team_id or "", enterprise_install)
        changed = [c for c in conversations if c is not None and c and self._routes.get(c) != where]
        if not changed:
            return
        now = time.time()
        rows = [(c, where.enterprise_id, where.team_id, int(enterprise_install), now) for c in changed]

        def write() -> None:
            with self._connect() as db:
                db.executemany(
                    "INSERT INTO slack_routes VALUES (?, ?, ?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET "
                    "enterprise_id=excluded.enterprise_id, team_id=excluded.team_id, "
                    "enterprise_install=excluded.enterprise_install, updated=excluded.updated",
                    rows,
                )

        await asyncio.to_thread(write)
        for c in changed:
            self._routes[c] = where

    async def alias(self, conversation: str, known: str) -> None:
        """``conversation`` (e.g. a DM just opened with ``known``, a user) lives where ``known`` does."""
        where = self._routes.get(known)
        if where is not None:
            await self.remember([conversation], where.enterprise_id, where.team_id, where.enterprise_install)

    def uninstalled(self) -> None:
        """After an uninstall or token revocation: drop cached clients. Routes stay, so the workspace's channels
        get a clear "reinstall" error (not another workspace's token), and work again after a reinstall."""
        self._clients.clear()

    # ---- choosing a client -----------------------------------------------------------------------------------
    async def installed(self) -> list[Workspace]:
        """Workspaces with a bot token, oldest install first."""
        if self.store is None:
            return []
        store = self.store

        def read() -> list[Workspace]:
            with store.connect() as db:
                rows = db.execute(
                    "SELECT enterprise_id, team_id, is_enterprise_install, team_name, MIN(installed_at) AS first "
                    "FROM slack_bots WHERE client_id = ? GROUP BY enterprise_id, team_id ORDER BY first",
                    (store.client_id,),
                ).fetchall()
            return [Workspace(e or "", t or "", bool(i), n) for e, t, i, n, _ in rows]

        return await asyncio.to_thread(read)

    async def client_for(self, conversation: str | None = None) -> AsyncWebClient:
        """The client whose token may post to ``conversation`` (a channel or user id)."""
        if self._single is not None:
            return self._single
        where = self._routes.get(conversation or "") or await self._default(conversation)
        return await self._client(where, conversation)

    async def _default(self, conversation: str | None) -> Workspace:
        wanted = self.settings.slack.default_team_id
        installed = await self.installed()
        if wanted:
            for w in installed:
                if wanted in (w.team_id, w.enterprise_id):
                    return w
            raise ServiceError(
                f"slack.default_team_id is {wanted}, but that workspace has not installed AMIA: "
                f"open {self.install_url()} from it"
            )
        if len(installed) == 1:
            return installed[0]
        what = f"{conversation} has not been seen in any workspace" if conversation else "no conversation given"
        if not installed:
            raise ServiceError(f"no Slack workspace has installed AMIA yet: open {self.install_url()}")
        names = ", ".join(w.team_id or w.enterprise_id for w in installed)
        raise ServiceError(f"{what} and {len(installed)} workspaces are installed ({names}): set slack.default_team_id")

    async def client_for_workspace(self, where: Workspace) -> AsyncWebClient:
        return await self._client(where, None)

    async def _client(self, where: Workspace, conversation: str | None) -> AsyncWebClient:
        assert self.store is not None
        bot = await self.store.async_find_bot(
            enterprise_id=where.enterprise_id or None,
            team_id=where.team_id or None,
            is_enterprise_install=where.enterprise_install,
        )
        if bot is None or not bot.bot_token:
            raise ServiceError(
                f"the workspace of {conversation or 'this conversation'} ({where.team_id or where.enterprise_id}) "
                f"no longer has AMIA installed: reinstall it from {self.install_url()}"
            )
        async with self._lock:
            client = self._clients.get(bot.bot_token)
            if client is None:
                client = build_client(self.settings, bot.bot_token)
                self._clients[bot.bot_token] = client
        return client

    def install_url(self) -> str:
        return self.settings.http.public_url.rstrip("/") + self.settings.slack.install_path
