"""Train functions and workers for the retraining tests: held, failing, corrupting."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.domain import Domain
from bot.events import ActionExecuted, Corrected
from bot.policy import TRAINER
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.persistence import BOOSTER
from policy.training import TrainingData, train_policy
from policy.training_job import Built, Job, build

LIVE_NOTE = r"^model 2 live with 1 new correction: 8 stories, trained in \d+\.\d s$"
"""The 7 concert stories and the taught conversation, with its correction."""


@dataclass
class TrainFunction:
    """A train function that counts its calls and can be held or made to fail."""

    calls: list[TrainingData] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None
    forget_teachings: bool = False
    """Train as if nothing had been taught: a model worse on the taught conversations."""

    def __post_init__(self) -> None:
        self.release.set()

    def __call__(self, domain: Domain, data: TrainingData, config: PolicyConfig) -> EnsemblePolicy:
        self.calls.append(data)
        self.started.set()
        assert self.release.wait(10)
        if self.error is not None:
            raise self.error
        if self.forget_teachings:
            return train_policy(domain, TrainingData(data.stories, {}), config)
        return train_policy(domain, data, config)

    def hold(self) -> None:
        self.release.clear()

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, 10)


class ThreadWorker:
    """The training job on a thread: these tests are about what retraining decides."""

    async def start(self) -> None:
        """Nothing to start."""

    async def run(self, job: Job) -> Built:
        return await asyncio.to_thread(build, job)

    async def stop(self) -> None:
        """Nothing to stop."""


class CorruptingWorker(ThreadWorker):
    """Builds the model, then damages its file, as a failing disk would."""

    async def run(self, job: Job) -> Built:
        built = await super().run(job)
        booster = job.models / str(job.version) / BOOSTER
        booster.write_text(booster.read_text()[:100])
        return built


def corrected(seed_tracker: Any, conversation_id: str = "seed") -> Tracker:
    """The seed's dialogue with the review action corrected by a trainer (in a conversation of
    its own when `conversation_id` is given)."""
    seed = seed_tracker()
    tracker = Tracker(conversation_id, seed.domain, seed.events)
    tracker.apply(Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews"))
    tracker.apply(ActionExecuted("action_show_concert_reviews", TRAINER, 0.3))
    return tracker


@dataclass
class Timer:
    at: float
    callback: Callable[[], object]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeClock:
    """Time moves only when a test says so; a timer fires when its time is passed."""

    now: float = 0.0
    timers: list[Timer] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        timer = Timer(self.now + delay, callback)
        self.timers.append(timer)
        return timer

    async def advance(self, seconds: float) -> None:
        """Move on by `seconds`, firing the timers due on the way, each at its time, and let
        what they start run."""
        await settle()
        end = self.now + seconds
        while due := [t for t in self.timers if not t.cancelled and t.at <= end]:
            timer = min(due, key=lambda t: t.at)
            self.timers.remove(timer)
            self.now = max(self.now, timer.at)
            timer.callback()
            await settle()
        self.now = end
        await settle()


async def settle() -> None:
    """Let the tasks that are ready run (a stand-in retrain ends within a few steps)."""
    for _ in range(20):
        await asyncio.sleep(0)
