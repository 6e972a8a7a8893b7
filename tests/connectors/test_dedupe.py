"""Redelivered platform events are recognised, within the memory kept."""

import pytest
from redis.asyncio import Redis

from bot.errors import StoreUnavailableError
from bot.stores.settings import RedisSettings
from connectors.dedupe import RecentIds, RedisSeenIds


async def test_an_id_counts_the_first_time_only():
    seen = RecentIds()
    assert [await seen.first_time(key) for key in ("a", "b", "a", "b", "c")] == [
        True,
        True,
        False,
        False,
        True,
    ]


async def test_the_oldest_ids_are_forgotten_past_the_size():
    seen = RecentIds(size=2)
    for key in ("a", "b", "c"):
        await seen.first_time(key)
    assert await seen.first_time("a") is True
    assert await seen.first_time("c") is False


async def test_replicas_sharing_a_redis_see_an_id_once_and_it_expires(redis_settings):
    first = await RedisSeenIds.connect(redis_settings)
    second = await RedisSeenIds.connect(redis_settings)
    assert [await first.first_time("slack:Ev1"), await second.first_time("slack:Ev1")] == [
        True,
        False,
    ]
    client = Redis.from_url(redis_settings.url)
    assert 0 < await client.ttl(f"{redis_settings.prefix}:seen:slack:Ev1") <= 86_400
    await client.aclose()
    for seen in (first, second):
        await seen.close()


async def test_an_unreachable_redis_stops_the_start():
    with pytest.raises(StoreUnavailableError, match="cannot reach Redis at redis://127.0.0.1:1"):
        await RedisSeenIds.connect(RedisSettings("redis://127.0.0.1:1/0", "x"))
