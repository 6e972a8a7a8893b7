import dataclasses

import pytest

from bot.errors import StoreError
from bot.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from bot.tracker import SNAPSHOT_TURNS, Snapshot, State, Tracker
from tests.bot.forms_bot import forms_domain

CONCERTS = [{"artist": "Foo Fighters", "reviews": 4.5}]


def greet_then_search(domain):
    return Tracker(
        "c1",
        domain,
        [
            ActionExecuted("action_listen"),
            UserUttered("/greet", "greet"),
            ActionExecuted("utter_greet"),
            ActionExecuted("action_listen"),
            UserUttered(
                '/search_concerts{"city": "Berlin"}', "search_concerts", {"city": "Berlin"}
            ),
            SlotSet("city", "Berlin"),
            ActionExecuted("action_search_concerts"),
            SlotSet("concerts", CONCERTS),
        ],
    )


def test_states_before_every_action_then_the_current_one(concert_domain):
    tracker = greet_then_search(concert_domain)
    assert tracker.states() == [
        State("action_listen", "greet", frozenset(), ()),
        State("utter_greet", "greet", frozenset(), ()),
        State("action_listen", "search_concerts", frozenset({"city"}), ()),
        State(
            "action_search_concerts", "search_concerts", frozenset({"city"}), (("concerts", True),)
        ),
    ]
    assert [action for _, action in tracker.turns] == [
        "utter_greet",
        "action_listen",
        "action_search_concerts",
    ]


def test_unfeaturized_slots_are_kept_but_not_featurized(concert_domain):
    tracker = greet_then_search(concert_domain)
    assert tracker.slots["city"] == "Berlin"
    assert "city" not in dict(tracker.current_state().slots)


def test_rewind_forgets_the_user_turn_and_what_followed(concert_domain):
    tracker = greet_then_search(concert_domain)
    tracker.apply(UserUtteranceReverted())
    assert tracker.latest_message.intent == "greet"
    assert tracker.latest_action == "action_listen"
    assert tracker.slots["concerts"] is None and tracker.slots["city"] is None
    assert len(tracker.events) == 9  # nothing stored is dropped, only the fold changes


def test_undo_forgets_the_last_action_and_what_it_set(concert_domain):
    tracker = greet_then_search(concert_domain)
    tracker.apply(ActionReverted())
    assert tracker.latest_action == "action_listen"
    assert tracker.slots["concerts"] is None and tracker.slots["city"] == "Berlin"


def test_restart_starts_from_nothing(concert_domain):
    tracker = greet_then_search(concert_domain)
    tracker.apply(ActionExecuted("action_restart"))
    tracker.apply(Restarted())
    assert tracker.is_listening and tracker.latest_message is None
    assert tracker.applied == [] and tracker.turns == []
    assert tracker.slots["concerts"] is None


def test_a_resumed_tracker_continues_as_if_every_event_were_folded(concert_domain):
    whole = greet_then_search(concert_domain)
    snapshot = Tracker("c1", concert_domain, whole.events[:5]).snapshot()
    resumed = Tracker.resume("c1", concert_domain, snapshot, whole.events[5:])
    assert resumed.states() == whole.states() and resumed.slots == whole.slots
    assert (resumed.length, resumed.offset, resumed.is_whole) == (8, 5, False)
    assert resumed.snapshot() == whole.snapshot()


def test_a_snapshot_survives_json_and_keeps_only_the_latest_turns(concert_domain):
    events = []
    for _ in range(SNAPSHOT_TURNS):
        events += [ActionExecuted("action_listen"), UserUttered("/greet", "greet", {"city": "Ü"})]
        events += [SlotSet("concerts", CONCERTS), ActionExecuted("utter_greet")]
    tracker = Tracker("c1", concert_domain, events)
    snapshot = tracker.snapshot()
    assert len(tracker.turns) > SNAPSHOT_TURNS
    assert snapshot.turns == tuple(tracker.turns[-SNAPSHOT_TURNS:])
    assert Snapshot.from_json(snapshot.to_json()) == snapshot


def test_a_snapshot_of_other_slots_does_not_fit(concert_domain):
    snapshot = greet_then_search(concert_domain).snapshot()
    changed = dataclasses.replace(concert_domain, slots=concert_domain.slots[:-1])
    assert snapshot.fits(concert_domain) and not snapshot.fits(changed)


@pytest.mark.parametrize("text", ["{", "[]", '{"length": 1}', '{"latest_message": {"event": "x"}}'])
def test_a_corrupt_snapshot_is_a_store_error(text):
    with pytest.raises(StoreError, match="not a tracker snapshot"):
        Snapshot.from_json(text)


def test_a_resumed_tracker_refuses_a_revert_it_cannot_fold(concert_domain):
    whole = greet_then_search(concert_domain)
    resumed = Tracker.resume("c1", concert_domain, whole.snapshot(), [])
    with pytest.raises(ValueError, match="needs the whole conversation"):
        resumed.apply(UserUtteranceReverted())


def test_an_active_form_is_in_the_state_until_it_lets_go():
    domain = forms_domain()
    tracker = Tracker(
        "c1",
        domain,
        [
            ActionExecuted("action_listen"),
            UserUttered("/request_restaurant", "request_restaurant"),
            ActionExecuted("restaurant_form"),
            ActiveLoop("restaurant_form"),
            ActionExecuted("action_listen"),
            UserUttered("/chitchat", "chitchat"),
        ],
    )
    assert tracker.current_state().active_loop == "restaurant_form" and not tracker.rejected
    tracker.apply(ActionExecutionRejected("restaurant_form"))
    assert tracker.rejected  # the form's rule steps aside; the state stays as Rasa's
    assert tracker.current_state().active_loop == "restaurant_form"
    resumed = Tracker.resume("c1", domain, tracker.snapshot(), [])
    assert resumed.states() == tracker.states() and resumed.rejected
    tracker.apply(ActionExecuted("utter_chitchat"))
    assert tracker.rejected  # until the form runs again, as Rasa's
    tracker.apply(ActionExecuted("restaurant_form"))
    assert not tracker.rejected
    tracker.apply(ActiveLoop(None))
    assert tracker.current_state().active_loop is None
