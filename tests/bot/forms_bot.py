"""A small restaurant bot with a form, for the tests of forms (written for ozbot's tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain import Domain, domain_from_dict
from bot.events import ACTION_LISTEN
from bot.policy import Prediction
from bot.tracker import Tracker
from policy.ensemble import active_form_rule

ASKED_FOR_CUISINE = [{"active_loop": "restaurant_form", "requested_slot": "cuisine"}]
ASKED_FOR_SEATING = [{"active_loop": "restaurant_form", "requested_slot": "outdoor_seating"}]

DOMAIN: dict[str, Any] = {
    "intents": ["request_restaurant", "inform", "chitchat", "affirm", "deny", "stop"],
    "entities": ["cuisine", "number"],
    "slots": {
        "cuisine": {
            "type": "text",
            "mappings": [
                {"type": "from_entity", "entity": "cuisine", "conditions": ASKED_FOR_CUISINE}
            ],
        },
        "num_people": {
            "type": "float",
            "max_value": 20,
            "mappings": [{"type": "from_entity", "entity": "number"}],
        },
        "outdoor_seating": {
            "type": "bool",
            "mappings": [
                {"type": "from_intent", "intent": "affirm", "value": True,
                 "conditions": ASKED_FOR_SEATING},
                {"type": "from_intent", "intent": "deny", "value": False,
                 "conditions": ASKED_FOR_SEATING},
            ],
        },
    },
    "forms": {
        "restaurant_form": {
            "required_slots": ["cuisine", "num_people", "outdoor_seating"],
            "ignored_intents": ["chitchat"],
        }
    },
    "responses": {
        "utter_ask_cuisine": [{"text": "What cuisine?"}],
        "utter_ask_num_people": [{"text": "For how many people?"}],
        "utter_ask_outdoor_seating": [{"text": "Outside?"}],
        "utter_submit": [{"text": "A table: {cuisine} for {num_people}."}],
        "utter_chitchat": [{"text": "Chitchat!"}],
    },
    "actions": ["validate_restaurant_form"],
}  # fmt: skip

AFTER_USER = {
    "request_restaurant": "restaurant_form",
    "chitchat": "utter_chitchat",
    "stop": "action_deactivate_loop",
    "inform": "restaurant_form",
}
"""What the bot does after each intent (when no form runs)."""
AFTER_BOT = {"restaurant_form": "utter_submit", "utter_chitchat": "restaurant_form"}
"""What the bot does after these actions (when no form runs or it refused the message)."""


def forms_domain() -> Domain:
    return domain_from_dict(DOMAIN)


@dataclass
class FormsPolicy:
    """The active form's rule (policy/ensemble.py), then AFTER_USER and AFTER_BOT; listens
    after anything else."""

    domain: Domain

    def predict(self, tracker: Tracker) -> Prediction:
        states = tracker.states()
        state = states[-1]
        action = None if tracker.rejected else active_form_rule(states)
        if action is None and state.prev_action in (None, ACTION_LISTEN):
            action = AFTER_USER.get(state.intent or "", ACTION_LISTEN)
        elif action is None:
            action = AFTER_BOT.get(state.prev_action or "", ACTION_LISTEN)
        probabilities = {name: 0.0 for name in self.domain.actions}
        probabilities[action] = 1.0
        return Prediction(action, 1.0, "scripted", probabilities)


class ValidateRestaurantForm:
    """Refuses pizza (the form asks again) and caps the party at 8 (said by the bot)."""

    def name(self) -> str:
        return "validate_restaurant_form"

    def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
        if tracker.get_slot("cuisine") == "pizza":
            dispatcher.utter_message(text="No pizza here.")
            return [{"event": "slot", "name": "cuisine", "value": None}]
        people = tracker.get_slot("num_people")
        if people is not None and float(people) > 8:
            dispatcher.utter_message(text="At most 8.")
            return [{"event": "slot", "name": "num_people", "value": None}]
        return []
