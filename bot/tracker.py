"""The tracker: a conversation's events folded into what the bot knows now.

Only the events since the last `Restarted` count, with reverted turns taken out. Appends update
the fold in O(1); a revert refolds what is left.

A `Snapshot` is the fold of a conversation's first events, small whatever their number: a
turn resumes from the stored snapshot and the events after it instead of refolding them all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import Domain, Slot
from bot.errors import StoreError
from bot.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
    event_from_dict,
    event_to_dict,
)

SlotFeature = tuple[str, Any]
SNAPSHOT_TURNS = 20
"""Past turns a snapshot keeps: the window of a policy that looks at up to this many states."""
SNAPSHOT_FORMAT = 2


@dataclass(frozen=True)
class State:
    """What the policy sees before one bot action. Hashable, so memoization can key on it."""

    prev_action: str | None
    intent: str | None
    entities: frozenset[str]
    slots: tuple[SlotFeature, ...]
    """Featurized values of the slots that are set, by slot name, in domain order."""
    active_loop: str | None = None
    """The active form, also when it just refused to run (as in Rasa's states: stories leave
    the refusal out; `Tracker.rejected` tells the active form's rule)."""


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


def _fold_key(domain: Domain) -> str:
    """Changes with the snapshot format and with the slot definitions a fold depends on."""
    return hashlib.sha256(f"{SNAPSHOT_FORMAT} {domain.slots!r}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Snapshot:
    """The fold of a conversation's first `length` events, with only the latest turns."""

    length: int
    fold_key: str
    slots: dict[str, Any]
    latest_message: UserUttered | None
    latest_action: str | None
    turns: tuple[tuple[State, str], ...]
    active_loop: str | None = None
    rejected: bool = False
    interrupted: bool = False

    def fits(self, domain: Domain) -> bool:
        """False after a format change or a change of the domain's slots: fold anew then."""
        return self.fold_key == _fold_key(domain)

    def to_json(self) -> str:
        message = self.latest_message
        data = {
            "length": self.length,
            "fold_key": self.fold_key,
            "slots": self.slots,
            "latest_message": event_to_dict(message) if message else None,
            "latest_action": self.latest_action,
            "turns": [[state_to_list(state), action] for state, action in self.turns],
            "active_loop": self.active_loop,
            "rejected": self.rejected,
            "interrupted": self.interrupted,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        """Raises StoreError when `text` is not a snapshot."""
        try:
            data = json.loads(text)
            message = event_from_dict(data["latest_message"]) if data["latest_message"] else None
            if not isinstance(message, UserUttered | None):
                raise TypeError(f"latest_message is {type(message).__name__}")
            return cls(
                length=int(data["length"]),
                fold_key=str(data["fold_key"]),
                slots=dict(data["slots"]),
                latest_message=message,
                latest_action=data["latest_action"],
                turns=tuple((state_from_list(state), str(a)) for state, a in data["turns"]),
                active_loop=data.get("active_loop"),
                rejected=bool(data.get("rejected")),
                interrupted=bool(data.get("interrupted")),
            )
        except (ValueError, KeyError, TypeError, StoreError) as exc:
            raise StoreError(f"not a tracker snapshot: {exc!r}") from exc


def state_to_list(state: State) -> list[Any]:
    """The JSON form of a state (snapshots, memoization)."""
    slots = [list(slot) for slot in state.slots]
    return [state.prev_action, state.intent, sorted(state.entities), slots, state.active_loop]


def state_from_list(data: list[Any]) -> State:
    """A state from its JSON form; a form from before active loops has four items."""
    prev_action, intent, entities, slots, *loop = data
    slot_features = tuple((name, value) for name, value in slots)
    active_loop = loop[0] if loop else None
    return State(prev_action, intent, frozenset(entities), slot_features, active_loop)


class Tracker:
    """A conversation as the bot knows it now.

    Built from every event, or resumed from a snapshot: then `events` holds only the events
    after the snapshot (`offset` counts those before), `turns` only the latest ones, and a
    revert, which refolds the past, is refused.
    """

    def __init__(self, conversation_id: str, domain: Domain, events: Iterable[Event] = ()) -> None:
        self.conversation_id = conversation_id
        self.domain = domain
        self.offset = 0
        self.events: list[Event] = []
        self._reset()
        for event in events:
            self.apply(event)

    @classmethod
    def resume(
        cls, conversation_id: str, domain: Domain, snapshot: Snapshot, events: Iterable[Event]
    ) -> Tracker:
        """The snapshot's fold plus `events`, the ones after it; the snapshot must fit `domain`."""
        tracker = cls(conversation_id, domain)
        tracker.offset = snapshot.length
        tracker.slots = dict(snapshot.slots)
        tracker.latest_message = snapshot.latest_message
        tracker.latest_action = snapshot.latest_action
        tracker.turns = list(snapshot.turns)
        tracker.active_loop = snapshot.active_loop
        tracker.rejected = snapshot.rejected
        tracker.interrupted = snapshot.interrupted
        for event in events:
            tracker.apply(event)
        return tracker

    @property
    def is_whole(self) -> bool:
        """True when `events` is the whole conversation."""
        return self.offset == 0

    @property
    def length(self) -> int:
        """The number of events in the conversation."""
        return self.offset + len(self.events)

    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.length,
            _fold_key(self.domain),
            dict(self.slots),
            self.latest_message,
            self.latest_action,
            tuple(self.turns[-SNAPSHOT_TURNS:]),
            self.active_loop,
            self.rejected,
            self.interrupted,
        )

    def _reset(self) -> None:
        self.applied: list[Event] = []
        self.slots: dict[str, Any] = {s.name: s.initial_value for s in self.domain.slots}
        self.latest_message: UserUttered | None = None
        self.latest_action: str | None = None
        self.turns: list[tuple[State, str]] = []
        """(state before the action, the action) for every action since the user first spoke."""
        self.active_loop: str | None = None
        """The active form (Rasa's loop), if any."""
        self.rejected = False
        """The active form refused the user's message and has not run since: the policy's
        other parts decide (as Rasa's `is_active_loop_rejected`), until one runs the form."""
        self.interrupted = False
        """Another action ran inside the active form since it last ran: the form, run again,
        asks its question again instead of reading the message (Rasa's loop interruption)."""

    def apply(self, event: Event) -> None:
        """Add one event to the conversation and to the fold."""
        self.events.append(event)
        self._fold(event)

    def _fold(self, event: Event) -> None:
        if isinstance(event, Restarted):
            self._reset()
            return
        if isinstance(event, UserUtteranceReverted | ActionReverted):
            if not self.is_whole:
                raise ValueError("a revert needs the whole conversation, not a snapshot")
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
            if event.name == self.active_loop:  # the form runs again: its refusal is over
                self.rejected = self.interrupted = False
            elif self.active_loop is not None and event.name != ACTION_LISTEN:
                self.interrupted = True
        elif isinstance(event, ActiveLoop):
            self.active_loop, self.rejected, self.interrupted = event.name, False, False
        elif isinstance(event, ActionExecutionRejected):
            self.rejected = event.name == self.active_loop

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
            active_loop=self.active_loop,
        )

    def states(self) -> list[State]:
        """The states before every past action, then the current one: the policy's input."""
        return [state for state, _ in self.turns] + [self.current_state()]

    @property
    def is_listening(self) -> bool:
        """True when the bot waits for the user (nothing said yet, or the last action listened)."""
        return self.latest_action in (None, ACTION_LISTEN)


_NO_DOMAIN = Domain(intents=(), entities=(), slots=(), responses={}, actions=())
"""Reverts are folded without looking at the domain, so splitting needs none."""


def applied_parts(events: Sequence[Event]) -> list[list[Event]]:
    """A stored conversation split at each restart, each part with its reverted turns taken out."""
    parts: list[list[Event]] = [[]]
    for event in events:
        if isinstance(event, Restarted):
            parts.append([])
        else:
            parts[-1].append(event)
    return [Tracker("", _NO_DOMAIN, part).applied for part in parts]
