"""Every setting of one start, read once, here, and checked before anything trains or connects.

Sources, a later one winning over an earlier one:

    defaults  <  config.yml  <  environment  <  command line

So `REDIS_URL` wins over config.yml's `store: url`, and `run --port` over `PORT` over
`OZBOT_PORT`. An empty variable means unset (`OZBOT_PORT=` in an env file is no port):
`environment` drops them once, at the entry point, before any reader sees the environment.
config.yml is parsed once; the values go down to the parts that need them, and no part reads
the environment or a file of settings by itself. A wrong value fails the start with what to
fix. `ozbot check` calls the same readers one by one, to list every problem at once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.endpoints import ActionEndpoint, endpoints_settings
from bot.errors import ConnectorError, ProjectError
from bot.interpreter import DEFAULT_THRESHOLD
from bot.project import Project, open_project, read_config
from bot.review import ReviewRules
from bot.stores.settings import RedisSettings, redis_settings
from bot.tracker import SNAPSHOT_TURNS
from connectors.slack_settings import SlackSettings
from connectors.telegram_settings import TelegramSettings
from connectors.web_settings import WebSettings
from policy.config import PolicyConfig, RetrainPace, policy_config_from_dict, retrain_pace_from_dict
from policy.rasa_config import read_rasa_config

CONNECTORS = ("terminal", "telegram", "slack")
_NAME = re.compile(r"[\w.-]{1,100}")
SLACK_PORT = 3000
"""The web server's port when Slack runs and no port is set: Bolt's habit."""


@dataclass(frozen=True)
class NluSettings:
    """Who reads free text: the built-in NLU, a Rasa server at `url` (`POST /model/parse`), or
    a Python class of the bot's own (`class_path`, config.yml's `class`)."""

    threshold: float = DEFAULT_THRESHOLD
    url: str | None = None
    timeout_seconds: float = 2.0
    """How long a message waits for the Rasa server or the class before it is refused with a
    notice."""
    class_path: str | None = None


@dataclass(frozen=True)
class Settings:
    """What every command needs: the project, its policy settings and where conversations live."""

    project: Project
    policy: PolicyConfig
    store: RedisSettings | None
    """The Redis store; None for the project's SQLite file."""
    nlu: NluSettings = field(default_factory=NluSettings)
    """config.yml's `nlu:`: the threshold, and a Rasa server to read free text instead."""
    warnings: tuple[str, ...] = ()
    """What config.yml and endpoints.yml hold that ozbot ignores."""
    retraining: RetrainPace = field(default_factory=RetrainPace)
    """config.yml's `retraining:`: when a retrain is due, and how often one may run."""
    action_endpoint: ActionEndpoint | None = None
    """endpoints.yml's `action_endpoint`: Rasa's action server."""
    review: ReviewRules = field(default_factory=ReviewRules)
    """config.yml's `review:`: which users' turns are flagged for review, and for how long."""


@dataclass(frozen=True)
class Serving:
    """What `ozbot run` serves: the connectors and their settings."""

    connectors: tuple[str, ...]
    telegram: TelegramSettings | None = None
    slack: SlackSettings | None = None
    web: WebSettings | None = None
    """The web server (webhooks, Slack's events, /healthz, /metrics); None for the terminal."""

    @property
    def platforms(self) -> bool:
        """A chat platform runs (not only the terminal)."""
        return self.telegram is not None or self.slack is not None


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """The variables that are set: an empty (or blank) variable means unset, everywhere."""
    return {name: value for name, value in env.items() if value.strip()}


def read_settings(root: Path, env: Mapping[str, str]) -> Settings:
    """The settings of the project at `root`; raises ProjectError saying what to fix."""
    project = open_project(root)
    config = read_config(project)
    policy, warnings = policy_settings(project, config)
    store = store_settings(project, config, env)
    shared = shared_prefix_warning(project, config, store)
    warnings += [shared] if shared else []
    endpoint, ignored = endpoints_settings(project, env)
    warnings += ignored
    nlu = nlu_settings(project, config)
    pace = retraining_settings(project, config)
    review = review_settings(project, config)
    return Settings(project, policy, store, nlu, tuple(warnings), pace, endpoint, review)


def policy_settings(project: Project, config: Mapping[str, Any]) -> tuple[PolicyConfig, list[str]]:
    """The policy settings of config.yml, checked, and warnings about what is ignored."""
    policy, warnings = policy_config_from_dict(dict(config), str(project.config_file))
    from policy.lightgbm_params import check_lightgbm_params  # LightGBM: only when read

    check_lightgbm_params(policy.lightgbm, f"{project.config_file}: lightgbm")
    if policy.max_history > SNAPSHOT_TURNS:
        raise ProjectError(
            f"{project.config_file}: max_history {policy.max_history} is more than the "
            f"{SNAPSHOT_TURNS} turns a conversation's snapshot keeps for the policy; lower it"
        )
    return policy, warnings


def retraining_settings(project: Project, config: Mapping[str, Any]) -> RetrainPace:
    """config.yml's `retraining: {after_turns: 10, wait_seconds: 10, min_interval_seconds: 60,
    interval_per_training_second: 10}`."""
    return retrain_pace_from_dict(config.get("retraining", {}), str(project.config_file))


_NLU_KEYS = ("threshold", "url", "class", "timeout_seconds")


def nlu_settings(project: Project, config: Mapping[str, Any]) -> NluSettings:
    """config.yml's `nlu: {threshold: 0.3, url: http://localhost:5005, timeout_seconds: 2}`, or
    `class: my_nlu.MyInterpreter` instead of `url`."""
    section = config.get("nlu", {})
    where = f"{project.config_file}: nlu"
    if not isinstance(section, dict):
        raise ProjectError(f"{where}: expected a mapping, e.g. {{threshold: 0.3}}")
    unknown = sorted(map(str, set(section) - set(_NLU_KEYS)))
    if unknown:
        raise ProjectError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_NLU_KEYS)}"
        )
    rasa = read_rasa_config(dict(config), str(project.config_file)).values
    default = rasa.get("nlu_threshold", DEFAULT_THRESHOLD)
    threshold = _number({"threshold": default, **section}, "threshold", default, where, (0, 1))
    timeout = _number(section, "timeout_seconds", 2.0, where, (0.1, 60))
    url = section.get("url")
    if url is not None and (
        not isinstance(url, str) or urlparse(url).scheme not in ("http", "https")
    ):
        raise ProjectError(
            f"{where}.url: expected the Rasa server's http(s) URL, e.g. http://localhost:5005"
        )
    class_path = section.get("class")
    if class_path is not None and not (isinstance(class_path, str) and "." in class_path):
        raise ProjectError(f"{where}.class: expected a class path, e.g. my_nlu.MyInterpreter")
    if url is not None and class_path is not None:
        raise ProjectError(f"{where}: `url` and `class` both name who reads free text; keep one")
    return NluSettings(threshold, url, timeout, class_path)


_REVIEW_NUMBERS = {
    "nlu_threshold": (0.0, 1.0),
    "action_threshold": (0.0, 1.0),
    "retention_days": (0.01, 3650.0),
    "claim_seconds": (10.0, 86400.0),
}


def review_settings(project: Project, config: Mapping[str, Any]) -> ReviewRules:
    """config.yml's `review: {nlu_threshold: 0.5, action_threshold: 0.5, fallbacks: true,
    repeats: true, keep_text: true, retention_days: 30, claim_seconds: 900, enabled: true}`."""
    section = config.get("review", {})
    where = f"{project.config_file}: review"
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise ProjectError(f"{where}: expected a mapping, e.g. {{nlu_threshold: 0.5}}")
    known = [f.name for f in fields(ReviewRules)]
    unknown = sorted(map(str, set(section) - set(known)))
    if unknown:
        raise ProjectError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )
    values: dict[str, Any] = {}
    for name in known:
        default = getattr(ReviewRules(), name)
        if name in _REVIEW_NUMBERS:
            values[name] = _number(section, name, default, where, _REVIEW_NUMBERS[name])
        elif not isinstance(section.get(name, default), bool):
            raise ProjectError(f"{where}.{name}: expected true or false, got {section[name]!r}")
        else:
            values[name] = section.get(name, default)
    return ReviewRules(**values)


def _number(
    section: Mapping[str, Any], key: str, default: float, where: str, bounds: tuple[float, float]
) -> float:
    value = section.get(key, default)
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ProjectError(f"{where}.{key}: expected a number from {low} to {high}, got {value!r}")
    return float(value)


def store_settings(
    project: Project, config: Mapping[str, Any], env: Mapping[str, str]
) -> RedisSettings | None:
    """The Redis store's settings (REDIS_URL or config.yml's `store:`), or None for SQLite."""
    prefix = default_prefix(project, config)
    return redis_settings(env, config, prefix, str(project.config_file))


def default_prefix(project: Project, config: Mapping[str, Any]) -> str:
    """The Redis key prefix unless `store: prefix` says: `ozbot:<assistant_id>`, the bot's name
    in config.yml (Rasa's key, unique per assistant), else `ozbot:<folder>` as before names,
    so that a bot upgraded without one keeps its conversations."""
    name = config.get("assistant_id")
    if name is None:
        return f"ozbot:{project.root.name}"
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ProjectError(
            f"{project.config_file}: assistant_id: expected a name of letters, digits and "
            f"'-', '_' or '.', unique to this bot, e.g. {new_assistant_id(project.root)}"
        )
    return f"ozbot:{name}"


def shared_prefix_warning(
    project: Project, config: Mapping[str, Any], store: RedisSettings | None
) -> str | None:
    """Why the Redis key prefix may be another bot's too (it comes from the folder's name);
    None when the bot has a name or a prefix of its own, or no Redis."""
    section = config.get("store")
    if store is None or "assistant_id" in config or "prefix" in (section or {}):
        return None
    name = new_assistant_id(project.root)
    return (
        f"{project.config_file}: this bot's Redis keys are under {store.prefix}, named after "
        "its folder, which another bot on the same Redis may share (every Docker image runs "
        f"in /bot). Give the bot a name of its own: `assistant_id: {name}` in config.yml puts "
        f"its keys under ozbot:{name}; to keep the conversations stored so far instead, set "
        f"`store: {{prefix: {store.prefix}}}`"
    )


def new_assistant_id(folder: Path) -> str:
    """A name for a new bot, unique with a random part: `my-bot-7f3a91c2`."""
    return f"{folder.resolve().name or 'bot'}-{secrets.token_hex(4)}"


def read_serving(names: Sequence[str], port: int | None, env: Mapping[str, str]) -> Serving:
    """The connectors of `ozbot run NAMES` and their settings; raises ConnectorError."""
    connectors = chosen(names, env)
    telegram = TelegramSettings.from_env(env) if "telegram" in connectors else None
    slack = SlackSettings.from_env(env) if "slack" in connectors else None
    serves_web = telegram is not None or slack is not None
    web = web_settings(port, env, slack=slack is not None) if serves_web else None
    return Serving(connectors, telegram, slack, web)


def chosen(names: Sequence[str], env: Mapping[str, str]) -> tuple[str, ...]:
    """The connectors to run: those named, else those whose token is set, else the terminal."""
    unknown = [name for name in names if name not in CONNECTORS]
    if unknown:
        raise ConnectorError(
            f"unknown connector {', '.join(unknown)}; ozbot has {', '.join(CONNECTORS)}"
        )
    if names:
        return tuple(dict.fromkeys(names))
    return ("telegram",) if env.get("TELEGRAM_TOKEN", "").strip() else ("terminal",)


def web_settings(port: int | None, env: Mapping[str, str], *, slack: bool) -> WebSettings:
    """`--port`, else `PORT`, else `OZBOT_PORT`, else 3000 with Slack (Bolt's habit) or 8080."""
    default = str(SLACK_PORT) if slack else None
    raw = str(port) if port is not None else env.get("PORT") or env.get("OZBOT_PORT") or default
    return WebSettings.from_env({**env, "OZBOT_PORT": raw} if raw else env)
