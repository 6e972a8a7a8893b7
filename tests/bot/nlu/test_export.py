"""A taught conversation's free text becomes NLU examples, as the trainer last confirmed it."""

from bot.events import ActionExecuted, Corrected, UserUtteranceReverted, UserUttered
from bot.nlu.export import taught_examples
from bot.nlu.model import EntitySpan, Example
from bot.nlu.spans import located


def taught(*events):
    return [*events, ActionExecuted("action_listen", "trainer", 1.0)]


def test_the_corrected_reading_is_the_example_and_typed_intents_are_none():
    events = taught(
        ActionExecuted("action_listen"),
        UserUttered("/greet", "greet"),
        UserUttered("Any concerts in berlin?", "greet", confidence=0.6),
        UserUtteranceReverted(),
        Corrected("intent", "greet", "search_concerts"),
        UserUttered("Any concerts in berlin?", "search_concerts", {"city": "Berlin"}),
    )
    assert taught_examples(events).examples == (
        Example(
            "Any concerts in berlin?",
            "search_concerts",
            (EntitySpan(16, 22, "city", "Berlin"),),
        ),
    )


def test_nothing_from_a_conversation_no_trainer_taught():
    events = [ActionExecuted("action_listen"), UserUttered("hello", "greet", confidence=0.9)]
    assert taught_examples(events).examples == ()


def test_a_message_whose_entity_value_is_not_in_its_text_is_left_out():
    events = taught(UserUttered("concerts in NYC", "search_concerts", {"city": "New York"}))
    assert taught_examples(events).examples == ()


def test_entities_are_located_in_text_order():
    spans = located("from Berlin to Paris", {"to": "Paris", "from": "Berlin"})
    assert [(s.entity, s.start, s.end) for s in spans] == [("from", 5, 11), ("to", 15, 20)]
