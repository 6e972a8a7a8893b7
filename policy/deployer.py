"""How a new version goes live everywhere.

A retrain runs in the training process (`Worker`): train, validate, number the version. This
process then loads that version, points `models/current` at it, swaps it into the `LiveModel`
and publishes it through the `Rollout` to the other replicas. At start a replica catches up with
a newer published version (or publishes its own when that is the newest), and while it runs it
adopts the versions the others publish. Whatever fails (training, the process dying,
validation, a corrupt file, the rollout) leaves the live model serving and raises: retrains and
adoptions run as background tasks, which log and report the failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot import texts
from bot.background import BackgroundTasks
from bot.domain import Domain
from bot.errors import ModelError
from policy.config import PolicyConfig
from policy.live_model import LiveModel
from policy.model_store import ModelStore, Version, VersionRecord
from policy.training import TrainingData, train_policy
from policy.training_job import Built, Job, Train

log = logging.getLogger(__name__)
Notify = Callable[[str], None]
ADOPTING = "serving published model"
"""What an adoption is called among the background tasks: "serving published model 7"."""
LoadData = Callable[[], Awaitable[TrainingData]]


class Worker(Protocol):
    """Runs `training_job.build` away from the event loop."""

    async def start(self) -> None: ...

    async def run(self, job: Job) -> Built: ...

    async def stop(self) -> None: ...


class Rollout(Protocol):
    """Replicas of one bot: who retrains, which version every replica serves, and what a
    trainer just taught on one (so that it sticks on every replica before the next version)."""

    def claim(self) -> contextlib.AbstractAsyncContextManager[bool]:
        """True when this replica may retrain now; held (renewed) until the block ends."""
        ...

    async def latest(self) -> int:
        """The newest published version, 0 when none is."""
        ...

    async def publish(self, version: int, packed: bytes) -> None: ...

    async def fetch(self, version: int) -> bytes | None: ...

    async def announce(self, conversation_id: str) -> None:
        """Tell the other replicas that a trainer here just taught this conversation."""
        ...

    async def start(
        self,
        on_published: Callable[[int], None],
        tasks: BackgroundTasks,
        on_taught: Callable[[str], None] | None = None,
    ) -> None:
        """Call `on_published` with each version another replica publishes, and `on_taught`
        with each conversation a trainer taught on another replica (listening as one of
        `tasks`)."""
        ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class WentLive:
    """A version this replica trained and took live."""

    record: VersionRecord
    corrections: int
    """Corrections it learned that the version it replaced had not."""
    asked: bool
    """A trainer asked for it (`/retrain`)."""

    @property
    def note(self) -> str:
        """ "model N live ..." for the log and the trainers."""
        record = self.record
        learned = record.stories + record.dialogues
        return texts.model_live(record.version, learned, record.seconds, self.corrections)


OnLive = Callable[[WentLive], None]


@dataclass(frozen=True)
class TrainingSetup:
    """How a version is built: for which domain and config, by which function, where it is kept."""

    domain: Domain
    config: PolicyConfig
    models: ModelStore
    worker: Worker
    train: Train = train_policy


class Deployer:
    """Lifecycle: `start` (catches up), `retrain` any number of times, `stop`."""

    def __init__(
        self,
        live: LiveModel,
        training: TrainingSetup,
        load_data: LoadData,
        tasks: BackgroundTasks,
        *,
        rollout: Rollout | None = None,
        on_live: OnLive | None = None,
        on_taught: Callable[[str], None] | None = None,
    ) -> None:
        """`load_data` reads what each retrain learns from; `on_live` hears of each version
        this replica trains that goes live; `on_taught`, of each conversation a trainer taught
        on another replica."""
        self._live = live
        self._training = training
        self._models = training.models
        self._load_data = load_data
        self._tasks = tasks
        self._rollout = rollout
        self._on_live = on_live
        self._on_taught = on_taught
        self._adopting: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        """Starts the worker; with a rollout, serves a newer published version or publishes
        ours, and listens for the versions the other replicas publish."""
        await self._training.worker.start()
        if self._rollout is not None:
            await self._rollout.start(self.published, self._tasks, self._on_taught)
            await self._catch_up(self._rollout)

    async def stop(self) -> None:
        """Waits for the versions being adopted, then stops listening and the worker."""
        await asyncio.gather(*self._adopting, return_exceptions=True)
        if self._rollout is not None:
            await self._rollout.stop()
        await self._training.worker.stop()

    async def retrain(self, asked: bool = False) -> bool:
        """Train a version and take it live everywhere; False when another replica retrains.
        `asked`: a trainer asked for it (`/retrain`).

        Raises (the live model keeps serving) when the new version must not go live.
        """
        async with self._claim() as claimed:
            if claimed:
                await self._train_and_go_live(asked)
            return claimed

    def published(self, version: int) -> None:
        """Another replica published a version: serve it too, when it is newer."""
        if version <= (self._live.version or 0):
            return
        task = self._tasks.spawn(self.adopt(version), f"{ADOPTING} {version}")
        self._adopting.add(task)
        task.add_done_callback(self._adopting.discard)

    async def adopt(self, version: int) -> None:
        """Fetch (unless on disk), load and serve a published version; raises when it cannot."""
        if self._rollout is None:
            raise RuntimeError("Deployer.adopt() without a rollout")
        if version not in self._models.versions():
            packed = await self._rollout.fetch(version)
            if packed is None:
                raise ModelError(f"model {version} was published, but its files are gone")
            await asyncio.to_thread(self._models.unpack, version, packed)
        loaded = await asyncio.to_thread(self._models.load, version, self._live.domain)
        if version > (self._live.version or 0):
            await self._go_live(loaded)
            log.info("serving model %s, published by another replica", version)

    def _claim(self) -> contextlib.AbstractAsyncContextManager[bool]:
        return _always() if self._rollout is None else self._rollout.claim()

    async def _train_and_go_live(self, asked: bool) -> None:
        data = await self._load_data()
        published = 0 if self._rollout is None else await self._rollout.latest()
        version = max(self._models.newest(), published) + 1
        training = self._training
        job = Job(
            training.domain, data, training.config, self._models.root, version,
            self._live.version, training.train, self._models.parts,
        )  # fmt: skip
        built = await training.worker.run(job)
        try:
            loaded = await asyncio.to_thread(self._models.load, version, training.domain)
        except ModelError:
            await asyncio.to_thread(self._models.discard, self._models.folder(version))
            raise
        replaced = self._live.record
        await self._go_live(loaded)
        corrections = (
            built.record.corrections
            if replaced is None
            else replaced.corrections_after(data.conversations)
        )
        went = WentLive(built.record, corrections, asked)
        log.info(went.note)
        if self._on_live is not None:
            self._on_live(went)
        if self._rollout is not None:
            await self._publish(self._rollout, version)

    async def _go_live(self, version: Version) -> None:
        """Point `current` at the version and serve it, with what was taught after it."""
        await asyncio.to_thread(self._models.set_live, version.record.version)
        self._live.swap(version)

    async def _publish(self, rollout: Rollout, version: int) -> None:
        packed = await asyncio.to_thread(self._models.pack, version)
        await rollout.publish(version, packed)

    async def _catch_up(self, rollout: Rollout) -> None:
        """Serve a newer published version, or publish ours when it is the newest."""
        latest = await rollout.latest()
        live = self._live.version
        if latest > (live or 0):
            self.published(latest)
        elif live is not None and latest < live:
            await self._publish(rollout, live)


@contextlib.asynccontextmanager
async def _always() -> AsyncIterator[bool]:
    """One replica: the schedule itself runs one retrain at a time."""
    yield True
