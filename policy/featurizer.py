"""States to numbers: a dialogue as one sparse row for LightGBM.

Each of the last `max_history` positions (padded at the start, so the current state is always
the last block) has: a present flag, the previous action, the intent, the entities and the
slots by type (categorical one-hot over its values and "other", bool and float as set plus
value, text and list as set) and the active form. Names the vocabulary does not know (a model
older than the data, a value outside a categorical slot's list) set an "unknown" or "other"
flag instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from bot.domain import Domain
from bot.events import ACTION_LISTEN
from bot.tracker import State

Row = NDArray[np.float32]
STATE_CACHE_SIZE = 100_000
"""Encoded states kept; past this the cache starts again (a long-running bot sees new slots)."""


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
    loops: tuple[str, ...] = ()
    """The domain's forms."""

    @classmethod
    def from_domain(cls, domain: Domain) -> Vocabulary:
        slots = tuple(SlotSpec(s.name, s.type, s.values) for s in domain.slots if s.featurized)
        return cls(domain.actions, domain.intents, domain.entities, slots, tuple(domain.forms))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        slots = tuple(SlotSpec(s["name"], s["type"], tuple(s["values"])) for s in data["slots"])
        return cls(
            tuple(data["actions"]),
            tuple(data["intents"]),
            tuple(data["entities"]),
            slots,
            tuple(data.get("loops", ())),  # none in a model from before forms
        )


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
    keys += [("loop", name) for name in vocabulary.loops]  # none without forms: rows unchanged
    return {key: index for index, key in enumerate(keys)}


class Featurizer:
    """Encodes a dialogue's states (what `Tracker.states()` gives) as one sparse row.

    After the `max_history` state blocks come whole-dialogue features: the window's length, the
    bot actions since the user's last message, and which intents the user has used since the
    dialogue began (the task of a form-filling dialogue is often said long before the window).
    """

    def __init__(self, vocabulary: Vocabulary, max_history: int) -> None:
        self.vocabulary = vocabulary
        self.max_history = max_history
        self._columns = _state_columns(vocabulary)
        self._slots = {slot.name: slot for slot in vocabulary.slots}
        self._intents = {intent: i for i, intent in enumerate(vocabulary.intents)}
        self.state_width = len(self._columns)
        self._tail = max_history * self.state_width
        self.width = self._tail + 2 + len(vocabulary.intents) + 1
        self._cache: dict[State, tuple[list[int], list[float]]] = {}

    @classmethod
    def for_domain(cls, domain: Domain, max_history: int) -> Featurizer:
        return cls(Vocabulary.from_domain(domain), max_history)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (to and from a training process) without the cache of encoded states."""
        return (Featurizer, (self.vocabulary, self.max_history))

    def sparse_row(self, states: Sequence[State]) -> tuple[list[int], list[float]]:
        """The columns that are not zero, ascending, and their values."""
        window = states[-self.max_history :]
        start = self.max_history - len(window)
        indices: list[int] = []
        values: list[float] = []
        for position, state in enumerate(window, start):
            columns, state_values = self._state_features(state)
            base = position * self.state_width
            indices += [base + column for column in columns]
            values += state_values
        tail = self._tail
        indices.append(tail)
        values.append(float(len(window)))
        since = _actions_since_user(window)
        if since:
            indices.append(tail + 1)
            values.append(float(since))
        unknown = len(self._intents)
        seen = {self._intents.get(s.intent, unknown) for s in states if s.intent is not None}
        indices += [tail + 2 + i for i in sorted(seen)]
        values += [1.0] * len(seen)
        return indices, values

    def encode(self, states: Sequence[State]) -> Row:
        """One dense row, for a person or a test to look at."""
        row = np.zeros(self.width, dtype=np.float32)
        indices, values = self.sparse_row(states)
        row[indices] = values
        return row

    def encode_many(self, histories: Sequence[Sequence[State]]) -> csr_matrix:
        """One sparse row per history: dense rows of 10,000 stories would take gigabytes."""
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        for states in histories:
            row_indices, row_values = self.sparse_row(states)
            indices += row_indices
            values += row_values
            indptr.append(len(indices))
        data = (
            np.array(values, dtype=np.float32),
            np.array(indices, dtype=np.int32),
            np.array(indptr, dtype=np.int64),
        )
        return csr_matrix(data, shape=(len(histories), self.width))

    def _state_features(self, state: State) -> tuple[list[int], list[float]]:
        """Cached: a dialogue's states repeat, and so do the states of all dialogues."""
        cached = self._cache.get(state)
        if cached is None:
            if len(self._cache) >= STATE_CACHE_SIZE:
                self._cache.clear()
            cached = self._cache[state] = self._state_vector(state)
        return cached

    def _state_vector(self, state: State) -> tuple[list[int], list[float]]:
        features = {self._columns["present",]: 1.0}
        if state.prev_action is not None:
            features[self._column("action", state.prev_action)] = 1.0
        if state.intent is not None:
            features[self._column("intent", state.intent)] = 1.0
        for entity in state.entities:
            features[self._column("entity", entity)] = 1.0
        for name, value in state.slots:
            self._set_slot(features, name, value)
        loop = self._columns.get(("loop", state.active_loop or ""))
        if loop is not None:
            features[loop] = 1.0
        columns = sorted(column for column, value in features.items() if value)
        return columns, [features[column] for column in columns]

    def _column(self, kind: str, name: str) -> int:
        return self._columns.get((kind, name), self._columns["unknown", kind])

    def _set_slot(self, features: dict[int, float], name: str, value: Any) -> None:
        """`value` is already featurized (`bot.tracker.slot_feature`)."""
        slot = self._slots.get(name)
        if slot is None:
            features[self._columns["unknown", "slot"]] = 1.0
        elif slot.type == "categorical":
            other = self._columns["slot", name, "__other__"]
            features[self._columns.get(("slot", name, str(value)), other)] = 1.0
        else:
            features[self._columns["slot", name]] = 1.0
            if slot.type in ("bool", "float") and isinstance(value, int | float):
                features[self._columns["slot_value", name]] = float(value)

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
