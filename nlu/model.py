"""The built-in NLU: train it on a project's NluData, parse a message, keep it in a folder.

    intents.json     the intents, the n-gram vocabularies, the softmax temperature
    intents.npz      idf weights, the linear model's weights and biases (numpy, no pickle)
    entities.crfsuite  crfsuite's own model file (absent when the data had no entities)
    nlu.json         format version, synonyms, regexes and lookup lists

No pickle anywhere: loading a folder runs no code from it. The folder is written whole: into
a staging folder beside it, then renamed into place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import ModelError
from bot.folders import replaced_whole, write_json
from bot.nlu.model import Lookup, NluData, Regex, Understanding
from bot.nlu.sections import annotation_synonyms
from nlu.entities import EntityExtractor, train_entities
from nlu.intents import IntentClassifier, train_intents
from nlu.tokens import Patterns

FORMAT = 1
RECIPE = 2
"""How the NLU learns (its features and learners): raised when that changes, so that a model
version's NLU trained the old way is trained again."""
INTENTS_JSON, INTENTS_NPZ, ENTITIES, META = (
    "intents.json",
    "intents.npz",
    "entities.crfsuite",
    "nlu.json",
)


class NluModel:
    """A trained NLU: `parse` is pure and fast (a few hundred microseconds at most)."""

    def __init__(self, intents: IntentClassifier, entities: EntityExtractor, data: NluData) -> None:
        self._intents = intents
        self._entities = entities
        self._data = NluData((), data.synonyms, data.regexes, data.lookups)

    @property
    def intents(self) -> frozenset[str]:
        """The intents it can recognise."""
        return frozenset(self._intents.intents)

    def parse(self, text: str) -> Understanding:
        return Understanding(text, self._intents.rank(text), self._entities.extract(text))

    def save(self, folder: Path) -> None:
        """Write the model to `folder`, replacing what is there; blocking."""
        with replaced_whole(folder) as staging:
            write_json(staging / INTENTS_JSON, self._intents.to_dict())
            arrays: dict[str, Any] = self._intents.arrays()
            with (staging / INTENTS_NPZ).open("wb") as file:
                np.savez(file, **arrays)
            if self._entities.model:
                (staging / ENTITIES).write_bytes(self._entities.model)
            write_json(staging / META, _meta(self._data))

    @classmethod
    def load(cls, folder: Path) -> NluModel:
        """The model saved in `folder`; ModelError when it is missing or corrupt."""
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ModelError(f"{folder}: NLU model format {meta.get('format')}, not {FORMAT}")
            data = _data(meta)
            patterns = Patterns.of(data.regexes, data.lookups)
            saved = json.loads((folder / INTENTS_JSON).read_text(encoding="utf-8"))
            with np.load(folder / INTENTS_NPZ, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            intents = IntentClassifier.from_saved(saved, arrays, patterns)
            crf = folder / ENTITIES
            model = crf.read_bytes() if crf.exists() else b""
            return cls(intents, EntityExtractor(model, patterns, data.synonyms), data)
        except ModelError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{folder}: cannot read the NLU model ({exc}); retrain it") from exc


def train_nlu(data: NluData, *, seed: int = 42) -> NluModel:
    """Train on the project's NLU data; blocking (seconds), so run it off the event loop.

    Synonyms come from the data's synonym entries and from every annotation whose value differs
    from its text (`[NYC]{"entity": "city", "value": "New York"}`), as Rasa learns them."""
    synonyms = {**annotation_synonyms(data.examples), **data.synonyms}
    data = NluData(data.examples, synonyms, data.regexes, data.lookups)
    patterns = Patterns.of(data.regexes, data.lookups)
    intents = train_intents(data.examples, patterns, seed=seed)
    entities = train_entities(data.examples, patterns, synonyms)
    return NluModel(intents, entities, data)


def _meta(data: NluData) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "synonyms": data.synonyms,
        "regexes": [[r.name, r.pattern] for r in data.regexes],
        "lookups": [[lk.name, list(lk.elements)] for lk in data.lookups],
    }


def _data(meta: dict[str, Any]) -> NluData:
    return NluData(
        (),
        dict(meta["synonyms"]),
        tuple(Regex(name, pattern) for name, pattern in meta["regexes"]),
        tuple(Lookup(name, tuple(elements)) for name, elements in meta["lookups"]),
    )


__all__ = ["NluModel", "train_nlu"]
