"""Retraining's parts started together: the live model, what was taught, the retrain schedule
and the deployer. Which worker, rollout and data source they use is the caller's choice (the
running bot's is made in bot/app.py; tests pass threads and fakes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from bot import texts
from bot.background import BackgroundTasks
from bot.policy import Learner
from bot.stores.base import TrackerStore
from bot.telemetry import Telemetry
from policy.config import RetrainPace
from policy.deployer import ADOPTING, Deployer, Notify, Rollout, TrainingSetup, WentLive
from policy.live_learner import LiveLearner
from policy.live_model import LiveModel
from policy.model_store import Version
from policy.retrain_schedule import RETRAINING, Clock, RetrainSchedule
from policy.shared_teaching import SharedTeaching
from policy.taught import TaughtConversations, read_taught
from policy.training import TrainingData


@dataclass(frozen=True)
class Retraining:
    """The started parts the rest of the bot uses."""

    live: LiveModel
    """The engine's policy; its version for /metrics and health, its `status` for /status."""
    learner: Learner
    """The engine's learner: what a trainer confirms sticks now and is retrained."""
    schedule: RetrainSchedule
    """`/retrain` (`retrain_now`), and `wait_idle` for tests and benchmarks."""
    shared: SharedTeaching | None = None
    """With replicas: what other replicas' trainers teach, which more learners may join; the
    engine tells it what is taught here (`SharedTeaching.taught`)."""


@asynccontextmanager
async def retraining(
    training: TrainingSetup,
    live: Version,
    data: TrainingData,
    *,
    tell: Notify,
    telemetry: Telemetry | None = None,
    rollout: Rollout | None = None,
    store: TrackerStore | None = None,
    pace: RetrainPace | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Retraining]:
    """Retraining started on `live`, which `data` (the project's stories and the taught
    conversations in the store) may have outgrown; stopped at the end of the block.

    `tell` hears "model N live" when a version with new corrections goes live (or one a trainer
    asked for with /retrain: not after every tap) and each failure of retraining and rollout
    (also counted in `telemetry`). Each retrain learns from the stories and the conversations
    taught in `store` (by any replica); without a store, from `data` and what was taught here
    since. `pace` says when retrains run (config.yml's `retraining:`), on `clock` (the event
    loop unless given).
    """
    taught = TaughtConversations(data.conversations)
    model = LiveModel(training.domain, live, taught, len(data.stories))

    def model_live(went: WentLive) -> None:
        if went.corrections or went.asked:
            tell(went.note)
        if telemetry is not None:
            telemetry.retrained(went.record.seconds)

    def failed(what: str, exc: BaseException) -> None:
        """Logged already (bot.background); counted and told: a replica that keeps an old
        model must not do so silently."""
        if telemetry is not None:
            if what == RETRAINING:
                telemetry.retrain_failed()
            else:
                telemetry.background_failed()
        if what == RETRAINING or what.startswith(ADOPTING):
            tell(texts.retrain_failed(str(exc), model.version))
        else:
            tell(texts.background_failed(what, str(exc), model.version))

    async def learned_data() -> TrainingData:
        if store is not None:
            return replace(await read_taught(data.stories, store), rules=data.rules)
        return TrainingData(data.stories, taught.all(), data.rules)

    tasks = BackgroundTasks(failed)
    shared = None
    if rollout is not None and store is not None:
        shared = SharedTeaching(rollout, store, training.domain, model, taught, tasks)
    deployer = Deployer(
        model,
        training,
        learned_data,
        tasks,
        rollout=rollout,
        on_live=model_live,
        on_taught=None if shared is None else shared.heard,
    )
    schedule = RetrainSchedule(deployer.retrain, tasks, pace, clock)
    await schedule.start()
    try:
        await deployer.start()
        stale = model.policy.metadata is None or (
            model.policy.metadata.data_fingerprint != data.fingerprint()
        )
        if model.teach_taught_after() or stale:
            schedule.request()
        learner = LiveLearner(model, taught, schedule)
        yield Retraining(model, learner, schedule, shared)
    finally:
        await schedule.stop()
        await deployer.stop()
        await tasks.close()
