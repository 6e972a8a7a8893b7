"""Learning while the trainer talks: corrections stick at once, LightGBM catches up behind.

`learn` teaches the live ensemble's memoization (so the correction holds for the very next
prediction), keeps the conversation as training data and schedules a retrain. Retrains are
debounced (a burst of answers trains once), run off the event loop and swap the new LightGBM
model in; the live model keeps serving while one trains, and when one fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

from bot.domain import Domain
from bot.events import Corrected
from bot.policy import ModelStatus, Prediction
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.persistence import save_model
from policy.training import TrainingData, train_policy

logger = logging.getLogger(__name__)

Train = Callable[[Domain, TrainingData, PolicyConfig], EnsemblePolicy]
Notify = Callable[[str], None]


class Retrainer:
    """Implements `bot.policy.Policy` and `bot.policy.Learner`."""

    def __init__(
        self,
        domain: Domain,
        data: TrainingData,
        config: PolicyConfig,
        policy: EnsemblePolicy,
        *,
        model_folder: Path | None = None,
        delay: float = 0.3,
        executor: Executor | None = None,
        train: Train = train_policy,
        on_model_live: Notify | None = None,
        on_error: Notify | None = None,
    ) -> None:
        """`policy` serves until the first retrain; it should be trained on `data`."""
        self._domain = domain
        self._stories = list(data.stories)
        self._conversations = dict(data.conversations)
        self._config = config
        self._policy = policy
        self._folder = model_folder
        self._delay = delay
        self._executor = executor
        self._owns_executor = executor is None
        self._train = train
        self._on_model_live = on_model_live
        self._on_error = on_error
        self._model_number = 1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._pending = False
        """Something was learned that no finished or running retrain includes."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def policy(self) -> EnsemblePolicy:
        return self._policy

    def predict(self, tracker: Tracker) -> Prediction:
        return self._policy.predict(tracker)

    def status(self) -> ModelStatus:
        """The serving model's number and what it learns from (read-only, for /status)."""
        events = [event for taught in self._conversations.values() for event in taught]
        corrections = sum(isinstance(event, Corrected) for event in events)
        return ModelStatus(
            self._model_number, len(self._stories), len(self._conversations), corrections
        )

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="ozbot-retrain")

    async def stop(self) -> None:
        """Wait for a running retrain; what is only scheduled is dropped (the store has it)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = False
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._owns_executor and self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
        self._loop = None
        self._idle.set()

    async def wait_idle(self) -> None:
        """Until no retrain is scheduled or running (for tests)."""
        await self._idle.wait()

    def learn(self, tracker: Tracker) -> None:
        if self._loop is None:
            raise RuntimeError("Retrainer.learn() before start()")
        self._policy.teach(tracker)
        self._conversations.pop(tracker.conversation_id, None)  # most recently taught last
        self._conversations[tracker.conversation_id] = list(tracker.events)
        self._pending = True
        self._idle.clear()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_later(self._delay, self._begin_retrain)

    def _begin_retrain(self) -> None:
        self._timer = None
        if self._tasks or self._loop is None:
            return  # the running retrain schedules the next one when it ends
        self._pending = False
        data = TrainingData(self._stories, dict(self._conversations))
        task = self._loop.create_task(self._retrain(data))
        self._tasks.add(task)
        task.add_done_callback(self._retrain_done)

    async def _retrain(self, data: TrainingData) -> None:
        loop = asyncio.get_running_loop()
        job = (self._train, self._domain, data, self._config, self._folder)
        try:
            trained = await loop.run_in_executor(self._executor, _train_and_save, *job)
        except Exception as exc:
            logger.exception("retraining failed")
            if self._on_error is not None:
                self._on_error(
                    f"retraining failed: {exc}; model {self._model_number} keeps serving"
                )
            return
        self._policy.replace_model(trained.model, trained.metadata)
        self._model_number += 1
        note = self._live_note(trained)
        logger.info(note)
        if self._on_model_live is not None:
            self._on_model_live(note)

    def _live_note(self, trained: EnsemblePolicy) -> str:
        note = f"model {self._model_number} live"
        if trained.metadata is None:
            return note
        metrics = trained.metadata.metrics
        dialogues = metrics.stories + metrics.conversations
        return f"{note}: {dialogues} stories, trained in {metrics.seconds:.1f} s"

    def _retrain_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("retrain task failed", exc_info=task.exception())
        if self._timer is not None or self._loop is None:
            return
        if self._pending:
            self._timer = self._loop.call_later(self._delay, self._begin_retrain)
        else:
            self._idle.set()


def _train_and_save(
    train: Train, domain: Domain, data: TrainingData, config: PolicyConfig, folder: Path | None
) -> EnsemblePolicy:
    """Runs in the executor, so training and file writes never block the event loop.

    A module function of picklable arguments, so a ProcessPoolExecutor works too.
    """
    trained = train(domain, data, config)
    if folder is not None:
        save_model(trained, folder)
    return trained
