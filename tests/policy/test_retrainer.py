import asyncio
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.domain import Domain
from bot.engine import Engine, UserMessage
from bot.events import ActionExecuted, Corrected, Event
from bot.exporter import StoryExporter
from bot.outputs import ActionProposal
from bot.policy import TRAINER
from bot.stores.memory import MemoryTrackerStore
from bot.teaching import Answer
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.model_store import POINTER, ModelStore, VersionRecord
from policy.persistence import BOOSTER
from policy.retrainer import Retrainer
from policy.training import TrainingData, train_policy
from policy.training_job import Built, Job, build
from tests.conftest import REPO
from tests.policy.concert import concert_stories

LIVE_NOTE = r"^model 2 live: 8 stories, trained in \d+\.\d s$"
"""The 7 concert stories and the taught conversation."""


@dataclass
class Training:
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
    """The training job on a thread: these tests are about what the retrainer decides."""

    async def start(self) -> None:
        """Nothing to start."""

    async def run(self, job: Job) -> Built:
        return await asyncio.to_thread(build, job)

    async def stop(self) -> None:
        """Nothing to stop."""


@dataclass
class Setup:
    retrainer: Retrainer
    training: Training
    models: ModelStore
    notes: list[str]
    errors: list[str]


@pytest.fixture
def make_setup(
    concert_domain: Domain, train_concert: Callable[..., EnsemblePolicy], tmp_path: Path
) -> Iterator[Callable[..., Setup]]:
    """A retrainer serving version 1 (trained on `taught`), told about `conversations`."""
    trainings: list[Training] = []

    def make(
        taught: dict[str, list[Event]] | None = None,
        conversations: dict[str, list[Event]] | None = None,
        worker: ThreadWorker | None = None,
    ) -> Setup:
        training, notes, errors = Training(), [], []
        trainings.append(training)
        models = ModelStore(tmp_path / "models")
        initial = train_concert(taught)
        record = VersionRecord.of(1, initial, TrainingData(concert_stories(), taught or {}))
        models.commit(models.add(initial, record), 1)
        models.set_live(1)
        retrainer = Retrainer(
            concert_domain,
            TrainingData(concert_stories(), conversations or taught or {}),
            PolicyConfig(),
            initial,
            models=models,
            live=record,
            worker=worker or ThreadWorker(),
            delay=0.05,
            train=training,
            on_model_live=notes.append,
            on_error=errors.append,
        )
        return Setup(retrainer, training, models, notes, errors)

    yield make
    for training in trainings:
        training.release.set()


@pytest.fixture
def setup(make_setup: Callable[..., Setup]) -> Setup:
    return make_setup()


def corrected(seed_tracker: Any) -> Tracker:
    tracker = seed_tracker()
    tracker.apply(Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews"))
    tracker.apply(ActionExecuted("action_show_concert_reviews", TRAINER, 0.3))
    return tracker


async def test_a_burst_of_learn_calls_retrains_once(setup: Setup, seed_tracker: Any) -> None:
    await setup.retrainer.start()
    for _ in range(5):
        setup.retrainer.learn(corrected(seed_tracker))

    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    assert len(setup.training.calls) == 1
    assert list(setup.training.calls[0].conversations) == ["seed"]
    [note] = setup.notes
    assert re.match(LIVE_NOTE, note)
    assert setup.errors == []


async def test_the_correction_sticks_before_any_retrain(setup: Setup, seed_tracker: Any) -> None:
    await setup.retrainer.start()
    setup.training.hold()

    setup.retrainer.learn(corrected(seed_tracker))

    prediction = setup.retrainer.predict(seed_tracker())
    assert (prediction.action, prediction.policy) == ("action_show_concert_reviews", "memoization")
    assert setup.training.calls == []
    await setup.retrainer.stop()


async def test_the_new_version_serves_and_is_the_live_one_on_disk(
    setup: Setup, seed_tracker: Any, concert_domain: Domain
) -> None:
    await setup.retrainer.start()
    setup.training.hold()
    old = setup.retrainer.policy

    setup.retrainer.learn(corrected(seed_tracker))
    await setup.training.wait_started()
    during = setup.retrainer.predict(seed_tracker())
    setup.training.release.set()
    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    assert during.action == "action_show_concert_reviews"
    assert setup.retrainer.policy is not old
    assert setup.retrainer.version == 2
    assert os.readlink(setup.models.root / POINTER) == "2"
    saved = setup.models.load(2, concert_domain)
    assert saved.record.conversations == {"seed": len(corrected(seed_tracker).events)}
    assert saved.policy.predict(seed_tracker()).action == "action_show_concert_reviews"


async def test_a_failing_retrain_keeps_the_live_model_and_reports(
    setup: Setup, seed_tracker: Any, caplog: pytest.LogCaptureFixture
) -> None:
    await setup.retrainer.start()
    setup.training.error = RuntimeError("disk full")
    old = setup.retrainer.policy

    with caplog.at_level(logging.ERROR, "policy.retrainer"):
        setup.retrainer.learn(corrected(seed_tracker))
        await setup.retrainer.wait_idle()

    assert setup.errors == ["retraining failed: disk full; model 1 keeps serving"]
    assert setup.notes == []
    assert setup.retrainer.policy is old
    assert setup.retrainer.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert setup.models.versions() == [1]
    assert "retraining failed" in caplog.text
    await setup.retrainer.stop()


async def test_a_model_worse_on_the_taught_conversations_does_not_go_live(
    make_setup: Callable[..., Setup], seed_tracker: Any
) -> None:
    taught = {"seed": list(corrected(seed_tracker).events)}
    setup = make_setup(taught)
    setup.training.forget_teachings = True
    await setup.retrainer.start()

    setup.retrainer.retrain_now()
    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    [error] = setup.errors
    assert re.fullmatch(
        r"retraining failed: the new model scores \d+\.\d% on the taught conversations, "
        r"the live one 100\.0%; model 1 keeps serving",
        error,
    )
    assert setup.retrainer.version == 1
    assert setup.models.versions() == [1]
    assert setup.retrainer.predict(seed_tracker()).action == "action_show_concert_reviews"


async def test_learning_during_a_retrain_retrains_once_more_after_it(
    setup: Setup, seed_tracker: Any
) -> None:
    await setup.retrainer.start()
    setup.training.hold()
    setup.retrainer.learn(corrected(seed_tracker))
    await setup.training.wait_started()

    for _ in range(3):
        setup.retrainer.learn(corrected(seed_tracker))
    await asyncio.sleep(0.1)  # the debounce ends while the first retrain still runs
    setup.training.release.set()
    await setup.retrainer.wait_idle()

    assert len(setup.training.calls) == 2
    assert [n.split(":")[0] for n in setup.notes] == ["model 2 live", "model 3 live"]
    await setup.retrainer.stop()


async def test_retrain_now_skips_the_debounce_and_queues_behind_a_running_one(
    setup: Setup, seed_tracker: Any
) -> None:
    await setup.retrainer.start()
    setup.training.hold()

    assert setup.retrainer.retrain_now() == texts.RETRAIN_STARTED
    await setup.training.wait_started()
    assert setup.retrainer.retrain_now() == texts.RETRAIN_QUEUED
    setup.training.release.set()
    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    assert len(setup.training.calls) == 2


async def test_stop_waits_for_the_running_retrain(setup: Setup, seed_tracker: Any) -> None:
    await setup.retrainer.start()
    setup.training.hold()
    setup.retrainer.learn(corrected(seed_tracker))
    await setup.training.wait_started()

    stopping = asyncio.create_task(setup.retrainer.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()
    setup.training.release.set()
    await stopping

    assert len(setup.notes) == 1


async def test_on_restart_what_was_taught_after_the_live_model_sticks_and_is_retrained(
    make_setup: Callable[..., Setup], seed_tracker: Any
) -> None:
    setup = make_setup(conversations={"seed": list(corrected(seed_tracker).events)})
    setup.training.hold()
    await setup.retrainer.start()

    before = setup.retrainer.status()
    prediction = setup.retrainer.predict(seed_tracker())
    setup.training.release.set()
    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    assert (before.model, before.conversations, before.corrections_since) == (1, 0, 1)
    assert prediction.action == "action_show_concert_reviews"
    assert len(setup.training.calls) == 1
    after = setup.retrainer.status()
    assert (after.model, after.conversations, after.corrections, after.corrections_since) == (
        2,
        1,
        1,
        0,
    )


async def test_learn_before_start_is_a_programming_error(setup: Setup, seed_tracker: Any) -> None:
    with pytest.raises(RuntimeError, match="before start"):
        setup.retrainer.learn(corrected(seed_tracker))


async def test_a_correction_through_the_engine_retrains_a_version_that_learned_it(
    setup: Setup, concert_domain: Domain
) -> None:
    actions = ActionRegistry(concert_domain, load_custom_actions(REPO, concert_domain))
    engine = Engine(
        concert_domain,
        setup.retrainer,
        MemoryTrackerStore(),
        actions,
        StoryExporter(setup.models.root / "exported"),
        setup.retrainer,
    )
    await setup.retrainer.start()

    async def say(text: str) -> ActionProposal:
        [*_, proposal] = await engine.handle("t", UserMessage(text), trainer=True)
        assert isinstance(proposal, ActionProposal)
        return proposal

    async def answer(question: str, kind: Any, value: str | None = None) -> Any:
        return (await engine.handle("t", Answer(question, kind, value), trainer=True))[-1]

    for intent in ("/greet", "/search_concerts"):
        listen = await answer((await say(intent)).question_id, "approve")
        await answer(listen.question_id, "approve")
    wrong = await say("/compare_reviews")
    assert wrong.action == "action_show_venue_reviews"
    choices = await answer(wrong.question_id, "wrong_action")
    await answer(choices.question_id, "choose_action", "action_show_concert_reviews")
    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    assert setup.retrainer.version == 2
    [taught] = setup.training.calls[-1].conversations.values()
    assert Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews") in taught
    assert setup.models.load(2, concert_domain).record.corrections == 1


class CorruptingWorker(ThreadWorker):
    """Builds the model, then damages its file, as a failing disk would."""

    async def run(self, job: Job) -> Built:
        built = await super().run(job)
        booster = job.models / str(job.version) / BOOSTER
        booster.write_text(booster.read_text()[:100])
        return built


async def test_a_corrupt_model_file_keeps_the_live_model_and_is_not_served_after_restart(
    make_setup: Callable[..., Setup], seed_tracker: Any
) -> None:
    setup = make_setup(worker=CorruptingWorker())
    await setup.retrainer.start()

    setup.retrainer.learn(corrected(seed_tracker))
    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    [error] = setup.errors
    assert error.startswith("retraining failed: ") and "corrupt" in error
    assert error.endswith("; model 1 keeps serving")
    assert setup.retrainer.version == 1
    assert setup.models.versions() == [1]
    assert setup.retrainer.predict(seed_tracker()).action == "action_show_concert_reviews"
