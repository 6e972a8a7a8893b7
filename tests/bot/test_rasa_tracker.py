"""ozbot's own actions get a tracker that answers ozbot's calls and Rasa's."""

from bot.actions import ActionRegistry, Dispatcher
from bot.domain import domain_from_dict
from bot.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from bot.rasa_tracker import RasaTrackerView
from bot.tracker import Tracker

DOMAIN = domain_from_dict(
    {
        "intents": ["search"],
        "entities": ["city"],
        "slots": {"city": {"type": "text"}, "seen": {"type": "any"}},
        "actions": ["action_rasa_calls"],
    }
)
EVENTS = [
    ActionExecuted("action_listen"),
    UserUttered("/search", "search", {"city": "Oslo"}, confidence=0.8),
    SlotSet("city", "Oslo"),
]


def test_the_tracker_answers_rasa_s_calls():
    tracker = RasaTrackerView(Tracker("ann", DOMAIN, EVENTS))
    assert tracker.sender_id == "ann"
    assert tracker.get_slot("city") == "Oslo" and tracker.slots["city"] == "Oslo"
    assert tracker.get_slot("nothing") is None
    message = tracker.latest_message
    assert message["intent"] == {"name": "search", "confidence": 0.8}
    assert message.get("entities") == [{"entity": "city", "value": "Oslo"}]
    assert message["text"] == "/search"
    assert list(tracker.get_latest_entity_values("city")) == ["Oslo"]
    assert list(tracker.get_latest_entity_values("city", entity_role="to")) == []
    assert list(tracker.get_latest_entity_values("time")) == []
    assert tracker.get_intent_of_latest_message() == "search"
    assert tracker.active_loop == {} and tracker.active_loop_name is None
    assert [e["event"] for e in tracker.events] == ["action", "user", "slot"]
    assert tracker.latest_action_name == "action_listen"


def test_the_tracker_still_answers_ozbot_s_calls():
    tracker = RasaTrackerView(Tracker("ann", DOMAIN, EVENTS))
    assert tracker.latest_message.intent == "search"
    assert tracker.latest_message.entities == {"city": "Oslo"}
    assert tracker.events[2].name == "city" and tracker.events[2].value == "Oslo"
    assert tracker.conversation_id == "ann" and tracker.domain is DOMAIN
    assert tracker.current_state().intent == "search"


def test_before_the_user_speaks_the_latest_message_is_empty():
    tracker = RasaTrackerView(Tracker("ann", DOMAIN))
    assert not tracker.latest_message and tracker.latest_message.get("intent") is None
    assert tracker.get_intent_of_latest_message() is None
    assert list(tracker.get_latest_entity_values("city")) == []


async def test_an_ozbot_action_written_with_rasa_s_calls_runs():
    class RasaCalls:
        def name(self):
            return "action_rasa_calls"

        def run(self, dispatcher, tracker, domain):
            city = next(tracker.get_latest_entity_values("city"), None)
            intent = tracker.latest_message["intent"]["name"]
            dispatcher.utter_message(text=f"{tracker.sender_id}: {intent} in {city}")
            return [{"event": "slot", "name": "seen", "value": len(tracker.events)}]

    tracker = Tracker("ann", DOMAIN, EVENTS)
    dispatcher = Dispatcher(DOMAIN, tracker)
    action = ActionRegistry(DOMAIN, {"action_rasa_calls": RasaCalls()}).get("action_rasa_calls")
    assert await action.run(dispatcher, tracker, DOMAIN) == [SlotSet("seen", 3)]
    assert dispatcher.messages == [BotUttered("ann: search in Oslo")]


def test_the_active_form_is_rasa_s_active_loop():
    tracker = RasaTrackerView(Tracker("ann", DOMAIN, [*EVENTS, ActiveLoop("restaurant_form")]))
    assert tracker.active_loop == {"name": "restaurant_form", "rejected": False}
    assert tracker.active_loop_name == "restaurant_form"
    assert tracker.events[-1]["event"] == "active_loop" and tracker.events[-1].name == (
        "restaurant_form"
    )
