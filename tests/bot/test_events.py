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
    BotUttered("tonight", image="https://x/poster.png"),
    SlotSet("concerts", [{"artist": "Foo Fighters", "reviews": 4.5}]),
    UserUtteranceReverted(),
    ActionReverted(),
    Restarted(),
    Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews"),
    Corrected("entities", "city=Berlin", "no entities"),
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


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"event": "slot", "nme": "x"}',
        b'{"event": "action", "name": "caf\xc3\x28"}',  # a byte flipped in the file
    ],
)
def test_corrupt_event_json_is_a_store_error(text):
    with pytest.raises(StoreError):
        event_from_json(text)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"event": "user", "text": 5, "intent": "greet"}', "text"),
        ('{"event": "user", "text": "hi", "intent": ["greet"]}', "intent"),
        ('{"event": "user", "text": "hi", "intent": "greet", "entities": "Berlin"}', "entities"),
        ('{"event": "user", "text": "hi", "intent": "greet", "confidence": "high"}', "confidence"),
        ('{"event": "action", "name": null}', "name"),
        ('{"event": "action", "name": "a", "timestamp": true}', "timestamp"),
        ('{"event": "action", "name": "a", "policy": 3}', "policy"),
        ('{"event": "bot", "text": "hi", "buttons": 7}', "buttons"),
        ('{"event": "bot", "text": "hi", "buttons": [["only a title"]]}', "buttons"),
        ('{"event": "bot", "text": "hi", "image": {"url": "https://x"}}', "image"),
        ('{"event": "correction", "kind": "mood", "predicted": "a", "chosen": "b"}', "kind"),
    ],
)
def test_an_event_with_the_right_keys_and_wrong_types_is_a_store_error(text, field):
    with pytest.raises(StoreError, match=f"has a wrong {field}:"):
        event_from_json(text)


def test_a_bot_message_stored_before_images_had_a_field_loads_and_is_stored_as_before():
    stored = '{"event":"bot","v":1,"text":"hi","buttons":[],"timestamp":1.0}'
    assert event_from_json(stored) == BotUttered("hi")
    assert event_to_json(event_from_json(stored)) == stored
