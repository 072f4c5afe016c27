"""Errors raised by the knowledge layer; adapters translate library exceptions into these.

KnowledgeError
├── GraphError
│   ├── GraphUnavailable      the database cannot be reached (down, wrong URI, timeout)
│   ├── GraphAuthError        the database refused the credentials
│   └── GraphQueryError       a query failed for a reason that retrying will not fix
├── MemoryStoreError          the long-term memory store is locked, corrupt or unreachable
└── FetchError                a web fetch failed (the message gives the reason; research goes on)
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base of every error the knowledge layer raises on purpose."""


class GraphError(KnowledgeError):
    """Something went wrong talking to the graph database."""


class GraphUnavailable(GraphError):
    """The graph database cannot be reached; the message says where we tried and how to fix it."""


class GraphAuthError(GraphError):
    """The graph database rejected our credentials."""


class GraphQueryError(GraphError):
    """A query failed in a way that retrying will not fix (a bug or bad data)."""


class MemoryStoreError(KnowledgeError):
    """The long-term memory store cannot be used."""


class FetchError(KnowledgeError):
    """A web fetch failed; ``reason`` is a short machine-readable cause."""

    def __init__(self, message: str, *, reason: str = "error", url: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.url = url
