"""Events: a conversation is an append-only list of these.

The JSON form (`event_to_json` / `event_from_json`) is what stores keep and what export reads.
It is versioned by `EVENT_FORMAT`; the type names are Rasa's tracker-dump names where Rasa has one.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from bot.errors import StoreError

EVENT_FORMAT = 1

ACTION_LISTEN = "action_listen"
ACTION_RESTART = "action_restart"
ACTION_DEFAULT_FALLBACK = "action_default_fallback"


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class UserUttered:
    """The user said something; `intent` and `entities` are what it meant."""

    text: str
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)
    timestamp: float = field(default_factory=_now, compare=False)
    confidence: float | None = None
    """How sure the NLU was of the intent; None for a typed or corrected intent."""


@dataclass(frozen=True)
class ActionExecuted:
    """The bot ran an action; `policy` and `confidence` say who chose it (or "trainer")."""

    name: str
    policy: str | None = None
    confidence: float | None = None
    timestamp: float = field(default_factory=_now, compare=False)


@dataclass(frozen=True)
class BotUttered:
    """The bot sent a message: text, buttons (title, payload) and an image's URL."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    timestamp: float = field(default_factory=_now, compare=False)
    image: str = ""


@dataclass(frozen=True)
class SlotSet:
    """A slot got a value (None unsets it)."""

    name: str
    value: Any
    timestamp: float = field(default_factory=_now, compare=False)


@dataclass(frozen=True)
class UserUtteranceReverted:
    """Forget the last user message and everything the bot did after it."""

    timestamp: float = field(default_factory=_now, compare=False)


@dataclass(frozen=True)
class ActionReverted:
    """Forget the last action the bot ran (and what it set)."""

    timestamp: float = field(default_factory=_now, compare=False)


@dataclass(frozen=True)
class Restarted:
    """A new conversation starts here; what came before stays stored but no longer counts."""

    timestamp: float = field(default_factory=_now, compare=False)


@dataclass(frozen=True)
class ActiveLoop:
    """A form (Rasa's loop) became active (`name`), or no form is active any more (None)."""

    name: str | None
    timestamp: float = field(default_factory=_now, compare=False)


@dataclass(frozen=True)
class ActionExecutionRejected:
    """The action refused to run: an active form that could not fill the slot it asked for
    from the user's message. Another action is predicted instead."""

    name: str
    timestamp: float = field(default_factory=_now, compare=False)


CorrectionKind = Literal["action", "intent", "entities"]


@dataclass(frozen=True)
class Corrected:
    """Training marker: the trainer replaced the predicted action, intent or entities (written
    as `entity_text` writes them) with another."""

    kind: CorrectionKind
    predicted: str
    chosen: str
    timestamp: float = field(default_factory=_now, compare=False)


Event = (
    UserUttered
    | ActionExecuted
    | BotUttered
    | SlotSet
    | UserUtteranceReverted
    | ActionReverted
    | Restarted
    | Corrected
    | ActiveLoop
    | ActionExecutionRejected
)

EVENT_TYPES: dict[str, type[Event]] = {
    "user": UserUttered,
    "action": ActionExecuted,
    "bot": BotUttered,
    "slot": SlotSet,
    "rewind": UserUtteranceReverted,
    "undo": ActionReverted,
    "restart": Restarted,
    "correction": Corrected,
    "active_loop": ActiveLoop,
    "action_execution_rejected": ActionExecutionRejected,
}
_TYPE_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}


def event_to_dict(event: Event) -> dict[str, Any]:
    """The stable JSON-ready form of an event."""
    # Not dataclasses.asdict: its deep copy cost about 10 µs an event, on every append.
    data = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    if isinstance(event, BotUttered):
        data["buttons"] = [list(button) for button in event.buttons]
        if not event.image:  # stored as before images had a field of their own
            del data["image"]
    return {"event": _TYPE_NAMES[type(event)], "v": EVENT_FORMAT, **data}


def event_from_dict(data: dict[str, Any]) -> Event:
    """Build an event from its JSON form; raises StoreError on an unknown type or bad fields."""
    fields = dict(data)
    name = fields.pop("event", None)
    fields.pop("v", None)
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise StoreError(f"unknown event type {name!r}; known types: {', '.join(EVENT_TYPES)}")
    for one in dataclasses.fields(cls):
        if one.name in fields and not _FIELD_CHECKS[str(one.type)](fields[one.name]):
            raise StoreError(f"event {name!r} has a wrong {one.name}: {fields[one.name]!r:.80}")
    if cls is BotUttered:
        fields["buttons"] = tuple(tuple(button) for button in fields.get("buttons", ()))
    try:
        return cls(**fields)
    except TypeError as exc:
        raise StoreError(f"event {name!r} has wrong fields: {exc}") from exc


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _button(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2 and all(map(_is_str, value))


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


_FIELD_CHECKS: dict[str, Callable[[Any], bool]] = {
    "str": _is_str,
    "str | None": lambda value: value is None or _is_str(value),
    "float": _number,
    "float | None": lambda value: value is None or _number(value),
    "dict[str, Any]": lambda value: isinstance(value, dict) and all(map(_is_str, value)),
    "tuple[tuple[str, str], ...]": lambda value: (
        isinstance(value, list | tuple) and all(map(_button, value))
    ),
    "CorrectionKind": lambda value: value in get_args(CorrectionKind),
    "Any": lambda value: True,
}
"""What a stored value of each event field type must be, by the type as written in the class:
an event of the right keys and wrong types must fail here, not in whatever reads it later."""


def event_to_json(event: Event) -> str:
    return json.dumps(event_to_dict(event), ensure_ascii=False, separators=(",", ":"))


def event_from_json(text: str | bytes) -> Event:
    """Parse one stored event (text, or bytes meant to be UTF-8 text); raises StoreError when
    it is not valid event JSON."""
    try:
        data = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"stored event is not valid JSON: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise StoreError(f"stored event is not UTF-8 text (damaged): {exc}") from exc
    if not isinstance(data, dict):
        raise StoreError(f"stored event is not a JSON object: {text[:80]!r}")
    return event_from_dict(data)
