"""Train functions and workers for the retraining tests: held, failing, corrupting."""

from __future__ import annotations

import asyncio
import threading
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

LIVE_NOTE = r"^model 2 live: 8 stories, trained in \d+\.\d s$"
"""The 7 concert stories and the taught conversation."""


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


def corrected(seed_tracker: Any) -> Tracker:
    """The seed's dialogue with the review action corrected by a trainer."""
    tracker = seed_tracker()
    tracker.apply(Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews"))
    tracker.apply(ActionExecuted("action_show_concert_reviews", TRAINER, 0.3))
    return tracker
