"""Stored conversations as stories: what the trainer taught, ready to train on or to share."""

from __future__ import annotations

from collections.abc import Sequence

from bot.events import (
    ACTION_LISTEN,
    ACTION_RESTART,
    ActionExecuted,
    ActiveLoop,
    Event,
    SlotSet,
    UserUttered,
)
from bot.stories.model import (
    ActionStep,
    ActiveLoopStep,
    SlotStep,
    Step,
    Story,
    UserStep,
    UserTurn,
)
from bot.tracker import applied_parts

_SKIPPED_ACTIONS = (ACTION_LISTEN, ACTION_RESTART)


def stories_from_events(events: Sequence[Event], name: str) -> list[Story]:
    """One story per restart-separated part that has steps, with reverted turns taken out.

    A single story is called `name`; several are numbered `name (1)`, `name (2)`, ...
    """
    parts = [steps for steps in map(_part_steps, applied_parts(events)) if steps]
    if len(parts) == 1:
        return [Story(name, parts[0])]
    return [Story(f"{name} ({number})", steps) for number, steps in enumerate(parts, start=1)]


def _part_steps(applied: list[Event]) -> tuple[Step, ...]:
    return tuple(step for step in map(_step, applied) if step is not None)


def _step(event: Event) -> Step | None:
    """The story step of an event; None for what stories leave implicit or do not hold (a
    form's refusal to run: the next action shows it)."""
    if isinstance(event, UserUttered):
        return UserStep((UserTurn(event.intent, dict(event.entities)),))
    if isinstance(event, ActionExecuted) and event.name not in _SKIPPED_ACTIONS:
        return ActionStep(event.name)
    if isinstance(event, SlotSet):
        return SlotStep(event.name, event.value)
    if isinstance(event, ActiveLoop):
        return ActiveLoopStep(event.name)
    return None
