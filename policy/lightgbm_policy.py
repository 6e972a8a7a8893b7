"""A LightGBM multiclass booster over featurized dialogue rows.

The booster only knows the actions that occur in the training data (LightGBM gives every
class it is told about some probability); `LightGBMModel` maps its classes back to the
domain's actions, which gives the others probability 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray

Progress = Callable[[str, int, int], None]
"""`progress(step, done, total)`, e.g. `("lightgbm", 40, 100)` after boosting round 40."""

Rows = NDArray[np.float32]
Probabilities = NDArray[np.float64]
TRAINING_KEYS = ("num_boost_round", "early_stopping_round")
"""Keys of the `lightgbm` settings that steer `lgb.train` rather than the booster."""


@dataclass(frozen=True)
class Validation:
    """Held-out rows for early stopping."""

    rows: Rows
    labels: Sequence[int]


@dataclass(frozen=True)
class LightGBMModel:
    n_actions: int
    classes: tuple[int, ...]
    """The domain action index of each booster class: the actions seen in training."""
    booster: lgb.Booster | None = None
    """None when training saw fewer than two actions: nothing to learn, the answer is fixed."""

    def predict_proba(self, row: NDArray[np.float32]) -> Probabilities:
        """A probability for every domain action (by index)."""
        return self.predict_proba_many(row[np.newaxis, :])[0]

    def predict_proba_many(self, rows: Rows) -> Probabilities:
        result = np.zeros((len(rows), self.n_actions))
        if not self.classes:
            result[:] = 1.0 / self.n_actions
        elif self.booster is None:
            result[:, self.classes[0]] = 1.0
        else:
            result[:, list(self.classes)] = self.booster.predict(rows, num_threads=1)
        return result

    def to_string(self) -> str:
        """LightGBM's model text; empty when there is no booster."""
        return self.booster.model_to_string() if self.booster is not None else ""

    @classmethod
    def from_string(cls, text: str, classes: Sequence[int], n_actions: int) -> LightGBMModel:
        """Raises ValueError when the text is no LightGBM model or does not fit the classes."""
        if len(classes) < 2:
            return cls(n_actions, tuple(classes))
        try:
            booster = lgb.Booster(model_str=text)
        except lgb.basic.LightGBMError as exc:
            raise ValueError(str(exc)) from exc
        found = booster.num_model_per_iteration()
        if found != len(classes):
            raise ValueError(f"the booster has {found} classes, the metadata {len(classes)}")
        return cls(n_actions, tuple(classes), booster)


def train_lightgbm(
    rows: Rows,
    labels: Sequence[int],
    n_actions: int,
    params: dict[str, Any],
    validation: Validation | None = None,
    progress: Progress | None = None,
) -> LightGBMModel:
    """Train on rows labelled with domain action indices; deterministic for fixed params."""
    classes = tuple(sorted(set(labels)))
    if len(classes) < 2:
        return LightGBMModel(n_actions, classes)
    booster_params = {k: v for k, v in params.items() if k not in TRAINING_KEYS}
    booster_params["num_class"] = len(classes)
    train_set = _dataset(rows, labels, classes)
    valid_sets: list[lgb.Dataset] = []
    callbacks: list[Callable[..., Any]] = []
    if validation is not None and set(validation.labels) & set(classes):
        valid_sets.append(_dataset(validation.rows, validation.labels, classes, train_set))
        callbacks.append(lgb.early_stopping(params["early_stopping_round"], verbose=False))
    if progress is not None:
        callbacks.append(_progress_callback(progress))
    booster = lgb.train(
        booster_params,
        train_set,
        num_boost_round=params["num_boost_round"],
        valid_sets=valid_sets,
        callbacks=callbacks,
    )
    # Reloading keeps exactly what save_model writes (the best iteration) and frees the data.
    return LightGBMModel.from_string(booster.model_to_string(), classes, n_actions)


def _dataset(
    rows: Rows, labels: Sequence[int], classes: tuple[int, ...], reference: Any = None
) -> lgb.Dataset:
    """Labels renumbered to the booster's classes; rows of other actions are left out."""
    number = {action: index for index, action in enumerate(classes)}
    keep = [i for i, label in enumerate(labels) if label in number]
    compact = np.array([number[labels[i]] for i in keep])
    params = {"feature_pre_filter": False, "verbose": -1}
    return lgb.Dataset(rows[keep], compact, params=params, reference=reference)


def _progress_callback(progress: Progress) -> Callable[[Any], None]:
    def callback(env: Any) -> None:
        progress("lightgbm", env.iteration + 1, env.end_iteration)

    return callback
