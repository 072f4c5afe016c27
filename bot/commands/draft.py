"""`amia draft DOMAIN [--contact EMAIL] [--language xx] [--json]` (filled in with the copywriter)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("draft", help="draft a cited outreach sequence for a researched company")
    p.add_argument("domain")
