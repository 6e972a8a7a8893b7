"""What the benchmark scripts share: cleaning up their Redis keys and printing the summary."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import uuid
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from bot.stores.settings import RedisSettings


def bench_redis(url: str | None = None, cluster: bool = False) -> RedisSettings:
    """`url` (else `REDIS_URL`, else the local Redis) under a key prefix of this run's own."""
    url = url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"  # empty means unset
    return RedisSettings(url, f"ozbot-bench:{uuid.uuid4().hex}", cluster=cluster)


async def delete_keys(settings: RedisSettings) -> None:
    """Remove every key the run wrote under its own prefix (on a cluster: from every master)."""
    client = (RedisCluster if settings.cluster else Redis).from_url(settings.url)
    keys = [key async for key in client.scan_iter(match=f"{settings.prefix}:*")]
    for start in range(0, len(keys), 500):
        async with client.pipeline(transaction=False) as pipe:  # a cluster: one DEL a key
            for key in keys[start : start + 500]:
                pipe.delete(key)
            await pipe.execute()
    await client.aclose()


def report(summary: dict[str, Any], as_json: bool) -> None:
    """One JSON object (`--json`), or one aligned line a figure."""
    if as_json:
        print(json.dumps(summary))
        return
    width = max(map(len, summary), default=0)
    for key, value in summary.items():
        print(f"{key:>{width}}  {value}")


def latency_summary(
    store: str, users: int, noun: str, per_user: Sequence[Sequence[float]], wall: float
) -> dict[str, Any]:
    """Median and p99 of every round trip (ms), and throughput: what the note reports."""
    every = [ms for latencies in per_user for ms in latencies]
    return {
        "store": store,
        "users": users,
        noun: len(every),
        "median_ms": round(statistics.median(every), 3),
        "p99_ms": round(statistics.quantiles(every, n=100)[98], 3),
        f"{noun}_per_s": round(len(every) / wall, 1),
    }


PlatformRun = Callable[[str, int, int, Path], Coroutine[Any, Any, dict[str, Any]]]


def platform_main(description: str, noun: str, who: str, run: PlatformRun) -> None:
    """The command line shared by the chat-platform benchmarks."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--store", choices=("memory", "sqlite", "redis"), required=True)
    parser.add_argument(f"--{noun}", type=int, required=True, help=f"{noun} in all")
    parser.add_argument("--users", type=int, default=10, help=f"users {who} at once")
    parser.add_argument("--json", action="store_true", help="one JSON object, nothing else")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ozbot-bench-") as folder:
        summary = asyncio.run(run(args.store, getattr(args, noun), args.users, Path(folder)))
    report(summary, args.json)
