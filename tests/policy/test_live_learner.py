import asyncio
from typing import Any

import pytest

from bot.background import BackgroundTasks
from bot.domain import Domain
from policy.live_learner import LiveLearner
from policy.live_model import LiveModel
from policy.retrain_schedule import RetrainSchedule
from policy.taught import TaughtConversations
from tests.policy.retraining_fakes import corrected


async def test_learn_teaches_at_once_remembers_and_retrains_after_the_debounce(
    concert_domain: Domain, train_concert: Any, seed_tracker: Any
) -> None:
    retrained = asyncio.Event()

    async def retrain() -> bool:
        retrained.set()
        return True

    taught = TaughtConversations()
    live = LiveModel(concert_domain, train_concert(), taught)
    schedule = RetrainSchedule(retrain, BackgroundTasks(), delay=0.05)
    await schedule.start()

    LiveLearner(live, taught, schedule).learn(corrected(seed_tracker))

    assert live.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert list(taught.all()) == ["seed"]
    assert not retrained.is_set()
    await schedule.wait_idle()
    assert retrained.is_set()
    await schedule.stop()


async def test_learn_before_start_is_a_programming_error(
    concert_domain: Domain, train_concert: Any, seed_tracker: Any
) -> None:
    taught = TaughtConversations()
    live = LiveModel(concert_domain, train_concert(), taught)
    schedule = RetrainSchedule(lambda: asyncio.sleep(0, True), BackgroundTasks())

    with pytest.raises(RuntimeError, match="before start"):
        LiveLearner(live, taught, schedule).learn(corrected(seed_tracker))
