"""How every Redis user of ozbot connects: one bounded pool, and a start-up check.

The pool waits for a free connection (up to the conversation lock's wait) instead of failing:
a burst of more concurrent turns than connections is then served in turn, not refused as if
Redis were down. A wrong URL or an unreachable Redis fails at once, saying what to fix.
"""

from __future__ import annotations

from typing import Any

from redis import exceptions
from redis.asyncio import BlockingConnectionPool, Redis

from bot.errors import StoreError, StoreUnavailableError
from bot.stores.settings import RedisSettings

MAX_CONNECTIONS = 100
"""Connections one client keeps to Redis at most (redis-py's own default)."""


async def connect(settings: RedisSettings, **options: Any) -> Redis:
    """A client on `settings.url` that answers PING; `options` go to each connection
    (`decode_responses`, timeouts, `retry`)."""
    try:
        pool = BlockingConnectionPool.from_url(
            settings.url,
            max_connections=MAX_CONNECTIONS,
            timeout=settings.lock_wait_seconds,
            **options,
        )
    except ValueError as exc:
        raise StoreError(f"{settings.source}: {exc}") from exc
    return await _answering(Redis.from_pool(pool), settings)


async def _answering(client: Redis, settings: RedisSettings) -> Redis:
    """The client once Redis answers PING; otherwise it is closed and the error says what to fix."""
    try:
        await client.ping()
    except exceptions.RedisError as exc:
        await client.aclose()
        raise StoreUnavailableError(
            f"cannot reach Redis at {settings.shown_url} ({exc}); start it, or fix "
            f"{settings.source}"
        ) from exc
    return client
