"""Words of a message with their character offsets, and the regex and lookup entries found in it.

One tokenizer for the entity extractor and its training data, so that a span learned from an
annotation is a span the extractor can find again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.model import Lookup, Regex

TOKEN = re.compile(r"\w+|[^\w\s]")
"""A run of word characters, or one punctuation mark: "Berlin?" is two tokens."""


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


@dataclass(frozen=True)
class Patterns:
    """The project's regexes and lookup lists, compiled once: a lookup list becomes one
    case-insensitive alternation on word boundaries, longest element first (Rasa does the same)."""

    names: tuple[str, ...]
    compiled: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, regexes: tuple[Regex, ...], lookups: tuple[Lookup, ...]) -> Patterns:
        names = [f"regex:{r.name}" for r in regexes] + [f"lookup:{lk.name}" for lk in lookups]
        compiled = [re.compile(r.pattern) for r in regexes] + [_lookup(lk) for lk in lookups]
        return cls(tuple(names), tuple(compiled))

    def matches(self, text: str) -> list[tuple[str, int, int]]:
        """(name, start, end) of every non-empty match in the text."""
        return [
            (name, m.start(), m.end())
            for name, pattern in zip(self.names, self.compiled, strict=True)
            for m in pattern.finditer(text)
            if m.end() > m.start()
        ]

    def found(self, text: str) -> list[str]:
        """The names of the patterns that match anywhere in the text."""
        return [
            name
            for name, pattern in zip(self.names, self.compiled, strict=True)
            if pattern.search(text)
        ]


def _lookup(lookup: Lookup) -> re.Pattern[str]:
    elements = sorted({e.strip() for e in lookup.elements if e.strip()}, key=len, reverse=True)
    if not elements:
        return re.compile(r"(?!x)x")  # matches nothing
    alternation = "|".join(re.escape(e) for e in elements)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
