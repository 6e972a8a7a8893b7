"""Actions: what the bot does. Responses, the built-in actions and a project's custom actions.

A custom action is any class with a `name` (attribute or method) and a `run(dispatcher,
tracker, domain)` that returns a list of events; `run` may be async (preferred) or plain.
"""

from __future__ import annotations

import inspect
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot import texts
from bot.domain import Domain, Response
from bot.errors import ActionError
from bot.events import (
    ACTION_DEFAULT_FALLBACK,
    ACTION_LISTEN,
    ACTION_RESTART,
    EVENT_TYPES,
    BotUttered,
    Event,
    Restarted,
)
from bot.tracker import Tracker

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> list[str]:
    """The `{slot}` placeholders of a response's text, in order."""
    return _PLACEHOLDER.findall(text)


@dataclass
class Dispatcher:
    """Collects what an action says; the engine turns it into `BotUttered` events."""

    domain: Domain
    tracker: Tracker
    messages: list[BotUttered] = field(default_factory=list)

    def utter_message(self, text: str, buttons: Iterable[tuple[str, str]] = ()) -> None:
        self.messages.append(BotUttered(text, tuple(buttons)))

    def utter_response(self, name: str) -> None:
        """Say one variation of a domain response, with `{slot}` filled in."""
        variations = self.domain.response_for(name)
        if variations is None:
            raise ActionError(f"the domain has no response named {name}")
        self.utter_message(*_fill(random.choice(variations), self.tracker.slots))

    def utter_template(self, name: str, tracker: object = None, **_: object) -> None:
        """Rasa Core 0.x spelling, so that actions written for it run unchanged."""
        self.utter_response(name)


def _fill(response: Response, slots: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    def substitute(match: re.Match[str]) -> str:
        name = match[1]
        return str(slots[name]) if name in slots else match[0]

    return _PLACEHOLDER.sub(substitute, response.text), response.buttons


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
        result = self.target.run(dispatcher, tracker, domain)
        if inspect.isawaitable(result):
            result = await result
        events = list(result or [])
        wrong = [e for e in events if not isinstance(e, tuple(EVENT_TYPES.values()))]
        if wrong:
            raise ActionError(f"{self.name}.run() returned {wrong[0]!r}, which is not an event")
        return events


def custom_action_name(target: Any) -> str | None:
    """The action name a custom action object declares, or None when it declares none."""
    name = getattr(target, "name", None)
    if callable(name):
        name = name()
    return name if isinstance(name, str) and name else None


class ActionRegistry:
    """Finds the implementation of every domain action; a missing one fails only when run."""

    def __init__(self, domain: Domain, custom: dict[str, Any]) -> None:
        self._domain = domain
        self._custom = custom

    def get(self, name: str) -> Action:
        if name == ACTION_LISTEN:
            return ListenAction()
        if name == ACTION_RESTART:
            return RestartAction()
        if name in self._custom:
            return CustomAction(name, self._custom[name])
        if self._domain.response_for(name) is not None:
            return ResponseAction(name)
        if name == ACTION_DEFAULT_FALLBACK:
            return FallbackAction()
        raise ActionError(texts.no_action_implementation(name))
