"""One retrain, start to finish, as it runs in the training process.

Train, stage the model folder (the policy and its parts, the NLU), read it back (it loads),
validate it against the live version (it predicts and scores at least as well), and only then
give it its version number. Whatever
fails leaves no numbered folder behind, so the live model and the restart order are untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.domain import Domain
from bot.errors import ModelError
from policy.config import PolicyConfig
from policy.ensemble import EnsemblePolicy
from policy.model_store import ModelPart, ModelStore, VersionRecord
from policy.persistence import load_model
from policy.training import TrainingData, train_policy
from policy.validation import Scores, validate

log = logging.getLogger(__name__)
Train = Callable[[Domain, TrainingData, PolicyConfig], EnsemblePolicy]


@dataclass(frozen=True)
class Job:
    """Everything the training process needs; picklable (the train function by reference)."""

    domain: Domain
    data: TrainingData
    config: PolicyConfig
    models: Path
    version: int
    """The number the new model gets when it passes."""
    live: int | None
    """The version it must do at least as well as."""
    train: Train = train_policy
    parts: tuple[ModelPart, ...] = ()
    """Trained, validated and numbered with the policy (the NLU)."""


@dataclass(frozen=True)
class Built:
    record: VersionRecord
    scores: Scores


def build(job: Job) -> Built:
    """Raises ModelError (or the training's error) when the model must not go live."""
    store = ModelStore(job.models, job.parts)
    trained = job.train(job.domain, job.data, job.config)
    record = VersionRecord.of(job.version, trained, job.data)
    staging = store.add(trained, record, job.data.conversations)
    try:
        candidate = load_model(staging, job.domain)
        store.load_parts(staging)
        scores = validate(candidate, _live(store, job), job.data, job.domain)
        store.commit(staging, job.version)
    finally:
        store.discard(staging)
    return Built(record, scores)


def _live(store: ModelStore, job: Job) -> EnsemblePolicy | None:
    if job.live is None:
        return None
    try:
        return store.load(job.live, job.domain).policy
    except ModelError as exc:  # e.g. the domain changed since: nothing to compare with
        log.warning("not comparing with live model %s: %s", job.live, exc)
        return None
