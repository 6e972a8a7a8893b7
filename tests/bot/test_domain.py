import pytest

from bot.domain import DEFAULT_ACTIONS, class_action_name, domain_from_dict, entity_slot_events
from bot.errors import DomainError
from bot.events import SlotSet


def test_concert_domain_lists_actions_like_the_seed(concert_domain):
    assert concert_domain.actions == (
        *DEFAULT_ACTIONS,
        "utter_default",
        "utter_greet",
        "utter_goodbye",
        "utter_youarewelcome",
        "action_search_concerts",
        "action_search_venues",
        "action_show_concert_reviews",
        "action_show_venue_reviews",
        "action_default_fallback",
    )
    assert concert_domain.action_classes["action_search_concerts"] == "actions.ActionSearchConcerts"
    assert concert_domain.slot("concerts").type == "list"


def test_rasa_3_form_with_responses_and_options():
    domain = domain_from_dict(
        {
            "version": "3.1",
            "intents": [{"greet": {"use_entities": True}}, "bye"],
            "entities": ["city"],
            "slots": {
                "city": {"type": "text", "influence_conversation": False},
                "size": {"type": "categorical", "values": ["small", "large"]},
                "price": {"type": "float", "min_value": 0, "max_value": 100},
            },
            "responses": {
                "utter_greet": [
                    {"text": "Hi {city}", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
                ]
            },
            "actions": ["action_check"],
        }
    )
    assert domain.intents == ("greet", "bye")
    assert domain.slot("city").featurized is False
    assert domain.slot("price").max_value == 100
    assert domain.actions[-3:] == ("action_check", "utter_greet", "action_default_fallback")
    assert domain.response_for("utter_greet")[0].buttons == (("Yes", "/affirm"),)
    assert domain.response_for("greet") == domain.response_for("utter_greet")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slots": {"x": {"type": "colour"}}}, r"slots\.x\.type: unknown slot type 'colour'"),
        ({"slots": {"x": {"type": "categorical"}}}, r"slots\.x\.values"),
        ({"templates": {"utter_a": "hi"}}, r"templates\.utter_a: expected a list"),
        ({"actions": ["a", "a"]}, "actions: a is listed twice"),
        ({"intent": ["greet"]}, "unknown key"),
        (
            {"forms": {"f": {"required_slots": ["nope"]}}},
            r"forms\.f\.required_slots: nope is not a slot of the domain",
        ),
        (
            {"slots": {"s": {"type": "text", "mappings": [{"type": "from_entity"}]}}},
            r"slots\.s\.mappings\[0\]: a from_entity mapping names its `entity`",
        ),
        (
            {"slots": {"s": {"type": "text", "mappings": [{"type": "from_file"}]}}},
            r"slots\.s\.mappings\[0\]: each mapping needs a `type`: from_entity",
        ),
    ],
)
def test_errors_name_the_file_and_key(data, message):
    with pytest.raises(DomainError, match=r"^domain\.yml: " + message):
        domain_from_dict(data, "domain.yml")


def test_class_paths_get_the_rasa_0_name():
    assert class_action_name("actions.ActionShowConcertReviews") == "action_show_concert_reviews"


def test_entities_fill_slots_of_the_same_name():
    domain = domain_from_dict(
        {
            "entities": ["city", "date"],
            "slots": {"city": {"type": "text"}, "date": {"type": "text", "auto_fill": False}},
        }
    )
    assert entity_slot_events(domain, {"city": "Berlin", "date": "today", "x": 1}) == [
        SlotSet("city", "Berlin")
    ]


def test_fingerprint_follows_what_the_policy_depends_on(concert_domain):
    other = domain_from_dict({"intents": ["greet"]})
    assert concert_domain.fingerprint() != other.fingerprint()
    assert other.fingerprint() == domain_from_dict({"intents": ["greet"]}).fingerprint()


def test_a_variation_key_rasa_does_not_know_is_named_not_dropped():
    with pytest.raises(DomainError, match=r"responses.utter_hi: unknown key\(s\) imgae"):
        domain_from_dict({"responses": {"utter_hi": [{"text": "hi", "imgae": "http://x"}]}})


@pytest.mark.parametrize(
    ("variation", "error"),
    [
        ({"text": "hi", "channel": ["slack"]}, "utter_hi.channel: expected the name of a channel"),
        ({"text": "hi", "condition": {"member": True}}, "utter_hi.condition: expected a list"),
        ({"text": "hi", "condition": [{"type": "slot", "name": "member"}]}, "condition"),
        ({"text": "hi", "condition": [{"type": "intent", "name": "x", "value": 1}]}, "condition"),
    ],
)
def test_a_variation_s_channel_and_condition_must_be_rasa_s_shape(variation, error):
    with pytest.raises(DomainError, match=error):
        domain_from_dict({"responses": {"utter_hi": [variation]}})


def test_a_conditional_variation_keeps_its_condition():
    condition = [{"type": "slot", "name": "member", "value": True}]
    domain = domain_from_dict({"responses": {"utter_hi": [{"text": "hi", "condition": condition}]}})
    assert domain.responses["utter_hi"][0].extra == {"condition": condition}
