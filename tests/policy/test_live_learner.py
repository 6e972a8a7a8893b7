from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.background import BackgroundTasks
from bot.domain import Domain
from bot.events import ActionExecuted, Corrected, UserUttered
from bot.policy import TRAINER
from bot.tracker import Tracker
from policy.config import RetrainPace
from policy.live_learner import LiveLearner, lesson
from policy.live_model import LiveModel
from policy.retrain_schedule import Lesson, RetrainSchedule
from policy.taught import TaughtConversations
from tests.policy.retraining_fakes import FakeClock, corrected

PACE = RetrainPace(after_turns=3, wait_seconds=10, min_interval_seconds=60)


@dataclass
class Learning:
    learner: LiveLearner
    live: LiveModel
    taught: TaughtConversations
    clock: FakeClock
    retrains: list[float]
    """When each retrain started (fake time)."""


@pytest.fixture
async def learning(concert_domain: Domain, train_concert: Any) -> AsyncIterator[Learning]:
    clock, retrains = FakeClock(), []

    async def retrain(asked: bool) -> bool:
        retrains.append(clock.now)
        return True

    taught = TaughtConversations()
    live = LiveModel(concert_domain, train_concert(), taught)
    tasks = BackgroundTasks()
    schedule = RetrainSchedule(retrain, tasks, PACE, clock)
    await schedule.start()
    yield Learning(LiveLearner(live, taught, schedule), live, taught, clock, retrains)
    await schedule.stop()
    await tasks.close()


async def test_a_correction_sticks_at_once_and_retrains_after_the_wait(
    learning: Learning, seed_tracker: Any
) -> None:
    learning.learner.learn(corrected(seed_tracker))

    assert learning.live.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert list(learning.taught.all()) == ["seed"]
    await learning.clock.advance(9)
    assert learning.retrains == []
    await learning.clock.advance(1000)
    assert learning.retrains == [10.0]


async def test_approvals_alone_do_not_retrain_after_each_tap(
    learning: Learning, concert_domain: Domain
) -> None:
    tracker = Tracker("t", concert_domain)
    for intent in ("greet", "thankyou"):  # two turns of two taps each
        tracker.apply(UserUttered(f"/{intent}", intent))
        for action in ("utter_greet", "action_listen"):
            tracker.apply(ActionExecuted(action, TRAINER, 0.9))
            learning.learner.learn(tracker)
            await learning.clock.advance(100)
    assert learning.retrains == []

    tracker.apply(UserUttered("thanks a lot, bot", "thankyou", confidence=0.8))  # the NLU learns it
    tracker.apply(ActionExecuted("utter_youarewelcome", TRAINER, 0.9))
    learning.learner.learn(tracker)
    await learning.clock.advance(100)

    assert learning.retrains == [410.0]  # the third turn, after the wait


async def test_the_same_conversation_learned_again_is_nothing_new(
    learning: Learning, seed_tracker: Any
) -> None:
    for _ in range(5):
        learning.learner.learn(corrected(seed_tracker))
        await learning.clock.advance(100)

    assert learning.retrains == [10.0]


def test_a_lesson_counts_corrections_and_messages() -> None:
    events = [
        UserUttered("hi", "greet"),
        ActionExecuted("utter_greet", TRAINER),
        Corrected("intent", "greet", "goodbye"),
        UserUttered("/goodbye", "goodbye"),
        Corrected("action", "utter_greet", "utter_goodbye"),
        ActionExecuted("utter_goodbye", TRAINER),
    ]

    assert lesson(events) == Lesson(corrections=2, turns=2)
    assert lesson([]) == Lesson()


async def test_learn_before_start_is_a_programming_error(
    concert_domain: Domain, train_concert: Any, seed_tracker: Any
) -> None:
    taught = TaughtConversations()
    live = LiveModel(concert_domain, train_concert(), taught)

    async def retrain(asked: bool) -> bool:
        return True

    schedule = RetrainSchedule(retrain, BackgroundTasks())

    with pytest.raises(RuntimeError, match="before start"):
        LiveLearner(live, taught, schedule).learn(corrected(seed_tracker))
