"""Shared fixtures: the repository's own concert bot is the test project."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.cluster import RedisCluster

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.domain import Domain, load_domain
from bot.engine import Engine
from bot.exporter import StoryExporter
from bot.policy import Prediction
from bot.stores.memory import MemoryTrackerStore
from bot.stores.settings import RedisSettings
from tests.bot.stores.local_cluster import MISSING, WHY_MISSING, LocalCluster, local_cluster

REPO = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"
"""The local Redis that `make test` starts (scripts/ensure-redis)."""


@pytest.fixture
def concert_domain() -> Domain:
    return load_domain(REPO / "domain.yml")


RULES = {
    ("action_listen", "greet"): "utter_greet",
    ("action_listen", "search_concerts"): "action_search_concerts",
    ("action_listen", "compare_reviews"): "action_show_venue_reviews",
}


@dataclass
class RulePolicy:
    """Predicts by (previous action, intent); listens after any other action."""

    domain: object

    def predict(self, tracker):
        state = tracker.current_state()
        action = RULES.get((state.prev_action, state.intent), "action_listen")
        probabilities = {name: 0.0 for name in self.domain.actions}
        probabilities[action] = 0.8
        probabilities["action_listen"] += 0.2
        return Prediction(action, probabilities[action], "rules", probabilities)


@dataclass
class RecordingLearner:
    taught: list = field(default_factory=list)

    def learn(self, tracker):
        self.taught.append(list(tracker.applied))


@pytest.fixture
def learner():
    return RecordingLearner()


@pytest.fixture
def engine(concert_domain, learner, tmp_path):
    """The concert bot on a rule policy and a memory store; exports go to tmp_path."""
    actions = ActionRegistry(concert_domain, load_custom_actions(REPO, concert_domain))
    return Engine(
        concert_domain,
        RulePolicy(concert_domain),
        MemoryTrackerStore(),
        actions,
        StoryExporter(tmp_path / "exported"),
        learner,
    )


@pytest.fixture
async def redis_settings():
    """Settings for the local Redis with a key prefix of this test's own, cleaned up after."""
    settings = RedisSettings(REDIS_URL, f"ozbot-test:{uuid.uuid4().hex}")
    yield settings
    client = Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{settings.prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """A real Redis Cluster (three masters, three replicas on loopback ports), started once for
    the run and stopped after the last test."""
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
    with RedisCluster.from_url(settings.url) as client:
        for key in client.scan_iter(match=f"{settings.prefix}:*"):
            client.delete(key)  # one by one: the keys are in many slots
