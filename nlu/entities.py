"""The entity extractor: a linear-chain CRF (python-crfsuite) over tokens, BILOU tags.

Each token is described by its lower-cased word, prefixes and suffixes, shape, digit and title
flags, the same for its neighbours one and two away, and the regexes and lookup lists whose
matches it lies in: the standard CRF entity extractor (Rasa's CRFEntityExtractor is the same
idea). Tokens keep their character offsets, so a span found is exactly `text[start:end]`, and a
synonym maps its value. Roles and groups are not learned yet: spans come back without them.
"""

from __future__ import annotations

import os
import re
import tempfile

import pycrfsuite

from bot.nlu.model import EntitySpan, Example
from nlu.tokens import Patterns, Token, tokenize

OUTSIDE = "O"
_WORDY = re.compile(r"[^\W_]")
"""A letter or digit: a span without one (a symbol, an invisible mark) is no entity value."""
CRF_PARAMS = {"c1": 0.1, "c2": 0.01, "max_iterations": 100, "feature.possible_transitions": True}

Features = dict[str, float | str | bool]


class EntityExtractor:
    """Finds entities in a message; `model` is crfsuite's model file as bytes (empty when the
    training data had no entities: then it finds none)."""

    def __init__(self, model: bytes, patterns: Patterns, synonyms: dict[str, str]) -> None:
        self.model = model
        self.patterns = patterns
        self.synonyms = synonyms
        self._tagger = pycrfsuite.Tagger()
        if model:
            self._tagger.open_inmemory(model)

    def extract(self, text: str) -> tuple[EntitySpan, ...]:
        if not self.model:
            return ()
        tokens = tokenize(text)
        if not tokens:
            return ()
        tags = self._tagger.tag(token_features(text, tokens, self.patterns))
        return tuple(
            EntitySpan(
                start, end, entity, self.synonyms.get(text[start:end].lower(), text[start:end])
            )
            for start, end, entity in spans_of(tokens, tags)
            if _WORDY.search(text[start:end])
        )


def train_entities(
    examples: tuple[Example, ...], patterns: Patterns, synonyms: dict[str, str]
) -> EntityExtractor:
    """Fit the CRF on the annotated examples; blocking. Every example is used, also those
    without entities: they teach the CRF what is not an entity."""
    if not any(example.entities for example in examples):
        return EntityExtractor(b"", patterns, synonyms)
    trainer = pycrfsuite.Trainer(verbose=False)
    for example in examples:
        tokens = tokenize(example.text)
        if tokens:
            trainer.append(token_features(example.text, tokens, patterns), tags_of(tokens, example))
    trainer.set_params(CRF_PARAMS)
    handle, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(path)
        with open(path, "rb") as model:
            return EntityExtractor(model.read(), patterns, synonyms)
    finally:
        os.unlink(path)


def tags_of(tokens: list[Token], example: Example) -> list[str]:
    """BILOU tags: a token belongs to an entity when it overlaps the entity's span."""
    tags = [OUTSIDE] * len(tokens)
    for span in example.entities:
        inside = [i for i, t in enumerate(tokens) if t.start < span.end and t.end > span.start]
        if len(inside) == 1:
            tags[inside[0]] = f"U-{span.entity}"
        elif inside:
            tags[inside[0]] = f"B-{span.entity}"
            tags[inside[-1]] = f"L-{span.entity}"
            for i in inside[1:-1]:
                tags[i] = f"I-{span.entity}"
    return tags


def spans_of(tokens: list[Token], tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, entity) of the tagged runs; a run is cut where the entity changes or a
    new one begins, so a sloppy tag sequence (B without L) still gives spans."""
    spans: list[tuple[int, int, str]] = []
    current: tuple[int, int, str] | None = None
    for token, tag in zip(tokens, tags, strict=True):
        prefix, _, entity = tag.partition("-")
        continuing = current is not None and current[2] == entity and prefix in ("I", "L")
        if current is not None and not continuing:
            spans.append(current)
            current = None
        if prefix == OUTSIDE:
            continue
        start = current[0] if current is not None else token.start
        current = (start, token.end, entity)
        if prefix in ("L", "U"):
            spans.append(current)
            current = None
    if current is not None:
        spans.append(current)
    return spans


def token_features(text: str, tokens: list[Token], patterns: Patterns) -> list[Features]:
    own = [_own(token) for token in tokens]
    inside = _pattern_names(tokens, patterns.matches(text))
    features: list[Features] = []
    for i in range(len(tokens)):
        row: dict[str, float | str | bool] = {"bias": 1.0, **own[i]}
        for name in inside[i]:
            row[name] = True
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(tokens):
                row.update({f"{offset}:{k}": v for k, v in _near(own[j]).items()})
            else:
                row[f"{offset}:edge"] = True
        features.append(row)
    return features


def _own(token: Token) -> dict[str, float | str | bool]:
    word = token.text
    lower = word.lower()
    return {
        "low": lower,
        "pre2": lower[:2],
        "pre3": lower[:3],
        "suf2": lower[-2:],
        "suf3": lower[-3:],
        "shape": _shape(word),
        "digit": word.isdigit(),
        "title": word.istitle(),
        "upper": word.isupper(),
    }


def _near(own: dict[str, float | str | bool]) -> dict[str, float | str | bool]:
    keys = ("low", "suf3", "shape", "digit", "title")
    return {key: own[key] for key in keys}


def _shape(word: str) -> str:
    """ "Berlin" -> "Xx", "10pm" -> "dx", "NYC" -> "X": runs of one kind of character once."""
    kinds = [
        "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c for c in word
    ]
    return "".join(k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k)


def _pattern_names(tokens: list[Token], matches: list[tuple[str, int, int]]) -> list[list[str]]:
    return [
        [name for name, start, end in matches if token.start < end and token.end > start]
        for token in tokens
    ]
