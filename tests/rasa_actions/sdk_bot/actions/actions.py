"""A bot's actions written for rasa-sdk as Rasa users write them: served by a real rasa-sdk
action server in tests/rasa_actions/test_server.py, run in process in test_sdk.py."""

import asyncio

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.interfaces import ActionExecutionRejection

CONCERTS = ["Foo Fighters", "Katy Perry"]


class ActionSearchConcerts(Action):
    def name(self):
        return "action_search_concerts"

    def run(self, dispatcher, tracker, domain):
        city = next(tracker.get_latest_entity_values("city"), None) or tracker.get_slot("city")
        intent = tracker.latest_message["intent"]["name"]
        dispatcher.utter_message(
            text=f"{tracker.sender_id} asked ({intent}) for concerts in {city}",
            buttons=[{"title": "more", "payload": "/search"}],
            image="https://example.org/concerts.png",
        )
        dispatcher.utter_message(response="utter_found", count=len(CONCERTS))
        slots = sorted(domain["slots"])
        dispatcher.utter_message(text=f"slots: {', '.join(slots)}")
        return [SlotSet("concerts", CONCERTS)]


class ActionFollow(Action):
    def name(self):
        return "action_follow"

    async def run(self, dispatcher, tracker, domain):
        return [FollowupAction("utter_goodbye")]


class ActionReject(Action):
    def name(self):
        return "action_reject"

    def run(self, dispatcher, tracker, domain):
        raise ActionExecutionRejection(self.name(), "the city is unknown")


class ActionSlow(Action):
    def name(self):
        return "action_slow"

    async def run(self, dispatcher, tracker, domain):
        await asyncio.sleep(3)
        return []


class ActionBroken(Action):
    def name(self):
        return "action_broken"

    def run(self, dispatcher, tracker, domain):
        raise KeyError("concerts\nsecond line")


class ValidateRestaurantForm(FormValidationAction):
    def name(self):
        return "validate_restaurant_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        return ["cuisine", "city"]

    def validate_cuisine(self, value, dispatcher, tracker, domain):
        if value.lower() in ("italian", "thai"):
            return {"cuisine": value.lower()}
        dispatcher.utter_message(text=f"we do not serve {value}")
        return {"cuisine": None}
