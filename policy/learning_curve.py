"""How accuracy on test stories grows with the training stories: does more teaching pay off?

The training dialogues (stories with checkpoints joined and OR expanded) are shuffled once by
the config's seed; each point trains a new policy on a growing prefix of them, so every point
contains the previous one's data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bot.domain import Domain
from bot.stories.model import Story
from policy.config import PolicyConfig
from policy.dataset import Dialogue, story_dialogues
from policy.evaluation import play, report
from policy.story_graph import as_story_step
from policy.training import TrainingData, train_policy

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)
PointDone = Callable[[int, int], None]
"""`done(points_done, points)`, after each trained and evaluated point."""


@dataclass(frozen=True)
class CurvePoint:
    stories: int
    action_accuracy: float
    rasa_accuracy: float
    story_accuracy: float
    train_seconds: float


def learning_curve(
    domain: Domain,
    training: Sequence[Story],
    test: Sequence[Story],
    config: PolicyConfig,
    fractions: Sequence[float] = FRACTIONS,
    done: PointDone | None = None,
) -> list[CurvePoint]:
    """Raises StoryError when a training or test story does not fit the domain."""
    dialogues = [_as_story(d) for d in story_dialogues(training, domain)]
    random.Random(config.seed).shuffle(dialogues)
    test_dialogues = story_dialogues(test, domain)
    sizes = sorted({max(1, round(f * len(dialogues))) for f in fractions})
    points = []
    for size in sizes:
        started = time.perf_counter()
        policy = train_policy(domain, TrainingData(dialogues[:size], {}), config)
        seconds = time.perf_counter() - started
        scores = report(play(policy, test_dialogues, domain))
        points.append(
            CurvePoint(
                size,
                scores.action_accuracy,
                scores.rasa_accuracy,
                scores.story_accuracy,
                round(seconds, 3),
            )
        )
        if done is not None:
            done(len(points), len(sizes))
    return points


def curve_to_dict(points: Sequence[CurvePoint]) -> dict[str, Any]:
    return {"points": [asdict(point) for point in points]}


def _as_story(dialogue: Dialogue) -> Story:
    """A dialogue as a story without checkpoints or OR, so any subset of them trains."""
    steps = tuple(as_story_step(step) for step in dialogue.sources if step is not None)
    return Story(dialogue.name, steps)
