"""A replica of the concert bot for the rollout tests: runs in a process of its own."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from bot.domain import Domain, domain_from_dict
from bot.events import ACTION_LISTEN, ActionExecuted, Corrected, SlotSet
from bot.policy import TRAINER
from bot.stores.redis_rollout import RedisRollout
from bot.stores.settings import RedisSettings
from bot.tracker import Tracker
from policy.config import PolicyConfig, RetrainPace
from policy.deployer import TrainingSetup
from policy.ensemble import EnsemblePolicy
from policy.model_store import ModelStore, Version, VersionRecord
from policy.retraining import retraining
from policy.training import TrainingData, train_policy
from policy.training_process import TrainingProcess
from tests.policy.concert import CONCERT_DOMAIN, CONCERTS, SEED_SCENARIO, concert_stories, dialogue

TARGET_VERSION = 3
"""Each of two replicas retrains once: versions 2 and 3."""
WAIT_LIMIT = 60.0
DOMAIN = domain_from_dict(CONCERT_DOMAIN, "concert_domain.yml")


def logged_training(
    log: Path, domain: Domain, data: TrainingData, config: PolicyConfig
) -> EnsemblePolicy:
    """Training that writes when it starts and ends, to check that two never overlap."""
    with log.open("a") as out:
        out.write(f"start {time.time()}\n")
    policy = train_policy(domain, data, config)
    with log.open("a") as out:
        out.write(f"end {time.time()}\n")
    return policy


def seed(conversation_id: str) -> Tracker:
    events = dialogue(
        *SEED_SCENARIO, SlotSet("concerts", CONCERTS), ACTION_LISTEN, "/compare_reviews"
    )
    return Tracker(conversation_id, DOMAIN, events)


def serve(
    name: str, settings: RedisSettings, root: Path, log: Path, go: Barrier, results: Queue
) -> None:
    asyncio.run(_serve(name, settings, root, log, go, results))


async def _serve(
    name: str, settings: RedisSettings, root: Path, log: Path, go: Barrier, results: Queue
) -> None:
    data = TrainingData(concert_stories(), {})
    policy = train_policy(DOMAIN, data, PolicyConfig())
    models = ModelStore(root)
    record = VersionRecord.of(1, policy, data)
    models.commit(models.add(policy, record), 1)
    training = TrainingSetup(
        DOMAIN, PolicyConfig(), models, TrainingProcess(), partial(logged_training, log)
    )
    async with retraining(
        training,
        Version(policy, record),
        data,
        tell=print,
        rollout=await RedisRollout.connect(settings),
        pace=RetrainPace(wait_seconds=0.05, min_interval_seconds=0),
    ) as parts:
        await asyncio.to_thread(go.wait, WAIT_LIMIT)
        tracker = seed(name)
        tracker.apply(
            Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews")
        )
        tracker.apply(ActionExecuted("action_show_concert_reviews", TRAINER))
        parts.learner.learn(tracker)
        deadline = time.monotonic() + WAIT_LIMIT
        while parts.live.version != TARGET_VERSION and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        results.put((name, parts.live.version, models.live()))
