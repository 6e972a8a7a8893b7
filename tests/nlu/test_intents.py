from __future__ import annotations

import pytest

from bot.nlu.model import Example, Regex
from nlu.intents import DEFAULT_TEMPERATURE, train_intents
from nlu.tokens import Patterns
from tests.nlu.concert import concert_data

NO_PATTERNS = Patterns.of((), ())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hello!", "greet"),
        ("hi there", "greet"),
        ("any concerts in Lisbon?", "search_concerts"),
        ("are there gigs in Vienna", "search_concerts"),
        ("which one has the best reviews", "compare_reviews"),
    ],
)
def test_unseen_paraphrases_get_the_right_intent(text: str, intent: str) -> None:
    classifier = train_intents(concert_data().examples, NO_PATTERNS)
    assert classifier.rank(text)[0][0] == intent


def test_the_ranking_holds_every_intent_sorted_and_sums_to_one() -> None:
    classifier = train_intents(concert_data().examples, NO_PATTERNS)
    ranking = classifier.rank("which concert in Berlin?")
    assert {name for name, _ in ranking} == {"greet", "search_concerts", "compare_reviews"}
    confidences = [c for _, c in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)


def test_training_is_deterministic() -> None:
    first = train_intents(concert_data().examples, NO_PATTERNS, seed=3)
    second = train_intents(concert_data().examples, NO_PATTERNS, seed=3)
    assert first.rank("concerts tonight?") == second.rank("concerts tonight?")


def test_one_example_per_intent_is_enough() -> None:
    examples = (Example("hello", "greet"), Example("concerts in Berlin", "search_concerts"))
    classifier = train_intents(examples, NO_PATTERNS)
    assert classifier.rank("hello there")[0][0] == "greet"
    assert classifier.rank("any concerts in Rome")[0][0] == "search_concerts"


def test_one_intent_or_none() -> None:
    only = train_intents((Example("hi", "greet"), Example("hey", "greet")), NO_PATTERNS)
    assert only.rank("anything") == (("greet", 1.0),)
    assert train_intents((), NO_PATTERNS).rank("anything") == ()


def test_a_regex_named_like_an_intent_helps_it() -> None:
    examples = (
        Example("my order is 12345", "order_status"),
        Example("where is 55555", "order_status"),
        Example("what about 90210", "order_status"),
        Example("hello", "greet"),
        Example("hi where is my friend", "greet"),
        Example("good day", "greet"),
    )
    text = "hi 48151"
    plain = train_intents(examples, NO_PATTERNS).rank(text)
    helped = train_intents(examples, Patterns.of((Regex("order_status", r"\b\d{5}\b"),), ()))
    assert helped.rank(text)[0][0] == "order_status"
    assert dict(helped.rank(text))["order_status"] > dict(plain)["order_status"]


def test_data_too_easy_to_calibrate_on_keeps_gibberish_unsure() -> None:
    """Held-out examples all right: no temperature fit, so nonsense is not read as certain."""
    classifier = train_intents(concert_data().examples, NO_PATTERNS)
    assert classifier.temperature == DEFAULT_TEMPERATURE
    assert classifier.rank("asdf qwerty zxcv")[0][1] < 0.9
