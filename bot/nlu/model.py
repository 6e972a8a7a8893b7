"""NLU training data and what an interpreter understood, as values.

What the Rasa NLU formats read and write (bot/nlu/), what the built-in NLU trains on (nlu/), and
what every interpreter returns for a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NLU_FALLBACK = "nlu_fallback"
"""Rasa's intent for a message understood below the confidence threshold."""
OUT_OF_SCOPE = "out_of_scope"
"""Rasa's intent for the messages none of the bot's intents covers: examples of it in the NLU
data teach the NLU what to fall back on; read as nlu_fallback unless the domain lists it."""


@dataclass(frozen=True)
class EntitySpan:
    """An entity in a message: `text[start:end]` is what the user wrote, `value` what it means
    (the literal text, or the value an annotation or a synonym gives)."""

    start: int
    end: int
    entity: str
    value: Any
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Example:
    """One message of NLU training data: the text, its intent and its entities."""

    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()


@dataclass(frozen=True)
class Regex:
    """A named pattern that helps find an entity (or an intent) of that name."""

    name: str
    pattern: str


@dataclass(frozen=True)
class Lookup:
    """A named list of values that helps find an entity of that name."""

    name: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class NluData:
    """A project's NLU training data, from any number of files."""

    examples: tuple[Example, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)
    """A written form (lower case) -> the value it stands for."""
    regexes: tuple[Regex, ...] = ()
    lookups: tuple[Lookup, ...] = ()

    def merged(self, other: NluData) -> NluData:
        return NluData(
            self.examples + other.examples,
            {**self.synonyms, **other.synonyms},
            self.regexes + other.regexes,
            self.lookups + other.lookups,
        )

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents of the examples, in the order they first appear."""
        return tuple(dict.fromkeys(example.intent for example in self.examples))


@dataclass(frozen=True)
class Understanding:
    """What an interpreter understood of a message."""

    text: str
    intents: tuple[tuple[str, float], ...]
    """Every intent it knows with its confidence, the most likely first."""
    entities: tuple[EntitySpan, ...] = ()

    @property
    def intent(self) -> str:
        return self.intents[0][0] if self.intents else NLU_FALLBACK

    @property
    def confidence(self) -> float:
        return self.intents[0][1] if self.intents else 0.0
