from __future__ import annotations

import pycrfsuite

from bot.nlu.model import EntitySpan, Example
from nlu.entities import spans_of, tags_of, token_features, train_entities
from nlu.tokens import Patterns, tokenize
from tests.nlu.concert import CITIES, ZIP, concert_data, example

NO_PATTERNS = Patterns.of((), ())


def test_spans_have_exact_offsets() -> None:
    extractor = train_entities(concert_data().examples, NO_PATTERNS, {})
    text = "any concerts in Rome?"
    assert extractor.extract(text) == (EntitySpan(16, 20, "city", "Rome"),)


def test_a_synonym_maps_the_value_whatever_the_case() -> None:
    extractor = train_entities(concert_data().examples, NO_PATTERNS, {"nyc": "New York"})
    assert extractor.extract("any concerts near NYC?") == (EntitySpan(18, 21, "city", "New York"),)


def test_lookup_and_regex_matches_are_features_the_crf_learns() -> None:
    patterns = Patterns.of((ZIP,), (CITIES,))
    extractor = train_entities(concert_data().examples, patterns, {})
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(extractor.model)
    assert tagger.info().state_features[("lookup:city", "U-city")] > 0
    text = "concerts in Vienna near 10115"
    features = token_features(text, tokenize(text), patterns)
    assert features[2]["lookup:city"] is True
    assert features[4]["regex:zipcode"] is True
    assert "lookup:city" not in features[0]


def test_no_entities_in_the_data_finds_none() -> None:
    extractor = train_entities((Example("hi", "greet"), Example("bye", "goodbye")), NO_PATTERNS, {})
    assert extractor.model == b""
    assert extractor.extract("concerts in Berlin") == ()


def test_bilou_tags_and_back() -> None:
    marked = example("from [New York City](city) to [Rome](city) now", "travel")
    tokens = tokenize(marked.text)
    tags = tags_of(tokens, marked)
    assert tags == ["O", "B-city", "I-city", "L-city", "O", "U-city", "O"]
    assert [(s, e, n) for s, e, n in spans_of(tokens, tags)] == [
        (5, 18, "city"),
        (22, 26, "city"),
    ]


def test_a_sloppy_tag_sequence_still_gives_spans() -> None:
    tokens = tokenize("new york rome")
    assert spans_of(tokens, ["B-city", "I-city", "B-city"]) == [(0, 8, "city"), (9, 13, "city")]
