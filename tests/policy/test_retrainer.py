import asyncio
import logging
import multiprocessing
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Domain
from bot.events import ActionExecuted
from bot.policy import TRAINER
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.persistence import load_model
from policy.retrainer import Retrainer
from policy.training import TrainingData, train_policy
from tests.policy.concert import concert_stories

LIVE_NOTE = r"^model 2 live: 8 stories, trained in \d+\.\d s$"


@dataclass
class Training:
    """A train function that counts its calls and can be held or made to fail."""

    calls: list[TrainingData] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None

    def __post_init__(self) -> None:
        self.release.set()

    def __call__(self, domain: Domain, data: TrainingData, config: PolicyConfig) -> EnsemblePolicy:
        self.calls.append(data)
        self.started.set()
        assert self.release.wait(10)
        if self.error is not None:
            raise self.error
        return train_policy(domain, data, config)

    def hold(self) -> None:
        self.release.clear()

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, 10)


@dataclass
class Setup:
    retrainer: Retrainer
    training: Training
    notes: list[str]
    errors: list[str]
    initial: EnsemblePolicy


@pytest.fixture
def setup(
    concert_domain: Domain, train_concert: Callable[..., EnsemblePolicy], tmp_path: Path
) -> Iterator[Setup]:
    training, notes, errors = Training(), [], []
    initial = train_concert()
    retrainer = Retrainer(
        concert_domain,
        TrainingData(concert_stories(), {}),
        PolicyConfig(),
        initial,
        model_folder=tmp_path / "current",
        delay=0.05,
        train=training,
        on_model_live=notes.append,
        on_error=errors.append,
    )
    yield Setup(retrainer, training, notes, errors, initial)
    training.release.set()


def corrected(seed_tracker: Any) -> Tracker:
    tracker = seed_tracker()
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


async def test_predict_keeps_working_while_a_retrain_runs(setup: Setup, seed_tracker: Any) -> None:
    await setup.retrainer.start()
    setup.training.hold()
    old_model = setup.retrainer.policy.model

    setup.retrainer.learn(corrected(seed_tracker))
    await setup.training.wait_started()
    during = setup.retrainer.predict(seed_tracker())
    setup.training.release.set()
    await setup.retrainer.wait_idle()

    assert during.action == "action_show_concert_reviews"
    assert setup.retrainer.policy.model is not old_model
    assert setup.retrainer.policy is setup.initial
    await setup.retrainer.stop()


async def test_the_saved_retrained_model_includes_the_taught_conversation(
    setup: Setup, seed_tracker: Any, concert_domain: Domain, tmp_path: Path
) -> None:
    await setup.retrainer.start()
    tracker = corrected(seed_tracker)

    setup.retrainer.learn(tracker)
    await setup.retrainer.wait_idle()
    await setup.retrainer.stop()

    loaded = load_model(tmp_path / "current", concert_domain)
    assert loaded.metadata is not None
    expected = TrainingData(concert_stories(), {"seed": list(tracker.events)})
    assert loaded.metadata.data_fingerprint == expected.fingerprint()
    assert loaded.metadata.metrics.conversations == 1
    assert loaded.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert setup.retrainer.policy.metadata == loaded.metadata


async def test_a_failing_retrain_keeps_the_live_model_and_reports(
    setup: Setup, seed_tracker: Any, caplog: pytest.LogCaptureFixture
) -> None:
    await setup.retrainer.start()
    setup.training.error = RuntimeError("disk full")
    old_model = setup.retrainer.policy.model

    with caplog.at_level(logging.ERROR, "policy.retrainer"):
        setup.retrainer.learn(corrected(seed_tracker))
        await setup.retrainer.wait_idle()

    assert setup.errors == ["retraining failed: disk full; model 1 keeps serving"]
    assert setup.notes == []
    assert setup.retrainer.policy.model is old_model
    assert setup.retrainer.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert "retraining failed" in caplog.text
    await setup.retrainer.stop()


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


async def test_learn_before_start_is_a_programming_error(setup: Setup, seed_tracker: Any) -> None:
    with pytest.raises(RuntimeError, match="before start"):
        setup.retrainer.learn(corrected(seed_tracker))


async def test_a_process_pool_can_run_the_retrain(
    concert_domain: Domain, train_concert: Callable[..., EnsemblePolicy], seed_tracker: Any
) -> None:
    notes: list[str] = []
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as executor:
        retrainer = Retrainer(
            concert_domain,
            TrainingData(concert_stories(), {}),
            PolicyConfig(),
            train_concert(),
            delay=0.01,
            executor=executor,
            on_model_live=notes.append,
            on_error=notes.append,
        )
        await retrainer.start()
        retrainer.learn(corrected(seed_tracker))
        await retrainer.wait_idle()
        await retrainer.stop()

    [note] = notes
    assert re.match(LIVE_NOTE, note)
