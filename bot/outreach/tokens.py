"""Signed tokens for unsubscribe and click links: HMAC-SHA256 over a small JSON payload, URL-safe base64."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from bot.outreach.errors import TokenError


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Sign and verify tokens; ``purpose`` keeps an unsubscribe token from working as a click token."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("AMIA_SECRET_KEY must be at least 16 characters")
        self._key = key

    def _mac(self, purpose: str, body: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}.{body}".encode(), hashlib.sha256).digest()[:20])

    def sign(self, purpose: str, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(purpose, body)}"

    def verify(self, purpose: str, token: str) -> dict[str, Any]:
        body, _, mac = token.partition(".")
        if not body or not mac:
            raise TokenError("the link is incomplete (was it cut off when copied?)")
        if not hmac.compare_digest(mac, self._mac(purpose, body)):
            raise TokenError("the link's signature does not match: it was changed or not issued by us")
        try:
            data = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenError("the link's payload is unreadable") from exc
        if not isinstance(data, dict):
            raise TokenError("the link's payload is unreadable")
        return data
