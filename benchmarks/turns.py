"""Engine turns per store: latency per turn, flat or not as a conversation grows.

    python benchmarks/turns.py --store memory|sqlite|redis --turns N [--processes P] [--json]
        [--redis-url URL [--cluster]]
    python benchmarks/turns.py --scaling [--turns 500] [--json]

Each process runs one conversation of N full engine turns of the concert bot with its policy
trained from the project's stories (user message -> parse -> lock -> load -> predict ->
actions -> append -> outputs), without training questions, all processes at once on one store
(sqlite: one file; redis: REDIS_URL or the local Redis, under a key prefix of its own that is
deleted afterwards). A warm-up conversation of 20 turns runs first in each process.

median_ms and p99_ms are over every turn of every process; first_decile_median_ms and
last_decile_median_ms over the first and the last tenth of each conversation's turns;
turns_per_s is all turns over the wall time from the common start to the last one's end.

--redis-url names the Redis (default REDIS_URL, else the local one); with --cluster it is a
node of a Redis Cluster. --scaling runs, in one go, on servers it starts and stops itself (a
plain redis-server, and a cluster of three masters with a replica each, on loopback ports):
single Redis vs cluster with 1 and 2 processes, each also with what a turn costs Redis
(commands and network bytes, summed over the masters, warm-up turns included) and what a
conversation keeps (MEMORY USAGE of its keys: fixed bytes, and bytes a turn); then the failover
of tests/bot/stores/failover.py (two replicas, a master killed): the seconds until the cluster
served the slots again and until the killed master's conversations were answered again, and
the turns acknowledged, stored once, refused.
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
from benchmarks.redis_costs import conversation_bytes, counters  # noqa: E402
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
from tests.bot.stores.failover import failover  # noqa: E402
from tests.bot.stores.local_cluster import local_cluster, local_redis  # noqa: E402

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


def _bench(job: Job, processes: int) -> dict[str, Any]:
    """One run: `processes` processes, each a conversation of `job.turns` turns."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_worker, args=(job, str(number), barrier, results))
        for number in range(processes)
    ]
    before = counters(job.redis) if job.store == "redis" else None
    for worker in workers:
        worker.start()
    runs = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    summary = _summary(job, processes, runs)
    if before is not None:
        summary["redis"] = "cluster" if job.redis.cluster else "single"
        summary |= counters(job.redis).per(before, processes * (job.turns + WARM_UP_TURNS))
        summary |= _memory(job)
        asyncio.run(delete_keys(job.redis))
    return summary


def _memory(job: Job) -> dict[str, int]:
    """Bytes a conversation keeps: fixed, and per turn (from its two lengths)."""
    short = conversation_bytes(job.redis, "warm-up-0")
    long = conversation_bytes(job.redis, "bench-0")
    per_turn = (long - short) / (job.turns - WARM_UP_TURNS)
    return {
        "conversation_bytes_per_turn": round(per_turn),
        "conversation_bytes_fixed": round(short - per_turn * WARM_UP_TURNS),
    }


def _scaling(turns: int, folder: Path) -> list[dict[str, Any]]:
    rows = []
    for starting in (local_redis, local_cluster):
        with starting(folder / starting.__name__) as servers:
            redis = bench_redis(servers.url, cluster=starting is local_cluster)
            for processes in (1, 2):
                rows.append(_bench(Job("redis", turns, folder, redis), processes))
    with local_cluster(folder / "failover") as cluster:
        run = asyncio.run(failover(cluster, bench_redis(cluster.url).prefix))
    refused = sum(len(sent.refused) for sent in run.sent.values())
    rows.append(
        {
            "failover": "2 replicas, 9 conversations, the master of 3 SIGKILLed",
            "takeover_s": round(run.takeover_seconds, 2),
            "turns_resumed_after_s": round(run.resumed_seconds, 2),
            "acknowledged": run.acknowledged,
            "stored_once": run.stored_once,
            "duplicates": len(run.duplicates),
            "corrupt_conversations": len(run.corrupt),
            "refused_meanwhile": refused,
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("memory", "sqlite", "redis"))
    parser.add_argument("--turns", type=int, default=500, help="turns per conversation")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--redis-url", help="default: REDIS_URL, else redis://127.0.0.1:6379/0")
    parser.add_argument("--cluster", action="store_true", help="--redis-url is a cluster node")
    parser.add_argument("--scaling", action="store_true", help="single Redis vs cluster, failover")
    parser.add_argument("--json", action="store_true", help="JSON objects, nothing else")
    args = parser.parse_args()
    if not args.scaling and args.store is None:
        parser.error("give --store, or --scaling")
    with tempfile.TemporaryDirectory(prefix="ozbot-bench-") as folder:
        _train(Path(folder))
        if args.scaling:
            for row in _scaling(args.turns, Path(folder)):
                report(row, args.json)
                if not args.json:
                    print()
            return
        redis = bench_redis(args.redis_url, args.cluster)
        report(_bench(Job(args.store, args.turns, Path(folder), redis), args.processes), args.json)


if __name__ == "__main__":
    main()
