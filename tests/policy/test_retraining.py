"""Retraining assembled: a trainer's correction to a new version, what fails and who hears it.

The parts alone are tested beside this file (test_live_model, test_retrain_schedule,
test_deployer, ...); here they run together, training on a thread.
"""

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

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
from bot.stores.redis_rollout import RedisRollout
from bot.stores.settings import RedisSettings
from bot.stories.model import ActionStep, Rule, UserStep, UserTurn
from bot.teaching import Answer
from bot.telemetry import Telemetry
from policy.config import PolicyConfig, RetrainPace
from policy.deployer import TrainingSetup
from policy.ensemble import EnsemblePolicy
from policy.model_store import ModelStore, Version, VersionRecord
from policy.retrain_schedule import RetrainSchedule
from policy.retraining import Retraining, retraining
from policy.training import TrainingData
from tests.bot.test_cli import project  # noqa: F401  (a fixture)
from tests.conftest import REPO
from tests.policy.concert import concert_stories
from tests.policy.conftest import concert_domain, seed_tracker, train_concert  # noqa: F401
from tests.policy.retraining_fakes import (
    LIVE_NOTE,
    CorruptingWorker,
    FakeClock,
    ThreadWorker,
    TrainFunction,
    corrected,
)


@dataclass
class Setup:
    parts: Retraining
    training: TrainFunction
    models: ModelStore
    notes: list[str]
    """What trainers hear: "model N live" and the failures."""
    telemetry: Telemetry


Make = Callable[..., Any]
SOON = RetrainPace(wait_seconds=0.05, min_interval_seconds=0, interval_per_training_second=0)
"""A correction retrains 50 ms later, whatever ran before."""


@pytest.fixture
async def make_setup(
    concert_domain: Domain,  # noqa: F811
    train_concert: Callable[..., EnsemblePolicy],  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[Make]:
    """Started retraining serving version 1 (trained on `taught`), told about `conversations`."""
    trainings: list[TrainFunction] = []
    async with AsyncExitStack() as stack:

        async def make(
            taught: dict[str, list[Event]] | None = None,
            conversations: dict[str, list[Event]] | None = None,
            worker: ThreadWorker | None = None,
            rollout: RedisRollout | None = None,
            hold: bool = False,
            pace: RetrainPace = SOON,
            clock: FakeClock | None = None,
            rules: list[Rule] | None = None,
        ) -> Setup:
            train, notes = TrainFunction(), []
            if hold:
                train.hold()
            trainings.append(train)
            models = ModelStore(tmp_path / "models")
            initial = train_concert(taught)
            record = VersionRecord.of(1, initial, TrainingData(concert_stories(), taught or {}))
            models.commit(models.add(initial, record), 1)
            models.set_live(1)
            training = TrainingSetup(
                concert_domain, PolicyConfig(), models, worker or ThreadWorker(), train
            )
            data = TrainingData(concert_stories(), conversations or taught or {}, rules or [])
            telemetry = Telemetry()
            parts = await stack.enter_async_context(
                retraining(
                    training,
                    Version(initial, record),
                    data,
                    tell=notes.append,
                    telemetry=telemetry,
                    rollout=rollout,
                    pace=pace,
                    clock=clock,
                )
            )
            return Setup(parts, train, models, notes, telemetry)

        try:
            yield make
        finally:
            for training in trainings:
                training.release.set()


@pytest.fixture
async def setup(make_setup: Make) -> Setup:
    return await make_setup()


def metric(telemetry: Telemetry, line: str) -> bool:
    return line in telemetry.render(None).splitlines()


async def run_until_idle(clock: FakeClock, schedule: RetrainSchedule) -> None:
    """Move the fake time on until no retrain is due or running (training runs on a thread)."""
    for _ in range(200):
        await clock.advance(100)
        try:
            await asyncio.wait_for(schedule.wait_idle(), 0.05)
            return
        except TimeoutError:
            continue
    raise AssertionError("retraining never went idle")


async def test_a_burst_of_learn_calls_retrains_once(setup: Setup, seed_tracker: Any) -> None:  # noqa: F811
    for _ in range(5):
        setup.parts.learner.learn(corrected(seed_tracker))

    await setup.parts.schedule.wait_idle()

    assert len(setup.training.calls) == 1
    assert list(setup.training.calls[0].conversations) == ["seed"]
    [note] = setup.notes
    assert re.match(LIVE_NOTE, note)
    assert metric(setup.telemetry, 'ozbot_retrains_total{outcome="ok"} 1')


async def test_approved_turns_retrain_without_telling_the_trainers(
    make_setup: Make,
    seed_tracker: Any,  # noqa: F811
) -> None:
    setup = await make_setup(pace=RetrainPace(after_turns=1, wait_seconds=0.05))
    approved = seed_tracker()
    approved.apply(ActionExecuted("action_show_venue_reviews", TRAINER, 0.7))

    setup.parts.learner.learn(approved)
    await setup.parts.schedule.wait_idle()

    assert setup.parts.live.version == 2
    assert setup.notes == []
    assert metric(setup.telemetry, 'ozbot_retrains_total{outcome="ok"} 1')


async def test_retrain_now_is_told_even_without_corrections(setup: Setup) -> None:
    assert setup.parts.schedule.retrain_now() == texts.RETRAIN_STARTED
    await setup.parts.schedule.wait_idle()

    [note] = setup.notes
    assert re.fullmatch(r"model 2 live: 7 stories, trained in \d+\.\d s", note)


async def test_every_retrain_keeps_the_project_s_rules(make_setup: Make) -> None:
    goodbye = Rule("say goodbye", (UserStep((UserTurn("goodbye"),)), ActionStep("utter_goodbye")))
    setup = await make_setup(rules=[goodbye])
    setup.parts.schedule.retrain_now()
    await setup.parts.schedule.wait_idle()
    assert [data.rules for data in setup.training.calls] == [[goodbye]]


async def test_corrections_a_second_apart_retrain_twice_and_tell_each_once(
    make_setup: Make,
    seed_tracker: Any,  # noqa: F811
) -> None:
    clock = FakeClock()
    pace = RetrainPace(wait_seconds=10, min_interval_seconds=60, interval_per_training_second=0)
    setup = await make_setup(pace=pace, clock=clock)

    for number in range(30):
        setup.parts.learner.learn(corrected(seed_tracker, f"c{number}"))
        await clock.advance(1)
    await run_until_idle(clock, setup.parts.schedule)

    assert len(setup.training.calls) == 2
    told = [re.match(r"model (\d) live with (\d+) new corrections?:", n) for n in setup.notes]
    assert [m and m[1] for m in told] == ["2", "3"]
    assert sum(int(m[2]) for m in told if m) == 30
    assert setup.parts.live.version == 3


async def test_the_correction_sticks_while_the_new_version_trains(
    make_setup: Make,
    seed_tracker: Any,  # noqa: F811
) -> None:
    setup = await make_setup(hold=True)
    old = setup.parts.live.policy

    setup.parts.learner.learn(corrected(seed_tracker))
    prediction = setup.parts.live.predict(seed_tracker())
    assert setup.training.calls == []
    await setup.training.wait_started()
    during = setup.parts.live.predict(seed_tracker())
    setup.training.release.set()
    await setup.parts.schedule.wait_idle()

    assert (prediction.action, prediction.policy) == ("action_show_concert_reviews", "memoization")
    assert during.action == "action_show_concert_reviews"
    assert setup.parts.live.policy is not old
    assert setup.parts.live.version == 2


async def test_a_failing_retrain_keeps_the_live_model_and_reports(
    setup: Setup,
    seed_tracker: Any,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    setup.training.error = RuntimeError("disk full")
    old = setup.parts.live.policy

    with caplog.at_level(logging.ERROR):
        setup.parts.learner.learn(corrected(seed_tracker))
        await setup.parts.schedule.wait_idle()

    assert setup.notes == ["retraining failed: disk full; model 1 keeps serving"]
    assert setup.parts.live.policy is old
    assert setup.parts.live.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert setup.models.versions() == [1]
    assert "retraining failed" in caplog.text
    assert metric(setup.telemetry, 'ozbot_retrains_total{outcome="failed"} 1')
    assert metric(setup.telemetry, 'ozbot_errors_total{kind="retrain"} 1')


async def test_a_model_worse_on_the_taught_conversations_does_not_go_live(
    make_setup: Make,
    seed_tracker: Any,  # noqa: F811
) -> None:
    setup = await make_setup({"seed": list(corrected(seed_tracker).events)})
    setup.training.forget_teachings = True

    setup.parts.schedule.retrain_now()
    await setup.parts.schedule.wait_idle()

    [error] = setup.notes
    assert re.fullmatch(
        r"retraining failed: the new model scores \d+\.\d% on the taught conversations, "
        r"the live one 100\.0%; model 1 keeps serving",
        error,
    )
    assert setup.parts.live.version == 1
    assert setup.models.versions() == [1]
    assert setup.parts.live.predict(seed_tracker()).action == "action_show_concert_reviews"


async def test_learning_during_a_retrain_retrains_once_more_after_it(
    make_setup: Make,
    seed_tracker: Any,  # noqa: F811
) -> None:
    setup = await make_setup(hold=True)
    setup.parts.learner.learn(corrected(seed_tracker))
    await setup.training.wait_started()

    for name in ("a", "b"):
        setup.parts.learner.learn(corrected(seed_tracker, name))
    await asyncio.sleep(0.1)  # the wait ends while the first retrain still runs
    setup.training.release.set()
    await setup.parts.schedule.wait_idle()

    assert len(setup.training.calls) == 2
    assert [n.split(":")[0] for n in setup.notes] == [
        "model 2 live with 1 new correction",
        "model 3 live with 2 new corrections",
    ]


async def test_retrain_now_skips_the_debounce_and_queues_behind_a_running_one(
    make_setup: Make,
) -> None:
    setup = await make_setup(hold=True)

    assert setup.parts.schedule.retrain_now() == texts.RETRAIN_STARTED
    await setup.training.wait_started()
    assert setup.parts.schedule.retrain_now() == texts.RETRAIN_QUEUED
    setup.training.release.set()
    await setup.parts.schedule.wait_idle()

    assert len(setup.training.calls) == 2


async def test_stop_waits_for_the_running_retrain(
    concert_domain: Domain,  # noqa: F811
    train_concert: Callable[..., EnsemblePolicy],  # noqa: F811
    seed_tracker: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    policy, train, notes = train_concert(), TrainFunction(), []
    record = VersionRecord.of(1, policy, TrainingData(concert_stories(), {}))
    models = ModelStore(tmp_path)
    models.commit(models.add(policy, record), 1)
    training = TrainingSetup(concert_domain, PolicyConfig(), models, ThreadWorker(), train)
    train.hold()
    data = TrainingData(concert_stories(), {})
    running = retraining(training, Version(policy, record), data, tell=notes.append, pace=SOON)
    parts = await running.__aenter__()
    parts.learner.learn(corrected(seed_tracker))
    await train.wait_started()

    stopping = asyncio.create_task(running.__aexit__(None, None, None))
    await asyncio.sleep(0.05)
    assert not stopping.done()
    train.release.set()
    await stopping

    assert len(notes) == 1
    assert notes[0].startswith("model 2 live")


async def test_on_restart_what_was_taught_after_the_live_model_sticks_and_is_retrained(
    make_setup: Make,
    seed_tracker: Any,  # noqa: F811
) -> None:
    setup = await make_setup(
        conversations={"seed": list(corrected(seed_tracker).events)}, hold=True
    )

    before = setup.parts.live.status()
    prediction = setup.parts.live.predict(seed_tracker())
    setup.training.release.set()
    await setup.parts.schedule.wait_idle()

    assert (before.model, before.conversations, before.corrections_since) == (1, 0, 1)
    assert prediction.action == "action_show_concert_reviews"
    assert len(setup.training.calls) == 1
    after = setup.parts.live.status()
    assert (after.model, after.conversations, after.corrections, after.corrections_since) == (
        2,
        1,
        1,
        0,
    )


async def test_a_correction_through_the_engine_retrains_a_version_that_learned_it(
    setup: Setup,
    concert_domain: Domain,  # noqa: F811
) -> None:
    actions = ActionRegistry(concert_domain, load_custom_actions(REPO, concert_domain))
    engine = Engine(
        concert_domain,
        setup.parts.live,
        MemoryTrackerStore(),
        actions,
        StoryExporter(setup.models.root / "exported"),
        setup.parts.learner,
    )

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
    await setup.parts.schedule.wait_idle()

    assert setup.parts.live.version == 2  # one retrain for 9 taps: the correction's
    [note] = setup.notes
    assert note.startswith("model 2 live with 1 new correction: ")
    [taught] = setup.training.calls[-1].conversations.values()
    assert Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews") in taught
    assert setup.models.load(2, concert_domain).record.corrections == 1


async def test_a_corrupt_model_file_keeps_the_live_model_and_is_not_served_after_restart(
    make_setup: Make,
    seed_tracker: Any,  # noqa: F811
) -> None:
    setup = await make_setup(worker=CorruptingWorker())

    setup.parts.learner.learn(corrected(seed_tracker))
    await setup.parts.schedule.wait_idle()

    [error] = setup.notes
    assert error.startswith("retraining failed: ") and "corrupt" in error
    assert error.endswith("; model 1 keeps serving")
    assert setup.parts.live.version == 1
    assert setup.models.versions() == [1]
    assert setup.parts.live.predict(seed_tracker()).action == "action_show_concert_reviews"


async def test_a_replica_that_cannot_fetch_a_published_model_says_so_and_keeps_serving(
    make_setup: Make,
    redis_settings: RedisSettings,
    seed_tracker: Any,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    setup = await make_setup(rollout=await RedisRollout.connect(redis_settings))
    other = Redis.from_url(redis_settings.url)
    try:  # version 2 is announced, but what Redis holds for it is not a model's bytes
        await other.rpush(f"{redis_settings.prefix}:model:v:2", "not bytes")
        await other.publish(f"{redis_settings.prefix}:model:live", "2")
        for _ in range(500):
            if setup.notes:
                break
            await asyncio.sleep(0.01)
    finally:
        await other.aclose()

    [note] = setup.notes
    assert note.startswith("retraining failed: Redis at ") and "WRONGTYPE" in note
    assert note.endswith("; model 1 keeps serving")
    assert metric(setup.telemetry, 'ozbot_errors_total{kind="background"} 1')
    assert setup.parts.live.version == 1
    assert setup.parts.live.predict(seed_tracker()).action == "action_show_venue_reviews"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "serving published model 2 failed"
    ]
