"""Slots filled by their mappings after a user's message, as Rasa 3 fills them."""

from bot.domain import domain_from_dict
from bot.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from bot.slot_filling import filled_slots, trigger_slots
from bot.tracker import Tracker
from tests.bot.forms_bot import DOMAIN, forms_domain


def after(domain, *events):
    return Tracker("c1", domain, [ActionExecuted("action_listen"), *events])


def test_a_mapping_fills_only_when_its_form_asks_for_the_slot():
    domain = forms_domain()
    thai = UserUttered("thai", "inform", {"cuisine": "thai"})
    assert filled_slots(domain, after(domain, thai)) == []  # no form active
    asking = [ActiveLoop("restaurant_form"), SlotSet("requested_slot", "cuisine")]
    assert filled_slots(domain, after(domain, *asking, thai)) == [SlotSet("cuisine", "thai")]


def test_intents_and_the_form_s_ignored_intents_decide_what_fills():
    domain = forms_domain()
    asking = [ActiveLoop("restaurant_form"), SlotSet("requested_slot", "outdoor_seating")]
    yes = UserUttered("yes", "affirm")
    assert filled_slots(domain, after(domain, *asking, yes)) == [SlotSet("outdoor_seating", True)]
    two = UserUttered("2", "inform", {"number": 2})
    assert filled_slots(domain, after(domain, *asking, two)) == [SlotSet("num_people", 2)]
    chat = UserUttered("we are 2, ha", "chitchat", {"number": 2})  # ignored by the form
    assert filled_slots(domain, after(domain, *asking, chat)) == []


def test_from_text_takes_the_message_and_a_role_is_never_guessed():
    domain = domain_from_dict(
        {
            "entities": ["city"],
            "slots": {
                "feedback": {"type": "text", "mappings": [{"type": "from_text"}]},
                "origin": {
                    "type": "text",
                    "mappings": [{"type": "from_entity", "entity": "city", "role": "from"}],
                },
            },
        }
    )
    said = UserUttered("fly from Berlin", "inform", {"city": "Berlin"})
    assert filled_slots(domain, after(domain, said)) == [SlotSet("feedback", "fly from Berlin")]


def test_a_trigger_intent_fills_as_the_form_starts():
    data = dict(DOMAIN)
    data["slots"] = {
        **DOMAIN["slots"],
        "cuisine": {
            "type": "text",
            "mappings": [
                {"type": "from_trigger_intent", "intent": "request_restaurant", "value": "any"}
            ],
        },
    }
    domain = domain_from_dict(data)
    form = domain.forms["restaurant_form"]
    asked = UserUttered("a table", "request_restaurant")
    assert trigger_slots(form, domain, asked) == [SlotSet("cuisine", "any")]
    assert filled_slots(domain, after(domain, asked)) == []  # not by the message alone
