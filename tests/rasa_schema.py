"""Validates YAML as Rasa 3.6 does on loading: its published schemas with pykwalify
(`tests/rasa_schemas/`, see the README there), and the slot mappings Rasa checks in code."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from pykwalify.core import Core
from pykwalify.errors import SchemaError
from ruamel.yaml import YAML

SCHEMAS = Path(__file__).resolve().parent / "rasa_schemas"
SLOT_TYPES = {"text", "bool", "categorical", "float", "list", "any"}
MAPPING_TYPES = {"from_entity", "from_text", "from_intent", "from_trigger_intent", "custom"}

logging.getLogger("pykwalify").setLevel(logging.CRITICAL)  # errors come back as the exception


def require_response_keys(responses: list[Any], _: Any, __: str) -> bool:
    """The pykwalify extension the responses schema names: a variation has text or custom."""
    for response in responses:
        if (
            isinstance(response, dict)
            and response.get("text") is None
            and not response.get("custom")
        ):
            raise SchemaError("a response variation has neither `text` nor `custom`")
    return True


def rasa_yaml(text: str) -> Any:
    """YAML read as Rasa reads it (ruamel, YAML 1.2)."""
    return YAML(typ="safe", pure=True).load(text)


def validate(text: str, schema: str) -> Any:
    """The data of `text` when the schema (`domain`, `stories` or `nlu`) accepts it; raises
    SchemaError, naming what is wrong, when not."""
    data = rasa_yaml(text)
    schema_data = {**rasa_yaml(_read(schema)), **rasa_yaml(_read("responses"))}
    core = Core(source_data=data, schema_data=schema_data)
    core.loaded_extensions = [sys.modules[__name__]]  # its loader of files is deprecated
    core.validate(raise_exception=True)
    return data


def validate_domain(text: str) -> dict[str, Any]:
    """`validate(text, "domain")`, and each slot as Rasa 3.6 requires it."""
    data = validate(text, "domain")
    entities = {e if isinstance(e, str) else next(iter(e)) for e in data.get("entities") or []}
    for name, slot in (data.get("slots") or {}).items():
        _check_slot(name, slot, entities)
    return data


def _check_slot(name: str, slot: dict[str, Any], entities: set[str]) -> None:
    if slot.get("type") not in SLOT_TYPES:
        raise SchemaError(f"slot {name}: type {slot.get('type')!r} is not a Rasa 3 slot type")
    if slot["type"] == "any" and slot.get("influence_conversation"):
        raise SchemaError(f"slot {name}: a slot of type any cannot influence the conversation")
    mappings = slot.get("mappings")
    if not isinstance(mappings, list):
        raise SchemaError(f"slot {name}: Rasa 3 needs a list of `mappings`")
    for mapping in mappings:
        if mapping.get("type") not in MAPPING_TYPES:
            raise SchemaError(f"slot {name}: unknown mapping type {mapping.get('type')!r}")
        if mapping["type"] == "from_entity" and mapping.get("entity") not in entities:
            raise SchemaError(f"slot {name}: from_entity names no entity of the domain")


def _read(schema: str) -> str:
    return (SCHEMAS / f"{schema}.yml").read_text(encoding="utf-8")
