"""Reading back the concert bot's `/search_concerts{"city": ...}` turns from a conversation."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered

SHAPE = [UserUttered, SlotSet, ActionExecuted, BotUttered, BotUttered, SlotSet, ActionExecuted]
"""The events of one search turn: message, city, search, two replies, results, listen."""


def search(city: str) -> str:
    return f'/search_concerts{{"city": "{city}"}}'


def turns(events: Sequence[Event]) -> list[tuple[str, Sequence[Event]]]:
    """The conversation cut at each user message: (its text, the events of its turn)."""
    assert events[0] == ActionExecuted("action_listen")
    cuts = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    ends = [*cuts[1:], len(events)]
    return [(events[i].text, events[i:j]) for i, j in zip(cuts, ends, strict=True)]


def is_whole(text: str, events: Sequence[Event]) -> bool:
    """True when the turn of `text` is all there, and nothing of another turn is in it."""
    city = json.loads(text.removeprefix("/search_concerts"))["city"]
    reply = events[3]
    return (
        [type(event) for event in events] == SHAPE
        and events[1] == SlotSet("city", city)
        and isinstance(reply, BotUttered)
        and reply.text == f"looking for concerts in {city}"
    )
