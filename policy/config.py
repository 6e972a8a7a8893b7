"""Policy and training settings, read from a project's config.yml (our flat form or Rasa's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from bot.errors import ProjectError

DEFAULT_LIGHTGBM: dict[str, Any] = {
    "objective": "multiclass",
    "learning_rate": 0.1,
    "num_leaves": 31,
    # A handful of stories gives a few rows per class: LightGBM's defaults (20 rows a leaf)
    # never split on them, and on thousands of stories 3 still beats 20 (RECIPES.md).
    "min_data_in_leaf": 2,
    "min_data_in_bin": 1,
    "min_sum_hessian_in_leaf": 1e-5,
    # Leaves on few rows get extreme values; L2 keeps unseen contexts from scoring ~1.0 and
    # lets early stopping run longer (measured on the sub-dialogue data: 94.7% vs 94.2%).
    "lambda_l2": 1.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
    "num_boost_round": 100,
    # Used only with at least EARLY_STOPPING_MIN_STORIES training dialogues (policy.training).
    "early_stopping_round": 10,
}

RASA_KEYS = ("language", "pipeline", "policies", "recipe", "assistant_id")
OTHER_PARTS_KEYS = ("store",)
"""Keys of config.yml that other parts of ozbot read."""


@dataclass(frozen=True)
class PolicyConfig:
    max_history: int = 5
    """How many past states (turns) the policy looks at."""
    augmentation_factor: int = 20
    """Glued dialogues per training dialogue, for LightGBM only (0 turns augmentation off)."""
    seed: int = 42
    fallback_threshold: float = 0.3
    """Below this LightGBM confidence the bot runs action_default_fallback.

    Rasa's default. A story pair that answers the same state two ways (the seed's
    compare_reviews) scores about 0.5 each, so a bot never falls back on its own stories.
    """
    lightgbm: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_LIGHTGBM))
    """LightGBM parameters, plus `num_boost_round` and `early_stopping_round`."""


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "max_history": (lambda v: _is_whole(v) and v >= 1, "a whole number of at least 1"),
    "augmentation_factor": (lambda v: _is_whole(v) and v >= 0, "a whole number of at least 0"),
    "seed": (_is_whole, "a whole number"),
    "fallback_threshold": (lambda v: _is_number(v) and 0 <= v <= 1, "a number from 0 to 1"),
    "lightgbm": (lambda v: isinstance(v, dict), "a mapping of LightGBM parameters"),
}


def policy_config_from_dict(data: Any, source: str) -> tuple[PolicyConfig, list[str]]:
    """The policy settings of a config.yml mapping, and warnings about what is ignored."""
    if not isinstance(data, dict):
        raise ProjectError(f"{source}: expected a mapping of settings (max_history, ...)")
    known = {f.name for f in fields(PolicyConfig)}
    for key in data:
        if key not in known and key not in RASA_KEYS and key not in OTHER_PARTS_KEYS:
            raise ProjectError(
                f"{source}: unknown key {key!r}; policy settings are {', '.join(sorted(known))}"
            )
    values = {key: _checked(key, data[key], source) for key in known if key in data}
    warnings = [f"{source}: ignored Rasa key {key!r}" for key in RASA_KEYS if key in data]
    if "max_history" not in values:
        rasa_history = _rasa_max_history(data.get("policies"), source)
        if rasa_history is not None:
            values["max_history"] = rasa_history
            warnings.append(f"{source}: max_history {rasa_history} taken from Rasa's policies")
    if "lightgbm" in values:
        values["lightgbm"] = {**DEFAULT_LIGHTGBM, **values["lightgbm"]}
    return PolicyConfig(**values), warnings


def _checked(key: str, value: Any, source: str) -> Any:
    check, expected = _CHECKS[key]
    if not check(value):
        raise ProjectError(f"{source}: {key}: expected {expected}, got {value!r}")
    return float(value) if key == "fallback_threshold" else value


def _rasa_max_history(policies: Any, source: str) -> int | None:
    """Rasa keeps max_history per policy; the first policy that sets one wins."""
    for policy in policies if isinstance(policies, list) else []:
        if isinstance(policy, dict) and "max_history" in policy:
            return int(_checked("max_history", policy["max_history"], f"{source}: policies"))
    return None
