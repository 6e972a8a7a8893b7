"""Learning while the trainer talks: corrections stick at once, LightGBM catches up behind.

`learn` teaches the live ensemble's memoization (so the correction holds for the very next
prediction), keeps the conversation and schedules a retrain. Retrains are debounced (a burst of
answers trains once), one at a time (across replicas when a `Rollout` claims them), and run in
the training process (`Worker`): train, validate, number the version. The serving process then
loads that version, points `models/current` at it, swaps it in and publishes it. Whatever fails
(training, the process dying, validation, a corrupt file) leaves the live model serving and is
reported through `on_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from bot import texts
from bot.domain import Domain
from bot.errors import ModelError
from bot.events import Event
from bot.policy import ModelStatus, Prediction
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.model_store import ModelStore, Version, VersionRecord
from policy.training import TrainingData, train_policy
from policy.training_job import Built, Job, Train
from policy.training_process import TrainingProcess

logger = logging.getLogger(__name__)

Notify = Callable[[str], None]
LoadData = Callable[[], Awaitable[TrainingData]]


class Worker(Protocol):
    """Runs `training_job.build` away from the event loop."""

    async def start(self) -> None: ...

    async def run(self, job: Job) -> Built: ...

    async def stop(self) -> None: ...


class Rollout(Protocol):
    """Replicas of one bot: who retrains, and which version every replica serves."""

    def claim(self) -> contextlib.AbstractAsyncContextManager[bool]:
        """True when this replica may retrain now; held (renewed) until the block ends."""
        ...

    async def latest(self) -> int:
        """The newest published version, 0 when none is."""
        ...

    async def publish(self, version: int, packed: bytes) -> None: ...

    async def fetch(self, version: int) -> bytes | None: ...

    async def start(self, on_published: Callable[[int], None]) -> None: ...

    async def stop(self) -> None: ...


class Retrainer:
    """Implements `bot.policy.Policy` and `bot.policy.Learner`."""

    def __init__(
        self,
        domain: Domain,
        data: TrainingData,
        config: PolicyConfig,
        policy: EnsemblePolicy,
        *,
        models: ModelStore,
        live: VersionRecord | None = None,
        load_data: LoadData | None = None,
        worker: Worker | None = None,
        rollout: Rollout | None = None,
        delay: float = 0.3,
        train: Train = train_policy,
        on_model_live: Notify | None = None,
        on_error: Notify | None = None,
    ) -> None:
        """`policy` serves until a new version is live; `live` is its record on disk (None
        for a model that is not there yet). `data` is what the project and the store hold
        now; `load_data` reads it again for each retrain (default: `data` plus what was
        learned since)."""
        self._domain = domain
        self._data = data
        self._conversations = dict(data.conversations)
        self._config = config
        self._policy = policy
        self._record = live
        self._models = models
        self._load_data = load_data or self._learned_data
        self._worker = worker or TrainingProcess()
        self._rollout = rollout
        self._delay = delay
        self._train = train
        self._on_model_live = on_model_live
        self._on_error = on_error
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._pending = False
        """Something was learned that no finished or running retrain includes."""
        self._tasks: set[asyncio.Task[None]] = set()
        """The running retrain (at most one)."""
        self._adopting: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def policy(self) -> EnsemblePolicy:
        return self._policy

    @property
    def version(self) -> int | None:
        """The serving version, None before the first one is on disk."""
        return None if self._record is None else self._record.version

    def predict(self, tracker: Tracker) -> Prediction:
        return self._policy.predict(tracker)

    def status(self) -> ModelStatus:
        """The serving version, what it learned from and what was taught since (for /status)."""
        record = self._record
        if record is None:
            return ModelStatus(0, len(self._data.stories), 0, 0)
        return ModelStatus(
            record.version,
            record.stories,
            len(record.conversations),
            record.corrections,
            trained_at=record.trained_at,
            corrections_since=record.corrections_after(self._conversations),
        )

    async def start(self) -> None:
        """Starts the worker; retrains at once what the live model has not learned yet."""
        self._loop = asyncio.get_running_loop()
        await self._worker.start()
        if self._rollout is not None:
            await self._rollout.start(self._published)
            await self._catch_up(self._rollout)
        stale = self._policy.metadata is None or (
            self._policy.metadata.data_fingerprint != self._data.fingerprint()
        )
        taught_after = self._taught_after()
        self._teach(taught_after)
        if stale or taught_after:
            self._schedule()

    async def stop(self) -> None:
        """Wait for a running retrain; what is only scheduled is dropped (the store has it)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = False
        await asyncio.gather(*self._tasks, *self._adopting, return_exceptions=True)
        if self._rollout is not None:
            await self._rollout.stop()
        await self._worker.stop()
        self._loop = None
        self._idle.set()

    async def wait_idle(self) -> None:
        """Until no retrain is scheduled or running (for tests and benchmarks)."""
        await self._idle.wait()

    def learn(self, tracker: Tracker) -> None:
        self._policy.teach(tracker)
        self._conversations.pop(tracker.conversation_id, None)  # most recently taught last
        self._conversations[tracker.conversation_id] = list(tracker.events)
        self._schedule()

    def retrain_now(self) -> str:
        """`/retrain`: start a retrain without waiting for the debounce; says what happens."""
        if self._tasks:
            self._pending = True
            return texts.RETRAIN_QUEUED
        self._schedule(0.0)
        return texts.RETRAIN_STARTED

    def _schedule(self, delay: float | None = None) -> None:
        if self._loop is None:
            raise RuntimeError("Retrainer used before start()")
        self._pending = True
        self._idle.clear()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_later(
            self._delay if delay is None else delay, self._begin_retrain
        )

    def _begin_retrain(self) -> None:
        self._timer = None
        if self._tasks or self._loop is None:
            return  # the running retrain schedules the next one when it ends
        self._pending = False
        task = self._loop.create_task(self._retrain())
        self._tasks.add(task)
        task.add_done_callback(self._retrain_done)

    async def _retrain(self) -> None:
        try:
            async with self._claim() as claimed:
                if claimed:
                    await self._train_and_go_live()
                else:
                    self._pending = True  # another replica retrains: try again after it
        except Exception as exc:
            logger.exception("retraining failed")
            if self._on_error is not None:
                self._on_error(texts.retrain_failed(str(exc), self.version))

    def _claim(self) -> contextlib.AbstractAsyncContextManager[bool]:
        return _always() if self._rollout is None else self._rollout.claim()

    async def _train_and_go_live(self) -> None:
        data = await self._load_data()
        published = 0 if self._rollout is None else await self._rollout.latest()
        version = max(self._models.newest(), published) + 1
        job = Job(
            self._domain, data, self._config, self._models.root, version, self.version, self._train
        )
        built = await self._worker.run(job)
        try:
            loaded = await asyncio.to_thread(self._models.load, version, self._domain)
        except ModelError:
            await asyncio.to_thread(self._models.discard, self._models.folder(version))
            raise
        await self._go_live(loaded)
        note = texts.model_live(
            version, built.record.stories + len(built.record.conversations), built.record.seconds
        )
        logger.info(note)
        if self._on_model_live is not None:
            self._on_model_live(note)
        if self._rollout is not None:
            await self._publish(self._rollout, version)

    async def _publish(self, rollout: Rollout, version: int) -> None:
        packed = await asyncio.to_thread(self._models.pack, version)
        await rollout.publish(version, packed)

    async def _catch_up(self, rollout: Rollout) -> None:
        """Serve a newer published version, or publish ours when it is the newest."""
        latest = await rollout.latest()
        if latest > (self.version or 0):
            self._published(latest)
        elif self.version is not None and latest < self.version:
            await self._publish(rollout, self.version)

    async def _go_live(self, version: Version) -> None:
        """Point `current` at the version and serve it, with what was taught after it."""
        await asyncio.to_thread(self._models.set_live, version.record.version)
        self._policy, self._record = version.policy, version.record
        self._teach(self._taught_after())

    def _taught_after(self) -> dict[str, list[Event]]:
        if self._record is None:
            return dict(self._conversations)
        return self._record.taught_after(self._conversations)

    def _teach(self, conversations: dict[str, list[Event]]) -> None:
        for cid, events in conversations.items():
            self._policy.teach(Tracker(cid, self._domain, events))

    async def _learned_data(self) -> TrainingData:
        return TrainingData(self._data.stories, dict(self._conversations))

    def _retrain_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._timer is not None or self._loop is None:
            return
        if self._pending:
            self._schedule()
        else:
            self._idle.set()

    def _published(self, version: int) -> None:
        """Another replica published a version: serve it too, when it is newer."""
        if self._loop is None or version <= (self.version or 0):
            return
        task = self._loop.create_task(self._adopt(version))
        self._adopting.add(task)
        task.add_done_callback(self._adopting.discard)

    async def _adopt(self, version: int) -> None:
        assert self._rollout is not None  # only published versions are adopted
        try:
            if version not in self._models.versions():
                packed = await self._rollout.fetch(version)
                if packed is None:
                    raise ModelError(f"model {version} was published, but its files are gone")
                await asyncio.to_thread(self._models.unpack, version, packed)
            loaded = await asyncio.to_thread(self._models.load, version, self._domain)
        except ModelError as exc:
            logger.error("cannot serve published model %s: %s", version, exc)
            if self._on_error is not None:
                self._on_error(texts.retrain_failed(str(exc), self.version))
            return
        if version > (self.version or 0):
            await self._go_live(loaded)
            logger.info("serving model %s, published by another replica", version)


@contextlib.asynccontextmanager
async def _always() -> AsyncIterator[bool]:
    """One replica: the retrainer itself runs one retrain at a time."""
    yield True
