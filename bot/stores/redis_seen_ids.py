"""The ids of the platform updates every replica on one Redis (or Redis Cluster) has processed
(see connectors/dedupe.py: a platform delivers again what it thinks was lost). One key an id:
a cluster spreads them over its masters."""

from __future__ import annotations

from bot.errors import StoreUnavailableError
from bot.stores.redis_client import FAILED, RedisClient, connect, lost_connection
from bot.stores.settings import RedisSettings


class RedisSeenIds:
    """Ids shared by every replica on one Redis: `SET key NX EX`, forgotten after `ttl_seconds`.

    Use `await RedisSeenIds.connect(settings)`; `close()` when done.
    """

    def __init__(self, client: RedisClient, prefix: str, ttl_seconds: int = 86_400) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    @classmethod
    async def connect(cls, settings: RedisSettings) -> RedisSeenIds:
        """Connects and checks that Redis answers: a wrong URL fails here, at start-up."""
        client = await connect(settings, socket_timeout=2.0, socket_connect_timeout=1.0)
        return cls(client, f"{settings.prefix}:seen")

    async def first_time(self, key: str) -> bool:
        try:
            return bool(await self._redis.set(f"{self._prefix}:{key}", 1, nx=True, ex=self._ttl))
        except (*FAILED, AttributeError, TypeError) as exc:
            if isinstance(exc, AttributeError | TypeError) and not lost_connection(exc):
                raise
            raise StoreUnavailableError(f"Redis could not check {key}: {exc}") from exc

    async def close(self) -> None:
        await self._redis.aclose()
