import itertools
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import policy.training
from bot.domain import Domain
from bot.errors import StoryError
from bot.events import ACTION_LISTEN, ActionExecuted, SlotSet
from bot.policy import TRAINER
from bot.stories.model import Story
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.dataset import augment, story_events, training_examples
from policy.ensemble import EnsemblePolicy
from policy.lightgbm_policy import LightGBMModel
from policy.training import EARLY_STOPPING_MIN_STORIES, TrainingData, train_policy
from tests.policy.concert import CONCERTS, SEED_SCENARIO, concert_stories, dialogue, story

REVIEWS = ("action_show_venue_reviews", "action_show_concert_reviews")
Trainer = Callable[..., EnsemblePolicy]


def seed_correction() -> list[Any]:
    """The seed's conversation with the trainer's choice of the concert reviews."""
    return dialogue(
        *SEED_SCENARIO,
        SlotSet("concerts", CONCERTS),
        ACTION_LISTEN,
        "/compare_reviews",
        ActionExecuted("action_show_concert_reviews", TRAINER, 0.3),
        ActionExecuted(ACTION_LISTEN, TRAINER, 0.9),
    )


def test_fingerprint_follows_content_not_timestamps_or_sources() -> None:
    data = TrainingData(concert_stories(), {"c1": seed_correction()})
    moved = [Story(s.name, s.steps, "elsewhere.md:99") for s in concert_stories()]

    assert TrainingData(moved, {"c1": seed_correction()}).fingerprint() == data.fingerprint()
    changed_story = [*concert_stories()[:-1], story("x", "* compare_reviews", "- utter_default")]
    assert (
        TrainingData(changed_story, {"c1": seed_correction()}).fingerprint() != data.fingerprint()
    )
    changed_talk = {"c1": seed_correction()[:-1]}
    assert TrainingData(concert_stories(), changed_talk).fingerprint() != data.fingerprint()
    assert TrainingData(concert_stories(), {}).fingerprint() != data.fingerprint()


def test_metrics_of_the_concert_bot(concert_domain: Domain, train_concert: Trainer) -> None:
    stories = story_events(concert_stories(), concert_domain)
    glued = training_examples(augment(stories, 20, 42), concert_domain)

    policy = train_concert()

    assert policy.metadata is not None
    metrics = policy.metadata.metrics
    assert (metrics.stories, metrics.conversations, metrics.trajectories) == (7, 0, 7)
    assert (metrics.examples, metrics.augmented_examples) == (14, len(glued))
    assert metrics.accuracy == round(13 / 14, 4)  # compare_reviews has two answers
    assert policy.metadata.domain_fingerprint == concert_domain.fingerprint()
    assert policy.metadata.data_fingerprint == TrainingData(concert_stories(), {}).fingerprint()


def test_lightgbm_alone_learns_the_unambiguous_stories(
    concert_domain: Domain, train_concert: Trainer
) -> None:
    policy = train_concert()
    examples = training_examples(story_events(concert_stories(), concert_domain), concert_domain)

    for example in examples:
        if example.states[-1].intent == "compare_reviews" and example.action != ACTION_LISTEN:
            continue
        probabilities = policy.model.predict_proba(policy.featurizer.encode(example.states))
        assert concert_domain.actions[int(np.argmax(probabilities))] == example.action
        assert probabilities.max() > 0.9


def test_the_concert_bot_never_falls_back_on_its_own_stories(
    concert_domain: Domain, train_concert: Trainer
) -> None:
    policy = train_concert()
    examples = training_examples(story_events(concert_stories(), concert_domain), concert_domain)

    predictions = policy.predict_many([example.states for example in examples])

    for example, prediction in zip(examples, predictions, strict=True):
        assert prediction.policy == "lightgbm"  # stories are not memorized, only teachings
        if example.action in REVIEWS:
            assert prediction.action in REVIEWS
        else:
            assert prediction.action == example.action


def test_training_is_deterministic(train_concert: Trainer, seed_tracker: Any) -> None:
    first, second = train_concert(), train_concert()

    assert first.model.to_string() == second.model.to_string()
    assert first.predict(seed_tracker()) == second.predict(seed_tracker())


def test_stories_are_checked_before_anything_trains(concert_domain: Domain) -> None:
    stories = [*concert_stories(), story("bad", "* greet", "- action_dance", source="s.md:3")]

    with pytest.raises(StoryError, match=r"^s\.md:3: story 'bad': unknown action 'action_dance'"):
        train_policy(concert_domain, TrainingData(stories, {}), PolicyConfig())


def test_taught_conversations_override_the_stories(
    concert_domain: Domain, train_concert: Trainer, seed_tracker: Any
) -> None:
    rude = dialogue(ACTION_LISTEN, "/greet", ActionExecuted("utter_goodbye", TRAINER, 0.1))

    policy = train_concert({"c1": seed_correction(), "c2": rude})

    assert policy.metadata is not None
    assert (policy.metadata.metrics.conversations, policy.metadata.metrics.trajectories) == (2, 9)
    seed = policy.predict(seed_tracker())
    assert (seed.action, seed.policy) == ("action_show_concert_reviews", "memoization")
    greet = policy.predict(Tracker("c3", concert_domain, dialogue(ACTION_LISTEN, "/greet")))
    assert (greet.action, greet.policy) == ("utter_goodbye", "memoization")


def test_identical_dialogues_count_once(train_concert: Trainer, concert_domain: Domain) -> None:
    twice = [*concert_stories(), story("greet again", "* greet", "- utter_greet")]

    policy = train_policy(concert_domain, TrainingData(twice, {}), PolicyConfig())

    assert policy.metadata is not None
    assert (policy.metadata.metrics.stories, policy.metadata.metrics.trajectories) == (8, 7)


def test_actions_no_longer_in_the_domain_are_skipped_with_a_warning(
    train_concert: Trainer, caplog: pytest.LogCaptureFixture
) -> None:
    old = dialogue(ACTION_LISTEN, "/greet", ActionExecuted("utter_removed", TRAINER, 0.1))

    with caplog.at_level(logging.WARNING, "policy.training"):
        policy = train_concert({"old": old})

    assert policy.metadata is not None
    assert policy.metadata.metrics.examples == 14
    assert caplog.messages == [
        "taught conversations use actions the domain no longer has (utter_removed); "
        "training skips those turns"
    ]


def many_stories(count: int) -> list[Story]:
    """Distinct two-turn stories of the concert domain."""
    intents = ("greet", "thankyou", "goodbye", "search_venues", "compare_reviews")
    pairs = itertools.product(intents, intents, ("utter_greet", "utter_goodbye", "utter_default"))
    return [
        story(f"s{i}", f"* {a}", "- utter_default", f"* {b}", f"- {action}")
        for i, (a, b, action) in zip(range(count), pairs, strict=False)
    ]


@pytest.mark.parametrize(
    ("count", "held_out"), [(EARLY_STOPPING_MIN_STORIES - 1, 0), (EARLY_STOPPING_MIN_STORIES, 5)]
)
def test_early_stopping_holds_out_a_tenth_from_fifty_dialogues(
    concert_domain: Domain, monkeypatch: pytest.MonkeyPatch, count: int, held_out: int
) -> None:
    validations = []

    def spy(*args: Any) -> LightGBMModel:
        validations.append(args[4])
        return LightGBMModel(len(concert_domain.actions), ())

    monkeypatch.setattr(policy.training, "train_lightgbm", spy)
    config = PolicyConfig(augmentation_factor=0)

    train_policy(concert_domain, TrainingData(many_stories(count), {}), config)

    [validation] = validations
    if held_out == 0:
        assert validation is None
    else:
        assert len(validation.labels) == held_out * 4  # four actions a story, listens included


def test_progress_reaches_the_last_boosting_round(concert_domain: Domain) -> None:
    calls: list[tuple[str, int, int]] = []

    def progress(step: str, done: int, total: int) -> None:
        calls.append((step, done, total))

    train_policy(concert_domain, TrainingData(concert_stories(), {}), PolicyConfig(), progress)

    _, done, total = calls[-1]  # early stopping on glued fragments may end before 100
    assert done == total <= 100
    rounds = [call for call in calls if call[2] == 100]
    assert rounds == [("lightgbm", i, 100) for i in range(1, len(rounds) + 1)]
