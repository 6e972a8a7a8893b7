"""config.yml's `lightgbm:` parameters, checked by LightGBM itself before anything trains.

A misspelt key is refused with the closest LightGBM parameter (LightGBM would only warn and
ignore it); a wrong value is refused with LightGBM's own reason, read from building a booster
on four rows, so that neither `ozbot check` nor a start lets a 40-line traceback out of a
training run later.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import lightgbm as lgb
import numpy as np

from bot.errors import ProjectError
from bot.spelling import did_you_mean
from policy.lightgbm_policy import TRAINING_KEYS

LEAST = {"num_boost_round": 1, "early_stopping_round": 0}
"""The least value of each of ozbot's own keys (TRAINING_KEYS, which steer `lgb.train`)."""
MULTICLASS = ("multiclass", "softmax", "multiclassova", "multiclass_ova", "ova", "ovr")
PARAMETERS_URL = "https://lightgbm.readthedocs.io/en/latest/Parameters.html"
_WHERE_IN_LIGHTGBM = re.compile(r"\s+at \S+, line \d+\s*\.?\s*$")


def check_lightgbm_params(params: Mapping[str, Any], where: str) -> None:
    """Raises ProjectError naming the key and the fix; `where` is e.g. `config.yml: lightgbm`."""
    known = _parameter_names()
    for key in params:
        if key not in known and key not in TRAINING_KEYS:
            raise ProjectError(
                f"{where}: unknown LightGBM parameter {key!r}{did_you_mean(key, known)}; "
                f"the parameters are listed at {PARAMETERS_URL}"
            )
    for key, least in LEAST.items():
        value = params.get(key, least)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ProjectError(f"{where}.{key}: expected a whole number of at least {least}")
    objective = params.get("objective", "multiclass")
    if objective not in MULTICLASS:
        raise ProjectError(
            f"{where}.objective: ozbot trains a multiclass model; use multiclass or "
            f"multiclassova, not {objective!r}"
        )
    booster_params = {k: v for k, v in params.items() if k not in TRAINING_KEYS}
    reason = _refused(booster_params)
    if reason is None:
        return
    culprit = next((k for k in booster_params if _refused({k: booster_params[k]})), None)
    what = (
        f".{culprit}: LightGBM refuses {booster_params[culprit]!r}"
        if culprit
        else (": LightGBM refuses these parameters together")
    )
    raise ProjectError(f"{where}{what}: {reason}; fix it (see {PARAMETERS_URL})")


def _parameter_names() -> set[str]:
    # LightGBM's own table of parameters and aliases (a private function; lightgbm is pinned
    # below 5 in pyproject.toml, and tests/policy/test_lightgbm_params.py notices a change).
    aliases = lgb.basic._ConfigAliases._get_all_param_aliases()
    return {name for names in aliases.values() for name in names} | set(aliases)


def _refused(params: Mapping[str, Any]) -> str | None:
    """LightGBM's reason for refusing `params` when it builds a booster on four rows, or None."""
    params = {"objective": "multiclass", **params, "num_class": 2, "verbose": -1}
    rows, labels = np.zeros((4, 1)), [0, 1, 0, 1]
    try:
        with _native_stderr_silenced():
            lgb.Booster(params=params, train_set=lgb.Dataset(rows, labels, params=params))
    except (lgb.basic.LightGBMError, ValueError, TypeError) as exc:
        return _WHERE_IN_LIGHTGBM.sub("", str(exc))
    return None


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """LightGBM's C++ side prints `[LightGBM] [Fatal] ...` itself before it raises; the error
    says the same, better."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
