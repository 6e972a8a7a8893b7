"""The domain as a Rasa 3 `domain.yml` that Rasa 3.6 accepts, whatever form it was read from.

Rasa 3 wants what Rasa 1 and ozbot leave implicit: every slot has `mappings` (a slot named
after an entity fills from it, as ozbot fills it; any other slot is set by actions, `custom`),
and `unfeaturized` is no type any more (`any` with `influence_conversation: false`). Actions
are names (a Rasa Core 0.x `module.Class` becomes the name ozbot gives it) and Rasa's own
actions are left out: Rasa adds them itself and refuses a domain that redefines them.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.domain import DEFAULT_ACTIONS, Domain, Response, Slot
from bot.events import ACTION_DEFAULT_FALLBACK

VERSION = "3.1"
_RASA_ACTIONS = {*DEFAULT_ACTIONS, ACTION_DEFAULT_FALLBACK}


def write_domain_yaml(domain: Domain) -> str:
    """The domain in Rasa 3 YAML."""
    data: dict[str, Any] = {
        "intents": list(domain.intents),
        "entities": list(domain.entities),
        "slots": {slot.name: _slot(slot, domain) for slot in domain.slots},
        "responses": {
            name: [_variation(v) for v in variations]
            for name, variations in domain.responses.items()
        },
        "actions": [a for a in domain.actions if a not in _RASA_ACTIONS],
        "session_config": {
            "session_expiration_time": 60,
            "carry_over_slots_to_new_session": True,
        },
    }
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f'version: "{VERSION}"\n{dumped}'


def _slot(slot: Slot, domain: Domain) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "any" if slot.type == "unfeaturized" else slot.type}
    if slot.type in ("unfeaturized", "any"):
        data["influence_conversation"] = False
    if slot.type == "categorical":
        data["values"] = list(slot.values)
    if slot.type == "float":
        data["min_value"], data["max_value"] = slot.min_value, slot.max_value
    if slot.initial_value is not None:
        data["initial_value"] = slot.initial_value
    data["mappings"] = [_mapping(slot, domain)]
    return data


def _mapping(slot: Slot, domain: Domain) -> dict[str, Any]:
    """How ozbot fills the slot, said as Rasa says it."""
    if slot.auto_fill and slot.name in domain.entities:
        return {"type": "from_entity", "entity": slot.name}
    return {"type": "custom"}


def _variation(response: Response) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if response.text or not response.custom:
        data["text"] = response.text
    if response.buttons:
        data["buttons"] = [{"title": title, "payload": load} for title, load in response.buttons]
    if response.image:
        data["image"] = response.image
    if response.custom:
        data["custom"] = response.custom
    return {**data, **response.extra}
