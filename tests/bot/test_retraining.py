import asyncio
import shutil

import pytest

from bot import texts
from bot.app import current_policy, load_project
from bot.errors import ModelError
from bot.project import open_project
from bot.retraining import retraining, train_now
from bot.stores.memory import MemoryTrackerStore
from bot.stores.redis_rollout import RedisRollout
from policy.training import TrainingData
from tests.bot.test_cli import project  # noqa: F401  (a fixture)


def no_progress(step: str, done: int, total: int) -> None:
    """Quiet."""


async def test_ozbot_train_with_redis_reaches_the_running_replicas(
    project,  # noqa: F811
    redis_settings,
    tmp_path,
):
    elsewhere = tmp_path / "replica"
    shutil.copytree(project, elsewhere)
    replica, trainer = (load_project(open_project(root)) for root in (elsewhere, project))
    data = TrainingData(replica.stories, {})
    live = current_policy(replica, data)
    notes: list[str] = []
    store = MemoryTrackerStore()
    async with retraining(replica, store, data, live, redis_settings, notes.append) as running:
        trained = await train_now(trainer, data, redis_settings, no_progress)
        for _ in range(500):
            if running.version == trained.record.version:
                break
            await asyncio.sleep(0.01)

    assert trained.record.version == 2  # after the replica's version 1 on disk elsewhere
    assert running.version == 2
    assert (elsewhere / "models" / "2" / "version.json").is_file()
    assert notes == []


async def test_ozbot_train_refuses_while_a_replica_retrains(project, redis_settings):  # noqa: F811
    loaded = load_project(open_project(project))
    rollout = await RedisRollout.connect(redis_settings)
    try:
        async with rollout.claim():
            with pytest.raises(ModelError, match=texts.RETRAIN_CLAIMED):
                await train_now(
                    loaded, TrainingData(loaded.stories, {}), redis_settings, no_progress
                )
    finally:
        await rollout.stop()


async def test_a_corrupt_published_model_keeps_the_live_one_and_is_reported(
    project,  # noqa: F811
    redis_settings,
):
    loaded = load_project(open_project(project))
    data = TrainingData(loaded.stories, {})
    live = current_policy(loaded, data)
    notes: list[str] = []
    publisher = await RedisRollout.connect(redis_settings)
    try:
        async with retraining(
            loaded, MemoryTrackerStore(), data, live, redis_settings, notes.append
        ) as running:
            await publisher.publish(2, b"not a model")
            for _ in range(500):
                if notes:
                    break
                await asyncio.sleep(0.01)
            assert running.version == 1
    finally:
        await publisher.stop()

    assert notes == [
        "retraining failed: published model version 2 is corrupt: not a gzip file; "
        "model 1 keeps serving"
    ]
