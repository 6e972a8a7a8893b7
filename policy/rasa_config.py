"""Rasa's config.yml (`pipeline:`, `policies:`) mapped onto ozbot's settings where ozbot has
the concept, and the rest reported once.

    max_history                       any policy's (the first that sets one)
    fallback_threshold                RulePolicy `core_fallback_threshold`,
                                      FallbackPolicy `core_threshold` (Rasa 1)
    fallback_action                   RulePolicy `core_fallback_action_name`,
                                      FallbackPolicy `fallback_action_name`
    nlu threshold                     FallbackClassifier `threshold`,
                                      FallbackPolicy `nlu_threshold`

ozbot reads free text with its built-in NLU (or a Rasa server, config.yml's `nlu: url`) and
decides with memoization, the rules and LightGBM, so the components and policies themselves
are not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RASA_KEYS = ("language", "pipeline", "policies", "recipe")

_POLICY_KEYS: dict[str, dict[str, str]] = {
    "RulePolicy": {
        "core_fallback_threshold": "fallback_threshold",
        "core_fallback_action_name": "fallback_action",
    },
    "FallbackPolicy": {
        "core_threshold": "fallback_threshold",
        "fallback_action_name": "fallback_action",
        "nlu_threshold": "nlu_threshold",
    },
}
_COMPONENT_KEYS: dict[str, dict[str, str]] = {"FallbackClassifier": {"threshold": "nlu_threshold"}}


@dataclass(frozen=True)
class RasaConfig:
    """What ozbot takes from Rasa's keys, by ozbot's setting name, and the report of it."""

    values: dict[str, Any] = field(default_factory=dict)
    """Setting name -> value: max_history, fallback_threshold, fallback_action, nlu_threshold."""
    report: list[str] = field(default_factory=list)


def read_rasa_config(data: dict[str, Any], source: str) -> RasaConfig:
    """Rasa's keys of a config.yml mapping; nothing when it has none. ozbot's own keys
    (`max_history: 3`, `nlu: {threshold: 0.4}`) win over Rasa's."""
    present = [key for key in RASA_KEYS if key in data]
    if not present:
        return RasaConfig()
    own = set(data) | ({"nlu_threshold"} if "threshold" in (data.get("nlu") or {}) else set())
    values: dict[str, Any] = {}
    taken: list[str] = []
    policies = _named(data.get("policies"))
    components = _named(data.get("pipeline"))
    for name, item in policies:
        if "max_history" in item and not {"max_history"} & (own | set(values)):
            values["max_history"] = item["max_history"]
            taken.append(f"max_history {item['max_history']} ({name})")
    for items, mapping in ((policies, _POLICY_KEYS), (components, _COMPONENT_KEYS)):
        for name, item in items:
            for key, setting in mapping.get(name, {}).items():
                if key in item and setting not in own | set(values):
                    values[setting] = item[key]
                    taken.append(f"{setting} {item[key]} ({name} {key})")
    report = [_not_run(source, present, policies, components)]
    if taken:
        report.append(f"{source}: taken from Rasa's settings: {', '.join(taken)}")
    return RasaConfig(values, report)


def _named(items: Any) -> list[tuple[str, dict[str, Any]]]:
    """The (name, settings) of a list of Rasa components or policies; a bare name counts."""
    named = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            named.append((str(item.get("name", "?")).rsplit(".", 1)[-1], item))
        elif isinstance(item, str):
            named.append((item, {}))
    return named


def _not_run(
    source: str,
    present: list[str],
    policies: list[tuple[str, dict[str, Any]]],
    components: list[tuple[str, dict[str, Any]]],
) -> str:
    parts = [f"keys {', '.join(present)}"]
    if components:
        parts.append(f"pipeline {', '.join(name for name, _ in components)}")
    if policies:
        parts.append(f"policies {', '.join(name for name, _ in policies)}")
    return (
        f"{source}: Rasa's {'; '.join(parts)} are not run: ozbot reads free text with its "
        "built-in NLU (or a Rasa server, `nlu: url`) and decides with memoization, the "
        "rules and LightGBM"
    )
