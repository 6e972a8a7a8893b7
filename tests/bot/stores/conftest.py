"""A real local Redis Cluster for the store tests, started once for the whole run."""

from __future__ import annotations

import uuid

import pytest
from redis.cluster import RedisCluster

from bot.stores.settings import RedisSettings
from tests.bot.stores.local_cluster import MISSING, WHY_MISSING, LocalCluster, local_cluster


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """Three masters and three replicas on loopback ports; stopped after the last test."""
    if MISSING:
        pytest.skip(WHY_MISSING)
    with local_cluster(tmp_path_factory.mktemp("redis-cluster")) as cluster:
        yield cluster


@pytest.fixture
def cluster_settings(redis_cluster: LocalCluster):
    """The cluster under a key prefix of this test's own, its keys deleted after.

    A plain fixture (not async), so that an async fixture may ask for it by name."""
    settings = RedisSettings(redis_cluster.url, f"ozbot-test:{uuid.uuid4().hex}", cluster=True)
    yield settings
    delete_cluster_keys(settings)


def delete_cluster_keys(settings: RedisSettings) -> None:
    with RedisCluster.from_url(settings.url) as client:
        for key in client.scan_iter(match=f"{settings.prefix}:*"):
            client.delete(key)  # one by one: the keys are in many slots
