from __future__ import annotations

from bot.nlu.model import Lookup, Regex
from nlu.tokens import Patterns, Token, tokenize


def test_tokens_keep_their_offsets() -> None:
    text = "any concerts in Berlin?"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["any", "concerts", "in", "Berlin", "?"]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert tokens[3] == Token("Berlin", 16, 22)


def test_lookups_match_whole_words_case_insensitively_longest_first() -> None:
    patterns = Patterns.of((), (Lookup("city", ("York", "New York", "Rome")),))
    text = "from new york to Romeo and rome"
    assert patterns.matches(text) == [("lookup:city", 5, 13), ("lookup:city", 27, 31)]


def test_regexes_are_named_and_an_empty_lookup_matches_nothing() -> None:
    patterns = Patterns.of((Regex("zip", r"\d{5}"),), (Lookup("none", ()),))
    assert patterns.found("at 10115 please") == ["regex:zip"]
    assert patterns.matches("") == []
