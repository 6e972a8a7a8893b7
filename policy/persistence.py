"""A trained policy on disk: one folder, written whole or not at all.

    booster.txt       LightGBM's model text (empty when training saw fewer than two actions)
    featurizer.json   the vocabulary and max_history
    memoization.json  the remembered and taught histories
    rules.json        the project's rules, as snippets (policy/rules.py)
    metadata.json     format, fingerprints, config, metrics, the booster's classes, its
                      temperature (`fit_temperature`) and checksum

LightGBM aborts the whole process on some truncated model texts instead of raising, so the
booster is checked against the checksum in metadata.json before LightGBM reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.domain import Domain
from bot.errors import ModelError
from bot.folders import replaced_whole, write_json
from bot.tracker import Tracker
from policy.ensemble import EnsemblePolicy
from policy.featurizer import Featurizer
from policy.lightgbm_policy import LightGBMModel
from policy.memoization import Memoization
from policy.metadata import FORMAT_VERSION, ModelMetadata
from policy.rules import Snippet
from policy.rules import from_json as rules_from_json
from policy.rules import to_json as rules_json

BOOSTER, FEATURIZER, MEMOIZATION, METADATA, RULES = (
    "booster.txt",
    "featurizer.json",
    "memoization.json",
    "metadata.json",
    "rules.json",
)
RETRAIN_HINT = "run `ozbot train`"
T = TypeVar("T")


def save_model(policy: EnsemblePolicy, folder: Path) -> None:
    """Write the policy to `folder`, replacing what is there; blocking, so not on the loop."""
    if policy.metadata is None:
        raise ModelError("this policy has no training metadata; save a policy from train_policy")
    booster = policy.model.to_string()
    metadata = {
        **policy.metadata.to_dict(),
        "classes": list(policy.model.classes),
        "temperature": policy.model.temperature,
        "booster_sha256": _sha256(booster),
    }
    with replaced_whole(folder) as staging:
        (staging / BOOSTER).write_text(booster, encoding="utf-8")
        write_json(staging / FEATURIZER, policy.featurizer.to_dict())
        write_json(staging / MEMOIZATION, policy.memoization.to_dict())
        write_json(staging / METADATA, metadata)
        write_json(staging / RULES, {"rules": rules_json(policy.rules)})


def load_model(folder: Path, domain: Domain) -> EnsemblePolicy:
    """The policy saved in `folder`; raises ModelError when it is missing, corrupt or was
    trained for another domain."""
    raw = _read_json(folder / METADATA)
    if raw.get("format") != FORMAT_VERSION:
        raise ModelError(f"{folder / METADATA}: model format {raw.get('format')!r}; {RETRAIN_HINT}")
    if raw.get("domain_fingerprint") != domain.fingerprint():
        raise ModelError(
            f"the model in {folder} was trained for another domain (the domain changed since); "
            f"{RETRAIN_HINT}"
        )
    metadata = _parsed(folder / METADATA, raw, ModelMetadata.from_dict)
    featurizer = _parsed(folder / FEATURIZER, _read_json(folder / FEATURIZER), Featurizer.from_dict)
    memo_path = folder / MEMOIZATION
    memoization = _parsed(memo_path, _read_json(memo_path), Memoization.from_dict)
    model = _load_booster(folder / BOOSTER, raw, len(domain.actions))
    threshold = metadata.config.fallback_threshold
    fallback = metadata.config.fallback_action
    rules = _rules(folder / RULES)
    policy = EnsemblePolicy(
        domain, featurizer, memoization, model, threshold, metadata, fallback, rules
    )
    _check_predicts(policy, folder)
    return policy


def _check_predicts(policy: EnsemblePolicy, folder: Path) -> None:
    """One prediction for a new conversation: files that each read well may still not fit
    together (a booster of other features, say), and such a model must not serve."""
    try:
        policy.predict(Tracker("model check", policy.domain, []))
    except Exception as exc:  # whatever it raises, it cannot serve
        raise ModelError(f"the model in {folder} cannot predict ({exc!r}); {RETRAIN_HINT}") from exc


def _rules(path: Path) -> tuple[Snippet, ...]:
    """The rules saved with the model; a model saved before rules existed has none."""
    if not path.exists():
        return ()
    return _parsed(path, _read_json(path), lambda data: rules_from_json(data["rules"]))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no such file; {RETRAIN_HINT}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: cannot read it ({exc}); {RETRAIN_HINT}") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path}: corrupt (not a JSON object); {RETRAIN_HINT}")
    return data


def _parsed(path: Path, data: dict[str, Any], parse: Callable[[dict[str, Any]], T]) -> T:
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(f"{path}: corrupt ({exc!r}); {RETRAIN_HINT}") from exc


def _load_booster(path: Path, metadata: dict[str, Any], n_actions: int) -> LightGBMModel:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no such file; {RETRAIN_HINT}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot read it ({exc}); {RETRAIN_HINT}") from exc
    if _sha256(text) != metadata.get("booster_sha256"):
        raise ModelError(f"{path}: corrupt (checksum differs); {RETRAIN_HINT}")
    try:
        temperature = float(metadata["temperature"])
        return LightGBMModel.from_string(text, metadata["classes"], n_actions, temperature)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path}: corrupt ({exc}); {RETRAIN_HINT}") from exc


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
