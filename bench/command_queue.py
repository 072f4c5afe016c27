"""Benchmark: what the durable command queue costs on the ack path, and how fast a restart finds its orphans.

Run: .venv/bin/python bench/command_queue.py [--concurrent 100] [--history 10000] [--orphans 1000]

Uses the real CommandQueue on a SQLite file in a temporary folder (WAL, synchronous=NORMAL, as the bot does).
Prints the latency of accept() (the write every /amia command waits for before its ack) alone and under N
concurrent commands, and the time a new process needs to find and adopt the orphans a killed process left among
a history of finished commands. Numbers and ratios are from this one run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.slack.queue import CommandQueue, QueuedCommand  # noqa: E402


def job(i: int) -> QueuedCommand:
    return QueuedCommand(
        f"T0BENCH.{i:08d}",
        "slash",
        "U0BENCH001",
        f"C0CHAN{i % 50:04d}",
        None,
        "https://hooks.slack.com/commands/T0BENCH/1/x",
        f"score company{i}.io",
        time.time(),
        "queued",
    )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def timed_accept(queue: CommandQueue, item: QueuedCommand) -> float:
    t0 = time.perf_counter()
    assert await queue.accept(item)
    return time.perf_counter() - t0


async def main(concurrent: int, history: int, orphans: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="amia-bench-queue-"))
    try:
        queue = CommandQueue(folder / "bot.sqlite3")
        alone = [await timed_accept(queue, job(i)) for i in range(200)]
        waves = []
        for wave in range(5):
            base = 1000 + wave * concurrent
            waves += await asyncio.gather(*[timed_accept(queue, job(base + i)) for i in range(concurrent)])
        print(f"accept() alone:               p50 {pct(alone, 50) * 1e3:.3f} ms   p99 {pct(alone, 99) * 1e3:.3f} ms")
        print(
            f"accept() {concurrent} at once (5 waves): p50 {pct(waves, 50) * 1e3:.2f} ms   "
            f"p99 {pct(waves, 99) * 1e3:.2f} ms   = {pct(waves, 99) / 3.0:.4f} of Slack's 3 s"
        )

        for i in list(range(200)) + list(range(1000, 1000 + 5 * concurrent)):
            await queue.finish(job(i).id, "done")  # the first phase's commands were answered

        # a killed process: `history` finished rows and `orphans` unfinished ones it owned
        dead = CommandQueue(folder / "bot.sqlite3")
        for i in range(history):
            item = job(100_000 + i)
            await dead.accept(item)
            await dead.finish(item.id, "done")
        for i in range(orphans):
            item = job(500_000 + i)
            await dead.accept(item)
            await dead.start(item.id)
        dead.close()  # what the kernel does on kill -9: the lock goes, the rows stay
        queue.close()

        t0 = time.perf_counter()
        restarted = CommandQueue(folder / "bot.sqlite3")
        found = await restarted.orphans()
        t_found = time.perf_counter() - t0
        adopted = sum([await restarted.adopt(o) for o in found])
        t_adopted = time.perf_counter() - t0
        restarted.close()
        print(
            f"restart with {orphans} orphans among {history + orphans + 200 + 5 * concurrent} rows: found in "
            f"{t_found * 1e3:.1f} ms, all {adopted} adopted after {t_adopted * 1e3:.1f} ms "
            f"({t_adopted / max(adopted, 1) * 1e3:.3f} ms per command)"
        )
        assert adopted == orphans == len(found)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrent", type=int, default=100)
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--orphans", type=int, default=1000)
    a = parser.parse_args()
    asyncio.run(main(a.concurrent, a.history, a.orphans))
