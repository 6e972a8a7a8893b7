from __future__ import annotations

import pytest

from bot.nlu.model import Example, Regex
from nlu.intents import DEFAULT_TEMPERATURES, train_intents
from nlu.tokens import Patterns
from tests.nlu.concert import concert_data

NO_PATTERNS = Patterns.of((), ())
NAMES = ("Ana", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun")
CITIES = ("Berlin", "Paris", "Rome", "Lima", "Cairo", "Delhi", "Tokyo", "Quito", "Accra", "Perth")


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
    examples = tuple(Example(f"hello {name}", "greet") for name in NAMES[:5]) + tuple(
        Example(f"concerts in {city}", "search_concerts") for city in CITIES[:5]
    )
    classifier = train_intents(examples, NO_PATTERNS)
    assert classifier.temperature == DEFAULT_TEMPERATURES["logistic"]
    assert classifier.rank("asdf qwerty zxcv")[0][1] < 0.9


def test_an_intents_name_read_as_words_is_one_more_example() -> None:
    examples = (
        Example("hello", "greet"),
        Example("hi Lance", "greet"),
        Example("how much money do I have", "check_balance"),
        Example("what is left in my account", "check_balance"),
    )
    classifier = train_intents(examples, NO_PATTERNS)
    assert classifier.rank("balance?")[0][0] == "check_balance"


@pytest.mark.parametrize("per_intent", [3, 40])
def test_few_or_many_examples_an_intent_rank_unseen_messages(per_intent: int) -> None:
    """Few examples train one learner, many the other: both must get these right."""
    greetings = [f"{word} {name}" for word in ("hi", "hello", "hey", "howdy") for name in NAMES]
    searches = [
        f"{ask} in {city}" for ask in ("concerts", "gigs", "shows", "live music") for city in CITIES
    ]
    examples = tuple(
        [Example(text, "greet") for text in greetings[:per_intent]]
        + [Example(text, "search_concerts") for text in searches[:per_intent]]
    )
    classifier = train_intents(examples, NO_PATTERNS)
    assert classifier.rank("hello Oslo friends")[0][0] == "greet"
    assert classifier.rank("any gigs in Oslo?")[0][0] == "search_concerts"
    assert sum(p for _, p in classifier.rank("hmm")) == pytest.approx(1.0)
