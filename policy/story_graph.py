"""Stories as a graph: checkpoints join story segments, OR forks a user step.

A walk from a segment that starts without a checkpoint, through every segment that continues
one of its end checkpoints, is one dialogue; each choice of OR alternatives on it is another.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import Domain
from bot.errors import StoryError
from bot.nlu.model import NLU_FALLBACK
from bot.spelling import did_you_mean
from bot.stories.model import (
    ActionStep,
    ActiveLoopStep,
    Checkpoint,
    SlotStep,
    Story,
    UserStep,
    UserTurn,
)

MAX_VISITS = 2
"""A segment appears at most this often in one walk: a checkpoint cycle is gone round once."""

PlainStep = UserTurn | ActionStep | SlotStep | ActiveLoopStep
"""A step with its OR alternative chosen and no checkpoints."""
SegmentStep = UserStep | ActionStep | SlotStep | ActiveLoopStep
"""A story step other than a checkpoint."""


def as_story_step(step: PlainStep) -> SegmentStep:
    """A plain step as a story step again: a user turn becomes a user step of one alternative."""
    return UserStep((step,)) if isinstance(step, UserTurn) else step


@dataclass(frozen=True)
class Segment:
    """The steps of a story between checkpoints."""

    story: Story
    starts: frozenset[str]
    steps: tuple[SegmentStep, ...]
    ends: frozenset[str]


def story_place(story: Story) -> str:
    """Where a story is, for error messages: `file:line: story 'name'`."""
    name = f"story {story.name!r}"
    return f"{story.source}: {name}" if story.source else name


def segments(story: Story) -> list[Segment]:
    """Split a story at checkpoints: one in the middle ends a segment and starts the next."""
    result: list[Segment] = []
    starts: list[str] = []
    steps: list[SegmentStep] = []
    ends: list[str] = []
    for step in story.steps:
        if isinstance(step, Checkpoint):
            (ends if steps else starts).append(step.name)
            continue
        if ends:
            result.append(Segment(story, frozenset(starts), tuple(steps), frozenset(ends)))
            starts, steps, ends = ends, [], []
        steps.append(step)
    result.append(Segment(story, frozenset(starts), tuple(steps), frozenset(ends)))
    return result


def check_checkpoints(all_segments: Sequence[Segment]) -> None:
    """A story that starts at a checkpoint no story ends with would silently never train."""
    ended = {name for segment in all_segments for name in segment.ends}
    for segment in all_segments:
        missing = sorted(segment.starts - ended)
        if missing:
            raise StoryError(
                f"{story_place(segment.story)}: no story ends with checkpoint > {missing[0]}, "
                "so this story is never reached; end a story with it or remove it"
            )


def walks(all_segments: Sequence[Segment]) -> Iterator[list[PlainStep]]:
    """Every dialogue of the graph, lazily, in story order."""
    return (steps for _, steps in named_walks(all_segments))


def named_walks(all_segments: Sequence[Segment]) -> Iterator[tuple[str, list[PlainStep]]]:
    """`walks` with a name for each: its stories' names, joined by ` > ` where checkpoints
    join several."""
    for path in _paths(all_segments):
        name = " > ".join(dict.fromkeys(all_segments[index].story.name for index in path))
        steps = [step for index in path for step in all_segments[index].steps]
        choices = [s.alternatives if isinstance(s, UserStep) else (s,) for s in steps]
        for chosen in itertools.product(*choices):
            yield name, list(chosen)


def _paths(all_segments: Sequence[Segment]) -> Iterator[tuple[int, ...]]:
    followers = _followers(all_segments)
    for first, segment in enumerate(all_segments):
        if segment.starts:
            continue
        stack: list[tuple[int, ...]] = [(first,)]
        while stack:
            path = stack.pop()
            nexts = [i for i in followers[path[-1]] if path.count(i) < MAX_VISITS]
            if not nexts:
                yield path
            stack.extend((*path, i) for i in reversed(nexts))


def _followers(all_segments: Sequence[Segment]) -> list[list[int]]:
    """For each segment, the segments that continue one of its end checkpoints, in order."""
    starting: dict[str, list[int]] = {}
    for index, segment in enumerate(all_segments):
        for name in segment.starts:
            starting.setdefault(name, []).append(index)
    return [
        sorted({i for name in segment.ends for i in starting.get(name, [])})
        for segment in all_segments
    ]


def validate_story(story: Story, domain: Domain) -> None:
    """Every intent, entity, action, slot and form of the story must be in the domain."""
    problems = story_problems(story, domain)
    if problems:
        raise StoryError(problems[0])


def story_problems(story: Story, domain: Domain) -> list[str]:
    """Every name of the story the domain lacks ("did you mean" the closest it has), and every
    value of a categorical slot outside its `values:`, in the order of the steps."""
    problems = []
    for step in story.steps:
        for kind, name in _names(step):
            known = _domain_names(domain, kind)
            if name not in known:
                problems.append(
                    f"{story_place(story)}: unknown {kind} {name!r}{did_you_mean(name, known)}; "
                    f"add it to `{_PLURALS[kind]}` in the domain"
                )
        problems += _categorical_problems(story, step, domain)
    return problems


def _categorical_problems(story: Story, step: object, domain: Domain) -> list[str]:
    values = _slot_values(step)
    slots = {slot.name: slot for slot in domain.slots if slot.type == "categorical"}
    problems = []
    for name, value in values:
        slot = slots.get(name)
        if slot is None or value is None:
            continue
        if str(value).lower() not in {v.lower() for v in slot.values}:
            problems.append(
                f"{story_place(story)}: slot {name} is categorical and {value!r} is not one of "
                f"its values ({', '.join(slot.values)}); add it to `values:` of {name} in the "
                "domain or use one of them"
            )
    return problems


def _slot_values(step: object) -> Iterator[tuple[str, Any]]:
    """The slot values a step sets: a slot event, or the entities of a user turn (they fill
    slots of the same name)."""
    if isinstance(step, SlotStep):
        yield step.name, step.value
    elif isinstance(step, UserStep):
        for turn in step.alternatives:
            yield from turn.entities.items()


_PLURALS = {
    "intent": "intents",
    "entity": "entities",
    "action": "actions",
    "slot": "slots",
    "form": "forms",
}


def _names(step: object) -> Iterator[tuple[str, str]]:
    if isinstance(step, UserStep):
        for turn in step.alternatives:
            yield "intent", turn.intent
            yield from (("entity", name) for name in turn.entities)
    elif isinstance(step, ActionStep):
        yield "action", step.name
    elif isinstance(step, SlotStep):
        yield "slot", step.name
    elif isinstance(step, ActiveLoopStep) and step.name is not None:
        yield "form", step.name


def _domain_names(domain: Domain, kind: str) -> tuple[str, ...]:
    if kind == "slot":
        return tuple(slot.name for slot in domain.slots)
    if kind == "form":
        return tuple(domain.forms)
    intents = (*domain.intents, NLU_FALLBACK)  # every domain has it, as in Rasa
    return {"intent": intents, "entity": domain.entities, "action": domain.actions}[kind]
