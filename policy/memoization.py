"""Exact recall of training dialogues, and of what the trainer taught (which wins).

Keys are the last 1..max_history states before an action; recall tries the longest first, so
the most specific history that was seen decides, and a shorter one generalizes when the
longer history is new.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from bot.tracker import State
from policy.dataset import Example

Key = tuple[State, ...]


class Memoization:
    def __init__(self, max_history: int) -> None:
        self.max_history = max_history
        self._trained: dict[Key, str | None] = {}
        """None marks a key the training data answers with different actions."""
        self._taught: dict[Key, str] = {}

    def train(self, examples: Iterable[Example]) -> None:
        """Remember the stories; a history seen with different actions recalls nothing."""
        for example in examples:
            for key in self._keys(example.states):
                known = self._trained.setdefault(key, example.action)
                if known is not None and known != example.action:
                    self._trained[key] = None

    def teach(self, examples: Iterable[Example]) -> None:
        """Trainer-approved actions: they override the stories and earlier teachings."""
        for example in examples:
            for key in self._keys(example.states):
                self._taught[key] = example.action

    def recall(self, states: Sequence[State]) -> str | None:
        """The action of the longest known history that ends with `states`, or None."""
        for key in self._keys(states):
            action = self._taught.get(key) or self._trained.get(key)
            if action is not None:
                return action
        return None

    def _keys(self, states: Sequence[State]) -> Iterator[Key]:
        """Suffixes of `states`, longest first."""
        for length in range(min(len(states), self.max_history), 0, -1):
            yield tuple(states[-length:])

    def to_dict(self) -> dict[str, Any]:
        """JSON form; each distinct state is written once and keys refer to it by number."""
        numbers: dict[State, int] = {}
        trained = [[_numbered(key, numbers), action] for key, action in self._trained.items()]
        taught = [[_numbered(key, numbers), action] for key, action in self._taught.items()]
        return {
            "max_history": self.max_history,
            "states": [_state_to_json(state) for state in numbers],
            "trained": trained,
            "taught": taught,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Memoization:
        memo = cls(int(data["max_history"]))
        states = [_state_from_json(item) for item in data["states"]]
        memo._trained = {tuple(states[i] for i in key): action for key, action in data["trained"]}
        memo._taught = {tuple(states[i] for i in key): action for key, action in data["taught"]}
        return memo


def _numbered(key: Key, numbers: dict[State, int]) -> list[int]:
    return [numbers.setdefault(state, len(numbers)) for state in key]


def _state_to_json(state: State) -> list[Any]:
    slots = [[name, value] for name, value in state.slots]
    return [state.prev_action, state.intent, sorted(state.entities), slots]


def _state_from_json(item: list[Any]) -> State:
    prev_action, intent, entities, slots = item
    return State(prev_action, intent, frozenset(entities), tuple((n, v) for n, v in slots))
