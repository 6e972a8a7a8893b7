"""Actions written against rasa-sdk (`rasa_sdk.Action` subclasses), run in process by
rasa-sdk's own `ActionExecutor`, exactly as its action server would run them: the tracker and
domain go in as Rasa's JSON, the dispatcher's messages and the event dicts come back as an
answer that `bot.actions.applied` converts. Every other action object is ozbot's own.
"""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.actions import Action, CustomAction, Dispatcher, applied
from bot.domain import Domain
from bot.errors import ActionError
from bot.events import Event
from bot.rasa_json import action_call
from bot.tracker import Tracker


def in_process_action(name: str, target: Any) -> Action:
    """The action `name` of a project's action object: rasa-sdk's or ozbot's."""
    return SdkAction(name, target) if is_sdk_action(target) else CustomAction(name, target)


def is_sdk_action(target: Any) -> bool:
    """True for an instance of rasa-sdk's `Action`. Only a project whose actions import
    rasa-sdk (installed then) imports it here: a class of it is among the target's bases."""
    if not any(cls.__module__.startswith("rasa_sdk") for cls in type(target).__mro__):
        return False
    from rasa_sdk import Action as SdkBase

    return isinstance(target, SdkBase)


class SdkAction:
    """A rasa-sdk action, run through rasa-sdk's executor."""

    reads_events = True

    def __init__(self, name: str, target: Any) -> None:
        from rasa_sdk.executor import ActionExecutor

        self.name = name
        self._executor = ActionExecutor()
        self._executor.register_action(target)

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        import rasa_sdk
        from rasa_sdk.interfaces import ActionExecutionRejection

        call = action_call(self.name, tracker, domain, rasa_sdk.__version__)
        try:
            result = await self._executor.run(call)
        except ActionExecutionRejection as exc:
            raise ActionError(texts.action_rejected(exc.message)) from exc
        return applied(result.model_dump() if result else None, dispatcher)
