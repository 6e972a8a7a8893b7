"""Rasa's JSON: the request an action server gets, and its answers read as ozbot's events."""

from dataclasses import replace

import pytest
from rasa_sdk import Tracker as SdkTracker
from rasa_sdk import events as sdk_events

from bot.domain import Form, domain_from_dict
from bot.errors import ActionError
from bot.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Corrected,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from bot.rasa_json import ActionAnswer, action_call, rasa_event, read_answer
from bot.tracker import Tracker

OK = {"title": "ok", "payload": "/affirm"}
DOMAIN = domain_from_dict(
    {
        "intents": ["search"],
        "slots": {
            "city": {"type": "text", "initial_value": "Paris"},
            "size": {"type": "categorical", "values": ["s", "m"]},
        },
        "responses": {"utter_city": [{"text": "in {city} at {hour}", "buttons": [OK]}]},
        "actions": ["action_search"],
    }
)


def test_the_request_is_rasa_s():
    events = [
        ActionExecuted("action_listen"),
        UserUttered("/search", "search", {"city": "Oslo"}),
        SlotSet("city", "Oslo"),
        Corrected("action", "a", "b"),
    ]
    call = action_call("action_search", Tracker("ann", DOMAIN, events), DOMAIN, "3.6.21")
    assert set(call) == {"next_action", "sender_id", "tracker", "domain", "version"}
    assert (call["next_action"], call["sender_id"], call["version"]) == (
        "action_search", "ann", "3.6.21",
    )  # fmt: skip
    tracker = call["tracker"]
    assert [e["event"] for e in tracker["events"]] == ["action", "user", "slot"]  # no marker
    assert tracker["latest_message"]["intent"] == {"name": "search", "confidence": 1.0}
    assert tracker["slots"] == {"city": "Oslo", "size": None}
    assert tracker["latest_action_name"] == "action_listen"
    domain = call["domain"]
    assert domain["actions"] == ["action_search"]
    assert domain["slots"]["size"]["values"] == ["s", "m"]
    assert domain["responses"]["utter_city"][0]["buttons"] == [OK]


def test_an_answer_becomes_ozbot_s_events_in_order():
    answer = {
        "events": [
            {"event": "slot", "name": "city", "value": "Rome"},
            {"event": "bot", "text": "hi", "data": {"buttons": [{"title": "a", "payload": "/a"}]}},
            {"event": "reset_slots"},
            {"event": "rewind"},
            {"event": "undo"},
            {"event": "restart"},
            {"event": "followup", "name": "utter_city"},
        ],
        "responses": [
            {"response": "utter_city", "hour": 9, "image": "https://x/y.png"},
            {"text": "raw", "custom": {"kind": "map"}},
        ],
    }
    read = read_answer(answer, DOMAIN, {"city": "Oslo"})
    assert read == ActionAnswer(
        [
            BotUttered("in Oslo at 9", (("ok", "/affirm"),), image="https://x/y.png"),
            BotUttered('raw\n[custom: {"kind": "map"}]'),
            SlotSet("city", "Rome"),
            BotUttered("hi", (("a", "/a"),)),
            SlotSet("city", "Paris"),
            SlotSet("size", None),
            UserUtteranceReverted(),
            ActionReverted(),
            Restarted(),
        ],
        followup="utter_city",
    )


def test_what_ozbot_cannot_apply_is_listed_not_lost_silently():
    answer = {"events": [{"event": "slot", "name": "mood", "value": 1}, {"event": "pause"},
                         {"event": "active_loop", "name": None}]}  # fmt: skip
    ignored = read_answer(answer, DOMAIN, {}).ignored
    assert ignored == ["slot mood (not in the domain)", "event pause"]
    unknown_form = {"events": [{"event": "active_loop", "name": "restaurant_form"}]}
    assert read_answer(unknown_form, DOMAIN, {}).ignored == [
        "active_loop restaurant_form (not a form of the domain)"
    ]
    assert read_answer(None, DOMAIN, {}) == ActionAnswer()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ([1], "not Rasa's {events, responses}"),
        ({"events": [{"name": "x"}]}, "not an object with `event`"),
        ({"responses": [{"response": "utter_no"}]}, "response utter_no, which the domain"),
        ({"responses": [{"text": "x", "buttons": ["b"]}]}, "buttons are not a list"),
        ({"responses": [{"text": "x", "image": ["u"]}]}, "image is not a URL"),
        ({"events": [{"event": "active_loop", "name": 3}]}, "name is not text or null"),
    ],
)
def test_an_answer_of_another_shape_is_an_action_error(answer, error):
    with pytest.raises(ActionError, match=error.replace("{", r"\{").replace("}", r"\}")):
        read_answer(answer, DOMAIN, {})


FORM_DOMAIN = replace(DOMAIN, forms={"restaurant_form": Form("restaurant_form", ("cuisine",))})
IN_FORM = [
    ActionExecuted("action_listen"),
    UserUttered("/search", "search"),
    ActionExecuted("restaurant_form"),
    ActiveLoop("restaurant_form"),
]


def test_the_request_carries_the_active_form_as_rasa_sdk_reads_it():
    call = action_call("action_x", Tracker("ann", FORM_DOMAIN, IN_FORM), FORM_DOMAIN, "3.6.21")
    state = call["tracker"]
    assert state["active_loop"] == {"name": "restaurant_form", "rejected": False}
    assert state["events"][-1]["event"] == "active_loop"
    assert call["domain"]["forms"] == {"restaurant_form": {"required_slots": ["cuisine"]}}
    tracker = SdkTracker.from_dict(state)
    assert tracker.active_loop_name == "restaurant_form"
    assert tracker.events[-1]["name"] == "restaurant_form"


def test_a_refusal_and_the_form_s_end_reach_the_action_server():
    refused = [*IN_FORM, ActionExecutionRejected("restaurant_form")]
    state = action_call("a", Tracker("ann", FORM_DOMAIN, refused), FORM_DOMAIN, "3")["tracker"]
    assert state["active_loop"] == {"name": "restaurant_form", "rejected": True}
    assert state["events"][-1]["event"] == "action_execution_rejected"
    ended = [*IN_FORM, ActiveLoop(None)]
    state = action_call("a", Tracker("ann", FORM_DOMAIN, ended), FORM_DOMAIN, "3")["tracker"]
    assert state["active_loop"] == {} and SdkTracker.from_dict(state).active_loop_name is None


def test_rasa_sdk_s_form_events_and_rasa_1_s_form_event_become_ozbot_s():
    answer = {
        "events": [
            sdk_events.ActiveLoop("restaurant_form"),
            sdk_events.ActionExecutionRejected("restaurant_form"),
            sdk_events.ActiveLoop(None),
            {"event": "form", "name": "restaurant_form"},
            {"event": "form", "name": None},
        ]
    }
    assert read_answer(answer, FORM_DOMAIN, {}).events == [
        ActiveLoop("restaurant_form"),
        ActionExecutionRejected("restaurant_form"),
        ActiveLoop(None),
        ActiveLoop("restaurant_form"),
        ActiveLoop(None),
    ]


MEMBER = [{"type": "slot", "name": "size", "value": "m"}]
POSTER = domain_from_dict(
    {
        "slots": {"size": {"type": "categorical", "values": ["s", "m"]}},
        "responses": {
            "utter_poster": [
                {"text": "for members", "image": "https://x/m.png", "condition": MEMBER},
                {"text": "for all", "custom": {"kind": "map"}},
                {"text": "for all on Slack", "channel": "slack"},
            ]
        },
    }
)


def test_a_named_response_is_the_variation_rasa_chooses_with_its_image():
    asked = {"responses": [{"response": "utter_poster"}]}
    assert read_answer(asked, POSTER, {"size": "m"}).events == [
        BotUttered("for members", image="https://x/m.png")
    ]
    assert read_answer(asked, POSTER, {"size": "s"}).events == [
        BotUttered('for all\n[custom: {"kind": "map"}]')
    ]


def test_an_answer_s_own_text_and_image_override_the_named_response_s():
    asked = {"responses": [{"response": "utter_poster", "text": "mine", "image": "https://y"}]}
    assert read_answer(asked, POSTER, {"size": "m"}).events == [
        BotUttered("mine", image="https://y")
    ]


def test_the_action_server_sees_the_bot_s_image_and_the_domain_s_variations_as_written():
    said = rasa_event(BotUttered("hi", image="https://x/m.png"))
    assert said is not None and said["data"]["image"] == "https://x/m.png"
    tracker = Tracker("ann", POSTER, [])
    variations = action_call("x", tracker, POSTER, "3.6.21")["domain"]["responses"]
    assert variations["utter_poster"][0] == {
        "text": "for members", "image": "https://x/m.png", "condition": MEMBER
    }  # fmt: skip
