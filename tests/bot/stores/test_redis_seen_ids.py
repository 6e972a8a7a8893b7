"""Redelivered platform events are recognised by every replica on one Redis."""

import pytest
from redis.asyncio import Redis

from bot.errors import StoreUnavailableError
from bot.stores.redis_seen_ids import RedisSeenIds
from bot.stores.settings import RedisSettings


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


async def test_replicas_sharing_a_cluster_see_an_id_once(cluster_settings):
    first = await RedisSeenIds.connect(cluster_settings)
    second = await RedisSeenIds.connect(cluster_settings)
    try:
        ids = [f"telegram:{number}" for number in range(20)]  # spread over the masters
        assert [await first.first_time(key) for key in ids] == [True] * 20
        assert [await second.first_time(key) for key in ids] == [False] * 20
    finally:
        for seen in (first, second):
            await seen.close()
