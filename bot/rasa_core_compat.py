"""What custom actions written for Rasa Core 0.x import, as ozbot's own stand-ins: the base
`Action` (`rasa_core.actions`, `rasa_core_sdk`), the events (`rasa_core.events`,
`rasa_core_sdk.events`), and the dispatcher, tracker and domain their `run` gets.

`MODULES` is what each module of Rasa Core 0.x that ozbot stands in for holds;
`bot/rasa_core_import.py` makes an import of one find it while a project's actions are
imported, when Rasa Core is not installed. An event is the event dict Rasa's action server
answers with (what `bot.actions.applied` reads), made by the 0.x class of its name, so
`return [SlotSet("city", "Berlin")]` sets the slot, and an event ozbot cannot apply (a
reminder) is reported as one from an action server is. Forms of 0.x (`FormAction`) are not here.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from bot.actions import Dispatcher
from bot.domain import Domain
from bot.errors import ActionRejected
from bot.events import ACTION_DEFAULT_FALLBACK, ACTION_LISTEN, ACTION_RESTART
from bot.rasa_tracker import RasaTrackerView


class Action:
    """The base of a Rasa Core 0.x custom action: a subclass names itself and runs."""

    def name(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must implement name()")

    def run(self, dispatcher: Dispatcher, tracker: RasaTrackerView, domain: Domain) -> list[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement run()")

    def __str__(self) -> str:
        return f"Action('{self.name()}')"


class ActionExecutionRejection(ActionRejected):
    """Raised by an action that refuses to run now: another action is predicted instead."""

    def __init__(self, action_name: str, message: str | None = None) -> None:
        self.action_name = action_name
        self.message = message or f"custom action {action_name} rejected execution"
        super().__init__(self.message)


class Event(dict[str, Any]):
    """A Rasa Core 0.x event: Rasa's event dict, `{"event": type_name, "timestamp": ...}`."""

    type_name: ClassVar[str]

    def __init__(self, timestamp: float | None = None) -> None:
        super().__init__(event=self.type_name, timestamp=timestamp)

    def as_dict(self) -> dict[str, Any]:
        return dict(self)


class UserUttered(Event):
    type_name = "user"

    def __init__(
        self,
        text: str | None,
        intent: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        parse_data: dict[str, Any] | None = None,
        timestamp: float | None = None,
        input_channel: str | None = None,
    ) -> None:
        super().__init__(timestamp)
        parsed = parse_data or {"intent": intent, "entities": entities or [], "text": text}
        self.update(text=text, parse_data=parsed, input_channel=input_channel)


class _Uttered(Event):
    def __init__(
        self,
        text: str | None = None,
        data: dict[str, Any] | None = None,
        timestamp: float | None = None,
    ) -> None:
        super().__init__(timestamp)
        self.update(text=text, data=data)


class BotUttered(_Uttered):
    type_name = "bot"


class AgentUttered(_Uttered):
    type_name = "agent"


class SlotSet(Event):
    type_name = "slot"

    def __init__(self, key: str, value: Any = None, timestamp: float | None = None) -> None:
        super().__init__(timestamp)
        self.update(name=key, value=value)


class Restarted(Event):
    type_name = "restart"


class UserUtteranceReverted(Event):
    type_name = "rewind"


class AllSlotsReset(Event):
    type_name = "reset_slots"


class ActionReverted(Event):
    type_name = "undo"


class ConversationPaused(Event):
    type_name = "pause"


class ConversationResumed(Event):
    type_name = "resume"


class StoryExported(Event):
    type_name = "export"

    def __init__(self, path: str | None = None, timestamp: float | None = None) -> None:
        super().__init__(timestamp)
        self.update(path=path)


class ReminderScheduled(Event):
    type_name = "reminder"

    def __init__(
        self,
        action_name: str,
        trigger_date_time: datetime.datetime,
        name: str | None = None,
        kill_on_user_message: bool = True,
        timestamp: float | None = None,
    ) -> None:
        super().__init__(timestamp)
        self.update(action=action_name, date_time=trigger_date_time.isoformat(), name=name)
        self.update(kill_on_user_msg=kill_on_user_message)


class ReminderCancelled(Event):
    type_name = "cancel_reminder"

    def __init__(self, action_name: str, timestamp: float | None = None) -> None:
        super().__init__(timestamp)
        self.update(action=action_name)


class _Named(Event):
    def __init__(self, name: str | None, timestamp: float | None = None) -> None:
        super().__init__(timestamp)
        self.update(name=name)


class FollowupAction(_Named):
    type_name = "followup"


class Form(_Named):
    """The form that is active from now on (None: none is)."""

    type_name = "form"


class FormValidation(Event):
    type_name = "form_validation"

    def __init__(self, validate: bool, timestamp: float | None = None) -> None:
        super().__init__(timestamp)
        self.update(validate=validate)


class _ActionEvent(Event):
    def __init__(
        self,
        action_name: str,
        policy: str | None = None,
        confidence: float | None = None,
        timestamp: float | None = None,
    ) -> None:
        super().__init__(timestamp)
        self.update(name=action_name, policy=policy, confidence=confidence)


class ActionExecuted(_ActionEvent):
    type_name = "action"


class ActionExecutionRejected(_ActionEvent):
    type_name = "action_execution_rejected"


EVENTS: dict[str, Any] = {
    cls.__name__: cls
    for cls in (
        Event,
        UserUttered,
        BotUttered,
        AgentUttered,
        SlotSet,
        Restarted,
        UserUtteranceReverted,
        AllSlotsReset,
        ActionReverted,
        ConversationPaused,
        ConversationResumed,
        StoryExported,
        ReminderScheduled,
        ReminderCancelled,
        FollowupAction,
        Form,
        FormValidation,
        ActionExecuted,
        ActionExecutionRejected,
    )
}

_ACTIONS = {
    "Action": Action,
    "ActionExecutionRejection": ActionExecutionRejection,
    "ACTION_LISTEN_NAME": ACTION_LISTEN,
    "ACTION_RESTART_NAME": ACTION_RESTART,
    "ACTION_DEFAULT_FALLBACK_NAME": ACTION_DEFAULT_FALLBACK,
}

MODULES: dict[str, dict[str, Any]] = {
    "rasa_core": {},
    "rasa_core.actions": _ACTIONS,
    "rasa_core.actions.action": _ACTIONS,
    "rasa_core.events": EVENTS,
    "rasa_core.dispatcher": {"Dispatcher": Dispatcher},
    "rasa_core.trackers": {"DialogueStateTracker": RasaTrackerView},
    "rasa_core.domain": {"Domain": Domain},
    "rasa_core_sdk": {**_ACTIONS, "Tracker": RasaTrackerView},
    "rasa_core_sdk.events": EVENTS,
    "rasa_core_sdk.executor": {"CollectingDispatcher": Dispatcher},
}
"""Module name -> its names, for every module of Rasa Core 0.x that ozbot stands in for."""

SUMMARY = "Action, ActionExecutionRejection, the events, Dispatcher, Tracker and Domain"
"""What the stand-ins have, for the advice when an import needs more."""
