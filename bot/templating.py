"""`{slot}` placeholders in a response's text: which there are, and the text filled in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> list[str]:
    """The `{slot}` placeholders of a response's text, in order."""
    return _PLACEHOLDER.findall(text)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Each `{name}` replaced by its value; a name without a value stays as written."""

    def substitute(match: re.Match[str]) -> str:
        name = match[1]
        return str(values[name]) if name in values else match[0]

    return _PLACEHOLDER.sub(substitute, text)
