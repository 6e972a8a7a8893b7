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


def test_a_taught_situation_is_recalled_exactly() -> None:
    memo = Memoization(max_history=2)
    memo.teach([Example((GREET, GREETED, SEARCHED, COMPARE), "action_show_concert_reviews")])

    assert memo.recall([SEARCHED, COMPARE]) == "action_show_concert_reviews"
    assert memo.recall([GREET, SEARCHED, COMPARE]) == "action_show_concert_reviews"
    assert memo.recall([GREETED, COMPARE]) is None  # another situation: LightGBM decides
    assert memo.recall([COMPARE]) is None  # the same state at the start is another situation


def test_the_start_of_a_dialogue_is_part_of_the_situation() -> None:
    memo = Memoization(max_history=3)
    memo.teach([Example((GREET,), "utter_goodbye")])

    assert memo.recall([GREET]) == "utter_goodbye"
    assert memo.recall([COMPARE, GREETED, GREET]) is None


def test_a_later_teaching_of_the_same_situation_wins() -> None:
    memo = Memoization(max_history=2)
    memo.teach([Example((SEARCHED, COMPARE), "utter_default")])
    memo.teach([Example((GREET, SEARCHED, COMPARE), "action_show_concert_reviews")])

    assert memo.recall([SEARCHED, COMPARE]) == "action_show_concert_reviews"
    assert len(memo) == 1


def test_round_trip_through_json_keeps_every_entry() -> None:
    memo = Memoization(max_history=2)
    memo.teach(
        [
            Example((GREET,), "utter_greet"),
            Example((GREET, GREETED), ACTION_LISTEN),
            Example((SEARCHED, COMPARE_CONCERTS), "action_show_concert_reviews"),
        ]
    )

    loaded = Memoization.from_dict(json.loads(json.dumps(memo.to_dict())))

    assert loaded.to_dict() == memo.to_dict()
    for states in ([GREET], [GREET, GREETED], [SEARCHED, COMPARE_CONCERTS], [COMPARE_CONCERTS]):
        assert loaded.recall(states) == memo.recall(states)
    assert len(memo.to_dict()["states"]) == 4  # GREET is written once
