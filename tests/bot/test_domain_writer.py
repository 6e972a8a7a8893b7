"""The domain written as Rasa 3 YAML: what Rasa 3.6 accepts, and what ozbot reads back."""

from bot.domain import Response, domain_from_dict, load_domain
from bot.domain_writer import write_domain_yaml
from tests.bot.forms_bot import forms_domain
from tests.conftest import REPO
from tests.rasa_schema import validate_domain

RICH = {
    "intents": ["greet", "no"],
    "entities": ["city"],
    "slots": {
        "city": {"type": "text"},
        "mood": {"type": "categorical", "values": ["happy", "sad"]},
        "age": {"type": "float", "min_value": 0, "max_value": 120, "initial_value": 30},
        "count": {"type": "text", "influence_conversation": False},
    },
    "responses": {
        "utter_cheer_up": [
            {"text": "Here is something:", "image": "https://example.org/cat.jpg"},
            {"text": "Or this?", "buttons": [{"title": "yes", "payload": "/affirm"}]},
        ],
        "utter_card": [{"custom": {"blocks": [{"type": "divider"}]}, "channel": "slack"}],
        "utter_greet": ["hello {city}"],
    },
    "actions": ["action_search", "utter_greet"],
}


def test_images_buttons_and_custom_payloads_survive_the_domain_and_its_export():
    domain = domain_from_dict(RICH)
    assert domain.responses["utter_cheer_up"][0].image == "https://example.org/cat.jpg"
    assert domain.responses["utter_card"] == (
        Response("", custom={"blocks": [{"type": "divider"}]}, extra={"channel": "slack"}),
    )
    text = write_domain_yaml(domain)
    validate_domain(text)
    again = domain_from_dict(validate_domain(text))
    assert again.responses == domain.responses
    assert again.intents == domain.intents  # `no` stays an intent name (YAML 1.2)
    assert again.actions == domain.actions
    assert [(s.name, s.type, s.featurized) for s in again.slots] == [
        (s.name, s.type, s.featurized) for s in domain.slots
    ]
    assert again.slot("age").initial_value == 30


def test_slots_get_the_mappings_ozbot_fills_them_by():
    written = validate_domain(write_domain_yaml(domain_from_dict(RICH)))
    assert written["slots"]["city"]["mappings"] == [{"type": "from_entity", "entity": "city"}]
    assert written["slots"]["mood"]["mappings"] == [{"type": "custom"}]
    assert written["slots"]["count"] == {
        "type": "any",
        "influence_conversation": False,
        "mappings": [{"type": "custom"}],
    }


def test_a_rasa_core_0_domain_becomes_a_rasa_3_domain():
    written = validate_domain(write_domain_yaml(load_domain(REPO / "domain.yml")))
    assert written["version"] == "3.1"
    assert "actions.ActionSearchConcerts" not in written["actions"]
    assert "action_search_concerts" in written["actions"]
    assert not {"action_listen", "action_restart", "action_default_fallback"} & set(
        written["actions"]
    )
    assert written["responses"]["utter_greet"] == [{"text": "hey there!"}]


def test_forms_and_slot_mappings_are_written_as_rasa_3_reads_them_and_read_back():
    domain = forms_domain()
    written = validate_domain(write_domain_yaml(domain))
    assert written["forms"] == {
        "restaurant_form": {
            "required_slots": ["cuisine", "num_people", "outdoor_seating"],
            "ignored_intents": ["chitchat"],
        }
    }
    assert written["slots"]["cuisine"]["mappings"] == [
        {
            "type": "from_entity",
            "entity": "cuisine",
            "conditions": [{"active_loop": "restaurant_form", "requested_slot": "cuisine"}],
        }
    ]
    assert "restaurant_form" not in written["actions"]
    assert "action_deactivate_loop" not in written["actions"]
    again = domain_from_dict(written)
    assert again.forms == domain.forms
    assert [s.mappings for s in again.slots] == [s.mappings for s in domain.slots]
