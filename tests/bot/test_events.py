import json

import pytest

from bot.errors import StoreError
from bot.events import (
    ActionExecuted,
    ActionReverted,
    BotUttered,
    Corrected,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
    event_from_json,
    event_to_json,
)

ALL = [
    UserUttered('/search{"city": "Köln"}', "search", {"city": "Köln"}),
    ActionExecuted("utter_greet", "memoization", 1.0),
    BotUttered("hi", (("Yes", "/affirm"),)),
    SlotSet("concerts", [{"artist": "Foo Fighters", "reviews": 4.5}]),
    UserUtteranceReverted(),
    ActionReverted(),
    Restarted(),
    Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews"),
]


@pytest.mark.parametrize("event", ALL, ids=lambda e: type(e).__name__)
def test_every_event_survives_json(event):
    restored = event_from_json(event_to_json(event))
    assert restored == event
    assert restored.timestamp == event.timestamp


def test_json_names_the_type_and_format_version():
    data = json.loads(event_to_json(ActionExecuted("action_listen")))
    assert data["event"] == "action" and data["v"] == 1 and data["name"] == "action_listen"


def test_unknown_event_type_is_refused_with_the_known_ones():
    with pytest.raises(StoreError, match="unknown event type 'teleport'.*user"):
        event_from_json('{"event": "teleport"}')


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"event": "slot", "nme": "x"}'])
def test_corrupt_event_json_is_a_store_error(text):
    with pytest.raises(StoreError):
        event_from_json(text)
