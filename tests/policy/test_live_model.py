from collections.abc import Callable
from typing import Any

from bot.domain import Domain
from bot.events import Event
from bot.policy import ModelStatus
from policy.ensemble import EnsemblePolicy
from policy.live_model import LiveModel
from policy.model_store import Version, VersionRecord
from policy.taught import TaughtConversations
from policy.training import TrainingData
from tests.policy.concert import concert_stories
from tests.policy.retraining_fakes import corrected

Train = Callable[..., EnsemblePolicy]


def version(number: int, train: Train, taught: dict[str, list[Event]] | None = None) -> Version:
    policy = train(taught)
    return Version(
        policy, VersionRecord.of(number, policy, TrainingData(concert_stories(), taught or {}))
    )


def test_a_taught_correction_holds_for_the_next_prediction(
    concert_domain: Domain, train_concert: Train, seed_tracker: Any
) -> None:
    live = LiveModel(concert_domain, version(1, train_concert), TaughtConversations())
    assert live.predict(seed_tracker()).action == "action_show_venue_reviews"

    live.teach(corrected(seed_tracker))

    prediction = live.predict(seed_tracker())
    assert (prediction.action, prediction.policy) == ("action_show_concert_reviews", "memoization")


def test_status_counts_the_corrections_taught_after_the_live_version(
    concert_domain: Domain, train_concert: Train, seed_tracker: Any
) -> None:
    taught = TaughtConversations({"seed": list(corrected(seed_tracker).events)})
    live = LiveModel(concert_domain, version(1, train_concert), taught)

    status = live.status()

    assert (status.model, status.stories, status.conversations) == (1, 7, 0)
    assert (status.corrections, status.corrections_since) == (0, 1)
    assert status.trained_at is not None


def test_before_any_version_is_on_disk_status_shows_model_0(
    concert_domain: Domain, train_concert: Train
) -> None:
    live = LiveModel(concert_domain, train_concert(), TaughtConversations(), stories=7)

    assert live.version is None
    assert live.status() == ModelStatus(0, 7, 0, 0)


def test_a_swapped_in_version_is_taught_what_came_after_it(
    concert_domain: Domain, train_concert: Train, seed_tracker: Any
) -> None:
    taught = TaughtConversations({"seed": list(corrected(seed_tracker).events)})
    live = LiveModel(concert_domain, version(1, train_concert), taught)
    assert live.teach_taught_after()
    newer = version(2, train_concert)  # trained without the correction

    live.swap(newer)

    assert (live.version, live.policy, live.record) == (2, newer.policy, newer.record)
    assert live.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert live.status().corrections_since == 1


def test_a_version_that_learned_everything_has_nothing_to_be_taught(
    concert_domain: Domain, train_concert: Train, seed_tracker: Any
) -> None:
    conversations = {"seed": list(corrected(seed_tracker).events)}
    live = LiveModel(
        concert_domain, version(2, train_concert, conversations), TaughtConversations(conversations)
    )

    assert not live.teach_taught_after()
    status = live.status()
    assert (status.model, status.conversations, status.corrections, status.corrections_since) == (
        2,
        1,
        1,
        0,
    )
