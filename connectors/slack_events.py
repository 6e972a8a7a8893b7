"""What a Slack event, slash command or button press means for ozbot, decided without I/O:
whose conversation it is, where the answer goes, and which message or command it carries.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from bot.engine import UserMessage
from connectors.chat_commands import BY_NAME, Read

_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")
_PERSON_SUBTYPES = frozenset({"thread_broadcast"})
"""Message subtypes that are still a person talking (the others are edits, joins, ...)."""


@dataclass(frozen=True)
class Place:
    """Where a conversation lives in Slack and where its messages are posted."""

    conversation: str
    channel: str
    thread_ts: str | None = None


def place(channel: str, user: str, thread_ts: str | None, trainers: Collection[str]) -> Place:
    """One conversation per DM; in channels one per member, and in a thread one that its
    trainers teach together, while everybody else there has one of their own.

    A question posted in a thread stays in it, so its presses find the same conversation. A
    member who is no trainer can then neither run a turn between a trainer's question and its
    answer nor reset what the trainers teach; their turns are never taught.
    """
    if channel.startswith("D"):
        return Place(f"slack:{channel}", channel, thread_ts)
    if thread_ts is not None and user in trainers:
        return Place(f"slack:{channel}:{thread_ts}", channel, thread_ts)
    if thread_ts is not None:
        return Place(f"slack:{channel}:{thread_ts}:{user}", channel, thread_ts)
    return Place(f"slack:{channel}:{user}", channel)


def read_event(
    event: Mapping[str, Any], trainers: Collection[str]
) -> tuple[Place, str, Read] | None:
    """(where, who, what) of a DM or a mention of the bot; None for anything else.

    Bots' messages (ours included), edits, joins and channel talk without a mention are not
    for the engine. A mention in a thread, or a message in a thread, answers in the thread.
    """
    user, text, channel = event.get("user"), event.get("text"), event.get("channel")
    if event.get("bot_id") or not (
        isinstance(user, str) and isinstance(text, str) and isinstance(channel, str)
    ):
        return None
    subtype = event.get("subtype")
    if subtype is not None and subtype not in _PERSON_SUBTYPES:
        return None
    kind = event.get("type")
    if kind == "message" and event.get("channel_type") != "im":
        return None  # channel talk: the bot answers mentions (app_mention) only
    if kind not in ("message", "app_mention"):
        return None
    thread = event.get("thread_ts")
    where = place(channel, user, thread if isinstance(thread, str) else None, trainers)
    return where, user, read_text(text)


def read_text(text: str) -> Read:
    """A typed message: `!restart` (or `/restart`) is ozbot's command, the rest for the bot.

    A leading mention of the bot (`<@U123> !greet`) is dropped.
    """
    text = _MENTION.sub("", text, count=1).strip()
    word = text[1:] if text[:1] in ("!", "/") else None
    if word is not None and word in BY_NAME:
        return BY_NAME[word]
    return UserMessage(text)


def read_command(text: str) -> Read | None:
    """`/ozbot export|restart|undo|status|help`; empty is help; None for anything else."""
    word = text.strip().lower() or "help"
    return BY_NAME.get(word)


def press_place(payload: Mapping[str, Any], trainers: Collection[str]) -> tuple[Place, str] | None:
    """(where, who) of a block_actions payload; None when it misses what every press has."""
    user = (payload.get("user") or {}).get("id")
    channel = (payload.get("channel") or {}).get("id")
    message = payload.get("message") or {}
    if not (isinstance(user, str) and isinstance(channel, str) and message.get("ts")):
        return None
    thread = message.get("thread_ts")
    in_thread = isinstance(thread, str) and thread != message["ts"]  # not a thread's parent
    return place(channel, user, thread if in_thread else None, trainers), user


def pressed_value(payload: Mapping[str, Any]) -> str | None:
    """The token of the pressed button (or of the chosen option of a select)."""
    actions = payload.get("actions") or [{}]
    action = actions[0] if isinstance(actions[0], dict) else {}
    value = action.get("value") or (action.get("selected_option") or {}).get("value")
    return value if isinstance(value, str) else None
