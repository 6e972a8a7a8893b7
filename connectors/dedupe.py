"""Platforms deliver again what they think was lost (Telegram webhook retries, Slack retries):
an id seen before must not be processed twice.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from redis import exceptions
from redis.asyncio import Redis

from bot.errors import StoreUnavailableError
from bot.stores.redis_client import answering
from bot.stores.settings import RedisSettings


class SeenIds(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time `key` is offered, False ever after (within the memory kept)."""
        ...


class RecentIds:
    """The last `size` ids of this process. Replicas behind one webhook need a shared store."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class RedisSeenIds:
    """Ids shared by every replica on one Redis: `SET key NX EX`, forgotten after `ttl_seconds`.

    Use `await RedisSeenIds.connect(settings)`; `close()` when done.
    """

    def __init__(self, client: Redis, prefix: str, ttl_seconds: int = 86_400) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    @classmethod
    async def connect(cls, settings: RedisSettings) -> RedisSeenIds:
        """Connects and checks that Redis answers: a wrong URL fails here, at start-up."""
        client = Redis.from_url(settings.url, socket_timeout=2.0, socket_connect_timeout=1.0)
        await answering(client, settings)
        return cls(client, f"{settings.prefix}:seen")

    async def first_time(self, key: str) -> bool:
        try:
            return bool(await self._redis.set(f"{self._prefix}:{key}", 1, nx=True, ex=self._ttl))
        except exceptions.RedisError as exc:
            raise StoreUnavailableError(f"Redis could not check {key}: {exc}") from exc

    async def close(self) -> None:
        await self._redis.aclose()
