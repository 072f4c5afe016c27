"""On-disk HTTP cache for conditional requests: remembers ETag / Last-Modified and the body per URL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class CacheEntry:
    url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    status: int


class HttpCache:
    """Files ``<sha256(url)>.json`` (validators) and ``.body`` (bytes) under one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode()).hexdigest()
        return self.folder / f"{key}.json", self.folder / f"{key}.body"

    def _get(self, url: str) -> tuple[CacheEntry, bytes] | None:
        meta, body = self._paths(url)
        try:
            entry = CacheEntry(**json.loads(meta.read_text()))
            return entry, body.read_bytes()
        except (OSError, ValueError, TypeError):
            return None

    def _put(self, entry: CacheEntry, body: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        meta, body_path = self._paths(entry.url)
        for path, data in ((body_path, body), (meta, json.dumps(asdict(entry)).encode())):
            tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)

    async def get(self, url: str) -> tuple[CacheEntry, bytes] | None:
        return await asyncio.to_thread(self._get, url)

    async def put(self, entry: CacheEntry, body: bytes) -> None:
        if entry.etag or entry.last_modified:
            await asyncio.to_thread(self._put, entry, body)
