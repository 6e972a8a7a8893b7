"""Stories as values: what the Markdown and YAML story formats read and write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UserTurn:
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UserStep:
    """A user message; more than one alternative is Rasa's `* a OR b`."""

    alternatives: tuple[UserTurn, ...]


@dataclass(frozen=True)
class ActionStep:
    name: str


@dataclass(frozen=True)
class SlotStep:
    name: str
    value: Any


@dataclass(frozen=True)
class Checkpoint:
    """`> name`: at a story's start it continues stories that end with the same checkpoint."""

    name: str


@dataclass(frozen=True)
class ActiveLoopStep:
    """Rasa's `active_loop: name`: the form `name` is active from here on; None: none is."""

    name: str | None


Step = UserStep | ActionStep | SlotStep | ActiveLoopStep | Checkpoint


@dataclass(frozen=True)
class Story:
    name: str
    steps: tuple[Step, ...]
    source: str = field(default="", compare=False)
    """Where the story was read from, `file:line`, for error messages."""


@dataclass(frozen=True)
class Rule:
    """A Rasa 2/3 rule: a short piece of conversation that always goes the same way."""

    name: str
    steps: tuple[Step, ...]
    conversation_start: bool = False
    """Applies only at the start of a conversation."""
    wait_for_user_input: bool = True
    """After its last action the bot listens (False: another rule or story goes on)."""
    condition: tuple[SlotStep | ActiveLoopStep, ...] = ()
    """Slots that must be set as given (None: not set), and the form that must be active (None:
    no form), for the rule to apply."""
    source: str = field(default="", compare=False)
