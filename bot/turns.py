"""What one engine step did, as a plain value for logs and metrics (`Engine(on_turn=...)`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.events import ACTION_LISTEN, ActionExecuted, Corrected, Event, UserUttered


@dataclass(frozen=True)
class ActionChoice:
    """An action the policy or the trainer decided on, and by which part, how sure."""

    action: str
    policy: str | None
    confidence: float | None


@dataclass(frozen=True)
class TurnSummary:
    conversation_id: str
    input: str
    """message, answer, restart, undo or export."""
    intent: str | None
    actions: tuple[str, ...]
    """The actions that ran, in order."""
    decision: ActionChoice | None
    """The training question asked, else the last action that ran (a listen only when
    nothing else ran)."""
    corrections: int
    seconds: float
    errors: tuple[str, ...] = ()
    """Kinds of what went wrong: action, store_unavailable, busy, store."""


TurnObserver = Callable[[TurnSummary], None]


def summarize(
    conversation_id: str,
    input_kind: str,
    events: Sequence[Event],
    question: ActionChoice | None,
    seconds: float,
    errors: Sequence[str] = (),
) -> TurnSummary:
    """The turn that appended `events` and, in training mode, asked `question`."""
    intents = [e.intent for e in events if isinstance(e, UserUttered)]
    ran = [e for e in events if isinstance(e, ActionExecuted)]
    acted = [e for e in ran if e.name != ACTION_LISTEN] or ran
    last = ActionChoice(acted[-1].name, acted[-1].policy, acted[-1].confidence) if acted else None
    return TurnSummary(
        conversation_id,
        input_kind,
        intents[-1] if intents else None,
        tuple(e.name for e in ran),
        question or last,
        sum(isinstance(e, Corrected) for e in events),
        seconds,
        tuple(errors),
    )
