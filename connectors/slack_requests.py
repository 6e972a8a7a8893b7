"""Which HTTP requests reach the Slack app, decided without I/O.

First the signature: Slack signs `v0:{timestamp}:{body}` with the app's signing secret
(HMAC-SHA256) and the timestamp must be within five minutes; anything else is refused before
its body is even decoded. Then the body: only a signed body that decodes and has the shape of
what Slack sends (an event, a block_actions payload, a slash command) goes on to Bolt, whose
own parsing would otherwise fail on it with a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

MAX_AGE_SECONDS = 5 * 60
_TEXT = ("type", "event_id", "team_id", "api_app_id", "command", "text", "user_id", "channel_id")
"""Fields that are text wherever Slack sends them."""
_MAPPING = ("event", "user", "channel", "team", "container", "message", "enterprise", "view")
"""Fields that are objects (or null) in a payload; in an event `user`/`channel` are text."""
_EVENT_TEXT = ("type", "text", "channel_type", "subtype", "thread_ts", "ts", "bot_id")
_ACTION_TEXT = ("action_id", "block_id", "value", "type")
_MESSAGE_TEXT = ("ts", "thread_ts", "text", "type")


def signed_by_slack(
    body: bytes, timestamp: str | None, signature: str | None, secret: str, now: float
) -> bool:
    """True when `signature` is Slack's for `body` at `timestamp`, no older than five minutes."""
    if not (timestamp and signature) or not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    signed = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def read_body(body: bytes, content_type: str) -> str | None:
    """The body as text when it has the shape of a Slack request; None when it has not."""
    try:
        text = body.decode("utf-8")
        fields = _parse(text, content_type)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        return None
    return text if _well_formed(fields) else None


def _parse(text: str, content_type: str) -> Any:
    if content_type.split(";")[0].strip().lower() == "application/json":
        return json.loads(text)
    form = dict(parse_qsl(text, keep_blank_values=True))
    return json.loads(form["payload"]) if "payload" in form else form


def _well_formed(body: Any) -> bool:
    if not isinstance(body, dict) or not _typed(body, _TEXT, _MAPPING):
        return False
    event, message = body.get("event"), body.get("message")
    return (
        _objects(body.get("authorizations", []))
        and (event is None or _event(event))
        and (message is None or _typed(message, _MESSAGE_TEXT, ()))
        and (message is None or _objects(message.get("blocks", [])))
        and ("actions" not in body or _actions(body["actions"]))
    )


def _event(event: dict[str, Any]) -> bool:
    return (
        isinstance(event.get("type"), str)
        and _typed(event, _EVENT_TEXT, ())
        and all(isinstance(event.get(key, ""), str | dict) for key in ("user", "channel"))
    )


def _actions(actions: Any) -> bool:
    """A press has one action at least, each an object with text ids."""
    return (
        _objects(actions)
        and len(actions) > 0
        and all(_typed(action, _ACTION_TEXT, ()) for action in actions)
    )


def _objects(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(item, dict) for item in items)


def _typed(fields: Mapping[str, Any], texts: tuple[str, ...], mappings: tuple[str, ...]) -> bool:
    """Each of `texts` absent or text, each of `mappings` absent, null or an object."""
    return all(isinstance(fields.get(key, ""), str) for key in texts) and all(
        fields.get(key) is None or isinstance(fields[key], dict) for key in mappings
    )
