"""The Redis inbox: a stream and its dedupe keys in one slot, remembered for a day."""

import pytest
from redis.asyncio import Redis

from bot.errors import StoreUnavailableError
from bot.stores.redis_inbox import RedisInbox
from bot.stores.settings import RedisSettings
from tests.bot.stores.test_redis_outage import RedisServer


async def test_a_done_entry_leaves_the_stream_its_key_is_remembered_a_day(redis_settings):
    inbox = await RedisInbox.connect(redis_settings, "slack", "host-1")
    client = Redis.from_url(redis_settings.url, decode_responses=True)
    try:
        entry = await inbox.add("slack:Ev1", "{}")
        stream = f"{redis_settings.prefix}:inbox:{{slack}}"
        assert await client.xlen(stream) == 1
        await inbox.done(entry)
        assert await client.xlen(stream) == 0
        assert (await client.xpending(stream, "ozbot"))["pending"] == 0
        assert 0 < await client.ttl(f"{stream}:seen:slack:Ev1") <= 86_400
    finally:
        await client.aclose()
        await inbox.close()


async def test_an_unreachable_redis_stops_the_start():
    with pytest.raises(StoreUnavailableError, match="redis://127.0.0.1:1"):
        await RedisInbox.connect(RedisSettings("redis://127.0.0.1:1/0", "x"), "telegram")


async def test_a_redis_that_stops_answering_is_a_store_error(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    inbox = await RedisInbox.connect(
        RedisSettings(f"redis://127.0.0.1:{server.port}/0", "x"), "telegram"
    )
    server.stop()
    try:
        with pytest.raises(StoreUnavailableError, match="inbox"):
            await inbox.add("telegram:1", "{}")
    finally:
        await inbox.close()
