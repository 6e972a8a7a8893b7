"""The start-up check every Redis user of ozbot makes: a wrong URL fails at once, clearly."""

from __future__ import annotations

from redis import exceptions
from redis.asyncio import Redis

from bot.errors import StoreUnavailableError
from bot.stores.settings import RedisSettings


async def answering(client: Redis, settings: RedisSettings) -> Redis:
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
