"""Errors the bot layer raises, and the error ids users see instead of stack traces.

BotError
├── UsageError        a malformed command; the message is the usage help to show the user
└── ServiceError      a dependency (Neo4j, Slack, LLM, SMTP) is unavailable; the message says how to fix it
"""

from __future__ import annotations

import secrets


class BotError(Exception):
    """Base of every error the bot layer raises on purpose."""


class UsageError(BotError):
    """The user's command was malformed; show the message (it includes the right usage)."""


class ServiceError(BotError):
    """A service the bot depends on is unavailable."""


def new_error_id() -> str:
    """A short id shown to users and logged with the exception, so support can find the log line."""
    return "E-" + secrets.token_hex(4).upper()
