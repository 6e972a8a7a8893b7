"""Rasa 2/3 forms and slot mappings in a domain: the values and how they are read.

forms:
  restaurant_form:
    required_slots: [cuisine, num_people]      # Rasa 3; Rasa 2: a mapping of slot to
    ignored_intents: [chitchat]                # its mappings (they apply while the form
slots:                                         # is active)
  cuisine:
    type: text
    mappings:
    - type: from_entity
      entity: cuisine
      conditions:
      - active_loop: restaurant_form
        requested_slot: cuisine
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.errors import DomainError

REQUESTED_SLOT = "requested_slot"
"""The slot a form asks for next (Rasa's name); added to a domain with forms."""
ACTION_DEACTIVATE_LOOP = "action_deactivate_loop"
"""Rasa's action that ends the active form; in a domain with forms."""
MAPPING_TYPES = ("from_entity", "from_text", "from_intent", "from_trigger_intent", "custom")
_MAPPING_KEYS = {
    "type", "entity", "intent", "not_intent", "value", "role", "group", "conditions", "action",
}  # fmt: skip


@dataclass(frozen=True)
class LoopCondition:
    """A mapping applies while this form is active (None: while none is), and asks for this
    slot, if given."""

    active_loop: str | None
    requested_slot: str | None = None


@dataclass(frozen=True)
class SlotMapping:
    """How a slot is filled from what the user says (Rasa 3's `mappings:` items)."""

    type: str
    """One of MAPPING_TYPES."""
    entity: str | None = None
    intent: tuple[str, ...] = ()
    """Only after these intents (none: any)."""
    not_intent: tuple[str, ...] = ()
    value: Any = None
    """What from_intent and from_trigger_intent set."""
    role: str | None = None
    group: str | None = None
    conditions: tuple[LoopCondition, ...] = ()
    """Any of them must hold (none: always)."""


@dataclass(frozen=True)
class Form:
    """A Rasa form: it asks for its required slots one by one until all are filled."""

    name: str
    required_slots: tuple[str, ...]
    ignored_intents: tuple[str, ...] = ()
    """Intents that never fill its slots."""


def mapping_dict(mapping: SlotMapping) -> dict[str, Any]:
    """A mapping as Rasa writes it (what `parse_mappings` reads back)."""
    data: dict[str, Any] = {"type": mapping.type}
    for key in ("entity", "role", "group"):
        if getattr(mapping, key) is not None:
            data[key] = getattr(mapping, key)
    for key in ("intent", "not_intent"):
        if getattr(mapping, key):
            data[key] = list(getattr(mapping, key))
    if mapping.type in ("from_intent", "from_trigger_intent"):
        data["value"] = mapping.value
    if mapping.conditions:
        data["conditions"] = [_condition_dict(c) for c in mapping.conditions]
    return data


def _condition_dict(condition: LoopCondition) -> dict[str, Any]:
    data: dict[str, Any] = {"active_loop": condition.active_loop}
    if condition.requested_slot is not None:
        data["requested_slot"] = condition.requested_slot
    return data


def form_dict(form: Form) -> dict[str, Any]:
    """A form as Rasa 3 writes it."""
    data: dict[str, Any] = {"required_slots": list(form.required_slots)}
    if form.ignored_intents:
        data["ignored_intents"] = list(form.ignored_intents)
    return data


def parse_mappings(items: Any, where: str) -> tuple[SlotMapping, ...]:
    """A slot's `mappings:` (`where` names it in errors)."""
    if not isinstance(items, list):
        raise DomainError(f"{where}.mappings: expected a list of mappings (`- type: from_entity`)")
    return tuple(_mapping(item, f"{where}.mappings[{i}]") for i, item in enumerate(items))


def _mapping(item: Any, where: str) -> SlotMapping:
    if not isinstance(item, dict) or item.get("type") not in MAPPING_TYPES:
        raise DomainError(f"{where}: each mapping needs a `type`: {', '.join(MAPPING_TYPES)}")
    if unknown := set(item) - _MAPPING_KEYS:
        raise DomainError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"a mapping has {', '.join(sorted(_MAPPING_KEYS))}"
        )
    kind = item["type"]
    if kind == "from_entity" and not isinstance(item.get("entity"), str):
        raise DomainError(f"{where}: a from_entity mapping names its `entity`")
    if kind in ("from_intent", "from_trigger_intent") and "value" not in item:
        raise DomainError(f"{where}: a {kind} mapping gives the `value` it sets")
    return SlotMapping(
        type=kind,
        entity=item.get("entity"),
        intent=_names(item.get("intent"), f"{where}.intent"),
        not_intent=_names(item.get("not_intent"), f"{where}.not_intent"),
        value=item.get("value"),
        role=_text(item.get("role"), f"{where}.role"),
        group=_text(item.get("group"), f"{where}.group"),
        conditions=_conditions(item.get("conditions"), f"{where}.conditions"),
    )


def _conditions(items: Any, where: str) -> tuple[LoopCondition, ...]:
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DomainError(f"{where}: expected a list of `- active_loop: form_name` items")
    return tuple(
        LoopCondition(
            _text(item.get("active_loop"), f"{where}.active_loop"),
            _text(item.get("requested_slot"), f"{where}.requested_slot"),
        )
        for item in items
    )


FormSlotMappings = dict[str, tuple[SlotMapping, ...]]
"""The slot mappings Rasa 2 forms give, by slot."""


def parse_forms(data: Any, source: str) -> tuple[dict[str, Form], FormSlotMappings]:
    """The domain's `forms:`: Rasa 3 (`required_slots` a list), Rasa 2.x (`required_slots` a
    mapping of slot to mappings) or Rasa 2.0 (the form a mapping of slot to mappings); with
    the mappings the Rasa 2 forms give (each applies while its form is active)."""
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise DomainError(f"{source}: forms: expected a mapping of form name to its settings")
    forms = {}
    mappings: FormSlotMappings = {}
    for name, spec in data.items():
        where = f"{source}: forms.{name}"
        if not isinstance(name, str) or not name:
            raise DomainError(f"{source}: forms: {name!r} is not a form name")
        spec = spec or {}
        if not isinstance(spec, dict):
            raise DomainError(f"{where}: expected a mapping with `required_slots`")
        required = spec.get("required_slots", _rasa_2_0_slots(spec))
        slots = list(required) if isinstance(required, dict | list) else None
        if slots is None or not all(isinstance(slot, str) and slot for slot in slots):
            raise DomainError(f"{where}.required_slots: expected a list of slot names")
        ignored = _names(spec.get("ignored_intents"), f"{where}.ignored_intents")
        forms[name] = Form(name, tuple(slots), ignored)
        for slot, items in required.items() if isinstance(required, dict) else ():
            found = parse_mappings(items or [], f"{where}.required_slots.{slot}")
            mappings[slot] = mappings.get(slot, ()) + tuple(
                _while_active(m, name, slot) for m in found
            )
    return forms, mappings


def _rasa_2_0_slots(spec: dict[str, Any]) -> Any:
    """Rasa 2.0 wrote a form as a mapping of slot name to mappings, with no other key."""
    return {key: value for key, value in spec.items() if key != "ignored_intents"}


def _while_active(mapping: SlotMapping, form: str, slot: str) -> SlotMapping:
    """A Rasa 2 form's mapping: an entity fills any of its slots while it is active, a text
    or an intent only the slot it asks for."""
    if mapping.conditions:
        return mapping
    asked = None if mapping.type == "from_entity" else slot
    return replace(mapping, conditions=(LoopCondition(form, asked),))


def _names(value: Any, where: str) -> tuple[str, ...]:
    """One name or a list of names."""
    items = [] if value is None else [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise DomainError(f"{where}: expected a name or a list of names")
    return tuple(items)


def _text(value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise DomainError(f"{where}: expected a name, got {value!r}")
    return value
