"""Vector-store wrappers for mem0: a lock (qdrant local is not thread-safe) and an in-RAM index for fast search.

qdrant-client's local mode searches by brute force in Python-evaluated filters: ~130 ms at 10k memories on two
cores. :class:`RamIndex` keeps the vectors and payloads in a numpy matrix (15 MB per 10k at 384 dims), answers
equality-filtered searches with one matrix product (~1-3 ms), and writes every change through to qdrant, which
stays the source of truth on disk. Filters it does not understand go to qdrant unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


class Locked:
    """Serialise every call into the wrapped object (qdrant local shares one sqlite connection across threads)."""

    def __init__(self, inner: Any) -> None:
        self._inner, self._lock = inner, threading.RLock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return locked


@dataclass
class Hit:
    """What mem0 reads from a search result."""

    id: str
    score: float
    payload: dict[str, Any]


def _matcher(filters: dict[str, Any] | None) -> Callable[[dict[str, Any]], bool] | None:
    """A payload predicate for plain equality / ``in`` filters, or None if the filter needs qdrant."""
    if not filters:
        return lambda _p: True
    checks: list[Callable[[dict[str, Any]], bool]] = []
    for key, value in filters.items():
        if key in ("AND", "OR", "NOT", "$and", "$or", "$not"):
            return None
        if isinstance(value, dict):
            if set(value) == {"eq"}:
                value = value["eq"]
            elif set(value) == {"in"} and isinstance(value["in"], list):
                allowed = set(value["in"])
                checks.append(lambda p, k=key, a=allowed: p.get(k) in a)  # type: ignore[misc]
                continue
            else:
                return None
        if value == "*":
            checks.append(lambda p, k=key: k in p)  # type: ignore[misc]
        elif isinstance(value, str | int | float | bool):
            checks.append(lambda p, k=key, v=value: p.get(k) == v)  # type: ignore[misc]
        else:
            return None
    return lambda p: all(c(p) for c in checks)


class RamIndex:
    """Write-through in-memory index over a mem0 vector store; unknown attributes go to the inner store."""

    def __init__(self, inner: Any, dims: int) -> None:
        self._inner, self._dims = inner, dims
        self._lock = threading.RLock()
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._payloads: list[dict[str, Any]] = []
        self._matrix = np.zeros((0, dims), dtype=np.float32)
        self._size = 0
        self._version = 0  # bumped on every change; selections below are cached per filter and version
        self._selections: dict[str, tuple[int, np.ndarray]] = {}
        self._load()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __len__(self) -> int:
        return self._size

    def _load(self) -> None:
        client, col = self._inner.client, self._inner.collection_name
        offset = None
        while True:
            points, offset = client.scroll(col, limit=2048, offset=offset, with_payload=True, with_vectors=True)
            for p in points:
                vec = p.vector.get("", p.vector) if isinstance(p.vector, dict) else p.vector
                self._put(str(p.id), list(vec), dict(p.payload or {}))
            if offset is None:
                break

    def _put(self, pid: str, vector: list[float] | None, payload: dict[str, Any] | None) -> None:
        self._version += 1
        i = self._pos.get(pid)
        if i is None:
            if vector is None:
                return
            if self._size == len(self._matrix):
                grown = np.zeros((max(64, 2 * len(self._matrix)), self._dims), dtype=np.float32)
                grown[: self._size] = self._matrix[: self._size]
                self._matrix = grown
            i = self._size
            self._size += 1
            self._ids.append(pid)
            self._payloads.append({})
            self._pos[pid] = i
        if vector is not None:
            v = np.asarray(vector, dtype=np.float32)
            n = float(np.linalg.norm(v))
            self._matrix[i] = v / n if n else v
        if payload is not None:
            self._payloads[i] = payload

    def _drop(self, pid: str) -> None:
        i = self._pos.pop(pid, None)
        if i is None:
            return
        self._version += 1
        last = self._size - 1
        if i != last:  # move the last row into the hole
            self._matrix[i] = self._matrix[last]
            self._ids[i], self._payloads[i] = self._ids[last], self._payloads[last]
            self._pos[self._ids[i]] = i
        self._ids.pop()
        self._payloads.pop()
        self._size -= 1

    # --- the mem0 VectorStoreBase methods that change or read points ---
    def insert(
        self, vectors: list[Any], payloads: list[dict[str, Any]] | None = None, ids: list[Any] | None = None
    ) -> None:
        with self._lock:
            self._inner.insert(vectors=vectors, payloads=payloads, ids=ids)
            for k, vec in enumerate(vectors):
                pid = str(ids[k] if ids is not None else k)
                self._put(pid, list(vec), dict(payloads[k]) if payloads else {})

    def update(self, vector_id: Any, vector: list[float] | None = None, payload: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._inner.update(vector_id, vector=vector, payload=payload)
            pid = str(vector_id)
            if payload is not None and vector is None and pid in self._pos:  # set_payload merges
                payload = {**self._payloads[self._pos[pid]], **payload}
            self._put(pid, vector, payload)

    def delete(self, vector_id: Any) -> None:
        with self._lock:
            self._inner.delete(vector_id)
            self._drop(str(vector_id))

    def reset(self) -> Any:
        with self._lock:
            out = self._inner.reset()
            self._ids, self._pos, self._payloads, self._size = [], {}, [], 0
            self._version += 1
            return out

    def _select(self, filters: dict[str, Any] | None, match: Callable[[dict[str, Any]], bool]) -> np.ndarray:
        """Row numbers whose payload matches; reused until the next write (reads far outnumber writes)."""
        key = repr(sorted((filters or {}).items()))
        hit = self._selections.get(key)
        if hit is not None and hit[0] == self._version:
            return hit[1]
        rows = np.fromiter((i for i in range(self._size) if match(self._payloads[i])), dtype=np.int64, count=-1)
        if len(self._selections) > 256:
            self._selections.clear()
        self._selections[key] = (self._version, rows)
        return rows

    def search(self, query: str, vectors: list[float], top_k: int = 5, filters: dict[str, Any] | None = None) -> Any:
        match = _matcher(filters)
        if match is None:
            with self._lock:
                return self._inner.search(query=query, vectors=vectors, top_k=top_k, filters=filters)
        with self._lock:
            rows = self._select(filters, match)
            if rows.size == 0:
                return []
            q = np.asarray(vectors, dtype=np.float32)
            q /= float(np.linalg.norm(q)) or 1.0
            # one mat-vec over all rows is cheaper than gathering the selected rows (a 15 MB copy at 10k)
            scores = (self._matrix[: self._size] @ q)[rows]
            k = min(top_k, rows.size)
            best = np.argpartition(-scores, k - 1)[:k]
            best = best[np.argsort(-scores[best])]
            return [Hit(self._ids[rows[j]], float(scores[j]), self._payloads[rows[j]]) for j in best]
