import json

from bot.events import ACTION_LISTEN
from bot.tracker import State
from policy.dataset import Example
from policy.memoization import Memoization


def state(prev_action: str, intent: str, **slots: object) -> State:
    return State(prev_action, intent, frozenset(), tuple(slots.items()))


GREET = state(ACTION_LISTEN, "greet")
GREETED = state("utter_greet", "greet")
COMPARE = state(ACTION_LISTEN, "compare_reviews")
SEARCHED = state("action_search_concerts", "search_concerts", concerts=True)
COMPARE_CONCERTS = state(ACTION_LISTEN, "compare_reviews", concerts=True)


def test_recall_uses_the_longest_known_suffix() -> None:
    memo = Memoization(max_history=3)
    memo.train([Example((GREET,), "utter_greet")])
    memo.train([Example((GREETED, COMPARE), "action_show_venue_reviews")])
    memo.train([Example((SEARCHED, COMPARE), "action_show_concert_reviews")])

    assert memo.recall([GREET, SEARCHED, COMPARE]) == "action_show_concert_reviews"
    assert memo.recall([GREET, GREETED, COMPARE]) == "action_show_venue_reviews"
    assert memo.recall([SEARCHED, COMPARE, GREET]) == "utter_greet"
    assert memo.recall([GREET, COMPARE_CONCERTS]) is None


def test_only_the_last_max_history_states_are_keys() -> None:
    memo = Memoization(max_history=1)
    memo.train([Example((GREET, GREETED), ACTION_LISTEN)])

    assert memo.recall([COMPARE, GREETED]) == ACTION_LISTEN


def test_a_history_seen_with_different_actions_recalls_nothing() -> None:
    memo = Memoization(max_history=2)
    memo.train(
        [
            Example((COMPARE,), "action_show_venue_reviews"),
            Example((COMPARE,), "action_show_concert_reviews"),
            Example((SEARCHED, COMPARE), "action_show_concert_reviews"),
        ]
    )

    assert memo.recall([COMPARE]) is None
    assert memo.recall([GREETED, COMPARE]) is None
    assert memo.recall([SEARCHED, COMPARE]) == "action_show_concert_reviews"


def test_teaching_overrides_training_and_earlier_teaching_at_every_length() -> None:
    memo = Memoization(max_history=2)
    memo.train([Example((SEARCHED, COMPARE), "action_show_venue_reviews")])
    memo.teach([Example((SEARCHED, COMPARE), "utter_default")])
    memo.teach([Example((SEARCHED, COMPARE), "action_show_concert_reviews")])

    assert memo.recall([SEARCHED, COMPARE]) == "action_show_concert_reviews"
    assert memo.recall([GREETED, COMPARE]) == "action_show_concert_reviews"


def test_teaching_resolves_an_ambiguity() -> None:
    memo = Memoization(max_history=2)
    memo.train(
        [
            Example((COMPARE,), "action_show_venue_reviews"),
            Example((COMPARE,), "action_show_concert_reviews"),
        ]
    )
    memo.teach([Example((COMPARE,), "action_show_concert_reviews")])

    assert memo.recall([COMPARE]) == "action_show_concert_reviews"


def test_a_longer_trained_history_beats_a_shorter_taught_one() -> None:
    memo = Memoization(max_history=2)
    memo.train([Example((SEARCHED, COMPARE), "action_show_concert_reviews")])
    memo.teach([Example((COMPARE,), "action_show_venue_reviews")])

    assert memo.recall([SEARCHED, COMPARE]) == "action_show_concert_reviews"
    assert memo.recall([GREETED, COMPARE]) == "action_show_venue_reviews"


def test_round_trip_through_json_keeps_every_entry() -> None:
    memo = Memoization(max_history=2)
    memo.train(
        [
            Example((GREET,), "utter_greet"),
            Example((COMPARE,), "action_show_venue_reviews"),
            Example((COMPARE,), "action_show_concert_reviews"),
        ]
    )
    memo.teach([Example((SEARCHED, COMPARE_CONCERTS), "action_show_concert_reviews")])

    loaded = Memoization.from_dict(json.loads(json.dumps(memo.to_dict())))

    assert loaded.to_dict() == memo.to_dict()
    for states in ([GREET], [COMPARE], [SEARCHED, COMPARE_CONCERTS], [COMPARE_CONCERTS]):
        assert loaded.recall(states) == memo.recall(states)
    assert loaded.recall([COMPARE_CONCERTS]) == "action_show_concert_reviews"
