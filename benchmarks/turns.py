"""Engine turns per store: latency per turn, flat or not as a conversation grows.

    python benchmarks/turns.py --store memory|sqlite|redis --turns N [--processes P] [--json]

Each process runs one conversation of N full engine turns of the concert bot with its policy
trained from the project's stories (user message -> parse -> lock -> load -> predict ->
actions -> append -> outputs), without training questions, all processes at once on one store
(sqlite: one file; redis: REDIS_URL or the local Redis, under a key prefix of its own that is
deleted afterwards). A warm-up conversation of 20 turns runs first in each process.

median_ms and p99_ms are over every turn of every process; first_decile_median_ms and
last_decile_median_ms over the first and the last tenth of each conversation's turns;
turns_per_s is all turns over the wall time from the common start to the last one's end.
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
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from multiprocessing.synchronize import Barrier  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import bench_redis, delete_keys, report  # noqa: E402
from bot.app import load_project  # noqa: E402
from bot.engine import Engine, UserMessage  # noqa: E402
from bot.exporter import StoryExporter  # noqa: E402
from bot.settings import read_settings  # noqa: E402
from bot.stores.base import TrackerStore  # noqa: E402
from bot.stores.memory import MemoryTrackerStore  # noqa: E402
from bot.stores.redis import RedisTrackerStore  # noqa: E402
from bot.stores.settings import RedisSettings  # noqa: E402
from bot.stores.sqlite import SqliteTrackerStore  # noqa: E402
from policy.persistence import load_model, save_model  # noqa: E402
from policy.training import TrainingData, train_policy  # noqa: E402

REPO = HERE.parent
INPUTS = (
    "/greet",
    "/search_concerts",
    "/compare_reviews",
    "/search_venues",
    "/compare_reviews",
    "/thankyou",
    "/goodbye",
)
WARM_UP_TURNS = 20


@dataclass(frozen=True)
class Job:
    store: str
    turns: int
    folder: Path
    """Holds the trained model and, for sqlite, the database."""
    redis: RedisSettings


async def _open(job: Job) -> TrackerStore:
    if job.store == "memory":
        return MemoryTrackerStore()
    if job.store == "sqlite":
        return await SqliteTrackerStore.open(job.folder / "ozbot.db")
    return await RedisTrackerStore.connect(job.redis)


async def _conversation(engine: Engine, conversation_id: str, turns: int) -> list[float]:
    """Milliseconds of every turn."""
    latencies = []
    for number in range(turns):
        message = UserMessage(INPUTS[number % len(INPUTS)])
        started = time.perf_counter()
        await engine.handle(conversation_id, message, trainer=False)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _run(job: Job, name: str, barrier: Barrier) -> dict[str, Any]:
    loaded = load_project(read_settings(REPO, {}))
    policy = load_model(job.folder / "model", loaded.domain)
    store = await _open(job)
    exporter = StoryExporter(job.folder / "exported")
    engine = Engine(loaded.domain, policy, store, loaded.actions, exporter)
    try:
        await _conversation(engine, f"warm-up-{name}", WARM_UP_TURNS)
        barrier.wait(timeout=60)
        started = time.time()
        latencies = await _conversation(engine, f"bench-{name}", job.turns)
        return {"started": started, "ended": time.time(), "latencies": latencies}
    finally:
        await store.close()


def _worker(job: Job, name: str, barrier: Barrier, results: Any) -> None:
    results.put(asyncio.run(_run(job, name, barrier)))


def _train(folder: Path) -> None:
    loaded = load_project(read_settings(REPO, {}))
    data = TrainingData(loaded.stories, {})
    save_model(train_policy(loaded.domain, data, loaded.config), folder / "model")


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _summary(job: Job, processes: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    every = [ms for run in runs for ms in run["latencies"]]
    decile = max(job.turns // 10, 1)
    wall = max(run["ended"] for run in runs) - min(run["started"] for run in runs)
    return {
        "store": job.store,
        "turns": job.turns,
        "processes": processes,
        "median_ms": _median(every),
        "p99_ms": round(statistics.quantiles(every, n=100)[98], 3) if len(every) > 1 else every[0],
        "turns_per_s": round(len(every) / wall, 1),
        "first_decile_median_ms": _median([m for r in runs for m in r["latencies"][:decile]]),
        "last_decile_median_ms": _median([m for r in runs for m in r["latencies"][-decile:]]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("memory", "sqlite", "redis"), required=True)
    parser.add_argument("--turns", type=int, required=True, help="turns per conversation")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON object, nothing else")
    args = parser.parse_args()
    redis = bench_redis()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="ozbot-bench-") as folder:
        _train(Path(folder))
        job = Job(args.store, args.turns, Path(folder), redis)
        barrier, results = context.Barrier(args.processes), context.Queue()
        workers = [
            context.Process(target=_worker, args=(job, str(number), barrier, results))
            for number in range(args.processes)
        ]
        for worker in workers:
            worker.start()
        runs = [results.get(timeout=600) for _ in workers]
        for worker in workers:
            worker.join()
        if args.store == "redis":
            asyncio.run(delete_keys(redis))
    summary = _summary(job, args.processes, runs)
    report(summary, args.json)


if __name__ == "__main__":
    main()
