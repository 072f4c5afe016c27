"""Backup and restore: the graph, the memory store and the local SQLite stores in one verified tar.gz archive.

Archive layout (every member is listed in the manifest with its size and sha256)::

    manifest.json                 format, version, created_at, graph counts + content digest, files
    graph/nodes.jsonl             {"id", "labels", "props"} per line, props with type tags
    graph/relationships.jsonl     {"start", "end", "type", "props"} per line
    memory/...                    the memory-store folder (memory.path)
    data/<name>.sqlite            every SQLite database directly under storage.data_dir (scheduler, bot state)

Writes are atomic (a temporary file renamed into place). A restore verifies the whole archive before it changes
anything, refuses a non-empty target unless forced, and checks counts and the content digest afterwards.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.errors import BotError
from bot.settings import Settings
from knowledge.graph import backup as graph_backup
from knowledge.graph.neo4j_store import Neo4jGraphStore

log = logging.getLogger(__name__)

FORMAT = "amia-backup"
VERSION = 1
NODES = "graph/nodes.jsonl"
RELATIONSHIPS = "graph/relationships.jsonl"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(BotError):
    """A backup could not be written, or an archive cannot be restored; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def memory_dir(settings: Settings) -> Path:
    p = Path(settings.memory.path)
    return p if p.is_absolute() else settings.data_path().parent / p


def sqlite_stores(settings: Settings) -> list[Path]:
    """SQLite databases directly under the data folder (scheduler job store, bot state), found by their header."""
    base = settings.data_path()
    if not base.is_dir():
        return []
    found = []
    for path in sorted(base.iterdir()):
        if path.is_file() and not path.name.endswith(("-wal", "-shm", "-journal")):
            with path.open("rb") as fh:
                if fh.read(16) == _SQLITE_MAGIC:
                    found.append(path)
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API), not a raw file copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _copy_tree(src: Path, dst: Path) -> None:
    for path in sorted(src.rglob("*")):
        if not path.is_file() or path.name.endswith(("-wal", "-shm", "-journal", ".lock")):
            continue
        out = dst / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        with path.open("rb") as fh:
            is_sqlite = fh.read(16) == _SQLITE_MAGIC
        if is_sqlite:
            _copy_sqlite(path, out)
        else:
            shutil.copy2(path, out)


def _checked_target(target: Path) -> Path:
    target = target.expanduser().resolve()
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name such as amia-backup.tar.gz")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    return target


def _write_archive(settings: Settings, stage: Path, graph_summary: dict[str, Any], partial: Path) -> dict[str, Any]:
    """Copy the local stores next to the graph export, checksum every file, and pack the tar.gz."""
    memory = memory_dir(settings)
    if memory.is_dir():
        _copy_tree(memory, stage / "memory")
    for db in sqlite_stores(settings):
        _copy_sqlite(db, stage / "data" / db.name)
    files = {
        str(p.relative_to(stage)): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(stage.rglob("*"))
        if p.is_file()
    }
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "graph": graph_summary,
        "files": files,
    }
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    with tarfile.open(partial, "w:gz") as tar:
        tar.add(stage / "manifest.json", arcname="manifest.json")
        for name in files:
            tar.add(stage / name, arcname=name)
    with partial.open("rb") as fh:
        os.fsync(fh.fileno())
    return manifest


async def create_backup(settings: Settings, graph: Neo4jGraphStore, target: Path) -> BackupResult:
    """Export everything into ``target`` (written atomically); returns the manifest."""
    target = await asyncio.to_thread(_checked_target, target)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="amia-backup-", dir=target.parent) as tmp:
        stage = Path(tmp) / "stage"
        await asyncio.to_thread((stage / "graph").mkdir, parents=True)
        with (
            open(stage / NODES, "w", encoding="utf-8") as nodes,  # noqa: ASYNC230 - streamed, small writes
            open(stage / RELATIONSHIPS, "w", encoding="utf-8") as rels,  # noqa: ASYNC230
        ):

            def write_node(row: dict[str, Any]) -> None:
                nodes.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")

            def write_rel(row: dict[str, Any]) -> None:
                rels.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")

            digest = await graph_backup.export_graph(graph, write_node, write_rel)
        partial = Path(tmp) / "archive.tar.gz"
        manifest = await asyncio.to_thread(_write_archive, settings, stage, digest.summary(), partial)
        os.replace(partial, target)
    log.info(
        "backup written: %d nodes, %d relationships, %d files in %.1fs",
        digest.nodes,
        digest.relationships,
        len(manifest["files"]),
        time.perf_counter() - t0,
    )
    return BackupResult(target, manifest)


# ---- restore ----------------------------------------------------------------------------------------------------


def _open_verified(archive: Path, into: Path) -> dict[str, Any]:
    """Extract and check every member against the manifest; raises BackupError before anything is changed."""
    archive = archive.expanduser().resolve()
    if not archive.is_file():
        raise BackupError(f"backup file {archive} does not exist")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            if "manifest.json" not in names:
                raise BackupError(f"{archive} is not an AMIA backup (no manifest.json)")
            for member in members:
                if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise BackupError(f"{archive} contains an unsafe entry {member.name!r}; refusing to restore it")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            f"{archive} is corrupt or truncated ({type(exc).__name__}: {exc}); nothing was changed. "
            "Use another backup file."
        ) from exc
    try:
        manifest: dict[str, Any] = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{archive}: manifest.json is not valid JSON; nothing was changed") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not an AMIA backup (format {manifest.get('format')!r})")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{archive} is backup format version {manifest.get('version')}; this AMIA reads version {VERSION}"
        )
    files: dict[str, Any] = manifest.get("files", {})
    extracted = {str(p.relative_to(into)) for p in into.rglob("*") if p.is_file()} - {"manifest.json"}
    missing, extra = sorted(set(files) - extracted), sorted(extracted - set(files))
    if missing or extra:
        raise BackupError(
            f"{archive} does not match its manifest (missing: {missing[:5]}, unexpected: {extra[:5]}); "
            "nothing was changed"
        )
    for name, meta in files.items():
        path = into / name
        if path.stat().st_size != meta["bytes"] or _sha256(path) != meta["sha256"]:
            raise BackupError(f"{archive}: checksum mismatch in {name}; the file is damaged and nothing was changed")
    for required in (NODES, RELATIONSHIPS):
        if required not in files:
            raise BackupError(f"{archive} has no {required}; nothing was changed")
    return manifest


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row: dict[str, Any] = json.loads(line)
                yield row


def _replace_dir(staged: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(target.name + f".before-restore-{int(time.time())}")
    if target.exists():
        os.replace(target, old)
    shutil.copytree(staged, target)
    if old.exists():
        shutil.rmtree(old)


def _replace_file(staged: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copy2(staged, partial)
    os.replace(partial, target)


def _local_conflicts(manifest: dict[str, Any], stage: Path, memory_target: Path, data_dir: Path) -> list[str]:
    conflicts = [
        str(data_dir / Path(n).name)
        for n in manifest["files"]
        if n.startswith("data/") and (data_dir / Path(n).name).exists()
    ]
    if (stage / "memory").is_dir() and memory_target.is_dir() and any(memory_target.iterdir()):
        conflicts.append(str(memory_target))
    return conflicts


def _restore_files(manifest: dict[str, Any], stage: Path, memory_target: Path, data_dir: Path) -> None:
    if (stage / "memory").is_dir():
        _replace_dir(stage / "memory", memory_target)
    for name in manifest["files"]:
        if name.startswith("data/"):
            _replace_file(stage / name, data_dir / Path(name).name)


async def restore_backup(
    settings: Settings, graph: Neo4jGraphStore, archive: Path, *, force: bool = False
) -> dict[str, Any]:
    """Restore ``archive`` onto an empty database (or any, with ``force``); returns the verified graph summary."""
    with tempfile.TemporaryDirectory(prefix="amia-restore-") as tmp:
        stage = Path(tmp)
        manifest = await asyncio.to_thread(_open_verified, archive, stage)
        memory_target = memory_dir(settings)
        data_dir = settings.data_path()
        existing = await graph_backup.count_nodes(graph)
        local_conflicts = await asyncio.to_thread(_local_conflicts, manifest, stage, memory_target, data_dir)
        if (existing or local_conflicts) and not force:
            what = [f"the graph has {existing} nodes"] if existing else []
            what += [f"{p} exists" for p in local_conflicts]
            raise BackupError(
                "refusing to restore over existing data (" + "; ".join(what) + "). Restore onto an empty "
                "database, or pass --force to replace it (take a backup first)."
            )
        if existing:
            log.warning("restore --force: deleting %d existing nodes", existing)
            await graph_backup.wipe(graph)
        await graph.ensure_schema()
        await graph_backup.begin_import(graph)
        try:
            await graph_backup.import_nodes(graph, _jsonl(stage / NODES))
            await graph_backup.import_relationships(graph, _jsonl(stage / RELATIONSHIPS))
        finally:
            await graph_backup.finish_import(graph)
        await asyncio.to_thread(_restore_files, manifest, stage, memory_target, data_dir)
        restored = (await graph_backup.graph_digest(graph)).summary()
        expected = manifest["graph"]
        if restored != expected:
            differences = [k for k in expected if restored.get(k) != expected[k]]
            raise BackupError(
                f"the restored graph differs from the backup in {', '.join(differences)}; the database may have "
                "been written to during the restore. Stop the bot and run 'amia restore --force' again."
            )
    return restored
