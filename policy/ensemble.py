"""The policy the engine asks: the active form while it runs, else memoization when it recalls,
else the project's rules, else LightGBM, else fallback."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.domain import Domain
from bot.events import ACTION_DEFAULT_FALLBACK, ACTION_LISTEN
from bot.nlu.model import NLU_FALLBACK
from bot.policy import Prediction
from bot.tracker import State, Tracker
from policy.dataset import turn_examples
from policy.featurizer import Featurizer
from policy.lightgbm_policy import LightGBMModel, Probabilities
from policy.memoization import Memoization
from policy.metadata import ModelMetadata
from policy.rules import RULE, Snippet, ruled

ACTIVE_FORM = "rule: active form"
"""How a prediction of the active form's rule names its policy."""
PROMOTED_SHARE = 0.8
"""Probability mass moved onto an action chosen over LightGBM's ranking (recalled or
fallback): it ends on top, and the other actions keep LightGBM's order for the trainer."""


class EnsemblePolicy:
    """Implements `bot.policy.Policy`."""

    def __init__(
        self,
        domain: Domain,
        featurizer: Featurizer,
        memoization: Memoization,
        model: LightGBMModel,
        fallback_threshold: float,
        metadata: ModelMetadata | None = None,
        fallback_action: str = ACTION_DEFAULT_FALLBACK,
        rules: tuple[Snippet, ...] = (),
    ) -> None:
        self.domain = domain
        self.featurizer = featurizer
        self.memoization = memoization
        self.model = model
        self.fallback_threshold = fallback_threshold
        self.fallback_action = fallback_action
        self.rules = rules
        """The project's rules (policy/rules.py), applied after what trainers taught."""
        self.metadata = metadata
        """What the LightGBM model was trained on; set by `train_policy` and `load_model`."""
        self._index = {action: index for index, action in enumerate(domain.actions)}

    def predict(self, tracker: Tracker) -> Prediction:
        """One prediction, by the single-row fast path (this runs on every bot turn)."""
        states = tracker.states()
        probabilities = self.model.predict_sparse(*self.featurizer.sparse_row(states))
        return self._decide(states, probabilities, tracker.rejected)

    def predict_many(
        self, histories: Sequence[Sequence[State]], golds: Sequence[str] | None = None
    ) -> list[Prediction]:
        """One prediction per dialogue history (`Tracker.states()`), LightGBM run in one batch.

        With `golds`, the actions that came next (a story played as `rasa test` plays it):
        where the active form's rule predicts the form and the story goes on with another
        action, the form refused the message (stories leave that out) and the rest predict.
        """
        model = self.model  # read once: replace_model may swap it meanwhile
        rows = self.featurizer.encode_many(histories)
        probabilities = model.predict_proba_many(rows)
        predictions = []
        for index, (states, row) in enumerate(zip(histories, probabilities, strict=True)):
            prediction = self._decide(states, row, rejected=False)
            form = states[-1].active_loop if states else None
            if golds is not None and prediction.action == form != golds[index]:
                prediction = self._decide(states, row, rejected=True)
            predictions.append(prediction)
        return predictions

    def _decide(
        self, states: Sequence[State], probabilities: Probabilities, rejected: bool
    ) -> Prediction:
        looped = None if rejected else active_form_rule(states)
        if looped is not None and looped in self._index:
            promoted = _promoted(probabilities, self._index[looped])
            return self._prediction(looped, 1.0, ACTIVE_FORM, promoted)
        recalled = self.memoization.recall(states)
        if recalled is not None and recalled in self._index:
            promoted = _promoted(probabilities, self._index[recalled])
            return self._prediction(recalled, 1.0, "memoization", promoted)
        snippet = ruled(self.rules, states)
        if snippet is not None and snippet.action in self._index:
            promoted = _promoted(probabilities, self._index[snippet.action])
            return self._prediction(snippet.action, 1.0, f"{RULE}{snippet.rule}", promoted)
        ruled_action = nlu_fallback_rule(states)
        if ruled_action is not None and ruled_action in self._index:
            promoted = _promoted(probabilities, self._index[ruled_action])
            return self._prediction(ruled_action, 1.0, NLU_FALLBACK, promoted)
        best = int(np.argmax(probabilities))
        confidence = float(probabilities[best])
        if confidence < self.fallback_threshold:
            # The confidence stays LightGBM's, so the trainer sees how unsure it was.
            promoted = _promoted(probabilities, self._index[self.fallback_action])
            return self._prediction(self.fallback_action, confidence, "fallback", promoted)
        return self._prediction(self.domain.actions[best], confidence, "lightgbm", probabilities)

    def _prediction(
        self, action: str, confidence: float, policy: str, probabilities: Probabilities
    ) -> Prediction:
        by_action = dict(zip(self.domain.actions, probabilities.tolist(), strict=True))
        return Prediction(action, confidence, policy, by_action)

    def teach(self, tracker: Tracker) -> None:
        """Make the tracker's actions stick at once (they override the stories)."""
        self.memoization.teach(turn_examples(tracker.turns))

    def replace_model(self, model: LightGBMModel, metadata: ModelMetadata | None) -> None:
        """Swap in a newly trained LightGBM model; memoization, with its teachings, stays."""
        self.model = model
        self.metadata = metadata


def active_form_rule(states: Sequence[State]) -> str | None:
    """Rasa's rule for an active form, ahead of every other: the form runs until it is done,
    and the bot listens after it asked. (A form that refused the user's message leaves the
    choice to the rest: `EnsemblePolicy` does not ask this rule then.)"""
    last = states[-1] if states else None
    if last is None or last.active_loop is None:
        return None
    return ACTION_LISTEN if last.prev_action == last.active_loop else last.active_loop


def nlu_fallback_rule(states: Sequence[State]) -> str | None:
    """Rasa's default rule for a message the NLU was unsure of: the fallback action (which asks
    to say it another way), then listen. What a trainer taught instead wins (memoization)."""
    last = states[-1] if states else None
    if last is None or last.intent != NLU_FALLBACK:
        return None
    if last.prev_action == ACTION_LISTEN:
        return ACTION_DEFAULT_FALLBACK
    return ACTION_LISTEN if last.prev_action == ACTION_DEFAULT_FALLBACK else None


def _promoted(probabilities: Probabilities, index: int) -> Probabilities:
    result = probabilities * (1.0 - PROMOTED_SHARE)
    result[index] += PROMOTED_SHARE
    return result / result.sum()
