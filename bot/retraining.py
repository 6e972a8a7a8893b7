"""Builds the retrainer of a served bot: the model versions on disk, the training process and,
with Redis, the rollout to every replica. Part of the composition root (with bot/app.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import texts
from bot.app import LoadedProject, Progress, model_store, train_and_save, training_data
from bot.errors import ModelError
from bot.stores.base import TrackerStore
from bot.stores.redis_rollout import RedisRollout
from bot.stores.settings import RedisSettings
from policy.model_store import Version
from policy.retrainer import Notify, Retrainer
from policy.training import TrainingData


@asynccontextmanager
async def retraining(
    loaded: LoadedProject,
    store: TrackerStore,
    data: TrainingData,
    live: Version,
    redis: RedisSettings | None,
    notify: Notify,
    on_error: Notify | None = None,
) -> AsyncIterator[Retrainer]:
    """A started retrainer serving `live`; each retrain reads the training data from `store`.

    `notify` hears "model N live" and, without `on_error`, why a retrain failed.
    """
    rollout = None if redis is None else await RedisRollout.connect(redis)

    async def load_data() -> TrainingData:
        return await training_data(loaded, store)

    retrainer = Retrainer(
        loaded.domain,
        data,
        loaded.config,
        live.policy,
        models=model_store(loaded),
        live=live.record,
        load_data=load_data,
        rollout=rollout,
        on_model_live=notify,
        on_error=on_error or notify,
    )
    try:
        await retrainer.start()
        yield retrainer
    finally:
        await retrainer.stop()


async def train_now(
    loaded: LoadedProject, data: TrainingData, redis: RedisSettings | None, progress: Progress
) -> Version:
    """`ozbot train`: a new live version; with Redis claimed like a retrain and published, so
    that the running replicas serve it too."""
    if redis is None:
        return await asyncio.to_thread(train_and_save, loaded, data, progress)
    rollout = await RedisRollout.connect(redis)
    try:
        async with rollout.claim() as claimed:
            if not claimed:
                raise ModelError(texts.RETRAIN_CLAIMED)
            latest = await rollout.latest()
            version = await asyncio.to_thread(train_and_save, loaded, data, progress, latest)
            number = version.record.version
            await rollout.publish(number, await asyncio.to_thread(model_store(loaded).pack, number))
            return version
    finally:
        await rollout.stop()
