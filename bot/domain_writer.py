"""The domain as a Rasa 3 `domain.yml` that Rasa 3.6 accepts, whatever form it was read from.

Rasa 3 wants what Rasa 1 and ozbot leave implicit: every slot has `mappings` (as read: a slot
without any fills from the entity of its name; a slot no message fills is set by actions,
`custom`), forms list their `required_slots`, and `unfeaturized` is no type any more (`any`
with `influence_conversation: false`). Actions are names (a Rasa Core 0.x `module.Class`
becomes the name ozbot gives it) and Rasa's own actions are left out: Rasa adds them itself
and refuses a domain that redefines them.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.domain import DEFAULT_ACTIONS, Domain, Response, Slot
from bot.domain_forms import ACTION_DEACTIVATE_LOOP, REQUESTED_SLOT, form_dict, mapping_dict
from bot.events import ACTION_DEFAULT_FALLBACK

VERSION = "3.1"
_RASA_ACTIONS = {*DEFAULT_ACTIONS, ACTION_DEFAULT_FALLBACK, ACTION_DEACTIVATE_LOOP}


def write_domain_yaml(domain: Domain) -> str:
    """The domain in Rasa 3 YAML."""
    data: dict[str, Any] = {
        "intents": list(domain.intents),
        "entities": list(domain.entities),
        "slots": {slot.name: _slot(slot) for slot in domain.slots if not _rasa_adds(slot)},
        "responses": {
            name: [variation_dict(v) for v in variations]
            for name, variations in domain.responses.items()
        },
        "actions": [a for a in domain.actions if a not in _RASA_ACTIONS and a not in domain.forms],
        "session_config": {
            "session_expiration_time": 60,
            "carry_over_slots_to_new_session": True,
        },
    }
    if domain.forms:
        data["forms"] = {name: form_dict(form) for name, form in domain.forms.items()}
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f'version: "{VERSION}"\n{dumped}'


def _rasa_adds(slot: Slot) -> bool:
    """`requested_slot` as Rasa adds it to a domain with forms (a featurized one is written)."""
    return slot.name == REQUESTED_SLOT and not slot.featurized


def _slot(slot: Slot) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "any" if slot.type == "unfeaturized" else slot.type}
    if slot.type in ("unfeaturized", "any"):
        data["influence_conversation"] = False
    if slot.type == "categorical":
        data["values"] = list(slot.values)
    if slot.type == "float":
        data["min_value"], data["max_value"] = slot.min_value, slot.max_value
    if slot.initial_value is not None:
        data["initial_value"] = slot.initial_value
    data["mappings"] = [mapping_dict(m) for m in slot.mappings] or [{"type": "custom"}]
    return data


def variation_dict(response: Response) -> dict[str, Any]:
    """A response variation as Rasa writes it, Rasa's other keys (`condition`, ...) included."""
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
