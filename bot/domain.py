"""The domain: what the bot understands (intents, entities), remembers (slots) and does (actions).

Reads both the Rasa Core 0.x form (`templates:`, custom actions as `module.Class`) and the
Rasa 1.x-3.x form (`responses:`, `version:`), with Rasa 2/3 forms and slot mappings: a Rasa 3
slot says how it is filled (`mappings:`), a slot without them is filled by the entity of its
name (Rasa 1/2's `auto_fill`), and a Rasa 2 form's slot mappings apply while that form is active.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.domain_forms import (
    ACTION_DEACTIVATE_LOOP,
    REQUESTED_SLOT,
    Form,
    SlotMapping,
    parse_forms,
    parse_mappings,
)
from bot.errors import DomainError
from bot.events import ACTION_DEFAULT_FALLBACK, ACTION_LISTEN, ACTION_RESTART, SlotSet
from bot.yaml_reading import load_yaml

DEFAULT_ACTIONS = (ACTION_LISTEN, ACTION_RESTART)
"""Come first, so that action indices match the seed's list; the fallback comes last."""
SLOT_TYPES = ("text", "bool", "list", "categorical", "float", "unfeaturized", "any")

_IGNORED_KEYS = {"version", "session_config", "config", "e2e_actions"}
_KNOWN_KEYS = {"intents", "entities", "slots", "templates", "responses", "actions", "forms"}
_VARIATION_KEYS = {"text", "buttons", "image", "custom"}
_EXTRA_VARIATION_KEYS = {
    "id", "channel", "condition", "metadata", "button_type", "quick_replies", "attachment",
    "elements",
}  # fmt: skip
"""Rasa's other keys of a response variation: kept as written, for the export."""


@dataclass(frozen=True)
class Slot:
    """A slot; `featurized` is False for slots that must not influence the conversation."""

    name: str
    type: str
    values: tuple[str, ...] = ()
    min_value: float = 0.0
    max_value: float = 1.0
    initial_value: Any = None
    mappings: tuple[SlotMapping, ...] = ()
    """How the user's messages fill it: as written, or from the entity of its name."""

    @property
    def featurized(self) -> bool:
        return self.type not in ("unfeaturized", "any")


@dataclass(frozen=True)
class Response:
    """One variation of a response: text with `{slot}` placeholders, optional buttons, an image
    URL, a custom payload, and Rasa's other keys (`channel`, `condition`, ...) kept as written
    so that an export gives them back."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    image: str = ""
    custom: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Domain:
    intents: tuple[str, ...]
    entities: tuple[str, ...]
    slots: tuple[Slot, ...]
    responses: dict[str, tuple[Response, ...]]
    actions: tuple[str, ...]
    """Every action: listen and restart, the domain's in file order, then the fallback."""
    action_classes: dict[str, str] = field(default_factory=dict)
    """Action name -> `module.Class` for actions the domain lists as a class path."""
    forms: dict[str, Form] = field(default_factory=dict)

    def slot(self, name: str) -> Slot | None:
        return next((slot for slot in self.slots if slot.name == name), None)

    def response_for(self, action: str) -> tuple[Response, ...] | None:
        """The response an action utters: same name, or the name with/without `utter_`."""
        for candidate in (action, f"utter_{action}", action.removeprefix("utter_")):
            if candidate in self.responses:
                return self.responses[candidate]
        return None

    def fingerprint(self) -> str:
        """Changes whenever anything the policy depends on changes."""
        content = {
            "intents": self.intents,
            "entities": self.entities,
            "slots": [(s.name, s.type, s.values, s.min_value, s.max_value) for s in self.slots],
            "actions": self.actions,
            "forms": sorted(self.forms),
        }
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


def load_domain(path: Path) -> Domain:
    """Read a domain file, or a folder of domain files merged as Rasa merges them; errors name
    the file and the key that is wrong."""
    if not path.is_dir():
        return domain_from_dict(_read_domain_file(path) or {}, str(path))
    merged: dict[str, Any] = {}
    for file in sorted(f for f in path.rglob("*") if f.suffix.lower() in (".yml", ".yaml")):
        data = _read_domain_file(file)
        if isinstance(data, dict) and set(data) & _KNOWN_KEYS:
            domain_from_dict(data, str(file))  # each file must be a domain by itself
            merged = _merged(merged, data)
    return domain_from_dict(merged, str(path))


def _read_domain_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DomainError(f"{path}: cannot read the domain: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise DomainError(f"{path}: cannot read the domain: it is not UTF-8 text") from exc
    return load_yaml(text, str(path), DomainError)


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Rasa's merge of the files of a domain folder: lists joined without repeats, mappings
    joined with the later file winning a name both have, other keys from the later file."""
    merged = dict(first)
    for key, value in second.items():
        before = merged.get(key)
        if isinstance(before, list) and isinstance(value, list):
            merged[key] = before + [item for item in value if item not in before]
        elif isinstance(before, dict) and isinstance(value, dict):
            merged[key] = {**before, **value}
        else:
            merged[key] = value
    return merged


def domain_from_dict(data: Any, source: str = "domain") -> Domain:
    if not isinstance(data, dict):
        raise DomainError(f"{source}: the domain must be a mapping of keys (intents, slots, ...)")
    unknown = set(data) - _KNOWN_KEYS - _IGNORED_KEYS
    if unknown:
        raise DomainError(
            f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"a domain has {', '.join(sorted(_KNOWN_KEYS))}"
        )
    responses = _parse_responses(data, source)
    actions, classes = _parse_actions(data.get("actions") or [], source)
    for name in responses:
        if name.startswith("utter_") and name not in actions:
            actions.append(name)
    forms, form_mappings = parse_forms(data.get("forms"), source)
    entities = tuple(_names(data.get("entities") or [], "entities", source))
    slots = _parse_slots(data.get("slots") or {}, source, entities)
    if forms:
        actions += [name for name in (*forms, ACTION_DEACTIVATE_LOOP) if name not in actions]
        slots = _with_form_slots(slots, forms, form_mappings)
        _check_forms(forms, slots, source)
    return Domain(
        intents=tuple(_names(data.get("intents") or [], "intents", source)),
        entities=entities,
        slots=tuple(slots),
        responses=responses,
        actions=_all_actions(actions),
        action_classes=classes,
        forms=forms,
    )


def _with_form_slots(
    slots: list[Slot], forms: dict[str, Form], mappings: dict[str, tuple[SlotMapping, ...]]
) -> list[Slot]:
    """The slots with what forms add: `requested_slot` (unless the domain has it; it does not
    influence the conversation) and the mappings of Rasa 2 forms."""
    slots = [
        replace(slot, mappings=mappings[slot.name] + slot.mappings)
        if slot.name in mappings
        else slot
        for slot in slots
    ]
    if not any(slot.name == REQUESTED_SLOT for slot in slots):
        slots.append(Slot(REQUESTED_SLOT, "unfeaturized"))
    return slots


def _check_forms(forms: dict[str, Form], slots: list[Slot], source: str) -> None:
    names = {slot.name for slot in slots}
    for form in forms.values():
        if missing := [slot for slot in form.required_slots if slot not in names]:
            raise DomainError(
                f"{source}: forms.{form.name}.required_slots: {', '.join(missing)} "
                "is not a slot of the domain; add it under `slots:`"
            )


def _all_actions(listed: list[str]) -> tuple[str, ...]:
    own = tuple(a for a in listed if a not in DEFAULT_ACTIONS)
    return (
        DEFAULT_ACTIONS
        + own
        + (() if ACTION_DEFAULT_FALLBACK in own else (ACTION_DEFAULT_FALLBACK,))
    )


def _names(items: Any, key: str, source: str) -> list[str]:
    """Intents and entities are strings, or one-key mappings with options (Rasa 2+)."""
    if not isinstance(items, list):
        raise DomainError(f"{source}: {key}: expected a list")
    names = []
    for item in items:
        if isinstance(item, dict) and len(item) == 1:
            item = next(iter(item))
        if not isinstance(item, str) or not item:
            raise DomainError(f"{source}: {key}: {item!r} is not a name")
        names.append(item)
    return names


def _parse_slots(data: Any, source: str, entities: tuple[str, ...]) -> list[Slot]:
    if not isinstance(data, dict):
        raise DomainError(f"{source}: slots: expected a mapping of slot name to its settings")
    return [_parse_slot(name, spec or {}, source, entities) for name, spec in data.items()]


def _parse_slot(name: str, spec: Any, source: str, entities: tuple[str, ...]) -> Slot:
    where = f"{source}: slots.{name}"
    if not isinstance(spec, dict):
        raise DomainError(f"{where}: expected a mapping with at least `type`")
    slot_type = str(spec.get("type", "")).rsplit(".", 1)[-1].lower().removesuffix("slot")
    if slot_type not in SLOT_TYPES:
        raise DomainError(
            f"{where}.type: unknown slot type {spec.get('type')!r}; "
            f"use one of {', '.join(SLOT_TYPES)}"
        )
    if spec.get("influence_conversation") is False:
        slot_type = "unfeaturized"
    values = tuple(str(v) for v in spec.get("values") or ())
    if slot_type == "categorical" and not values:
        raise DomainError(f"{where}.values: a categorical slot needs a list of values")
    try:
        min_value = float(spec.get("min_value", 0.0))
        max_value = float(spec.get("max_value", 1.0))
    except (TypeError, ValueError) as exc:
        raise DomainError(f"{where}: min_value and max_value must be numbers") from exc
    if slot_type == "float" and max_value <= min_value:
        raise DomainError(f"{where}: max_value must be greater than min_value")
    auto_fill = bool(spec.get("auto_fill", True))
    if "mappings" in spec:  # Rasa 3: how it is filled, as written
        mappings = parse_mappings(spec["mappings"] or [], where)
    else:  # Rasa 1/2: by the entity of its name
        by_entity = auto_fill and name in entities
        mappings = (SlotMapping("from_entity", entity=name),) if by_entity else ()
    return Slot(
        name=name,
        type=slot_type,
        values=values,
        min_value=min_value,
        max_value=max_value,
        initial_value=spec.get("initial_value"),
        mappings=mappings,
    )


def _parse_responses(data: dict[str, Any], source: str) -> dict[str, tuple[Response, ...]]:
    key = "responses" if "responses" in data else "templates"
    raw = data.get(key) or {}
    if not isinstance(raw, dict):
        raise DomainError(f"{source}: {key}: expected a mapping of response name to variations")
    responses = {}
    for name, variations in raw.items():
        if not isinstance(variations, list) or not variations:
            raise DomainError(f"{source}: {key}.{name}: expected a list of variations")
        responses[name] = tuple(_parse_variation(v, f"{source}: {key}.{name}") for v in variations)
    return responses


def _parse_variation(item: Any, where: str) -> Response:
    if isinstance(item, str):
        return Response(item)
    custom = item.get("custom") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not (isinstance(item.get("text"), str) or custom):
        raise DomainError(
            f"{where}: each variation is a text, or a mapping with `text` (or `custom`)"
        )
    if unknown := set(item) - _VARIATION_KEYS - _EXTRA_VARIATION_KEYS:
        raise DomainError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} in a variation; "
            f"a variation has {', '.join(sorted(_VARIATION_KEYS | _EXTRA_VARIATION_KEYS))}"
        )
    if custom is not None and not isinstance(custom, dict):
        raise DomainError(f"{where}.custom: expected a mapping (the payload the channel gets)")
    image = item.get("image") or ""
    if not isinstance(image, str):
        raise DomainError(f"{where}.image: expected the image's URL as text")
    _check_choice(item, where)
    extra = {key: value for key, value in item.items() if key in _EXTRA_VARIATION_KEYS}
    return Response(item.get("text") or "", _buttons(item, where), image, custom, extra)


def _check_choice(item: dict[str, Any], where: str) -> None:
    """What picks a variation (bot/responses.py) must be Rasa 3's shape: a channel's name, and
    a condition that is a list of `{type: slot, name: ..., value: ...}`."""
    if not isinstance(item.get("channel") or "", str):
        raise DomainError(f"{where}.channel: expected the name of a channel (telegram, slack)")
    condition = item.get("condition") or []
    if not isinstance(condition, list) or not all(
        isinstance(each, dict)
        and each.get("type", "slot") == "slot"
        and isinstance(each.get("name"), str)
        and "value" in each
        for each in condition
    ):
        raise DomainError(
            f"{where}.condition: expected a list of {{type: slot, name: <slot>, value: ...}}"
        )


def _buttons(item: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    buttons = []
    for button in item.get("buttons") or []:
        if not isinstance(button, dict) or "title" not in button or "payload" not in button:
            raise DomainError(f"{where}.buttons: each button needs `title` and `payload`")
        buttons.append((str(button["title"]), str(button["payload"])))
    return tuple(buttons)


def class_action_name(class_path: str) -> str:
    """`actions.ActionSearchConcerts` -> `action_search_concerts` (Rasa Core 0.x convention)."""
    class_name = class_path.rsplit(".", 1)[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def _parse_actions(items: Any, source: str) -> tuple[list[str], dict[str, str]]:
    if not isinstance(items, list):
        raise DomainError(f"{source}: actions: expected a list of action names")
    actions: list[str] = []
    classes: dict[str, str] = {}
    for item in items:
        if not isinstance(item, str) or not item:
            raise DomainError(f"{source}: actions: {item!r} is not an action name")
        name = item
        if "." in item:
            name = class_action_name(item)
            classes[name] = item
        if name in actions:
            raise DomainError(f"{source}: actions: {name} is listed twice")
        actions.append(name)
    return actions, classes


def entity_slot_events(domain: Domain, entities: dict[str, Any]) -> list[SlotSet]:
    """The slots entities fill whatever the dialogue's state: the slots' from_entity mappings
    without conditions or intents (a story's messages; `bot/slot_filling.py` does the rest)."""
    events = []
    for slot in domain.slots:
        for mapping in slot.mappings:
            if _unconditional_entity(mapping) and mapping.entity in entities:
                events.append(SlotSet(slot.name, entities[mapping.entity]))
                break
    return events


def _unconditional_entity(mapping: SlotMapping) -> bool:
    plain = not (mapping.conditions or mapping.intent or mapping.not_intent)
    return mapping.type == "from_entity" and plain and not (mapping.role or mapping.group)
