"""Connecting: a single Redis or a Redis Cluster as configured, else what to fix."""

import dataclasses

import pytest

from bot.errors import StoreError, StoreUnavailableError
from bot.stores.redis_client import connect, lost_connection, masters
from bot.stores.settings import RedisSettings


async def test_a_cluster_is_found_from_one_node_with_its_three_masters(cluster_settings):
    client = await connect(cluster_settings)
    try:
        assert masters(client) == 3
        assert await client.set(f"{cluster_settings.prefix}:k", "v")
    finally:
        await client.aclose()


async def test_a_cluster_node_used_as_a_single_redis_is_refused_with_the_fix(cluster_settings):
    single = dataclasses.replace(cluster_settings, cluster=False)
    with pytest.raises(StoreError, match=r"is a node of a Redis Cluster.*set `cluster: true`"):
        await connect(single)


async def test_a_single_redis_used_as_a_cluster_is_refused_with_the_fix(redis_settings):
    with pytest.raises(StoreError, match=r"is a single Redis, not a Redis Cluster.*remove"):
        await connect(dataclasses.replace(redis_settings, cluster=True))


async def test_an_unreachable_cluster_stops_the_start():
    settings = RedisSettings("redis://127.0.0.1:1", "x", cluster=True)
    with pytest.raises(StoreUnavailableError, match="cannot reach Redis at redis://127.0.0.1:1"):
        await connect(settings)


def test_a_connection_closed_under_redis_py_counts_as_lost_and_nothing_else_does():
    def raised_in(filename):
        try:
            exec(compile("None.writelines([])", filename, "exec"))
        except AttributeError as exc:
            return exc
        raise AssertionError("no error")

    assert lost_connection(raised_in("/venv/site-packages/redis/asyncio/connection.py"))
    assert not lost_connection(raised_in("/work/bot/engine.py"))
    assert not lost_connection(ValueError("redis/asyncio/connection.py"))
