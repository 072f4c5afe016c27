"""FakeSlack plus what the crash tests need that it does not speak yet: conversations.replies (a thread's
messages, file shares included, as Slack returns them) and a stall on any Web API method, so a test can kill the
bot while exactly that call is in flight. (To fold into tests/fakes/fake_slack.py.)"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from tests.fakes.fake_slack import BOT_ID, BOT_USER, Call, FakeSlack


class CrashSlack(FakeSlack):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.stall_method: str | None = None
        self.stall_method_after_store = False
        self.filenames: dict[str, str] = {}  # file id -> the filename the upload asked for

    def stall_call(self, method: str, *, after_store: bool = False) -> None:
        """The next ``method`` call never answers; ``after_store`` lets Slack act on it first (it accepted the
        call, the bot never heard back), otherwise Slack never sees it. ``stalled`` is set meanwhile."""
        self.stall_method, self.stall_method_after_store = method, after_store
        self.stalled.clear()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != self.stall_method:
            return await super()._api(request)
        self.stall_method = None
        if self.stall_method_after_store:
            await super()._api(request)  # handled and recorded; the answer is never sent
        self.stalled.set()
        self._changed.set()
        while request.transport is not None and not request.transport.is_closing():
            await asyncio.sleep(0.05)
        return web.Response(status=504, text="stalled")

    def _m_files_getUploadURLExternal(self, call: Call, args: dict[str, Any]) -> Any:
        result = super()._m_files_getUploadURLExternal(call, args)
        if isinstance(result, dict):
            self.filenames[result["file_id"]] = str(args["filename"])
        return result

    def _m_files_completeUploadExternal(self, call: Call, args: dict[str, Any]) -> Any:
        """Shares the files in the channel (in the thread, with ``thread_ts``) as a message, like Slack does."""
        result = super()._m_files_completeUploadExternal(call, args)
        channel = args.get("channel_id")
        if isinstance(result, dict) and channel:
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            files = [{**f, "name": self.filenames.get(f["id"], "")} for f in result["files"]]
            message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts, "upload": True, "files": files}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            self.messages[(channel, ts)] = message
        return result
