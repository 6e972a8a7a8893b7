import json
import pickle

import numpy as np

from bot.domain import Domain, domain_from_dict
from bot.events import ACTION_LISTEN, SlotSet
from bot.tracker import State, Tracker
from policy.featurizer import Featurizer
from tests.policy.concert import dialogue

# Columns of one concert-bot state: present 0, previous action 1-11 (domain order) and
# unknown 12, intent 13-18 and unknown 19, entity `name` 20 and unknown 21, slots concerts 22
# and venues 23, unknown slot 24. After the history: dialogue length, actions since the user,
# then the intents used so far (6 and unknown).
STATE_WIDTH = 25
DIALOGUE_WIDTH = 2 + 6 + 1


def one_hot(width: int, *columns: int) -> np.ndarray:
    row = np.zeros(width, dtype=np.float32)
    row[list(columns)] = 1.0
    return row


def test_width_is_history_blocks_plus_dialogue_features(concert_domain: Domain) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=5)

    assert featurizer.state_width == STATE_WIDTH
    assert featurizer.width == 5 * STATE_WIDTH + DIALOGUE_WIDTH
    assert featurizer.encode([State(None, None, frozenset(), ())]).shape == (featurizer.width,)


def test_a_state_sets_its_action_intent_entities_and_slots(concert_domain: Domain) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=1)
    state = State("utter_greet", "search_concerts", frozenset({"name"}), (("concerts", True),))

    row = featurizer.encode([state])

    action = 1 + concert_domain.actions.index("utter_greet")
    intent = 13 + concert_domain.intents.index("search_concerts")
    seen = STATE_WIDTH + 2 + concert_domain.intents.index("search_concerts")
    expected = one_hot(STATE_WIDTH + DIALOGUE_WIDTH, 0, action, intent, 20, 22, seen)
    expected[STATE_WIDTH : STATE_WIDTH + 2] = [1, 1]  # one state, one action since the user
    assert np.array_equal(row, expected)


def test_history_is_padded_at_the_start(concert_domain: Domain) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=3)
    state = State(ACTION_LISTEN, "greet", frozenset(), ())

    row = featurizer.encode([state])

    assert not row[: 2 * STATE_WIDTH].any()
    assert np.array_equal(row[2 * STATE_WIDTH : 3 * STATE_WIDTH], one_hot(STATE_WIDTH, 0, 1, 13))
    assert list(row[3 * STATE_WIDTH : 3 * STATE_WIDTH + 2]) == [1, 0]


def test_only_the_last_max_history_states_count_and_intents_since_the_start(
    concert_domain: Domain,
) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=2)
    states = [State(ACTION_LISTEN, "search_venues", frozenset(), ())]
    states += [State(f"utter_{name}", "greet", frozenset(), ()) for name in ("greet", "goodbye")]

    whole, window = featurizer.encode(states), featurizer.encode(states[1:])

    tail = 2 * STATE_WIDTH
    assert np.array_equal(whole[:tail], window[:tail])
    assert list(whole[tail : tail + 2]) == [2, 2]
    intents = {concert_domain.intents[i] for i in np.flatnonzero(whole[tail + 2 :])}
    assert intents == {"search_venues", "greet"}


def test_unknown_names_set_unknown_flags_instead_of_failing(concert_domain: Domain) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=1)
    state = State("action_dance", "dance", frozenset({"mood"}), (("weather", "sunny"),))

    row = featurizer.encode([state])

    assert np.array_equal(row[:STATE_WIDTH], one_hot(STATE_WIDTH, 0, 12, 19, 21, 24))
    assert list(np.flatnonzero(row[STATE_WIDTH + 2 :])) == [6]  # the unknown intent was used


def test_bool_categorical_and_float_slots() -> None:
    domain = domain_from_dict(
        {
            "intents": ["inform"],
            "slots": {
                "happy": {"type": "bool"},
                "mood": {"type": "categorical", "values": ["good", "bad"]},
                "temp": {"type": "float", "max_value": 10},
                "city": {"type": "unfeaturized"},
            },
        }
    )
    events = dialogue(ACTION_LISTEN, "/inform")
    events += [SlotSet("happy", True), SlotSet("mood", "awful"), SlotSet("temp", 5)]
    events += [SlotSet("city", "Paris")]
    featurizer = Featurizer.for_domain(domain, max_history=1)

    row = featurizer.encode(Tracker("c", domain, events).states())

    # present 0, listen 1, inform 5; happy set 8 and value 9; mood good 10, bad 11, other 12;
    # temp set 13 and value 14; unknown slot 15 (city is not featurized)
    expected = one_hot(16, 0, 1, 5, 8, 9, 12, 13)
    expected[14] = 0.5
    assert np.array_equal(row[:16], expected)
    assert featurizer.state_width == 16


def test_vocabulary_round_trips_through_json(concert_domain: Domain) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=3)
    states = [State(ACTION_LISTEN, "greet", frozenset({"name"}), (("venues", True),))]

    loaded = Featurizer.from_dict(json.loads(json.dumps(featurizer.to_dict())))

    assert loaded.vocabulary == featurizer.vocabulary
    assert np.array_equal(loaded.encode(states), featurizer.encode(states))


def test_encode_many_gives_one_row_per_history(concert_domain: Domain) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=2)
    a = [State(ACTION_LISTEN, "greet", frozenset(), ())]
    b = [*a, State("utter_greet", "greet", frozenset(), ())]

    rows = featurizer.encode_many([a, b])

    assert rows.shape == (2, featurizer.width)
    assert np.array_equal(rows[0].toarray()[0], featurizer.encode(a))
    assert np.array_equal(rows[1].toarray()[0], featurizer.encode(b))


def test_a_pickled_featurizer_encodes_alike_and_leaves_its_cache_behind(
    concert_domain: Domain,
) -> None:
    featurizer = Featurizer.for_domain(concert_domain, max_history=2)
    empty = pickle.dumps(featurizer)
    states = [State(ACTION_LISTEN, intent, frozenset(), ()) for intent in concert_domain.intents]
    rows = [featurizer.encode(states[: i + 1]) for i in range(len(states))]

    copy = pickle.loads(pickle.dumps(featurizer))

    assert pickle.dumps(featurizer) == empty
    assert all(np.array_equal(copy.encode(states[: i + 1]), row) for i, row in enumerate(rows))
