"""Tiny concert-bot NLU data, written with Rasa's `[text](entity)` markup for readability."""

from __future__ import annotations

import re

from bot.nlu.model import EntitySpan, Example, Lookup, NluData, Regex

MARKUP = re.compile(r"\[([^\]]+)\]\((\w+)(?::([^)]+))?\)")
"""`[Berlin](city)`, or `[NYC](city:New York)` for a value other than the text."""


def example(marked: str, intent: str) -> Example:
    text, spans, cursor = "", [], 0
    for match in MARKUP.finditer(marked):
        text += marked[cursor : match.start()]
        start = len(text)
        text += match.group(1)
        spans.append(EntitySpan(start, len(text), match.group(2), match.group(3) or match.group(1)))
        cursor = match.end()
    text += marked[cursor:]
    return Example(text, intent, tuple(spans))


GREET = ["hi", "hello there", "hey", "good morning", "hello"]
SEARCH = [
    "any concerts in [Berlin](city)?",
    "show me concerts in [Paris](city)",
    "what concerts are on in [London](city)",
    "find a gig in [Rome](city) please",
    "are there shows in [Madrid](city) tonight",
    "concerts near [NYC](city:New York)",
]
COMPARE = [
    "which one has better reviews?",
    "compare the reviews",
    "which of them is rated higher",
    "what do the reviews say",
    "which concert got the best reviews",
]


def concert_data(**extra: object) -> NluData:
    examples = tuple(
        [example(t, "greet") for t in GREET]
        + [example(t, "search_concerts") for t in SEARCH]
        + [example(t, "compare_reviews") for t in COMPARE]
    )
    return NluData(examples, **extra)  # type: ignore[arg-type]


CITIES = Lookup("city", ("Berlin", "Paris", "London", "Rome", "Madrid", "Lisbon", "Vienna"))
ZIP = Regex("zipcode", r"\b\d{5}\b")
