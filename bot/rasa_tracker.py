"""The tracker as ozbot's own custom actions see it: ozbot's tracker that also answers the calls
Rasa users make (`get_slot`, `latest_message["intent"]`, `sender_id`, ...), so an action written
for either runs. The core `Tracker` stays lean; this view is made for each action run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.events import Event
from bot.rasa_json import active_loop, latest_message, rasa_event
from bot.tracker import Tracker


class RasaDict(dict[str, Any]):
    """Rasa's dict of a value (item access, `.get`) whose attributes are ozbot's value's:
    `message["intent"]["name"]` and `message.intent` both work."""

    def __init__(self, data: dict[str, Any], value: object) -> None:
        super().__init__(data)
        self._value = value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._value, name)


class RasaTrackerView:
    """ozbot's `Tracker` (every attribute of it) plus rasa_sdk's `Tracker` calls."""

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    @property
    def sender_id(self) -> str:
        return self._tracker.conversation_id

    @property
    def slots(self) -> dict[str, Any]:
        return self._tracker.slots

    @property
    def latest_message(self) -> RasaDict:
        """Rasa's parse data (`text`, `intent`, `entities`); ozbot's `UserUttered` attributes.
        Empty (and false) before the user speaks."""
        message = self._tracker.latest_message
        return RasaDict(latest_message(message), message)

    @property
    def events(self) -> list[RasaDict]:
        """Every event as Rasa writes it, each with ozbot's event's attributes (`.name`)."""
        return [_view(event) for event in self._tracker.events if rasa_event(event) is not None]

    @property
    def active_loop(self) -> dict[str, Any]:
        """The active form as Rasa has it (`{"name": ...}`); {} when none is active."""
        return active_loop(self._tracker)

    @property
    def active_loop_name(self) -> str | None:
        return self._tracker.active_loop

    @property
    def latest_action_name(self) -> str | None:
        return self._tracker.latest_action

    def get_slot(self, key: str) -> Any:
        return self._tracker.slots.get(key)

    def current_slot_values(self) -> dict[str, Any]:
        return dict(self._tracker.slots)

    def get_intent_of_latest_message(self, skip_fallback_intent: bool = True) -> str | None:
        message = self._tracker.latest_message
        return None if message is None else message.intent

    def get_latest_entity_values(
        self, entity_type: str, entity_role: str | None = None, entity_group: str | None = None
    ) -> Iterator[Any]:
        """The values of the latest message's entities of that type (ozbot keeps no roles or
        groups: asking for one finds nothing)."""
        message = self._tracker.latest_message
        if message is None or entity_role is not None or entity_group is not None:
            return iter(())
        return iter([message.entities[entity_type]] if entity_type in message.entities else [])


def _view(event: Event) -> RasaDict:
    return RasaDict(rasa_event(event) or {}, event)
