"""The built-in NLU as a part of every model version (`policy.model_store.ModelPart`).

A version's NLU learns from the project's NLU data and from each free-text message trainers
taught (as last read: confirmed or corrected), so a correction carries over to messages like it
once the version is live, on every replica, since a version is published whole. The part also
keeps the taught messages themselves: each reads exactly as taught wherever the version serves.
A retrain that brings nothing new for the NLU copies the live version's NLU instead of training.

    models/<version>/nlu/   the NluModel's files (nlu/model.py), plus
        taught.json         the taught messages, [intent, text in Rasa's markup] each
        data.json           fingerprints of the project's NLU data and of all it learned from
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ModelError, NluDataError
from bot.events import Event
from bot.folders import write_json
from bot.nlu.export import taught_examples
from bot.nlu.markup import parse_markup, write_markup
from bot.nlu.model import Example, NluData, Understanding
from bot.nlu.normalised import normalised
from bot.nlu.spans import as_taught
from nlu.model import FORMAT, RECIPE, NluModel, train_nlu

NAME = "nlu"
TAUGHT, FINGERPRINTS = "taught.json", "data.json"


@dataclass(frozen=True)
class VersionNlu:
    """A version's NLU, loaded: its model, and the messages trainers taught it by their
    normalised text."""

    model: NluModel
    taught: Mapping[str, Example]

    def parse(self, text: str) -> Understanding:
        example = self.taught.get(normalised(text))
        if example is None:
            return self.model.parse(text)
        entities = {span.entity: span.value for span in example.entities}
        return as_taught(text, example.intent, entities)


@dataclass(frozen=True)
class NluPart:
    """Implements `policy.model_store.ModelPart` for the project's NLU data."""

    data: NluData
    name: str = NAME

    def build(
        self, conversations: Mapping[str, Sequence[Event]], folder: Path, previous: Path | None
    ) -> None:
        taught = tuple(
            example
            for events in conversations.values()  # the most recently taught last: it wins
            for example in taught_examples(events).examples
        )
        everything = self.data.merged(NluData(taught))
        prints = {"data": fingerprint(self.data), "all": fingerprint(everything)}
        if previous is not None and _fingerprints(previous) == prints:
            shutil.copytree(previous, folder)
            return
        train_nlu(everything).save(folder)
        marked = [[example.intent, text] for example in taught if (text := _marked(example))]
        (folder / TAUGHT).write_text(json.dumps(marked, ensure_ascii=False), encoding="utf-8")
        write_json(folder / FINGERPRINTS, prints)

    def load(self, folder: Path) -> VersionNlu:
        prints = _fingerprints(folder)
        if prints is None:
            raise ModelError(f"{folder}: this version has no NLU; a retrain adds it")
        if prints.get("data") != fingerprint(self.data):
            raise ModelError(
                f"{folder}: the NLU data, or how ozbot trains the NLU, changed since this "
                "version was trained"
            )
        model = NluModel.load(folder)
        try:
            marked = json.loads((folder / TAUGHT).read_text(encoding="utf-8"))
            taught = [_example(intent, text, folder) for intent, text in marked]
        except (OSError, ValueError, TypeError) as exc:
            raise ModelError(f"{folder / TAUGHT}: corrupt ({exc}); retrain") from exc
        return VersionNlu(model, {normalised(example.text): example for example in taught})


def _marked(example: Example) -> str | None:
    """The example in Rasa's markup; None for one that cannot be written so that it reads
    back the same (it still trains the model)."""
    try:
        return write_markup(example)
    except NluDataError:
        return None


def _example(intent: str, marked: str, folder: Path) -> Example:
    try:
        text, spans = parse_markup(marked, str(folder / TAUGHT))
    except NluDataError as exc:
        raise ValueError(str(exc)) from exc
    return Example(text, intent, spans)


def _fingerprints(folder: Path) -> dict[str, str] | None:
    try:
        found = json.loads((folder / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def fingerprint(data: NluData) -> str:
    """Equal for equal data, model format and recipe, whatever order the synonyms were read in."""
    content = {"format": FORMAT, "recipe": RECIPE, **dataclasses.asdict(data)}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
