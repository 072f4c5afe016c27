"""Observer hooks: how the lower layers report what they did (fetches, graph queries) without importing bot/.

The composition root passes ``bot.metrics.Metrics`` (which has these methods) to the crawler and the graph store;
everything here works the same with no observer at all. Label values must stay bounded: a status code or a short
reason, a code name — never a URL, a domain or query parameters.
"""

from __future__ import annotations

import sys
from typing import Protocol


class FetchObserver(Protocol):
    def record_fetch(self, status: int | str) -> None: ...

    def record_robots_refusal(self) -> None: ...


class QueryObserver(Protocol):
    def record_graph_query(self, operation: str, seconds: float) -> None: ...


def caller_name(depth: int = 2) -> str:
    """The qualified name of the function ``depth`` frames up ("DraftStore.get"): a bounded operation label."""
    try:
        name = sys._getframe(depth).f_code.co_qualname
    except ValueError:  # fewer frames than asked for
        return "unknown"
    return name.replace(".<locals>", "")
