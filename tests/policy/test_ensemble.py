from collections.abc import Callable

import pytest

from bot.domain import Domain
from bot.events import ACTION_DEFAULT_FALLBACK, ACTION_LISTEN, ActionExecuted, Restarted
from bot.policy import TRAINER, Prediction
from bot.tracker import State, Tracker
from policy.ensemble import EnsemblePolicy, active_form_rule
from policy.lightgbm_policy import LightGBMModel
from tests.policy.concert import dialogue

REVIEWS = ("action_show_venue_reviews", "action_show_concert_reviews")
TrackerBuilder = Callable[..., Tracker]
Trainer = Callable[..., EnsemblePolicy]


def assert_consistent(prediction: Prediction, domain: Domain) -> None:
    """Every action in domain order, summing to 1, the predicted one on top."""
    probabilities = prediction.probabilities
    assert list(probabilities) == list(domain.actions)
    assert sum(probabilities.values()) == pytest.approx(1.0)
    others = [p for action, p in probabilities.items() if action != prediction.action]
    assert probabilities[prediction.action] > max(others)


def taught_seed_tracker(seed_tracker: TrackerBuilder) -> Tracker:
    """The seed's correction: the trainer picked the concert reviews."""
    tracker = seed_tracker()
    tracker.apply(ActionExecuted("action_show_concert_reviews", TRAINER, 0.3))
    return tracker


def test_before_teaching_lightgbm_picks_one_of_the_two_reviews(
    train_concert: Trainer, seed_tracker: TrackerBuilder, concert_domain: Domain
) -> None:
    prediction = train_concert().predict(seed_tracker())

    assert prediction.action in REVIEWS
    assert prediction.policy == "lightgbm"
    assert prediction.confidence >= 0.3
    assert_consistent(prediction, concert_domain)


def test_lightgbm_is_not_sure_of_the_ambiguous_reviews(
    train_concert: Trainer, seed_tracker: TrackerBuilder
) -> None:
    """The stories answer compare_reviews both ways: the trainer's list should show both."""
    probabilities = train_concert().predict(seed_tracker()).probabilities

    for review in REVIEWS:
        assert 0.2 <= probabilities[review] <= 0.8


def test_a_taught_correction_sticks_at_once(
    train_concert: Trainer, seed_tracker: TrackerBuilder, concert_domain: Domain
) -> None:
    policy = train_concert()

    policy.teach(taught_seed_tracker(seed_tracker))
    prediction = policy.predict(seed_tracker())

    assert (prediction.action, prediction.policy) == ("action_show_concert_reviews", "memoization")
    assert prediction.confidence == 1.0
    assert_consistent(prediction, concert_domain)


@pytest.mark.parametrize(
    "before",
    [
        (ACTION_LISTEN, "/goodbye", "utter_goodbye", ACTION_LISTEN, Restarted()),
        (ACTION_LISTEN, "/search_venues", "action_search_venues", ACTION_LISTEN, Restarted()),
    ],
)
def test_the_correction_holds_after_a_restart_later_in_a_conversation(
    train_concert: Trainer, seed_tracker: TrackerBuilder, before: tuple[object, ...]
) -> None:
    policy = train_concert()
    policy.teach(taught_seed_tracker(seed_tracker))

    prediction = policy.predict(seed_tracker(*before))

    assert (prediction.action, prediction.policy) == ("action_show_concert_reviews", "memoization")


def test_a_recalled_action_goes_on_top_and_the_others_keep_lightgbms_order(
    train_concert: Trainer, seed_tracker: TrackerBuilder, concert_domain: Domain
) -> None:
    policy = train_concert()
    tracker = seed_tracker()
    lightgbm = policy.model.predict_proba(policy.featurizer.encode(tracker.states()))
    policy.teach(taught_seed_tracker(seed_tracker))

    probabilities = policy.predict(tracker).probabilities

    others = [a for a in concert_domain.actions if a != "action_show_concert_reviews"]
    by_lightgbm = sorted(others, key=lambda a: -lightgbm[concert_domain.actions.index(a)])
    assert sorted(others, key=lambda a: -probabilities[a]) == by_lightgbm


def test_below_the_threshold_the_bot_falls_back(
    train_concert: Trainer, concert_domain: Domain
) -> None:
    policy = train_concert()
    policy.fallback_threshold = 0.99
    tracker = Tracker("c", concert_domain, dialogue(ACTION_LISTEN, "/compare_reviews"))
    lightgbm = policy.model.predict_proba(policy.featurizer.encode(tracker.states()))

    prediction = policy.predict(tracker)

    assert (prediction.action, prediction.policy) == (ACTION_DEFAULT_FALLBACK, "fallback")
    assert prediction.confidence == pytest.approx(float(lightgbm.max()))
    assert_consistent(prediction, concert_domain)


def test_unknown_intent_is_predicted_without_failing(
    train_concert: Trainer, concert_domain: Domain
) -> None:
    tracker = Tracker("c", concert_domain, dialogue(ACTION_LISTEN, "/dance"))

    prediction = train_concert().predict(tracker)

    assert prediction.policy in ("lightgbm", "fallback")
    assert_consistent(prediction, concert_domain)


def test_replace_model_swaps_lightgbm_and_keeps_teachings(
    train_concert: Trainer, seed_tracker: TrackerBuilder, concert_domain: Domain
) -> None:
    policy = train_concert()
    policy.teach(taught_seed_tracker(seed_tracker))
    greet_index = concert_domain.actions.index("utter_greet")
    tracker = Tracker("c", concert_domain, dialogue(ACTION_LISTEN, "/dance"))

    policy.replace_model(LightGBMModel(len(concert_domain.actions), (greet_index,)), None)

    assert policy.predict(tracker).action == "utter_greet"
    assert policy.predict(seed_tracker()).action == "action_show_concert_reviews"
    assert policy.metadata is None


def test_predict_many_matches_predict(train_concert: Trainer, seed_tracker: TrackerBuilder) -> None:
    policy = train_concert()
    trackers = [seed_tracker(), seed_tracker(ACTION_LISTEN, "/greet", "utter_greet", Restarted())]

    batch = policy.predict_many([t.states() for t in trackers])

    assert batch == [policy.predict(t) for t in trackers]


def test_a_message_the_nlu_was_unsure_of_gets_the_fallback_then_listens(
    train_concert: Trainer, concert_domain: Domain
) -> None:
    policy = train_concert()
    unsure = Tracker("c", concert_domain, dialogue(ACTION_LISTEN, "/nlu_fallback"))
    first = policy.predict(unsure)
    assert (first.action, first.policy, first.confidence) == (
        ACTION_DEFAULT_FALLBACK,
        "nlu_fallback",
        1.0,
    )
    assert_consistent(first, concert_domain)
    unsure.apply(ActionExecuted(ACTION_DEFAULT_FALLBACK))
    assert policy.predict(unsure).action == ACTION_LISTEN


def test_what_a_trainer_taught_after_nlu_fallback_wins_over_the_rule(
    train_concert: Trainer, concert_domain: Domain
) -> None:
    policy = train_concert()
    taught = Tracker("c", concert_domain, dialogue(ACTION_LISTEN, "/nlu_fallback"))
    taught.apply(ActionExecuted("utter_greet", TRAINER, 1.0))
    policy.teach(taught)
    again = Tracker("c2", concert_domain, dialogue(ACTION_LISTEN, "/nlu_fallback"))
    assert policy.predict(again).action == "utter_greet"


def test_an_active_form_runs_ahead_of_everything_and_the_bot_listens_after_it() -> None:
    asked = State("action_listen", "inform", frozenset(), (), "restaurant_form")
    assert active_form_rule([asked]) == "restaurant_form"
    after_chitchat = State("utter_chitchat", "chitchat", frozenset(), (), "restaurant_form")
    assert active_form_rule([after_chitchat]) == "restaurant_form"
    ran = State("restaurant_form", "inform", frozenset(), (), "restaurant_form")
    assert active_form_rule([ran]) == ACTION_LISTEN
    done = State("restaurant_form", "inform", frozenset(), (), None)
    assert active_form_rule([done]) is None
