"""HTTP endpoints of outreach: one-click unsubscribe (RFC 8058 POST), the human unsubscribe page, and the
optional click redirect. Mounted by bot/http_server.py through ``add_routes(app, services)``."""

from __future__ import annotations

import html
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.outreach.errors import TokenError
from bot.outreach.runtime import Outreach
from bot.outreach.unsubscribe import unsubscribe

log = logging.getLogger(__name__)
OUTREACH_KEY = "outreach"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title></head>
<body style="font-family:sans-serif;max-width:36em;margin:3em auto;line-height:1.5">
<h1>{title}</h1>
{body}
</body></html>
"""


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=PAGE.format(title=html.escape(title), body=body),
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"},
    )


BAD_LINK = (
    "<p>This unsubscribe link is not valid: it may have been cut off or changed.</p>"
    "<p>You can still unsubscribe by replying to the email with the word <b>unsubscribe</b>.</p>"
)


class OutreachHttp:
    def __init__(self, outreach: Outreach) -> None:
        self.outreach = outreach

    def _payload(self, purpose: str, token: str) -> dict[str, Any]:
        return self.outreach.tokens.verify(purpose, token)

    async def unsubscribe_page(self, request: web.Request) -> web.Response:
        """GET: a page with a confirm button (link scanners follow GETs, so GET alone never unsubscribes)."""
        try:
            data = self._payload("unsubscribe", request.match_info["token"])
        except TokenError:
            return _page("Link not valid", BAD_LINK, status=400)
        blocked = await self.outreach.store.suppression_for(str(data["e"]))
        if blocked:
            return _page("You are unsubscribed", f"<p>{html.escape(str(data['e']))} will not get more emails.</p>")
        form = (
            f"<p>Stop all emails to <b>{html.escape(str(data['e']))}</b>?</p>"
            '<form method="post"><input type="hidden" name="confirm" value="yes">'
            '<button type="submit" style="font-size:1.1em;padding:.5em 1.5em">Unsubscribe</button></form>'
        )
        return _page("Unsubscribe", form)

    async def unsubscribe_post(self, request: web.Request) -> web.Response:
        """POST: RFC 8058 one-click (body List-Unsubscribe=One-Click) or the page's button. Idempotent."""
        try:
            data = self._payload("unsubscribe", request.match_info["token"])
        except TokenError as exc:
            log.warning("unsubscribe with a bad token from %s: %s", request.remote, exc)
            return _page("Link not valid", BAD_LINK, status=400)
        form = await request.post()
        one_click = form.get("List-Unsubscribe") == "One-Click"
        result = await unsubscribe(
            self.outreach.store,
            str(data["e"]),
            lead_id=data.get("l"),
            source="one-click" if one_click else "unsubscribe-page",
            now=datetime.now(UTC),
        )
        log.info("unsubscribe step=%s already=%s cancelled=%d", data.get("s"), result.already, result.steps_cancelled)
        if one_click:
            return web.Response(text="unsubscribed\n", content_type="text/plain")
        return _page(
            "You are unsubscribed",
            f"<p>{html.escape(result.email)} will not get more emails from us. Sorry for the bother.</p>",
        )

    async def click(self, request: web.Request) -> web.StreamResponse:
        """Record a click and redirect to the signed URL (never to an unsigned one: no open redirect)."""
        try:
            data = self._payload("click", request.match_info["token"])
        except TokenError:
            return _page("Link not valid", "<p>This link is not valid: it may have been cut off or changed.</p>", 400)
        url = str(data.get("u", ""))
        if not url.startswith(("https://", "http://")):
            return _page("Link not valid", "<p>This link is not valid.</p>", 400)
        await self.outreach.store.record_interaction(
            {
                "interaction_id": str(uuid.uuid4()),
                "lead_id": data.get("l"),
                "type": "click",
                "occurred_at": datetime.now(UTC),
                "message_id": data.get("m"),
                "actor": "recipient",
                "detail": url[:500],
            }
        )
        raise web.HTTPFound(url)


def add_outreach_routes(app: web.Application, outreach: Outreach) -> None:
    handlers = OutreachHttp(outreach)
    app.router.add_get("/u/{token}", handlers.unsubscribe_page)
    app.router.add_post("/u/{token}", handlers.unsubscribe_post)
    app.router.add_get("/c/{token}", handlers.click)


def add_routes(app: web.Application, services: Any) -> None:
    """Mount the outreach routes; ``services.extras['outreach']`` holds the Outreach built at start-up."""
    add_outreach_routes(app, services.extras[OUTREACH_KEY])
