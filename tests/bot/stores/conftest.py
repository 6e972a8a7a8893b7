"""The `store` fixture: each test that asks for it runs on every tracker store."""

import pytest

from bot.stores.memory import MemoryTrackerStore
from bot.stores.redis import RedisTrackerStore
from bot.stores.sqlite import SqliteTrackerStore


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
async def store(request, tmp_path, redis_settings):
    if request.param == "memory":
        store = MemoryTrackerStore()
    elif request.param == "sqlite":
        store = await SqliteTrackerStore.open(tmp_path / "ozbot.db")
    elif request.param == "redis":
        store = await RedisTrackerStore.connect(redis_settings)
    else:  # three masters, three replicas on loopback ports
        store = await RedisTrackerStore.connect(request.getfixturevalue("cluster_settings"))
    yield store
    await store.close()
