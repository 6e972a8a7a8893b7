"""Rasa 2/3 forms and slot mappings as the domain reads them."""

from bot.domain import domain_from_dict
from bot.domain_forms import (
    ACTION_DEACTIVATE_LOOP,
    REQUESTED_SLOT,
    Form,
    LoopCondition,
    SlotMapping,
)

RASA_3 = {
    "intents": ["request_restaurant", "inform", "chitchat"],
    "entities": ["cuisine", "number"],
    "slots": {
        "cuisine": {
            "type": "text",
            "mappings": [
                {
                    "type": "from_entity",
                    "entity": "cuisine",
                    "conditions": [{"active_loop": "restaurant_form", "requested_slot": "cuisine"}],
                }
            ],
        },
        "num_people": {
            "type": "float",
            "mappings": [{"type": "from_entity", "entity": "number", "not_intent": "chitchat"}],
        },
        "outdoor_seating": {
            "type": "bool",
            "mappings": [{"type": "from_intent", "intent": "affirm", "value": True}],
        },
    },
    "forms": {
        "restaurant_form": {
            "required_slots": ["cuisine", "num_people", "outdoor_seating"],
            "ignored_intents": ["chitchat"],
        }
    },
}


def test_a_rasa_3_form_asks_for_its_slots_filled_by_their_mappings():
    domain = domain_from_dict(RASA_3)
    assert domain.forms == {
        "restaurant_form": Form(
            "restaurant_form", ("cuisine", "num_people", "outdoor_seating"), ("chitchat",)
        )
    }
    assert domain.slot("cuisine").mappings == (
        SlotMapping(
            "from_entity",
            entity="cuisine",
            conditions=(LoopCondition("restaurant_form", "cuisine"),),
        ),
    )
    assert domain.slot("num_people").mappings[0].not_intent == ("chitchat",)
    assert domain.slot("outdoor_seating").mappings[0].value is True
    assert {"restaurant_form", ACTION_DEACTIVATE_LOOP} <= set(domain.actions)
    assert domain.slot(REQUESTED_SLOT) is not None and not domain.slot(REQUESTED_SLOT).featurized


def test_a_rasa_2_form_s_mappings_apply_while_it_is_active():
    domain = domain_from_dict(
        {
            "entities": ["cuisine"],
            "slots": {"cuisine": {"type": "unfeaturized"}},
            "forms": {
                "restaurant_form": {
                    "required_slots": {"cuisine": [{"type": "from_entity", "entity": "cuisine"}]}
                }
            },
        }
    )
    assert domain.forms["restaurant_form"].required_slots == ("cuisine",)
    assert domain.slot("cuisine").mappings == (
        SlotMapping("from_entity", "cuisine", conditions=(LoopCondition("restaurant_form"),)),
        SlotMapping("from_entity", "cuisine"),  # and by its entity, as Rasa 2 auto-fills
    )


def test_a_slot_without_mappings_is_filled_by_the_entity_of_its_name():
    domain = domain_from_dict(
        {
            "entities": ["city", "mood"],
            "slots": {
                "city": {"type": "text"},
                "mood": {"type": "text", "auto_fill": False},
                "count": {"type": "float"},
            },
        }
    )
    assert domain.slot("city").mappings == (SlotMapping("from_entity", "city"),)
    assert domain.slot("mood").mappings == () and domain.slot("count").mappings == ()
    assert domain.forms == {} and domain.slot(REQUESTED_SLOT) is None


def test_a_rasa_2_form_fills_a_text_only_into_the_slot_it_asks_for():
    domain = domain_from_dict(
        {
            "slots": {"feedback": {"type": "text"}, "preferences": {"type": "text"}},
            "forms": {
                "restaurant_form": {
                    "preferences": [{"type": "from_text", "not_intent": "affirm"}],
                    "feedback": [{"type": "from_text"}],
                }
            },
        }
    )
    assert domain.forms["restaurant_form"].required_slots == ("preferences", "feedback")
    assert domain.slot("feedback").mappings == (
        SlotMapping("from_text", conditions=(LoopCondition("restaurant_form", "feedback"),)),
    )
