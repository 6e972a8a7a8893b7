"""NLU test data scored as `rasa test nlu` scores it."""

import pytest

from bot.nlu.model import EntitySpan, Example, NluData, Understanding
from nlu.evaluation import evaluate_nlu

READINGS = {
    "hi": (("greet", 0.9),),
    "concerts in Berlin": (("search_concerts", 0.8),),
    "venues please": (("search_concerts", 0.7),),
    "what is the weather": (("greet", 0.2),),
}
SPANS = {"concerts in Berlin": (EntitySpan(12, 18, "city", "Berlin"), EntitySpan(0, 8, "x", "c"))}


def parse(text):
    return Understanding(text, READINGS[text], SPANS.get(text, ()))


def test_intents_entities_and_out_of_scope_are_counted_as_rasa_counts():
    test = NluData(
        (
            Example("hi", "greet"),
            Example(
                "concerts in Berlin", "search_concerts", (EntitySpan(12, 18, "city", "Berlin"),)
            ),
            Example("venues please", "search_venues"),
            Example("what is the weather", "out_of_scope"),
        )
    )
    report = evaluate_nlu(parse, test, threshold=0.3)
    assert report.examples == 4
    assert report.intent_accuracy == 0.75  # the weather reads as nlu_fallback: right
    assert report.out_of_scope_recall == 1.0
    assert (report.entity_precision, report.entity_recall) == (0.5, 1.0)
    assert report.entity_f1 == pytest.approx(2 / 3)
    assert [(m.text, m.gold_intent, m.predicted_intent) for m in report.misses] == [
        ("concerts in Berlin", "search_concerts", "search_concerts"),
        ("venues please", "search_venues", "search_concerts"),
    ]
    assert report.misses[0].predicted_entities == (("city", "Berlin"), ("x", "concerts"))
    assert set(report.to_dict()) == {
        "examples",
        "intent_accuracy",
        "intent_macro_f1",
        "intent_weighted_f1",
        "entity_precision",
        "entity_recall",
        "entity_f1",
        "out_of_scope_recall",
    }


def test_without_out_of_scope_examples_there_is_no_out_of_scope_recall():
    report = evaluate_nlu(parse, NluData((Example("hi", "greet"),)), threshold=0.3)
    assert report.out_of_scope_recall is None
    assert report.intent_accuracy == report.intent_macro_f1 == 1.0
