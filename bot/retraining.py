"""Builds and starts retraining for a served bot: the live model, what was taught, the retrain
schedule and the deployer (model versions on disk, the training process and, with Redis, the
rollout to every replica). Part of the composition root (with bot/app.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot import texts
from bot.app import LoadedProject, Progress, model_store, train_and_save, training_data
from bot.background import BackgroundTasks
from bot.errors import ModelError
from bot.stores.base import TrackerStore
from bot.stores.redis_rollout import LISTENING, RedisRollout
from bot.stores.settings import RedisSettings
from bot.telemetry import Telemetry
from policy.deployer import Deployer, LoadData, Notify, Rollout, Training
from policy.live_learner import LiveLearner
from policy.live_model import LiveModel
from policy.model_store import Version
from policy.retrain_schedule import RETRAIN_DELAY, RETRAINING, RetrainSchedule
from policy.taught import TaughtConversations
from policy.training import TrainingData
from policy.training_process import TrainingProcess


@dataclass(frozen=True)
class Retraining:
    """The started parts the rest of the bot uses."""

    live: LiveModel
    """The engine's policy; its version for /metrics and health, its `status` for /status."""
    learner: LiveLearner
    """The engine's learner: what a trainer confirms sticks now and is retrained."""
    schedule: RetrainSchedule
    """`/retrain` (`retrain_now`), and `wait_idle` for tests and benchmarks."""


@asynccontextmanager
async def retraining(
    training: Training,
    live: Version,
    data: TrainingData,
    *,
    tell: Notify,
    telemetry: Telemetry | None = None,
    rollout: Rollout | None = None,
    load_data: LoadData | None = None,
    delay: float = RETRAIN_DELAY,
) -> AsyncIterator[Retraining]:
    """Retraining started on `live`, which `data` (the project's stories and the taught
    conversations in the store) may have outgrown; stopped at the end of the block.

    `tell` hears "model N live" and each failure of retraining and rollout (also counted in
    `telemetry`); `load_data` reads what each retrain learns from (default: `data` and what was
    taught since).
    """
    taught = TaughtConversations(data.conversations)
    model = LiveModel(training.domain, live, taught, len(data.stories))

    def model_live(note: str) -> None:
        tell(note)
        if telemetry is not None and model.record is not None:
            telemetry.retrained(model.record.seconds)

    def failed(what: str, exc: BaseException) -> None:
        """Logged already (bot.background); counted, and told unless trainers can do nothing."""
        if telemetry is not None:
            if what == RETRAINING:
                telemetry.retrain_failed()
            else:
                telemetry.background_failed()
        if what != LISTENING:  # a retrain, or a published model this replica cannot serve
            tell(texts.retrain_failed(str(exc), model.version))

    async def learned_data() -> TrainingData:
        return TrainingData(data.stories, taught.all())

    tasks = BackgroundTasks(failed)
    deployer = Deployer(
        model, training, load_data or learned_data, tasks, rollout=rollout, on_live=model_live
    )
    schedule = RetrainSchedule(deployer.retrain, tasks, delay)
    await schedule.start()
    try:
        await deployer.start()
        stale = model.policy.metadata is None or (
            model.policy.metadata.data_fingerprint != data.fingerprint()
        )
        if model.teach_taught_after() or stale:
            schedule.request()
        yield Retraining(model, LiveLearner(model, taught, schedule), schedule)
    finally:
        await schedule.stop()
        await deployer.stop()
        await tasks.close()


@asynccontextmanager
async def project_retraining(
    loaded: LoadedProject,
    store: TrackerStore,
    data: TrainingData,
    live: Version,
    redis: RedisSettings | None,
    tell: Notify,
    telemetry: Telemetry | None = None,
) -> AsyncIterator[Retraining]:
    """`retraining` of a project's bot: in the training process, each retrain reading the
    training data from `store`, rolled out through `redis` when it is set."""
    training = Training(loaded.domain, loaded.config, model_store(loaded), TrainingProcess())
    rollout = None if redis is None else await RedisRollout.connect(redis)

    async def load_data() -> TrainingData:
        return await training_data(loaded, store)

    async with retraining(
        training, live, data, tell=tell, telemetry=telemetry, rollout=rollout, load_data=load_data
    ) as parts:
        yield parts


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
