"""FakeSlack: Slack's Web API, response_url hooks, file uploads and Socket Mode on 127.0.0.1, with Slack's rules.

One aiohttp server on an ephemeral loopback port. It records every call and enforces the rules that bite real
apps: 429 + Retry-After on more than one chat.postMessage per second per channel (or on every post during a
``storm()``), 3 s trigger expiry (the test trigger id carries its issue time in ms), triggers usable once,
50 blocks per message, 3000 characters per section text, response_url usable 5 times, bot tokens for the Web API
and app tokens for apps.connections.open.
Payload builders and a v0 request signer live at the bottom.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER = "U0AMIABOT1"
BOT_ID = "B0AMIABOT1"
TEAM = "T0TEAM0001"
APP_ID = "A0AMIA0001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int
    error: str | None = None
    response: dict[str, Any] = field(default_factory=dict)
    token: str = ""  # the token the call was made with (Bearer header or token argument)


@dataclass
class Envelope:
    envelope_id: str
    sent_at: float
    acked_at: float | None = None
    ack: dict[str, Any] | None = None


@dataclass
class FakeSlack:
    post_interval: float = 1.0  # seconds between chat.postMessage calls per channel (Slack: ~1/s)
    calls: list[Call] = field(default_factory=list)
    hooks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    envelopes: dict[str, Envelope] = field(default_factory=dict)
    fail_next: dict[str, int] = field(default_factory=dict)  # method -> number of HTTP 500s to return first
    storm_until: float = 0.0  # time.monotonic() until which every chat.postMessage gets 429 (see storm())
    storm_retry_after: int = 1
    # stall(): the next chat.postMessage whose text contains this hangs until the client hangs up (a crash)
    stall_text: str | None = None
    stall_after_store: bool = False
    # OAuth install into several workspaces (see oauth_app / authorize / uninstall)
    oauth_apps: dict[str, str] = field(default_factory=dict)  # client_id -> client_secret
    workspaces: dict[str, str] = field(default_factory=dict)  # team_id -> team name
    tokens: dict[str, str] = field(default_factory=dict)  # bot token -> team_id
    revoked: set[str] = field(default_factory=set)
    channel_teams: dict[str, str] = field(default_factory=dict)  # channel/user id -> team_id that owns it
    usergroups: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {handle, name, users}
    missing_scope: set[str] = field(default_factory=set)  # methods answered with missing_scope

    def __post_init__(self) -> None:
        self._last_post: dict[str, float] = {}
        self._ts = itertools.count(1)
        self._used_triggers: set[str] = set()
        self._hook_uses: dict[str, int] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.connections_opened = 0
        self._changed = asyncio.Event()
        self.stalled = asyncio.Event()
        self._codes: dict[str, tuple[str, str]] = {}  # authorization code -> (team_id, client_id), used once

    # ---- lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{tail:.*}", self._hook)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link/", self._link)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str | None = None) -> str:
        return f"{self.url}/hooks/commands/{TEAM}/{name or uuid.uuid4().hex}"

    def stall(self, text: str, *, after_store: bool = False) -> None:
        """The next chat.postMessage containing ``text`` never answers; ``after_store`` keeps the message first
        (Slack accepted it, the bot never heard back), otherwise it is dropped. ``stalled`` is set meanwhile."""
        self.stall_text, self.stall_after_store = text, after_store
        self.stalled.clear()

    def storm(self, seconds: float, retry_after: int = 1) -> None:
        """A workspace-wide rate-limit storm: every chat.postMessage is refused with 429 and ``Retry-After``
        for ``seconds``, whatever the channel (Slack does this when an app exceeds its tier)."""
        self.storm_until, self.storm_retry_after = time.monotonic() + seconds, retry_after

    # ---- OAuth -----------------------------------------------------------------------------------------------
    def oauth_app(self, client_id: str, client_secret: str) -> None:
        """Register an app that installs over OAuth; from now on only tokens issued here are valid."""
        self.oauth_apps[client_id] = client_secret

    def authorize(self, team_id: str, name: str, *, conversations: tuple[str, ...] = (), client_id: str = "") -> str:
        """A user of ``team_id`` clicked Allow on the authorize page: the code Slack puts on the redirect.
        ``conversations`` (channel and user ids) belong to that workspace: other workspaces' tokens can't use them."""
        self.workspaces[team_id] = name
        for c in conversations:
            self.channel_teams[c] = team_id
        code = f"{int(time.time())}.{uuid.uuid4().hex}"
        self._codes[code] = (team_id, client_id or next(iter(self.oauth_apps), ""))
        return code

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: its tokens stop working (Slack then sends app_uninstalled)."""
        self.revoked.update(t for t, team in self.tokens.items() if team == team_id)

    def token_team(self, call: Call) -> str | None:
        return self.tokens.get(call.token)

    def _m_oauth_v2_access(self, call: Call, args: dict[str, Any]) -> Any:
        client_id, secret = str(args.get("client_id", "")), str(args.get("client_secret", ""))
        basic = call.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        if self.oauth_apps.get(client_id) != secret or not secret:
            return self._err(call, "invalid_client_id" if client_id not in self.oauth_apps else "bad_client_secret")
        found = self._codes.pop(str(args.get("code", "")), None)
        if found is None or found[1] != client_id:
            return self._err(call, "invalid_code")
        team_id = found[0]
        token = f"xoxb-{team_id}-{uuid.uuid4().hex[:12]}"
        self.tokens[token] = team_id
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": f"U0BOT{team_id[-5:]}",
            "app_id": APP_ID,
            "team": {"id": team_id, "name": self.workspaces.get(team_id, team_id)},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0INSTALL1"},
        }

    def _wrong_workspace(self, call: Call, conversation: Any) -> web.Response | None:
        """Slack's answer when a token reaches for another workspace's channel or user."""
        owner, team = self.channel_teams.get(str(conversation or "")), self.tokens.get(call.token)
        if owner and team and owner != team:
            return self._err(call, "channel_not_found")
        return None

    # ---- queries for tests -----------------------------------------------------------------------------------
    def ok_calls(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200 and c.error is None]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Poll until ``predicate()`` is truthy (it is re-evaluated whenever a call arrives)."""
        deadline = time.monotonic() + timeout
        while True:
            got = predicate()
            if got:
                return got
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s; calls: {[c.method for c in self.calls]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.25))
            except TimeoutError:
                pass

    async def wait_calls(self, method: str, n: int = 1, timeout: float = 10.0) -> list[Call]:
        return await self.wait_for(lambda: (got := self.ok_calls(method)) and len(got) >= n and got, timeout)  # type: ignore[no-any-return]

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    # ---- Web API ---------------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        ctype = request.headers.get("Content-Type", "")
        raw = await request.read()
        if "application/json" in ctype:
            args: dict[str, Any] = json.loads(raw or b"{}")
        else:
            args = {k: v for k, v in urllib.parse.parse_qsl(raw.decode())}
            args.update(request.query)
        headers = dict(request.headers)
        call = Call(method, args, headers, time.time(), 200)
        if self.fail_next.get(method, 0) > 0:
            self.fail_next[method] -= 1
            call.status = 500
            self._record(call)
            return web.Response(status=500, text="internal error")
        auth = request.headers.get("Authorization", "")
        token = "" if auth.startswith("Basic ") else auth.removeprefix("Bearer ").strip() or str(args.get("token", ""))
        call.token = token
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if method == "oauth.v2.access":  # authenticated by the app's client id and secret, not a token
            return self._reply(call, handler(call, args))  # type: ignore[misc]
        needed = "xapp-" if method == "apps.connections.open" else "xox"
        if not token.startswith(needed):
            return self._err(call, "not_allowed_token_type" if token else "not_authed")
        if token in self.revoked:
            return self._err(call, "token_revoked")
        if self.oauth_apps and needed == "xox" and token not in self.tokens:
            return self._err(call, "invalid_auth")
        if wrong := self._wrong_workspace(call, args.get("channel") or args.get("channel_id") or args.get("user_id")):
            return wrong
        if handler is None:
            return self._ok(call, {})
        if method == "chat.postMessage" and self.stall_text and self.stall_text in str(args.get("text", "")):
            self.stall_text = None
            if self.stall_after_store:
                stored = handler(call, args)
                if isinstance(stored, dict):
                    self._ok(call, stored)
            else:
                call.status, call.error = 499, "client_gone"
                self._record(call)
            self.stalled.set()
            self._changed.set()
            while request.transport is not None and not request.transport.is_closing():
                await asyncio.sleep(0.05)
            return web.Response(status=504, text="stalled")
        return self._reply(call, handler(call, args))

    def _reply(self, call: Call, result: Any) -> web.Response:
        if isinstance(result, web.Response):
            return result
        return self._ok(call, result)

    def _ok(self, call: Call, body: dict[str, Any]) -> web.Response:
        call.response = body
        self._record(call)
        return web.json_response({"ok": True, **body})

    def _err(self, call: Call, error: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        call.error, call.status = error, status
        self._record(call)
        return web.json_response({"ok": False, "error": error}, status=status, headers=headers)

    def _m_auth_test(self, call: Call, args: dict[str, Any]) -> dict[str, Any]:
        team = self.tokens.get(call.token)
        if team is not None:  # a token issued by an OAuth install
            return {
                "url": f"https://{team.lower()}.slack.com/",
                "team": self.workspaces.get(team, team),
                "user": "amia",
                "team_id": team,
                "user_id": f"U0BOT{team[-5:]}",
                "bot_id": f"B0BOT{team[-5:]}",
                "is_enterprise_install": False,
            }
        return {
            "url": "https://amia-test.slack.com/",
            "team": "AMIA Test",
            "user": "amia",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _check_blocks(self, blocks: Any, limit: int = 50) -> str | None:
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not blocks:
            return None
        if len(blocks) > limit:
            return "invalid_blocks"
        for b in blocks:
            text = b.get("text")
            if isinstance(text, dict) and len(text.get("text", "")) > 3000:
                return "invalid_blocks"
        return None

    def _m_chat_postMessage(self, call: Call, args: dict[str, Any]) -> Any:
        channel = args.get("channel")
        if not channel:
            return self._err(call, "channel_not_found")
        if not args.get("text") and not args.get("blocks"):
            return self._err(call, "no_text")
        if bad := self._check_blocks(args.get("blocks")):
            return self._err(call, bad)
        now = time.monotonic()
        if now < self.storm_until:
            return self._err(call, "ratelimited", 429, {"Retry-After": str(self.storm_retry_after)})
        last = self._last_post.get(channel)
        if last is not None and now - last < self.post_interval:
            return self._err(call, "ratelimited", 429, {"Retry-After": "1"})
        self._last_post[channel] = now
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        msg = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts, **args}
        self.messages[(channel, ts)] = msg
        return {"channel": channel, "ts": ts, "message": msg}

    def _m_conversations_open(self, call: Call, args: dict[str, Any]) -> Any:
        users = str(args.get("users", ""))
        if not users or "," in users:
            return self._err(call, "users_list_not_supplied" if not users else "not_implemented_in_test")
        dm = "D" + users[1:]
        if users in self.channel_teams:
            self.channel_teams.setdefault(dm, self.channel_teams[users])
        return {"channel": {"id": dm}}

    def _m_conversations_replies(self, call: Call, args: dict[str, Any]) -> Any:
        channel, ts = args.get("channel", ""), args.get("ts", "")
        found = [m for (ch, _), m in self.messages.items() if ch == channel and ts in (m["ts"], m.get("thread_ts"))]
        if not found:
            return self._err(call, "thread_not_found")
        found.sort(key=lambda m: float(m["ts"]))
        return {"messages": found[: int(args.get("limit") or 1000)], "has_more": False}

    def _m_conversations_history(self, call: Call, args: dict[str, Any]) -> Any:
        channel, oldest = args.get("channel", ""), float(args.get("oldest") or 0)
        found = [m for (ch, ts), m in self.messages.items() if ch == channel and float(ts) >= oldest]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        return {"messages": found[: int(args.get("limit") or 100)], "has_more": False}

    def _m_chat_update(self, call: Call, args: dict[str, Any]) -> Any:
        key = (args.get("channel", ""), args.get("ts", ""))
        if key not in self.messages:
            return self._err(call, "message_not_found")
        if bad := self._check_blocks(args.get("blocks")):
            return self._err(call, bad)
        self.messages[key].update({k: v for k, v in args.items() if k in ("text", "blocks")})
        return {"channel": key[0], "ts": key[1], "text": args.get("text", "")}

    def _m_chat_postEphemeral(self, call: Call, args: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": f"{int(time.time())}.{next(self._ts):06d}"}

    def _trigger(self, call: Call, args: dict[str, Any]) -> web.Response | None:
        trigger = str(args.get("trigger_id", ""))
        try:
            issued_ms = int(trigger.split(".")[0])
        except ValueError:
            return self._err(call, "invalid_trigger_id")
        if trigger in self._used_triggers:
            return self._err(call, "exchanged_trigger_id")
        if time.time() * 1000 - issued_ms > 3000:
            return self._err(call, "expired_trigger_id")
        self._used_triggers.add(trigger)
        return None

    def _view(self, args: dict[str, Any], limit: int = 100) -> dict[str, Any]:
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else view or {}
        return {"id": "V" + uuid.uuid4().hex[:10].upper(), "hash": uuid.uuid4().hex, **view}

    def _m_views_open(self, call: Call, args: dict[str, Any]) -> Any:
        if bad := self._trigger(call, args):
            return bad
        view = self._view(args)
        if bad_blocks := self._check_blocks(view.get("blocks"), 100):
            return self._err(call, bad_blocks)
        return {"view": view}

    def _m_views_publish(self, call: Call, args: dict[str, Any]) -> Any:
        if not args.get("user_id"):
            return self._err(call, "invalid_arguments")
        view = self._view(args)
        if bad := self._check_blocks(view.get("blocks"), 100):
            return self._err(call, bad)
        return {"view": view}

    def _m_views_update(self, call: Call, args: dict[str, Any]) -> Any:
        return {"view": self._view(args)}

    def _m_files_getUploadURLExternal(self, call: Call, args: dict[str, Any]) -> Any:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return self._err(call, "invalid_arguments")
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, call: Call, args: dict[str, Any]) -> Any:
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        missing = [f["id"] for f in files if f["id"] not in self.uploads]
        if missing:
            return self._err(call, "file_not_found")
        return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    def usergroup(self, group_id: str, handle: str, users: list[str]) -> None:
        self.usergroups[group_id] = {"handle": handle, "name": handle.title(), "users": list(users)}

    def _m_usergroups_list(self, call: Call, args: dict[str, Any]) -> Any:
        if "usergroups.list" in self.missing_scope:
            return self._err(call, "missing_scope")
        return {
            "usergroups": [
                {"id": gid, "team_id": TEAM, "handle": g["handle"], "name": g["name"], "is_usergroup": True}
                for gid, g in self.usergroups.items()
            ]
        }

    def _m_usergroups_users_list(self, call: Call, args: dict[str, Any]) -> Any:
        if "usergroups.users.list" in self.missing_scope:
            return self._err(call, "missing_scope")
        group = self.usergroups.get(str(args.get("usergroup", "")))
        if group is None:
            return self._err(call, "no_such_subteam")
        return {"users": list(group["users"])}

    def _m_apps_connections_open(self, call: Call, args: dict[str, Any]) -> dict[str, Any]:
        self.connections_opened += 1
        return {"url": f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4().hex}&app_id={APP_ID}"}

    # ---- response_url and uploads ----------------------------------------------------------------------------
    async def _hook(self, request: web.Request) -> web.Response:
        tail = request.match_info["tail"]
        uses = self._hook_uses.get(tail, 0) + 1
        self._hook_uses[tail] = uses
        if uses > 5:
            self._record(Call("response_url", {}, dict(request.headers), time.time(), 404, "used_url"))
            return web.Response(status=404, text="used_url")
        body = await request.json()
        self.hooks.setdefault(tail, []).append(body)
        self._record(Call("response_url", body, dict(request.headers), time.time(), 200))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self._record(Call("upload", {"file_id": file_id}, dict(request.headers), time.time(), 200))
        return web.Response(text="OK - " + str(len(self.uploads[file_id])))

    # ---- Socket Mode -----------------------------------------------------------------------------------------
    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        }
        await ws.send_str(json.dumps(hello))
        self._changed.set()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                env = self.envelopes.get(data.get("envelope_id", ""))
                if env:
                    env.acked_at, env.ack = time.perf_counter(), data
                    self._changed.set()
        finally:
            self._sockets.remove(ws)
        return ws

    @property
    def socket_connected(self) -> bool:
        return bool(self._sockets)

    async def send_envelope(self, kind: str, payload: dict[str, Any], **extra: Any) -> Envelope:
        """Push an envelope (events_api | slash_commands | interactive) to the newest Socket Mode connection."""
        env = Envelope(str(uuid.uuid4()), time.perf_counter())
        self.envelopes[env.envelope_id] = env
        frame = {
            "envelope_id": env.envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            **extra,
        }
        await self._sockets[-1].send_str(json.dumps(frame))
        return env

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        await self._sockets[-1].send_str(json.dumps({"type": "disconnect", "reason": reason}))


# ---- signing and realistic payloads (docs.slack.dev reference shapes) -------------------------------------------
def sign(secret: str, body: bytes, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def trigger_id() -> str:
    return f"{int(time.time() * 1000)}.{TEAM[1:]}.{uuid.uuid4().hex[:24]}"


def new_ts() -> str:
    return f"{time.time():.6f}"


def slash_command(
    text: str,
    *,
    response_url: str,
    user: str = "U0ALEX0001",
    channel: str = "C0SALES001",
    command: str = "/amia",
    team: str = TEAM,
) -> dict[str, str]:
    return {
        "token": "verification-token-deprecated",
        "team_id": team,
        "team_domain": "amia-test",
        "channel_id": channel,
        "channel_name": "sales",
        "user_id": user,
        "user_name": "alex",
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id(),
    }


def form_body(fields: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def event_callback(event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM) -> dict[str, Any]:
    return {
        "token": "verification-token-deprecated",
        "team_id": team,
        "context_team_id": team,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + uuid.uuid4().hex,
    }


def app_mention(
    text: str, *, user: str = "U0ALEX0001", channel: str = "C0SALES001", thread_ts: str | None = None
) -> dict[str, Any]:
    ts = new_ts()
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "client_msg_id": str(uuid.uuid4()),
        "team": TEAM,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "b1",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "user", "user_id": BOT_USER}, {"type": "text", "text": " " + text}],
                    }
                ],
            }
        ],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = user
    return event


def direct_message(text: str, *, user: str = "U0ALEX0001", channel: str = "D0ALEXDM01") -> dict[str, Any]:
    ts = new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "client_msg_id": str(uuid.uuid4()),
        "team": TEAM,
    }


def block_actions(
    action_id: str, value: str, *, message: dict[str, Any], channel: str, user: str = "U0ALEX0001", response_url: str
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "alex", "name": "alex", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "verification-token-deprecated",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "trigger_id": trigger_id(),
        "team": {"id": TEAM, "domain": "amia-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "sales"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "approval_actions",
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": new_ts(),
            }
        ],
    }


def view_submission(
    callback_id: str, values: dict[str, dict[str, dict[str, Any]]], *, private_metadata: str, user: str = "U0ALEX0001"
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "amia-test"},
        "user": {"id": user, "username": "alex", "name": "alex", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "verification-token-deprecated",
        "trigger_id": trigger_id(),
        "view": {
            "id": "V0EDIT0001",
            "team_id": TEAM,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": uuid.uuid4().hex,
            "title": {"type": "plain_text", "text": "Edit draft"},
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def interactive_body(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
