"""Backup and restore on the real Neo4j: backup → wipe → restore gives the same graph, files and types back."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest

from bot.backup import BackupError, create_backup, restore_backup
from bot.settings import Settings
from knowledge.graph import backup as graph_backup
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.factories import make_company, make_person, make_signal

TYPED_NODE = """
CREATE (n:Probe:Extra {
  at_zone: datetime('2025-03-30T01:59:59.123456789[Europe/Berlin]'),
  at_offset: datetime('2024-02-29T23:00:00-05:30'),
  day: date('2024-02-29'), local: localdatetime('2024-01-01T00:00:00.5'),
  clock: time('12:30:00+02:00'), local_clock: localtime('07:15'),
  span: duration('P1Y2M3DT4H5M6.000000007S'), spot: point({longitude: 13.4, latitude: 52.5}),
  flat: point({x: 1.5, y: -2.0, z: 3.0}), raw: $raw, dates: [date('2020-01-01'), date('2021-06-30')],
  big: 9007199254740993, ratio: 0.1, flag: false, names: ['a', 'b`c'], text: 'line\\nbreak ✓'
})
WITH n MATCH (c:Company {domain: 'acme.io'})
CREATE (n)-[:`WEIRD TYPE` {since: date('2023-05-01'), weight: 2, at: datetime('2024-10-27T02:30[Europe/London]')}]->(c)
"""


def canonical(value: Any) -> Any:
    """Type-exact, order-independent representation of a driver value (independent of the backup codec)."""
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return [type(value).__name__, repr(value) if isinstance(value, float) else str(value)]


async def dump(graph: Neo4jGraphStore) -> list[Any]:
    nodes = await graph.read("MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props")
    key = {
        n["id"]: json.dumps([sorted(n["labels"]), {k: canonical(v) for k, v in sorted(n["props"].items())}])
        for n in nodes
    }
    rels = await graph.read(
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS t, elementId(b) AS b, properties(r) AS props"
    )
    return sorted(key.values()) + sorted(
        json.dumps([key[r["a"]], r["t"], key[r["b"]], {k: canonical(v) for k, v in sorted(r["props"].items())}])
        for r in rels
    )


def settings_for(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {"storage": {"data_dir": str(tmp_path / "var")}, "memory": {"path": str(tmp_path / "var" / "memory")}}
    )


async def populate(graph: Neo4jGraphStore, settings: Settings) -> None:
    await graph.upsert_companies([make_company(), make_company(domain="globex.com", name="Globex")])
    await graph.upsert_people([make_person()])
    await graph.upsert_signals([make_signal()])
    await graph.write(TYPED_NODE, raw=b"\x00\xffbytes")
    memory = settings.data_path("memory")
    (memory / "collection").mkdir(parents=True)
    (memory / "collection" / "vectors.bin").write_bytes(bytes(range(256)) * 10)
    db = sqlite3.connect(memory / "history.db")
    db.execute("CREATE TABLE history (id INTEGER PRIMARY KEY, event TEXT)")
    db.execute("INSERT INTO history (event) VALUES ('ADD no companies under 50 people')")
    db.commit()
    db.close()
    jobs = sqlite3.connect(settings.data_path("scheduler.sqlite"))
    jobs.execute("CREATE TABLE apscheduler_jobs (id TEXT PRIMARY KEY, next_run_time REAL, job_state BLOB)")
    jobs.execute("INSERT INTO apscheduler_jobs VALUES ('digest', 1767225600.0, x'80049500')")
    jobs.commit()
    jobs.close()


async def test_backup_wipe_restore_round_trips_graph_types_memory_and_scheduler(
    graph: Neo4jGraphStore, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    await populate(graph, settings)
    before = await dump(graph)
    archive = tmp_path / "backups" / "amia.tar.gz"
    archive.parent.mkdir()

    result = await create_backup(settings, graph, archive)
    assert result.manifest["graph"]["nodes"] == await graph_backup.count_nodes(graph)
    assert result.manifest["graph"]["labels"]["Probe"] == 1
    assert result.manifest["graph"]["types"]["WEIRD TYPE"] == 1
    assert {"memory/history.db", "memory/collection/vectors.bin", "data/scheduler.sqlite"} <= set(
        result.manifest["files"]
    )
    assert [p.name for p in archive.parent.iterdir()] == ["amia.tar.gz"], "no temporary files left behind"

    await graph_backup.wipe(graph)
    for path in sorted(settings.data_path().rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert await dump(graph) == []

    summary = await restore_backup(settings, graph, archive)
    assert summary == result.manifest["graph"]
    after = await dump(graph)
    assert after == before, sorted(set(after) ^ set(before))
    probe = (await graph.read("MATCH (n:Probe) RETURN n.at_zone AS z, n.span AS s, n.raw AS raw"))[0]
    assert str(probe["z"].tzinfo) in ("Europe/Berlin", "CET") or getattr(probe["z"].tzinfo, "key", "") == (
        "Europe/Berlin"
    )
    assert probe["raw"] == b"\x00\xffbytes"
    assert not await graph.read("MATCH (n:_AmiaRestore) RETURN n LIMIT 1"), "temporary restore labels removed"
    assert not await graph.read("MATCH (n) WHERE n._amia_rid IS NOT NULL RETURN n LIMIT 1")
    history = sqlite3.connect(settings.data_path("memory", "history.db")).execute("SELECT event FROM history")
    assert history.fetchall() == [("ADD no companies under 50 people",)]
    job = sqlite3.connect(settings.data_path("scheduler.sqlite")).execute("SELECT id FROM apscheduler_jobs")
    assert job.fetchall() == [("digest",)]
    assert settings.data_path("memory", "collection", "vectors.bin").read_bytes() == bytes(range(256)) * 10


async def test_restore_refuses_a_non_empty_database_without_force(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await graph.upsert_companies([make_company()])
    archive = tmp_path / "a.tar.gz"
    await create_backup(settings, graph, archive)
    await graph.upsert_companies([make_company(domain="later.io", name="Later")])
    before = await dump(graph)
    with pytest.raises(BackupError, match=r"refusing to restore over existing data .*2 nodes.*--force"):
        await restore_backup(settings, graph, archive)
    assert await dump(graph) == before

    summary = await restore_backup(settings, graph, archive, force=True)
    assert summary["nodes"] == 1
    assert [r["d"] for r in await graph.read("MATCH (c:Company) RETURN c.domain AS d")] == ["acme.io"]


async def test_truncated_archive_is_rejected_and_changes_nothing(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await graph.upsert_companies([make_company()])
    archive = tmp_path / "a.tar.gz"
    await create_backup(settings, graph, archive)
    await graph_backup.wipe(graph)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError, match=r"corrupt or truncated.*nothing was changed"):
        await restore_backup(settings, graph, archive)
    assert await dump(graph) == []
    assert not settings.data_path().exists()


async def test_tampered_member_fails_its_checksum(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    await graph.upsert_companies([make_company()])
    archive = tmp_path / "a.tar.gz"
    await create_backup(settings, graph, archive)
    await graph_backup.wipe(graph)
    members: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for m in tar.getmembers():
            members[m.name] = tar.extractfile(m).read()  # type: ignore[union-attr]
    members["graph/nodes.jsonl"] = members["graph/nodes.jsonl"].replace(b"acme.io", b"evil.io")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    archive.write_bytes(gzip.compress(buf.getvalue()))
    with pytest.raises(BackupError, match=r"checksum mismatch in graph/nodes.jsonl"):
        await restore_backup(settings, graph, archive)
    assert await dump(graph) == []


async def test_not_a_backup_gives_a_clear_error(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    bogus = tmp_path / "notes.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        info = tarfile.TarInfo("readme.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(BackupError, match="not an AMIA backup"):
        await restore_backup(settings, graph, bogus)
    with pytest.raises(BackupError, match="does not exist"):
        await restore_backup(settings, graph, tmp_path / "missing.tar.gz")


def test_cli_backup_then_restore_refusal_and_force(
    neo4j_server_handle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("NEO4J_URI", neo4j_server_handle.uri)
    if neo4j_server_handle.auth:
        monkeypatch.setenv("NEO4J_USER", neo4j_server_handle.auth[0])
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server_handle.auth[1])
    config = tmp_path / "config.yaml"
    config.write_text(f"storage:\n  data_dir: {tmp_path / 'var'}\nmemory:\n  path: {tmp_path / 'var' / 'memory'}\n")
    archive = tmp_path / "cli.tar.gz"
    assert main(["--config", str(config), "backup", str(archive)]) == 0
    assert f"backup written to {archive}" in capsys.readouterr().out
    assert main(["--config", str(config), "restore", str(archive)]) in (0, 1)
    out = capsys.readouterr()
    if "refusing" in out.err:  # the shared test database held nodes when the backup ran
        assert "--force" in out.err
        assert main(["--config", str(config), "restore", "--force", "--json", str(archive)]) == 0
        assert json.loads(capsys.readouterr().out)["content_sha256"]
    assert main(["--config", str(config), "restore", str(tmp_path / "nope.tar.gz")]) == 1
    assert "does not exist" in capsys.readouterr().err
