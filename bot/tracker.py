"""The tracker: a conversation's events folded into what the bot knows now.

Only the events since the last `Restarted` count, with reverted turns taken out. Appends update
the fold in O(1); a revert refolds what is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.domain import Domain, Slot
from bot.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)

SlotFeature = tuple[str, Any]


@dataclass(frozen=True)
class State:
    """What the policy sees before one bot action. Hashable, so memoization can key on it."""

    prev_action: str | None
    intent: str | None
    entities: frozenset[str]
    slots: tuple[SlotFeature, ...]
    """Featurized values of the slots that are set, by slot name, in domain order."""


def slot_feature(slot: Slot, value: Any) -> Any:
    """The hashable feature of a slot value, or None when it does not count as set."""
    if value is None or not slot.featurized:
        return None
    if slot.type in ("text", "list"):
        return True if value not in ("", [], {}) else None
    if slot.type == "bool":
        return bool(value)
    if slot.type == "categorical":
        text = str(value).lower()
        return next((v for v in slot.values if v.lower() == text), "__other__")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    span = slot.max_value - slot.min_value
    return round(min(max((number - slot.min_value) / span, 0.0), 1.0), 2)


class Tracker:
    """A conversation as the bot knows it now."""

    def __init__(self, conversation_id: str, domain: Domain, events: Iterable[Event] = ()) -> None:
        self.conversation_id = conversation_id
        self.domain = domain
        self.events: list[Event] = []
        self._reset()
        for event in events:
            self.apply(event)

    def _reset(self) -> None:
        self.applied: list[Event] = []
        self.slots: dict[str, Any] = {s.name: s.initial_value for s in self.domain.slots}
        self.latest_message: UserUttered | None = None
        self.latest_action: str | None = None
        self.turns: list[tuple[State, str]] = []
        """(state before the action, the action) for every action since the user first spoke."""

    def apply(self, event: Event) -> None:
        """Add one event to the conversation and to the fold."""
        self.events.append(event)
        self._fold(event)

    def _fold(self, event: Event) -> None:
        if isinstance(event, Restarted):
            self._reset()
            return
        if isinstance(event, UserUtteranceReverted | ActionReverted):
            self._revert(event)
            return
        self.applied.append(event)
        self._update(event)

    def _update(self, event: Event) -> None:
        if isinstance(event, UserUttered):
            self.latest_message = event
        elif isinstance(event, SlotSet):
            self.slots[event.name] = event.value
        elif isinstance(event, ActionExecuted):
            if self.latest_message is not None:
                self.turns.append((self.current_state(), event.name))
            self.latest_action = event.name

    def _revert(self, event: UserUtteranceReverted | ActionReverted) -> None:
        wanted = UserUttered if isinstance(event, UserUtteranceReverted) else ActionExecuted
        kept = list(self.applied)
        while kept and not isinstance(kept[-1], wanted):
            kept.pop()
        if kept:
            kept.pop()
        self._reset()
        for applied in kept:
            self.applied.append(applied)
            self._update(applied)

    def current_state(self) -> State:
        """The state before the next action."""
        message = self.latest_message
        features = []
        for slot in self.domain.slots:
            feature = slot_feature(slot, self.slots.get(slot.name))
            if feature is not None:
                features.append((slot.name, feature))
        return State(
            prev_action=self.latest_action,
            intent=message.intent if message else None,
            entities=frozenset(message.entities) if message else frozenset(),
            slots=tuple(features),
        )

    def states(self) -> list[State]:
        """The states before every past action, then the current one: the policy's input."""
        return [state for state, _ in self.turns] + [self.current_state()]

    @property
    def is_listening(self) -> bool:
        """True when the bot waits for the user (nothing said yet, or the last action listened)."""
        return self.latest_action in (None, ACTION_LISTEN)
