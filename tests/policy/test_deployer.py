"""Taking a new version live: trained on a thread (tests/policy/test_training_process.py has the
real training process), loaded, pointed at, swapped in, published; and catching up."""

import contextlib
import os
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.background import BackgroundTasks
from bot.domain import Domain
from bot.errors import ModelError, StoreUnavailableError
from bot.events import Event
from policy.config import PolicyConfig
from policy.deployer import Deployer, OnLive, TrainingSetup, WentLive
from policy.ensemble import EnsemblePolicy
from policy.live_model import LiveModel
from policy.model_store import POINTER, ModelStore, Version, VersionRecord
from policy.taught import TaughtConversations
from policy.training import TrainingData
from tests.policy.concert import concert_stories
from tests.policy.retraining_fakes import (
    LIVE_NOTE,
    CorruptingWorker,
    ThreadWorker,
    TrainFunction,
    corrected,
)


@dataclass
class FakeRollout:
    """Published versions in memory; `fetch` may fail as an unreachable Redis does."""

    published: dict[int, bytes] = field(default_factory=dict)
    fetch_error: Exception | None = None
    claimed_elsewhere: bool = False

    @contextlib.asynccontextmanager
    async def claim(self) -> AsyncIterator[bool]:
        yield not self.claimed_elsewhere

    async def latest(self) -> int:
        return max(self.published, default=0)

    async def publish(self, version: int, packed: bytes) -> None:
        self.published[version] = packed

    async def fetch(self, version: int) -> bytes | None:
        if self.fetch_error is not None:
            raise self.fetch_error
        return self.published.get(version)

    async def announce(self, conversation_id: str) -> None:
        """Nobody else listens here."""

    async def start(
        self,
        on_published: Callable[[int], None],
        tasks: BackgroundTasks,
        on_taught: Callable[[str], None] | None = None,
    ) -> None:
        """Nobody else publishes here."""

    async def stop(self) -> None:
        """Nothing to stop."""


def tell(notes: list[str]) -> OnLive:
    """What retraining tells the trainers, whether it would or not."""
    return lambda went: notes.append(went.note)


@dataclass
class Deploying:
    deployer: Deployer
    live: LiveModel
    taught: TaughtConversations
    train: TrainFunction
    models: ModelStore
    notes: list[str]


@pytest.fixture
def make_deploying(
    concert_domain: Domain, train_concert: Callable[..., EnsemblePolicy], tmp_path: Path
) -> Callable[..., Deploying]:
    """A deployer whose live model is version 1 (trained on `taught`, and taught it)."""

    def make(
        taught: dict[str, list[Event]] | None = None,
        worker: ThreadWorker | None = None,
        rollout: FakeRollout | None = None,
        folder: str = "models",
        on_live: OnLive | None = None,
    ) -> Deploying:
        models = ModelStore(tmp_path / folder)
        policy = train_concert(taught)
        record = VersionRecord.of(1, policy, TrainingData(concert_stories(), taught or {}))
        models.commit(models.add(policy, record), 1)
        models.set_live(1)
        conversations = TaughtConversations(taught)
        live = LiveModel(concert_domain, Version(policy, record), conversations)
        train, notes = TrainFunction(), []
        training = TrainingSetup(
            concert_domain, PolicyConfig(), models, worker or ThreadWorker(), train
        )

        async def load_data() -> TrainingData:
            return TrainingData(concert_stories(), conversations.all())

        on_live = on_live or tell(notes)
        deployer = Deployer(
            live, training, load_data, BackgroundTasks(), rollout=rollout, on_live=on_live
        )
        return Deploying(deployer, live, conversations, train, models, notes)

    return make


async def test_the_new_version_serves_and_is_the_live_one_on_disk(
    make_deploying: Callable[..., Deploying], seed_tracker: Any, concert_domain: Domain
) -> None:
    setup = make_deploying()
    old = setup.live.policy
    setup.taught.remember(corrected(seed_tracker))

    assert await setup.deployer.retrain()

    assert setup.live.policy is not old
    assert setup.live.version == 2
    assert os.readlink(setup.models.root / POINTER) == "2"
    [note] = setup.notes
    assert re.match(LIVE_NOTE, note)
    saved = setup.models.load(2, concert_domain)
    assert saved.record.conversations == {"seed": len(corrected(seed_tracker).events)}
    assert saved.policy.predict(seed_tracker()).action == "action_show_concert_reviews"


async def test_a_version_says_which_corrections_it_learned_and_whether_it_was_asked_for(
    make_deploying: Callable[..., Deploying], seed_tracker: Any
) -> None:
    went: list[WentLive] = []
    setup = make_deploying({"seed": list(corrected(seed_tracker).events)}, on_live=went.append)

    await setup.deployer.retrain()
    setup.taught.remember(corrected(seed_tracker, "other"))
    await setup.deployer.retrain(asked=True)

    assert [(w.record.version, w.corrections, w.asked) for w in went] == [
        (2, 0, False),  # version 1 learned the seed's correction already
        (3, 1, True),
    ]
    assert went[1].note.startswith("model 3 live with 1 new correction: 9 stories, trained in ")


async def test_a_failing_training_raises_and_keeps_the_live_model(
    make_deploying: Callable[..., Deploying], seed_tracker: Any
) -> None:
    setup = make_deploying()
    setup.train.error = RuntimeError("disk full")
    old = setup.live.policy

    with pytest.raises(RuntimeError, match="disk full"):
        await setup.deployer.retrain()

    assert setup.notes == []
    assert setup.live.policy is old
    assert setup.models.versions() == [1]


async def test_a_model_worse_on_the_taught_conversations_does_not_go_live(
    make_deploying: Callable[..., Deploying], seed_tracker: Any
) -> None:
    setup = make_deploying({"seed": list(corrected(seed_tracker).events)})
    setup.train.forget_teachings = True

    with pytest.raises(ModelError) as raised:
        await setup.deployer.retrain()

    assert re.fullmatch(
        r"the new model scores \d+\.\d% on the taught conversations, the live one 100\.0%",
        str(raised.value),
    )
    assert setup.live.version == 1
    assert setup.models.versions() == [1]
    assert setup.live.predict(seed_tracker()).action == "action_show_concert_reviews"


async def test_a_corrupt_model_file_keeps_the_live_model_and_is_not_served_after_restart(
    make_deploying: Callable[..., Deploying], seed_tracker: Any
) -> None:
    setup = make_deploying(worker=CorruptingWorker())
    setup.taught.remember(corrected(seed_tracker))

    with pytest.raises(ModelError, match="corrupt"):
        await setup.deployer.retrain()

    assert setup.live.version == 1
    assert setup.models.versions() == [1]


async def test_with_a_rollout_it_claims_numbers_after_the_newest_and_publishes(
    make_deploying: Callable[..., Deploying],
) -> None:
    rollout = FakeRollout({4: b"elsewhere"})
    setup = make_deploying(rollout=rollout)

    assert await setup.deployer.retrain()

    assert setup.live.version == 5
    assert sorted(rollout.published) == [4, 5]


async def test_while_another_replica_retrains_it_does_not_train(
    make_deploying: Callable[..., Deploying],
) -> None:
    setup = make_deploying(rollout=FakeRollout(claimed_elsewhere=True))

    assert not await setup.deployer.retrain()

    assert setup.train.calls == []


async def test_at_start_it_publishes_its_version_when_none_is_newer(
    make_deploying: Callable[..., Deploying],
) -> None:
    rollout = FakeRollout()
    setup = make_deploying(rollout=rollout)

    await setup.deployer.start()
    await setup.deployer.stop()

    assert list(rollout.published) == [1]


async def test_a_published_version_is_fetched_unpacked_and_served(
    make_deploying: Callable[..., Deploying],
) -> None:
    rollout = FakeRollout()
    publisher = make_deploying(rollout=rollout, folder="publisher")
    assert await publisher.deployer.retrain()
    replica = make_deploying(rollout=rollout, folder="replica")

    await replica.deployer.adopt(2)

    assert replica.live.version == 2
    assert replica.models.live() == 2


async def test_a_published_version_that_cannot_be_fetched_raises_and_keeps_serving(
    make_deploying: Callable[..., Deploying],
) -> None:
    rollout = FakeRollout({2: b"model"}, fetch_error=StoreUnavailableError("Redis down"))
    setup = make_deploying(rollout=rollout)

    with pytest.raises(StoreUnavailableError):
        await setup.deployer.adopt(2)
    rollout.fetch_error = None
    rollout.published.clear()
    with pytest.raises(ModelError, match="files are gone"):
        await setup.deployer.adopt(2)

    assert setup.live.version == 1
