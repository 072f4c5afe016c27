"""Errors of outbound and inbound email.

OutreachError
├── NotSendable        the message may not go out (not approved, blocked by compliance, suppressed, stopped)
├── TransportError     the mail server did not take the message
│   ├── TemporaryFailure   try again later (server down, 4xx, timeout)
│   └── PermanentFailure   retrying will not help (5xx for this recipient, rejected sender)
├── DkimKeyError       the DKIM key is missing, unreadable or not an RSA private key
├── TokenError         an unsubscribe or click token is forged, truncated or for another purpose
└── CsvImportError     a CSV file can't be imported; the message names the line and the problem
"""

from __future__ import annotations


class OutreachError(Exception):
    """Base of every error this package raises on purpose."""


class NotSendable(OutreachError):
    """The message may not be sent; ``reason`` is a short machine-readable cause."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TransportError(OutreachError):
    """The message did not reach the mail server."""


class TemporaryFailure(TransportError):
    """Worth retrying later."""


class PermanentFailure(TransportError):
    """Retrying will not help."""


class DkimKeyError(OutreachError):
    """The configured DKIM key cannot be used."""


class TokenError(OutreachError):
    """A signed token did not verify."""


class CsvImportError(OutreachError):
    """A CSV file could not be imported."""
