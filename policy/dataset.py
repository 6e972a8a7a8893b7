"""From stories and taught conversations to training trajectories and examples.

A trajectory is the event list of one dialogue, as the bot would have logged it: replayed
through a `Tracker`, it gives the states the policy learns from.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Domain, entity_slot_events
from bot.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActiveLoop,
    Event,
    SlotSet,
    UserUttered,
)
from bot.stories.model import ActionStep, ActiveLoopStep, Story, UserTurn
from bot.tracker import State, Tracker, applied_parts
from policy.story_graph import (
    PlainStep,
    check_checkpoints,
    named_walks,
    segments,
    validate_story,
)

logger = logging.getLogger(__name__)

MAX_GLUED = 1_000
"""At most this many glued dialogues, however many stories there are: on the 147
sub-dialogue stories, 500 to 2,000 gave the same test accuracy; 1,000 trains in ~12 s."""

FRAGMENT_TURNS = 2
"""Trajectories of at most this many user messages are fragments, which augmentation glues."""


@dataclass(frozen=True)
class Example:
    """The states of a dialogue up to the one before `action`, and the action.

    The whole history: memoization and the featurizer each take the part they look at.
    """

    states: tuple[State, ...]
    action: str


@dataclass(frozen=True)
class Dialogue:
    """One dialogue the stories describe, as the bot would have logged it."""

    name: str
    events: tuple[Event, ...]
    sources: tuple[PlainStep | None, ...]
    """The story step of each event; None where the story leaves the event implicit (the
    listens before user messages and at the end, slots filled from entities)."""


def story_events(
    stories: Sequence[Story], domain: Domain, limit: int = 10_000
) -> list[list[Event]]:
    """The events of every dialogue of `story_dialogues`."""
    return [list(dialogue.events) for dialogue in story_dialogues(stories, domain, limit)]


def story_dialogues(
    stories: Sequence[Story], domain: Domain, limit: int = 10_000
) -> list[Dialogue]:
    """Every dialogue the stories describe (checkpoints joined, OR expanded), at most `limit`.

    Raises StoryError, naming the story, when a story uses what the domain lacks.
    """
    for story in stories:
        validate_story(story, domain)
    graph = [segment for story in stories for segment in segments(story)]
    check_checkpoints(graph)
    dialogues = list(itertools.islice(named_walks(graph), limit + 1))
    if len(dialogues) > limit:
        logger.warning("the stories expand to more than %d dialogues; using the first", limit)
    return [_dialogue(name, steps, domain) for name, steps in dialogues[:limit]]


def _dialogue(name: str, steps: Sequence[PlainStep], domain: Domain) -> Dialogue:
    """A listen before every user message and after the last action, as Rasa logs them.
    (Where a form is active and the bot answers the user with another action, the state before
    that action says no form is active: `Tracker`'s turns see to it.)"""
    pairs: list[tuple[Event, PlainStep | None]] = []
    last_action: str | None = None
    for step in steps:
        if isinstance(step, UserTurn):
            if last_action != ACTION_LISTEN:
                pairs.append((ActionExecuted(ACTION_LISTEN), None))
            pairs.append((UserUttered(f"/{step.intent}", step.intent, dict(step.entities)), step))
            pairs.extend((event, None) for event in entity_slot_events(domain, step.entities))
            last_action = None
        elif isinstance(step, ActionStep):
            pairs.append((ActionExecuted(step.name), step))
            last_action = step.name
        elif isinstance(step, ActiveLoopStep):
            pairs.append((ActiveLoop(step.name), step))
        else:
            pairs.append((SlotSet(step.name, step.value), step))
    if last_action not in (None, ACTION_LISTEN):
        pairs.append((ActionExecuted(ACTION_LISTEN), None))
    events, sources = zip(*pairs, strict=True) if pairs else ((), ())
    return Dialogue(name, tuple(events), tuple(sources))


def conversation_events(events: Sequence[Event]) -> list[list[Event]]:
    """A stored conversation as trajectories: split at each restart, reverted turns taken out.

    A user message the bot has not answered yet is left out: nothing was confirmed after it.
    """
    trajectories = [_unanswered_removed(part) for part in applied_parts(events)]
    return [t for t in trajectories if any(isinstance(e, UserUttered) for e in t)]


def _unanswered_removed(events: list[Event]) -> list[Event]:
    users = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    if users and not any(isinstance(e, ActionExecuted) for e in events[users[-1] :]):
        return events[: users[-1]]
    return events


def turn_examples(turns: Sequence[tuple[State, str]]) -> list[Example]:
    """One example per action of a tracker's `turns`."""
    states = tuple(state for state, _ in turns)
    return [Example(states[: i + 1], action) for i, (_, action) in enumerate(turns)]


def training_examples(trajectories: Sequence[Sequence[Event]], domain: Domain) -> list[Example]:
    """Replay each trajectory through a tracker and take an example per bot action."""
    examples: list[Example] = []
    for events in trajectories:
        examples.extend(turn_examples(Tracker("", domain, events).turns))
    return examples


def augment(trajectories: Sequence[Sequence[Event]], factor: int, seed: int) -> list[list[Event]]:
    """Longer dialogues, each 2-4 random fragments one after the other (the seed's way).

    A fragment is a trajectory of at most FRAGMENT_TURNS user messages, like the seed's
    stateless stories: glued, LightGBM sees each in other contexts (other slots set, other
    turns before), which is what lets it answer them later in a conversation. Whole dialogues
    are not glued: they show their contexts already, and gluing them made LightGBM worse
    (sub-dialogue test: 97.0% of bot actions right without, 94.2-95.0% with). Only
    trajectories that end listening are glued: after an unanswered message or in the middle
    of the bot's turn, the next dialogue's first listen would be a wrong example.
    """
    gluable = [
        events
        for events in trajectories
        if events
        and _is_listen(events[-1])
        and sum(isinstance(e, UserUttered) for e in events) <= FRAGMENT_TURNS
    ]
    if not gluable:
        return []
    rng = random.Random(seed)
    count = min(factor * len(gluable), MAX_GLUED)
    return [_glued(rng.choices(gluable, k=rng.randint(2, 4))) for _ in range(count)]


def _glued(parts: Sequence[Sequence[Event]]) -> list[Event]:
    """Concatenate, without listening twice where one part ends and the next begins."""
    events: list[Event] = []
    for part in parts:
        events.extend(part[1:] if events and _is_listen(part[0]) else part)
    return events


def _is_listen(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.name == ACTION_LISTEN
