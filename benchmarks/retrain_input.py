"""What a retrain reads from the store, as users' traffic grows: only the taught conversations.

    python benchmarks/retrain_input.py --store sqlite|redis --users N --taught T [--json]

Fills a fresh store (sqlite: a temporary file; redis: REDIS_URL or the local Redis, under a key
prefix of its own that is deleted afterwards) with N conversations of users nobody taught and T
conversations a trainer taught, each of 12 turns (36 events), then reads the training data two
ways, each three times:

- taught: `policy.taught.read_taught`, what a retrain reads now (the store's taught set, decoded
  off the event loop); its first read is reported apart (`taught_first_read_s`): on Redis it
  builds the taught set once, for data written before the set existed;
- everything: every conversation loaded and the taught ones kept, what a retrain read before.

For each: the median seconds of a read, and the longest the event loop was late while it read
(a ticker wakes every millisecond and measures how late it wakes: what every other conversation
of the bot waits during a retrain's read).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds policy.py: on sys.path it would hide the `policy` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import bench_redis, delete_keys, report  # noqa: E402
from bot.events import ACTION_LISTEN, ActionExecuted, Event, UserUttered  # noqa: E402
from bot.policy import TRAINER  # noqa: E402
from bot.stores.base import TrackerStore, is_taught  # noqa: E402
from bot.stores.redis import RedisTrackerStore  # noqa: E402
from bot.stores.sqlite import SqliteTrackerStore  # noqa: E402
from policy.taught import read_taught  # noqa: E402

TURNS = 12
READS = 3
FILL_BATCH = 200
"""Conversations written concurrently while filling the store."""


def conversation(policy: str) -> list[Event]:
    events: list[Event] = []
    for turn in range(TURNS):
        events += [
            ActionExecuted(ACTION_LISTEN),
            UserUttered(f'/search_concerts{{"city": "Berlin {turn}"}}', "search_concerts"),
            ActionExecuted("action_search_concerts", policy, 0.9),
        ]
    return events


async def fill(store: TrackerStore, users: int, taught: int) -> None:
    """Writes through a turn, as the engine does (the taught set is kept by the commit)."""

    async def write(cid: str, policy: str) -> None:
        async with store.turn(cid) as turn:
            await turn.commit(conversation(policy), pending=None, snapshot=None)

    work = [(f"user-{i}", "lightgbm") for i in range(users)]
    work += [(f"taught-{i}", TRAINER) for i in range(taught)]
    for start in range(0, len(work), FILL_BATCH):
        await asyncio.gather(*(write(cid, p) for cid, p in work[start : start + FILL_BATCH]))


async def read_everything(store: TrackerStore) -> dict[str, tuple[Event, ...]]:
    """How a retrain read before: every conversation, then the taught ones kept."""
    found = {}
    for cid in await store.conversation_ids():
        events = (await store.load(cid)).events
        if is_taught(events):
            found[cid] = events
    return found


async def timed(read: Callable[[], Awaitable[Any]]) -> tuple[float, float, int]:
    """(seconds, the event loop's worst lateness in ms, conversations read)."""
    worst = 0.0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - before - 0.001)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    result = await read()
    seconds = time.perf_counter() - started
    done.set()
    await ticker
    count = len(result.conversations) if hasattr(result, "conversations") else len(result)
    return seconds, worst * 1000, count


async def measure(store: TrackerStore, users: int, taught: int) -> dict[str, Any]:
    await fill(store, users, taught)
    summary: dict[str, Any] = {"users": users, "taught": taught}
    # The first read of a store written before the taught set existed builds the set once.
    summary["taught_first_read_s"] = round((await timed(lambda: read_taught([], store)))[0], 4)
    reads: dict[str, Callable[[], Awaitable[Any]]] = {
        "taught": lambda: read_taught([], store),
        "everything": lambda: read_everything(store),
    }
    for name, read in reads.items():
        runs = [await timed(read) for _ in range(READS)]
        assert all(count == taught for _, _, count in runs), runs
        summary[f"{name}_read_s"] = round(statistics.median(r[0] for r in runs), 4)
        summary[f"{name}_loop_late_ms"] = round(max(r[1] for r in runs), 1)
    return summary


async def run(kind: str, users: int, taught: int) -> dict[str, Any]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            store = await SqliteTrackerStore.open(Path(folder) / "ozbot.db")
            try:
                return {"store": kind, **await measure(store, users, taught)}
            finally:
                await store.close()
    settings = bench_redis()
    redis = await RedisTrackerStore.connect(settings)
    try:
        return {"store": kind, **await measure(redis, users, taught)}
    finally:
        await redis.close()
        await delete_keys(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=("sqlite", "redis"), required=True)
    parser.add_argument("--users", type=int, required=True, help="conversations nobody taught")
    parser.add_argument("--taught", type=int, required=True, help="conversations a trainer taught")
    parser.add_argument("--json", action="store_true", help="one JSON object, nothing else")
    args = parser.parse_args()
    report(asyncio.run(run(args.store, args.users, args.taught)), args.json)


if __name__ == "__main__":
    main()
