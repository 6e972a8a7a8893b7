"""What turns cost Redis: commands and network bytes (from INFO on every master), and the memory
of a conversation (MEMORY USAGE of its keys). Exact only on a Redis that nothing else uses
meanwhile: `turns.py --scaling` starts its own.

Redis counts the commands a script runs one by one: a turn's two round trips (two EVALSHA)
show as about 15 commands. A master's output bytes include what it sends its replica.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis
from redis.cluster import RedisCluster

from bot.stores.settings import RedisSettings

_COUNTERS = ("total_commands_processed", "total_net_input_bytes", "total_net_output_bytes")


@dataclass(frozen=True)
class Counters:
    commands: int
    bytes_in: int
    bytes_out: int
    cpu_seconds: float
    """Redis's own CPU time (user and system, main thread): what bounds turns per node."""

    def per(self, earlier: Counters, turns: int) -> dict[str, float]:
        return {
            "redis_commands_run_per_turn": round((self.commands - earlier.commands) / turns, 2),
            "redis_bytes_in_per_turn": round((self.bytes_in - earlier.bytes_in) / turns),
            "redis_bytes_out_per_turn": round((self.bytes_out - earlier.bytes_out) / turns),
            "redis_cpu_us_per_turn": round((self.cpu_seconds - earlier.cpu_seconds) * 1e6 / turns),
        }


def _masters(settings: RedisSettings) -> list[Redis]:
    if not settings.cluster:
        return [Redis.from_url(settings.url)]
    with RedisCluster.from_url(settings.url) as cluster:
        return [Redis(host=n.host, port=n.port) for n in cluster.get_primaries()]


def counters(settings: RedisSettings) -> Counters:
    """The counters summed over every master."""
    totals = [0, 0, 0]
    cpu = 0.0
    for client in _masters(settings):
        with client:
            stats = client.info("stats")
            for index, name in enumerate(_COUNTERS):
                totals[index] += int(stats[name])
            used = client.info("cpu")
            cpu += sum(float(used[f"used_cpu_{kind}_main_thread"]) for kind in ("user", "sys"))
    return Counters(*totals, cpu)


def conversation_bytes(settings: RedisSettings, conversation_id: str) -> int:
    """Memory of a conversation's events and meta (its lock is gone after each turn)."""
    head = f"{settings.prefix}:conv:{{{conversation_id}}}"
    client = (RedisCluster if settings.cluster else Redis).from_url(settings.url)
    with client:
        sizes = [client.memory_usage(f"{head}:{part}", samples=0) for part in ("events", "meta")]
    return sum(int(size or 0) for size in sizes)
