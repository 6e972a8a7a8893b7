"""Which slots a user's message fills, by the slots' mappings, as Rasa 3's
`action_extract_slots` fills them after every message.

A mapping fills when its conditions hold (the active form, the slot it asks for), its intents
allow the message's intent (an active form's `ignored_intents` never fill), and the message has
what it takes: the entity (from_entity), any text (from_text), or only the intent
(from_intent, with the mapping's value). from_trigger_intent fills when the message starts a
form (`trigger_slots`). The first mapping of a slot that fills wins. Entities carry no roles
or groups here: a mapping that asks for one does not fill.
"""

from __future__ import annotations

from bot.domain import REQUESTED_SLOT, Domain, Form, SlotMapping
from bot.events import SlotSet, UserUttered
from bot.tracker import Tracker


def filled_slots(domain: Domain, tracker: Tracker) -> list[SlotSet]:
    """The slots the tracker's latest message fills (the tracker has that message)."""
    message = tracker.latest_message
    if message is None:
        return []
    events = []
    for slot in domain.slots:
        for mapping in slot.mappings:
            if not _applies(mapping, slot.name, domain, tracker, message):
                continue
            found, value = _value(mapping, message)
            if found:
                events.append(SlotSet(slot.name, value))
                break
    return events


def trigger_slots(form: Form, domain: Domain, message: UserUttered | None) -> list[SlotSet]:
    """The slots of `form` that its from_trigger_intent mappings fill as `message` starts it."""
    if message is None:
        return []
    events = []
    for name in form.required_slots:
        slot = domain.slot(name)
        for mapping in () if slot is None else slot.mappings:
            if mapping.type == "from_trigger_intent" and _intent_allowed(mapping, message.intent):
                events.append(SlotSet(name, mapping.value))
                break
    return events


def _applies(
    mapping: SlotMapping, slot: str, domain: Domain, tracker: Tracker, message: UserUttered
) -> bool:
    if mapping.type in ("from_trigger_intent", "custom"):
        return False
    if not _conditions_hold(mapping, slot, tracker):
        return False
    form = domain.forms.get(tracker.active_loop or "")
    if form is not None and message.intent in form.ignored_intents:
        return False
    return _intent_allowed(mapping, message.intent)


def _conditions_hold(mapping: SlotMapping, slot: str, tracker: Tracker) -> bool:
    if not mapping.conditions:
        return True
    requested = tracker.slots.get(REQUESTED_SLOT)
    if tracker.rejected and requested == slot:
        return False
    for condition in mapping.conditions:
        if condition.active_loop is None:
            if tracker.active_loop is None:
                return True
        elif condition.active_loop == tracker.active_loop and (
            condition.requested_slot is None or condition.requested_slot == requested
        ):
            return True
    return False


def _intent_allowed(mapping: SlotMapping, intent: str) -> bool:
    if mapping.intent and intent not in mapping.intent:
        return False
    return intent not in mapping.not_intent


def _value(mapping: SlotMapping, message: UserUttered) -> tuple[bool, object]:
    """Whether the mapping found a value in the message, and the value."""
    if mapping.type == "from_entity":
        if mapping.role or mapping.group or mapping.entity not in message.entities:
            return False, None
        return True, message.entities[mapping.entity]
    if mapping.type == "from_text":
        return True, message.text
    return True, mapping.value  # from_intent
