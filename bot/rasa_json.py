"""Rasa's JSON of a conversation, as its action server protocol defines it: ozbot's tracker,
domain and events written in it, and an action's answer (events and responses) read from it.

Pure: the HTTP client (`rasa_actions/server.py`) and the in-process rasa-sdk actions
(`rasa_actions/sdk.py`) both speak through here, and so does the Rasa view of the tracker that
ozbot's own actions get (`bot/rasa_tracker.py`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain import Domain, Response
from bot.domain_forms import form_dict, mapping_dict
from bot.domain_writer import variation_dict
from bot.errors import ActionError
from bot.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from bot.responses import choose, filled
from bot.tracker import Tracker

RASA_VERSION = "3.6.21"
"""The Rasa whose action server protocol ozbot speaks; sent as the request's `version`."""


def latest_message(message: UserUttered | None) -> dict[str, Any]:
    """A user message as Rasa's `latest_message` (parse data); {} before the user speaks."""
    if message is None:
        return {}
    confidence = 1.0 if message.confidence is None else message.confidence
    intent = {"name": message.intent, "confidence": confidence}
    return {
        "text": message.text,
        "intent": intent,
        "entities": [{"entity": name, "value": v} for name, v in message.entities.items()],
        "intent_ranking": [intent],
    }


def rasa_event(event: Event) -> dict[str, Any] | None:
    """An event as Rasa writes it in a tracker; None for ozbot's own training markers."""
    at = {"timestamp": event.timestamp}
    if isinstance(event, UserUttered):
        return {"event": "user", **at, "text": event.text, "parse_data": latest_message(event)}
    if isinstance(event, ActionExecuted):
        return {"event": "action", **at, "name": event.name, "policy": event.policy,
                "confidence": event.confidence}  # fmt: skip
    if isinstance(event, BotUttered):
        data = {"buttons": _buttons(event.buttons) or None, "image": event.image or None}
        return {"event": "bot", **at, "text": event.text, "data": data}
    if isinstance(event, SlotSet):
        return {"event": "slot", **at, "name": event.name, "value": event.value}
    if isinstance(event, ActiveLoop):
        return {"event": "active_loop", **at, "name": event.name}
    if isinstance(event, ActionExecutionRejected):
        return {"event": "action_execution_rejected", **at, "name": event.name, "policy": None,
                "confidence": None}  # fmt: skip
    names = {UserUtteranceReverted: "rewind", ActionReverted: "undo", Restarted: "restart"}
    name = names.get(type(event))
    return None if name is None else {"event": name, **at}


def tracker_state(tracker: Tracker, sender_id: str | None = None) -> dict[str, Any]:
    """The tracker as Rasa sends it to an action server (`current_state`, every event)."""
    events = [e for e in map(rasa_event, tracker.events) if e is not None]
    action = tracker.latest_action
    return {
        "sender_id": sender_id or tracker.conversation_id,
        "slots": dict(tracker.slots),
        "latest_message": latest_message(tracker.latest_message),
        "latest_event_time": events[-1]["timestamp"] if events else None,
        "followup_action": None,
        "paused": False,
        "events": events,
        "latest_input_channel": None,
        "active_loop": active_loop(tracker),
        "latest_action": {"action_name": action} if action else {},
        "latest_action_name": action,
    }


def active_loop(tracker: Tracker) -> dict[str, Any]:
    """The active form as Rasa's tracker has it (`{"name": ..., "rejected": ...}`); {} when
    none is active."""
    if tracker.active_loop is None:
        return {}
    return {"name": tracker.active_loop, "rejected": tracker.rejected}


def domain_dict(domain: Domain) -> dict[str, Any]:
    """The domain as Rasa 3 writes it (`Domain.as_dict`)."""
    builtin = ("action_listen", "action_restart", "action_default_fallback")
    return {
        "version": "3.1",
        "config": {"store_entities_as_slots": True},
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
        "intents": list(domain.intents),
        "entities": list(domain.entities),
        "slots": {slot.name: _slot_dict(slot) for slot in domain.slots},
        "responses": {
            name: [variation_dict(v) for v in variations]
            for name, variations in domain.responses.items()
        },
        "actions": [a for a in domain.actions if a not in builtin and a not in domain.responses],
        "forms": {form.name: form_dict(form) for form in domain.forms.values()},
        "e2e_actions": [],
    }


def _slot_dict(slot: Any) -> dict[str, Any]:
    kind = "any" if slot.type == "unfeaturized" else slot.type
    data: dict[str, Any] = {
        "type": kind,
        "initial_value": slot.initial_value,
        "influence_conversation": slot.featurized,
        "mappings": [mapping_dict(mapping) for mapping in slot.mappings],
    }
    if kind == "categorical":
        data["values"] = list(slot.values)
    if kind == "float":
        data |= {"min_value": slot.min_value, "max_value": slot.max_value}
    return data


def action_call(name: str, tracker: Tracker, domain: Domain, version: str) -> dict[str, Any]:
    """The body of Rasa's request to run `name` on an action server."""
    return {
        "next_action": name,
        "sender_id": tracker.conversation_id,
        "tracker": tracker_state(tracker),
        "domain": domain_dict(domain),
        "version": version,
    }


@dataclass
class ActionAnswer:
    """What an action's answer does to the conversation, in ozbot's terms."""

    events: list[Event] = field(default_factory=list)
    """Bot messages and the action's events, in the order the action gave them."""
    followup: str | None = None
    """The action that runs next (Rasa's `FollowupAction`)."""
    ignored: list[str] = field(default_factory=list)
    """What ozbot did not apply, one short phrase each, for the trainer's notice."""


def read_answer(answer: Any, domain: Domain, slots: dict[str, Any]) -> ActionAnswer:
    """An action server's answer (`{"events": [...], "responses": [...]}`) in ozbot's terms;
    raises ActionError when it is not that shape. `response` names a domain response, filled
    from `slots` and the response's own values, as Rasa's NLG does."""
    if answer is None:
        answer = {}
    events, responses = (
        (answer.get("events") or [], answer.get("responses") or [])
        if isinstance(answer, dict)
        else (None, None)
    )
    if not isinstance(events, list) or not isinstance(responses, list):
        raise ActionError(f"its answer is not Rasa's {{events, responses}}: {_short(answer)}")
    result = ActionAnswer()
    for response in responses:
        _utter(response, domain, slots, result)
    for event in events:
        _read_event(event, domain, result)
    return result


def _utter(response: Any, domain: Domain, slots: dict[str, Any], result: ActionAnswer) -> None:
    """One message of the answer into `result`; a domain response (`response: name`) as Rasa's
    NLG makes it: a variation chosen on `slots` (bot/responses.py), filled from `slots` and the
    response's own values, its buttons followed by the answer's, its other keys overridden by
    the answer's that are not empty."""
    if not isinstance(response, dict):
        raise ActionError(f"a response is not an object: {_short(response)}")
    data = dict(response)
    name = data.pop("response", None) or data.pop("template", None)
    if name is None:
        result.events.append(bot_uttered(data))
        return
    variations = domain.response_for(str(name))
    if variations is None:
        raise ActionError(f"it asked for the response {name}, which the domain does not have")
    variation = choose(variations, slots)
    if variation is None:
        result.ignored.append(f"response {name} (no variation's condition holds)")
        return
    values = {**slots, **{k: v for k, v in data.items() if k not in _MESSAGE_KEYS}}
    said = filled(variation, values)
    given = {k: v for k, v in data.items() if k in _MESSAGE_KEYS and v}
    buttons = _buttons(said.buttons) + list(given.get("buttons") or [])
    result.events.append(bot_uttered({**_message(said), **given, "buttons": buttons}))


def _message(variation: Response) -> dict[str, Any]:
    message: dict[str, Any] = {"text": variation.text}
    if variation.image:
        message["image"] = variation.image
    if variation.custom:
        message["custom"] = variation.custom
    return message


_MESSAGE_KEYS = {"text", "buttons", "image", "attachment", "custom", "json_message"}


def _buttons(buttons: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in buttons]


def bot_uttered(message: dict[str, Any]) -> BotUttered:
    """A Rasa bot message (text, buttons, image, attachment, custom) as ozbot's `BotUttered`:
    what has no field of its own is written on a line of its own, `[attachment: URL]`."""
    lines = [str(message["text"])] if message.get("text") else []
    if message.get("attachment"):
        lines.append(f"[attachment: {message['attachment']}]")
    custom = message.get("custom") or message.get("json_message")
    if custom:
        lines.append(f"[custom: {json.dumps(custom, ensure_ascii=False, sort_keys=True)}]")
    buttons = message.get("buttons") or []
    if not isinstance(buttons, list) or not all(
        isinstance(b, dict) and "title" in b and "payload" in b for b in buttons
    ):
        raise ActionError(f"its buttons are not a list of {{title, payload}}: {_short(buttons)}")
    image = message.get("image") or ""
    if not isinstance(image, str):
        raise ActionError(f"its image is not a URL: {_short(image)}")
    said = tuple((str(b["title"]), str(b["payload"])) for b in buttons)
    return BotUttered("\n".join(lines), said, image=image)


def _read_event(data: Any, domain: Domain, result: ActionAnswer) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise ActionError(f"an event is not an object with `event`: {_short(data)}")
    kind = data["event"]
    if kind == "slot":
        name = data.get("name")
        if not isinstance(name, str):
            raise ActionError(f"a slot event without a slot name: {_short(data)}")
        if domain.slot(name) is None:
            result.ignored.append(f"slot {name} (not in the domain)")
        else:
            result.events.append(SlotSet(name, data.get("value")))
    elif kind == "reset_slots":
        result.events += [SlotSet(slot.name, slot.initial_value) for slot in domain.slots]
    elif kind == "bot":
        message = {**(data.get("data") or {}), "text": data.get("text")}
        result.events.append(bot_uttered(message))
    elif kind == "followup" and isinstance(data.get("name"), str):
        result.followup = data["name"]
    elif kind in _PLAIN_EVENTS:
        result.events.append(_PLAIN_EVENTS[kind]())
    elif kind in ("active_loop", "form"):  # `form`: rasa-sdk 1's name of it
        _read_loop(data, domain, result)
    elif kind == "action_execution_rejected" and isinstance(data.get("name"), str):
        result.events.append(ActionExecutionRejected(data["name"]))
    else:
        result.ignored.append(f"event {kind}")


def _read_loop(data: dict[str, Any], domain: Domain, result: ActionAnswer) -> None:
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise ActionError(f"an active_loop event whose name is not text or null: {_short(data)}")
    if name is not None and name not in domain.forms:
        result.ignored.append(f"active_loop {name} (not a form of the domain)")
    else:
        result.events.append(ActiveLoop(name))


_PLAIN_EVENTS: dict[str, type[Restarted | UserUtteranceReverted | ActionReverted]] = {
    "restart": Restarted,
    "rewind": UserUtteranceReverted,
    "undo": ActionReverted,
}


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 120 else text[:117] + "..."
