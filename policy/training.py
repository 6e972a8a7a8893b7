"""Train the ensemble from the stories and what the trainer taught."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import Domain
from bot.events import ActionExecuted, Event
from bot.stories.model import Rule, Story
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.dataset import (
    Example,
    augment,
    conversation_events,
    story_events,
    training_examples,
    turn_examples,
)
from policy.ensemble import EnsemblePolicy
from policy.featurizer import Featurizer
from policy.lightgbm_policy import LightGBMModel, Progress, Rows, Validation, train_lightgbm
from policy.memoization import Memoization
from policy.metadata import ModelMetadata, TrainingMetrics
from policy.rules import snippets

logger = logging.getLogger(__name__)

EARLY_STOPPING_MIN_STORIES = 50
"""Below this many distinct dialogues, holding some out would cost more than it tells."""
VALIDATION_SHARE = 0.1
ACCURACY_SAMPLE = 5_000
ACCURACY_CHUNK = 1_000
VALIDATION_GLUE_SHARE = 4
"""With too few dialogues to hold out, glue a quarter as many fragments again for validation."""

Trajectories = list[list[Event]]


@dataclass(frozen=True)
class TrainingData:
    stories: list[Story]
    conversations: dict[str, list[Event]]
    """Trainer-taught conversations by id, the most recently taught last."""
    rules: list[Rule] = dataclasses.field(default_factory=list)
    """The project's rules: applied before LightGBM, which learns from the stories alone."""

    def fingerprint(self) -> str:
        """Changes whenever a story or a conversation changes (not when a story only moves)."""
        content = {
            "stories": self.stories,
            "conversations": self.conversations,
            "rules": self.rules,
        }
        text = json.dumps(_canonical(content), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    """JSON-ready form with what equality compares (not timestamps nor story sources)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        content = {f.name: _canonical(getattr(value, f.name)) for f in fields if f.compare}
        return {"type": type(value).__name__, **content}
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def train_policy(
    domain: Domain, data: TrainingData, config: PolicyConfig, progress: Progress | None = None
) -> EnsemblePolicy:
    """Validate the stories, then memorize the teachings and train LightGBM on everything;
    `policy.metadata` has the metrics.

    Raises StoryError when a story does not fit the domain.
    """
    started = time.perf_counter()
    stories = story_events(data.stories, domain)
    taught = [t for events in data.conversations.values() for t in conversation_events(events)]
    _warn_about_removed_actions(taught, domain)
    memoization = Memoization(config.max_history)
    memoization.teach(_examples(taught, domain))
    dialogues = _replayed(stories + taught, domain)
    featurizer = Featurizer.for_domain(domain, config.max_history)
    model, augmented = _train_model(dialogues, domain, featurizer, config, progress)
    # A new featurizer: the training one caches every state of the training data.
    fresh = Featurizer.for_domain(domain, config.max_history)
    policy = EnsemblePolicy(
        domain,
        fresh,
        memoization,
        model,
        config.fallback_threshold,
        fallback_action=config.fallback_action,
        rules=snippets(data.rules, domain),
    )
    examples = [example for dialogue in dialogues for example in dialogue.examples]
    metrics = TrainingMetrics(
        stories=len(data.stories),
        conversations=len(data.conversations),
        trajectories=len(dialogues),
        examples=len(examples),
        augmented_examples=augmented,
        accuracy=_accuracy(policy, examples),
        seconds=round(time.perf_counter() - started, 3),
    )
    policy.metadata = ModelMetadata(
        domain.fingerprint(), data.fingerprint(), config, metrics, time.time()
    )
    logger.info("trained the policy: %s", metrics)
    return policy


def _train_model(
    dialogues: list[_Replayed],
    domain: Domain,
    featurizer: Featurizer,
    config: PolicyConfig,
    progress: Progress | None,
) -> tuple[LightGBMModel, int]:
    """LightGBM on the dialogues and glued ones; returns the model and the glued examples."""
    training, held_out = _split(dialogues, config.seed)
    factor = config.augmentation_factor
    events = [dialogue.events for dialogue in training]
    glued = _examples(augment(events, factor, config.seed), domain)
    examples = [example for dialogue in training for example in dialogue.examples] + glued
    valid = [example for dialogue in held_out for example in dialogue.examples]
    if not held_out and glued:
        # Too few dialogues to hold some out, but fragments: freshly glued ones show whether
        # the booster still learns the fragments or has begun to learn their random contexts.
        fresh = augment(events, max(1, factor // VALIDATION_GLUE_SHARE), config.seed + 1)
        valid = _examples(fresh, domain)
    validation = Validation(_rows(featurizer, valid), _labels(valid, domain)) if valid else None
    params = {"seed": config.seed, **config.lightgbm}
    rows, labels = _rows(featurizer, examples), _labels(examples, domain)
    n_actions = len(domain.actions)
    return train_lightgbm(rows, labels, n_actions, params, validation, progress), len(glued)


def _examples(trajectories: Trajectories, domain: Domain) -> list[Example]:
    """Examples of the actions the domain has (see `_warn_about_removed_actions`)."""
    examples = training_examples(trajectories, domain)
    return [example for example in examples if example.action in domain.actions]


def _warn_about_removed_actions(taught: Trajectories, domain: Domain) -> None:
    """A conversation taught before an action left the domain must not block training."""
    removed = {
        event.name
        for events in taught
        for event in events
        if isinstance(event, ActionExecuted) and event.name not in domain.actions
    }
    if removed:
        logger.warning(
            "taught conversations use actions the domain no longer has (%s); "
            "training skips those turns",
            ", ".join(sorted(removed)),
        )


@dataclass(frozen=True)
class _Replayed:
    """A dialogue and its examples: replaying it through a tracker is the costly part."""

    events: list[Event]
    examples: list[Example]


def _replayed(trajectories: Trajectories, domain: Domain) -> list[_Replayed]:
    """Each dialogue once: one identical to an earlier one in all the policy sees is dropped."""
    seen: set[tuple[Any, ...]] = set()
    result = []
    for events in trajectories:
        turns = Tracker("", domain, events).turns
        key = tuple(turns)
        if key not in seen:
            seen.add(key)
            examples = [e for e in turn_examples(turns) if e.action in domain.actions]
            result.append(_Replayed(events, examples))
    return result


def _split(dialogues: list[_Replayed], seed: int) -> tuple[list[_Replayed], list[_Replayed]]:
    """Hold out a share of the dialogues for early stopping, when there are enough."""
    if len(dialogues) < EARLY_STOPPING_MIN_STORIES:
        return dialogues, []
    order = list(range(len(dialogues)))
    random.Random(seed).shuffle(order)
    held = set(order[: max(1, round(len(dialogues) * VALIDATION_SHARE))])
    training = [d for i, d in enumerate(dialogues) if i not in held]
    return training, [d for i, d in enumerate(dialogues) if i in held]


def _rows(featurizer: Featurizer, examples: Sequence[Example]) -> Rows:
    return featurizer.encode_many([example.states for example in examples])


def _labels(examples: Sequence[Example], domain: Domain) -> list[int]:
    index = {action: i for i, action in enumerate(domain.actions)}
    return [index[example.action] for example in examples]


def _accuracy(policy: EnsemblePolicy, examples: Sequence[Example]) -> float:
    """On at most ACCURACY_SAMPLE evenly spread examples, in chunks: a prediction holds a
    probability per action (100,000 of them take gigabytes), and predicting every example of
    10,000 stories again took 20 of 77 seconds."""
    sample = examples[:: max(1, len(examples) // ACCURACY_SAMPLE)]
    if not sample:
        return 0.0
    right = 0
    for start in range(0, len(sample), ACCURACY_CHUNK):
        chunk = sample[start : start + ACCURACY_CHUNK]
        histories = [example.states for example in chunk]
        predictions = policy.predict_many(histories, [example.action for example in chunk])
        right += sum(p.action == e.action for p, e in zip(predictions, chunk, strict=True))
    return round(right / len(sample), 4)
