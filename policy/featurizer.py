"""States to numbers: the last `max_history` states of a dialogue as one row for LightGBM.

Each history position (padded at the start, so the current state is always the last block)
has: a present flag, the previous action, the intent, the entities and the slots. Names the
vocabulary does not know (a model older than the data) set an "unknown" flag instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.domain import Domain
from bot.events import ACTION_LISTEN
from bot.tracker import State

Row = NDArray[np.float32]


@dataclass(frozen=True)
class SlotSpec:
    name: str
    type: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """What the featurizer knows, in a fixed order: a row's columns depend on nothing else."""

    actions: tuple[str, ...]
    intents: tuple[str, ...]
    entities: tuple[str, ...]
    slots: tuple[SlotSpec, ...]

    @classmethod
    def from_domain(cls, domain: Domain) -> Vocabulary:
        slots = tuple(SlotSpec(s.name, s.type, s.values) for s in domain.slots if s.featurized)
        return cls(domain.actions, domain.intents, domain.entities, slots)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        slots = tuple(SlotSpec(s["name"], s["type"], tuple(s["values"])) for s in data["slots"])
        return cls(tuple(data["actions"]), tuple(data["intents"]), tuple(data["entities"]), slots)


def _state_columns(vocabulary: Vocabulary) -> dict[tuple[str, ...], int]:
    """Column keys of one history position, numbered in order."""
    keys: list[tuple[str, ...]] = [("present",)]
    for kind, names in (
        ("action", vocabulary.actions),
        ("intent", vocabulary.intents),
        ("entity", vocabulary.entities),
    ):
        keys += [(kind, name) for name in names] + [("unknown", kind)]
    for slot in vocabulary.slots:
        if slot.type == "categorical":
            keys += [("slot", slot.name, value) for value in (*slot.values, "__other__")]
        else:
            keys.append(("slot", slot.name))
        if slot.type in ("bool", "float"):
            keys.append(("slot_value", slot.name))
    keys.append(("unknown", "slot"))
    return {key: index for index, key in enumerate(keys)}


class Featurizer:
    """Encodes a dialogue's states (what `Tracker.states()` gives) as one row."""

    DIALOGUE_FEATURES = ("length", "actions_since_user")
    """Counted within the window, so a training example (already cut to `max_history`
    states) and a whole live dialogue are encoded alike."""

    def __init__(self, vocabulary: Vocabulary, max_history: int) -> None:
        self.vocabulary = vocabulary
        self.max_history = max_history
        self._columns = _state_columns(vocabulary)
        self._slots = {slot.name: slot for slot in vocabulary.slots}
        self.state_width = len(self._columns)
        self.width = max_history * self.state_width + len(self.DIALOGUE_FEATURES)

    @classmethod
    def for_domain(cls, domain: Domain, max_history: int) -> Featurizer:
        return cls(Vocabulary.from_domain(domain), max_history)

    def encode(self, states: Sequence[State]) -> Row:
        return self.encode_many([states])[0]

    def encode_many(self, histories: Sequence[Sequence[State]]) -> NDArray[np.float32]:
        """One row per history; states repeat a lot, so each distinct one is encoded once."""
        rows = np.zeros((len(histories), self.width), dtype=np.float32)
        cache: dict[State, Row] = {}
        tail = self.max_history * self.state_width
        for row, states in zip(rows, histories, strict=True):
            window = states[-self.max_history :]
            start = (self.max_history - len(window)) * self.state_width
            for offset, state in enumerate(window):
                if state not in cache:
                    cache[state] = self._state_vector(state)
                at = start + offset * self.state_width
                row[at : at + self.state_width] = cache[state]
            row[tail] = len(window)
            row[tail + 1] = _actions_since_user(window)
        return rows

    def _state_vector(self, state: State) -> Row:
        vector = np.zeros(self.state_width, dtype=np.float32)
        vector[self._columns["present",]] = 1.0
        if state.prev_action is not None:
            vector[self._column("action", state.prev_action)] = 1.0
        if state.intent is not None:
            vector[self._column("intent", state.intent)] = 1.0
        for entity in state.entities:
            vector[self._column("entity", entity)] = 1.0
        for name, value in state.slots:
            self._set_slot(vector, name, value)
        return vector

    def _column(self, kind: str, name: str) -> int:
        return self._columns.get((kind, name), self._columns["unknown", kind])

    def _set_slot(self, vector: Row, name: str, value: Any) -> None:
        """`value` is already featurized (`bot.tracker.slot_feature`)."""
        slot = self._slots.get(name)
        if slot is None:
            vector[self._columns["unknown", "slot"]] = 1.0
        elif slot.type == "categorical":
            other = self._columns["slot", name, "__other__"]
            vector[self._columns.get(("slot", name, str(value)), other)] = 1.0
        else:
            vector[self._columns["slot", name]] = 1.0
            if slot.type in ("bool", "float") and isinstance(value, int | float):
                vector[self._columns["slot_value", name]] = float(value)

    def to_dict(self) -> dict[str, Any]:
        return {"max_history": self.max_history, "vocabulary": self.vocabulary.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Featurizer:
        return cls(Vocabulary.from_dict(data["vocabulary"]), int(data["max_history"]))


def _actions_since_user(window: Sequence[State]) -> int:
    """Bot actions since the user's last message, as far as the window sees."""
    count = 0
    for state in reversed(window):
        if state.prev_action in (None, ACTION_LISTEN):
            break
        count += 1
    return count
