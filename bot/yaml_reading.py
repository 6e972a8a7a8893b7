"""YAML read as Rasa reads it: YAML 1.2's core schema, for every file ozbot reads as YAML.

PyYAML's SafeLoader follows YAML 1.1, where `yes`, `no`, `on`, `off`, `y` and `n` are booleans,
`010` is octal and `1:20` is a number in base 60. Rasa reads YAML 1.2 (ruamel.yaml), where they
are text, so an intent, slot value or story name written `no` stays the word "no". Here only
`true`/`false` (any case of its first letter, or all capitals) are booleans, numbers follow the
1.2 core schema, and dates stay text (story and domain values must stay JSON values).

The domain, config.yml, endpoints.yml, stories, rules and NLU files all go through `Yaml12Loader`,
either whole (`load_yaml`) or node by node (the story and NLU readers, which name lines).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.errors import ProjectError
from bot.yaml_errors import yaml_errors

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_MERGE = re.compile(r"^(?:<<)$")


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core schema resolvers (see the module docstring)."""


Yaml12Loader.yaml_implicit_resolvers = {}  # none of YAML 1.1's: the ones below replace them


def _resolve(tag: str, pattern: re.Pattern[str], first: str) -> None:
    Yaml12Loader.add_implicit_resolver(tag, pattern, list(first))


_resolve("tag:yaml.org,2002:bool", _BOOL, "tTfF")
_resolve("tag:yaml.org,2002:int", _INT, "-+0123456789")
_resolve("tag:yaml.org,2002:float", _FLOAT, "-+0123456789.")
_resolve("tag:yaml.org,2002:null", _NULL, "~nN")
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, [""])
_resolve("tag:yaml.org,2002:merge", _MERGE, "<")


def _int(loader: Yaml12Loader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    return sign * int(digits, 10)


def _text(loader: Yaml12Loader, node: yaml.Node) -> str:
    return str(node.value)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:timestamp", _text)


def reads_as_text(text: str) -> bool:
    """True when `text`, written without quotes, reads back as this text: not as a bool, number
    or null of YAML 1.2 (`1e5`, `0o17`: PyYAML's writer, following YAML 1.1, leaves them bare)."""
    return not any(pattern.match(text) for pattern in (_BOOL, _INT, _FLOAT, _NULL, _MERGE))


def load_yaml(text: str, source: str, error: type[ProjectError]) -> Any:
    """The value of one YAML document, read as YAML 1.2; a parse error raises `error` naming
    `source` and the line."""
    with yaml_errors(source, error):
        return yaml.load(text, Loader=Yaml12Loader)
