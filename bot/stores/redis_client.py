"""How every Redis user of ozbot connects: one bounded pool, and a start-up check.

A single Redis gets a pool that waits for a free connection (up to the conversation lock's
wait) instead of failing: a burst of more concurrent turns than connections is then served in
turn, not refused as if Redis were down. A Redis Cluster (`cluster: true`) gets redis-py's
cluster client, which finds every node from the one in the URL, routes each command to the
master of its key's slot and follows the slots when a replica takes over from a master.

A wrong URL, an unreachable Redis, or a cluster where a single Redis is configured (and the
reverse) fails at once, saying what to fix.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from redis import exceptions
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import RedisCluster

from bot.errors import StoreError, StoreUnavailableError
from bot.stores.settings import CLUSTER_FIX, SINGLE_FIX, RedisSettings

MAX_CONNECTIONS = 100
"""Connections one client keeps to Redis (to each node of a cluster) at most (redis-py's
default)."""
RedisClient = Redis | RedisCluster
"""What the stores hold: both speak the same commands."""
UNAVAILABLE = (
    exceptions.ConnectionError,
    exceptions.TimeoutError,
    exceptions.ClusterError,  # the cluster is down, or a slot moved too often (a failover)
    exceptions.SlotNotCoveredError,
    # The cluster client's own error when no node answers its topology query (a master just
    # died); its other errors (keys of two slots in one command) cannot happen with our keys.
    exceptions.RedisClusterException,
)
"""Errors that mean Redis cannot be reached now: an outage, not a failure of the request."""
FAILED = (exceptions.RedisError, exceptions.RedisClusterException)
"""Every error a client raises (the cluster client's own errors are no RedisError)."""
_CONNECTION_MODULE = Path("redis", "asyncio", "connection.py")


def lost_connection(exc: BaseException) -> bool:
    """A connection closed under redis-py's asyncio client while it wrote, which it reports as
    AttributeError or TypeError instead of ConnectionError (redis-py issue 4287; seen here when a
    cluster client refreshes its nodes during a failover): an outage like any other."""
    if not isinstance(exc, AttributeError | TypeError):
        return False
    frame = exc.__traceback__
    while frame is not None:
        if Path(frame.tb_frame.f_code.co_filename).parts[-3:] == _CONNECTION_MODULE.parts:
            return True
        frame = frame.tb_next
    return False


@contextlib.asynccontextmanager
async def redis_errors(
    what: str, unavailable: Callable[[Exception], StoreUnavailableError] | None = None
) -> AsyncIterator[None]:
    """Redis errors leave as store errors naming `what`: connection trouble (or a connection
    closed under a command) as StoreUnavailableError, made by `unavailable` when given (the
    tracker store's outage), the rest as StoreError."""
    try:
        yield
    except UNAVAILABLE as exc:
        error = unavailable(exc) if unavailable else None
        raise error or StoreUnavailableError(f"{what} is unavailable: {exc}") from exc
    except (AttributeError, TypeError) as exc:
        if not lost_connection(exc):
            raise
        error = unavailable(exc) if unavailable else None
        raise error or StoreUnavailableError(f"{what} is unavailable") from exc
    except FAILED as exc:
        raise StoreError(f"{what} failed: {exc}") from exc


async def connect(settings: RedisSettings, **options: Any) -> RedisClient:
    """A client on `settings.url` that answers PING; `options` go to each connection
    (`decode_responses`, timeouts, `retry`)."""
    if settings.cluster:
        return await _cluster(settings, options)
    try:
        pool = BlockingConnectionPool.from_url(
            settings.url,
            max_connections=MAX_CONNECTIONS,
            timeout=settings.lock_wait_seconds,
            **options,
        )
    except ValueError as exc:
        raise StoreError(f"{settings.source}: {exc}") from exc
    client = await _answering(Redis.from_pool(pool), settings)
    if await _cluster_enabled(client):
        await client.aclose()
        raise StoreError(
            f"{settings.shown_url} is a node of a Redis Cluster, used as a single Redis: "
            f"{CLUSTER_FIX}"
        )
    return client


async def _cluster(settings: RedisSettings, options: dict[str, Any]) -> RedisCluster:
    try:
        client = RedisCluster.from_url(settings.url, max_connections=MAX_CONNECTIONS, **options)
    except (ValueError, exceptions.RedisClusterException) as exc:
        raise StoreError(f"{settings.source}: {exc}") from exc
    try:
        await client.initialize()
    except exceptions.RedisClusterException as exc:
        await client.aclose()
        if "not enabled" in str(exc):
            raise StoreError(
                f"{settings.shown_url} is a single Redis, not a Redis Cluster: {SINGLE_FIX}"
            ) from exc
        raise _unreachable(settings, exc) from exc
    except exceptions.RedisError as exc:
        await client.aclose()
        raise _unreachable(settings, exc) from exc
    return client


async def _answering(client: Redis, settings: RedisSettings) -> Redis:
    """The client once Redis answers PING; otherwise it is closed and the error says what to fix."""
    try:
        await client.ping()
    except exceptions.RedisError as exc:
        await client.aclose()
        raise _unreachable(settings, exc) from exc
    return client


async def _cluster_enabled(client: Redis) -> bool:
    try:
        info = await client.info("cluster")
    except exceptions.ResponseError:  # INFO refused (an ACL, a managed Redis): trust the settings
        return False
    return bool(info.get("cluster_enabled"))


def _unreachable(settings: RedisSettings, exc: Exception) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"cannot reach Redis at {settings.shown_url} ({exc}); start it, or fix {settings.source}"
    )


def masters(client: RedisClient) -> int:
    """How many masters serve the data: 1 for a single Redis."""
    return len(client.get_primaries()) if isinstance(client, RedisCluster) else 1
