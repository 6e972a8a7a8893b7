"""Actions: what the bot does. Responses, the built-in actions and a project's custom actions.

A custom action is any class with a `name` (attribute or method) and a `run(dispatcher,
tracker, domain)` that returns a list of events; `run` may be async (preferred) or plain. Its
tracker also answers Rasa's calls (`bot/rasa_tracker.py`) and it may return Rasa's event dicts.
Actions of rasa-sdk and of an action server are adapted in `rasa_actions/`, given to the
registry by app.py.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot import texts
from bot.domain import Domain
from bot.domain_forms import ACTION_DEACTIVATE_LOOP
from bot.errors import ActionError
from bot.events import (
    ACTION_DEFAULT_FALLBACK,
    ACTION_LISTEN,
    ACTION_RESTART,
    BotUttered,
    Event,
    Restarted,
)
from bot.forms import DeactivateLoop, FormAction
from bot.rasa_json import read_answer
from bot.rasa_tracker import RasaTrackerView
from bot.tracker import Tracker


@dataclass
class Dispatcher:
    """Collects what an action says; the engine turns it into `BotUttered` events."""

    domain: Domain
    tracker: Tracker
    messages: list[BotUttered] = field(default_factory=list)
    followup: str | None = None
    """The action to run next, when the action named one (Rasa's `FollowupAction`)."""
    ignored: list[str] = field(default_factory=list)
    """What the action asked for that ozbot did not apply, for the trainer's notice."""

    def utter_message(
        self, text: str = "", buttons: Iterable[tuple[str, str] | dict[str, str]] = (), **rasa: Any
    ) -> None:
        """Say `text` with `buttons`; Rasa's keywords work too (`response=`, `image=`,
        `custom=`, buttons as `{title, payload}`)."""
        listed = [b if isinstance(b, dict) else {"title": b[0], "payload": b[1]} for b in buttons]
        events = applied({"responses": [{"text": text, "buttons": listed, **rasa}]}, self)
        assert not events  # responses become messages only

    def utter_response(self, name: str) -> None:
        """Say a domain response: the variation Rasa would choose on the current slots
        (bot/responses.py), with `{slot}` filled in; nothing when no variation's condition
        holds (noted for the trainer)."""
        if self.domain.response_for(name) is None:
            raise ActionError(f"the domain has no response named {name}")
        self.utter_message(response=name)

    # Rasa Core 0.x's spellings, so that actions written for it run unchanged: `**values` fill
    # a response's `{placeholders}` besides the slots.

    def utter_template(
        self, name: str, tracker: object = None, silent_fail: bool = False, **values: Any
    ) -> None:
        """Say the domain response `name`; with `silent_fail` nothing when there is none."""
        if not (silent_fail and self.domain.response_for(name) is None):
            self.utter_message(response=name, **values)

    def utter_button_template(
        self, name: str, buttons: Iterable[dict[str, str]], tracker: object = None, **values: Any
    ) -> None:
        self.utter_message(buttons=buttons, response=name, **values)

    def utter_button_message(
        self, text: str, buttons: Iterable[dict[str, str]], **rasa: Any
    ) -> None:
        self.utter_message(text, buttons, **rasa)

    def utter_attachment(self, attachment: Any, **rasa: Any) -> None:
        self.utter_message(attachment=attachment, **rasa)


class Action(Protocol):
    @property
    def name(self) -> str: ...

    async def run(
        self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain
    ) -> list[Event]: ...


@dataclass(frozen=True)
class ListenAction:
    name: str = ACTION_LISTEN

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        return []


@dataclass(frozen=True)
class RestartAction:
    name: str = ACTION_RESTART

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        return [Restarted()]


@dataclass(frozen=True)
class ResponseAction:
    """Utters the domain response of the same name."""

    name: str

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        dispatcher.utter_response(self.name)
        return []


@dataclass(frozen=True)
class FallbackAction:
    """Utters `utter_default` when the domain has it, a built-in apology otherwise."""

    name: str = ACTION_DEFAULT_FALLBACK

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        if domain.response_for("utter_default"):
            dispatcher.utter_response("utter_default")
        else:
            dispatcher.utter_message(texts.FALLBACK_TEXT)
        return []


@dataclass(frozen=True)
class CustomAction:
    """Adapts a user's action object: `name` attribute or method, `run` async or plain."""

    name: str
    target: Any

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        result = self.target.run(dispatcher, RasaTrackerView(tracker), domain)
        if inspect.isawaitable(result):
            result = await result
        returned: list[Any] = list(result or [])
        events: list[Event] = []
        for each in returned:
            if isinstance(each, dict):  # Rasa's event dicts, e.g. rasa_sdk's SlotSet(...)
                events += applied({"events": [each]}, dispatcher)
            elif not isinstance(each, Event):
                raise ActionError(f"{self.name}.run() returned {each!r}, which is not an event")
            else:
                events.append(each)
        return events


def applied(answer: Any, dispatcher: Dispatcher) -> list[Event]:
    """Rasa's answer of an action (`{"events": [...], "responses": [...]}`): its messages said
    through `dispatcher`, its follow-up and what ozbot ignores noted there, its events returned.
    Raises ActionError when the answer is not of that shape."""
    answer = read_answer(answer, dispatcher.domain, dispatcher.tracker.slots)
    dispatcher.followup = answer.followup or dispatcher.followup
    dispatcher.ignored += answer.ignored
    events = []
    for event in answer.events:
        if isinstance(event, BotUttered):
            dispatcher.messages.append(event)
        else:
            events.append(event)
    return events


def custom_action_name(target: Any) -> str | None:
    """The action name a custom action object declares, or None when it declares none."""
    name = getattr(target, "name", None)
    if callable(name):
        name = name()
    return name if isinstance(name, str) and name else None


def reads_events(action: Action) -> bool:
    """True for an action that reads every event of the conversation, as Rasa's actions may
    (`reads_events = True`: rasa-sdk's and an action server's), so it gets the whole tracker;
    the others get the tracker resumed from its snapshot (slots, latest turns, recent events)."""
    return bool(getattr(action, "reads_events", False))


ActionFactory = Callable[[str, Any], Action]
"""Makes the action of a name from a project's action object (app.py: rasa-sdk's or ozbot's)."""


class ActionRegistry:
    """Finds the implementation of every domain action; a missing one fails only when run.

    A custom action of the project comes first, then a form (bot/forms.py), a response, then
    the `remote` one (Rasa's action server, for the domain's actions the project does not
    implement here).
    """

    def __init__(
        self,
        domain: Domain,
        custom: Mapping[str, Any],
        adapt: ActionFactory = CustomAction,
        remote: Callable[[str], Action] | None = None,
    ) -> None:
        self._domain = domain
        self._custom = custom
        self._adapt = adapt
        self._remote = remote

    def get(self, name: str) -> Action:
        if name == ACTION_LISTEN:
            return ListenAction()
        if name == ACTION_RESTART:
            return RestartAction()
        if name in self._custom:
            return self._adapt(name, self._custom[name])
        if name in self._domain.forms:
            return FormAction(self._domain.forms[name], self.get)
        if name == ACTION_DEACTIVATE_LOOP:
            return DeactivateLoop()
        if self._domain.response_for(name) is not None:
            return ResponseAction(name)
        if name == ACTION_DEFAULT_FALLBACK:
            return FallbackAction()
        if self._remote is not None and name in self._domain.actions:
            return self._remote(name)
        raise ActionError(texts.no_action_implementation(name))
