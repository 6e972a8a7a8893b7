"""endpoints.yml as Rasa reads it, for what ozbot uses of it: the action server.

    action_endpoint:
      url: http://localhost:5055/webhook
      token: ${ACTION_TOKEN}        # sent as ?token=... (`token_name` renames it)
      headers: {X-Api-Key: abc}
      params: {tenant: shop}
      basic_auth: {username: bot, password: ${ACTION_PASSWORD}}

`${NAME}` in a value is the environment variable NAME, as in Rasa's endpoints.yml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from bot.errors import ProjectError
from bot.project import Project, read_endpoints

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_KEYS = {"url", "token", "token_name", "headers", "params", "basic_auth", "cafile"}


@dataclass(frozen=True)
class ActionEndpoint:
    """Where Rasa's action server is, and what each call sends along."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    """The query of each call (the token among them)."""
    basic_auth: tuple[str, str] | None = None


def endpoints_settings(
    project: Project, env: Mapping[str, str]
) -> tuple[ActionEndpoint | None, list[str]]:
    """endpoints.yml's action server, and a warning naming what ozbot does not use (its store
    is config.yml's `store:` or REDIS_URL)."""
    endpoints = read_endpoints(project)
    warnings = []
    if unused := sorted(key for key in endpoints if key != "action_endpoint"):
        warnings.append(f"{project.endpoints_file}: not used by ozbot: {', '.join(unused)}")
    section = endpoints.get("action_endpoint")
    if section is None:
        return None, warnings
    where = f"{project.endpoints_file}: action_endpoint"
    if not isinstance(section, dict):
        raise ProjectError(f"{where}: expected a mapping with `url:`")
    values = {key: _filled(value, f"{where}.{key}", env) for key, value in section.items()}
    url = values.get("url")
    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https"):
        raise ProjectError(
            f"{where}: expected `url:` with the action server's http(s) URL, "
            "e.g. http://localhost:5055/webhook"
        )
    if ignored := sorted(set(values) - _KEYS):
        warnings.append(f"{where}: not used by ozbot: {', '.join(ignored)}")
    params = _texts(values.get("params"), f"{where}.params")
    if values.get("token") is not None:
        params[str(values.get("token_name") or "token")] = str(values["token"])
    headers = _texts(values.get("headers"), f"{where}.headers")
    return ActionEndpoint(url, headers, params, _basic_auth(values, where)), warnings


def _filled(value: Any, where: str, env: Mapping[str, str]) -> Any:
    """`value` with `${NAME}` replaced by the environment's NAME, in texts at any depth."""
    if isinstance(value, dict):
        return {key: _filled(item, f"{where}.{key}", env) for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise ProjectError(f"{where}: the environment variable {name} is not set")
        return env[name]

    return _VARIABLE.sub(variable, value)


def _texts(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProjectError(f"{where}: expected a mapping of names to values")
    return {str(key): str(item) for key, item in value.items()}


def _basic_auth(values: dict[str, Any], where: str) -> tuple[str, str] | None:
    auth = values.get("basic_auth")
    if auth is None:
        return None
    if not isinstance(auth, dict) or not {"username", "password"} <= set(auth):
        raise ProjectError(f"{where}.basic_auth: expected `username:` and `password:`")
    return str(auth["username"]), str(auth["password"])
