"""What the engine needs from a dialogue policy; LightGBM and memoization stay behind this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.tracker import Tracker

TRAINER = "trainer"
"""`ActionExecuted.policy` of an action the trainer approved or chose."""


@dataclass(frozen=True)
class Prediction:
    action: str
    confidence: float
    policy: str
    """Which part of the policy decided: "memoization", "lightgbm", "fallback", ..."""
    probabilities: dict[str, float]
    """A probability for every action of the domain, in domain order (what "wrong action" lists)."""


@dataclass(frozen=True)
class ModelStatus:
    """What a trainer's /status shows about the policy that serves."""

    model: int
    """The serving model's version (models/<version>/), 0 before the first is saved."""
    stories: int
    """Training stories of the project (exports included) the model learned from."""
    conversations: int
    """Conversations a trainer taught that the model learned from."""
    corrections: int
    """Actions and intents a trainer corrected in those conversations."""
    trained_at: float | None = None
    """When the model was trained (Unix time)."""
    corrections_since: int = 0
    """Corrections taught after the model was trained (memoization has them already)."""


class Policy(Protocol):
    def predict(self, tracker: Tracker) -> Prediction:
        """The next action for the tracker's current state."""
        ...


class Learner(Protocol):
    def learn(self, tracker: Tracker) -> None:
        """The trainer confirmed this conversation so far: make it stick now, retrain later.

        Must return at once; retraining happens in the background.
        """
        ...


class Learners:
    """Several learners as one: each learns every conversation a trainer confirms."""

    def __init__(self, *learners: Learner) -> None:
        self._learners = learners

    def learn(self, tracker: Tracker) -> None:
        for learner in self._learners:
            learner.learn(tracker)
