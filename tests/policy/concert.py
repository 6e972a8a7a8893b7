"""The seed's concert bot, and small builders for stories and dialogues."""

from __future__ import annotations

from typing import Any

from bot.events import ACTION_LISTEN, ActionExecuted, Event, UserUttered
from bot.stories.model import ActionStep, Checkpoint, SlotStep, Step, Story, UserStep, UserTurn

CONCERTS = [{"artist": "Foo Fighters", "reviews": 4.5}, {"artist": "Katy Perry", "reviews": 5.0}]
VENUES = [{"name": "Big Arena", "reviews": 4.5}, {"name": "Rock Cellar", "reviews": 5.0}]

CONCERT_DOMAIN: dict[str, Any] = {
    "intents": [
        "greet",
        "thankyou",
        "goodbye",
        "search_concerts",
        "search_venues",
        "compare_reviews",
    ],
    "entities": ["name"],
    "slots": {"concerts": {"type": "list"}, "venues": {"type": "list"}},
    "templates": {
        "utter_greet": ["hey there!"],
        "utter_goodbye": ["goodbye :("],
        "utter_default": ["default message"],
        "utter_youarewelcome": ["you're very welcome"],
    },
    "actions": [
        "utter_default",
        "utter_greet",
        "utter_goodbye",
        "utter_youarewelcome",
        "actions.ActionSearchConcerts",
        "actions.ActionSearchVenues",
        "actions.ActionShowConcertReviews",
        "actions.ActionShowVenueReviews",
    ],
}


def story(name: str, *lines: str | Step, source: str = "stories.md:1") -> Story:
    """A story from Markdown-like lines: `* a OR b`, `- action`, `> checkpoint`, or a Step."""
    return Story(name, tuple(_step(line) for line in lines), source)


def _step(line: str | Step) -> Step:
    if not isinstance(line, str):
        return line
    marker, text = line[0], line[1:].strip()
    if marker == "*":
        return UserStep(tuple(UserTurn(intent) for intent in text.split(" OR ")))
    if marker == ">":
        return Checkpoint(text)
    return ActionStep(text)


def concert_stories() -> list[Story]:
    """The seed's stateless stories."""
    return [
        story("greet", "* greet", "- utter_greet"),
        story("happy", "* thankyou", "- utter_youarewelcome"),
        story("goodbye", "* goodbye", "- utter_goodbye"),
        story(
            "search_concerts",
            "* search_concerts",
            "- action_search_concerts",
            SlotStep("concerts", CONCERTS),
        ),
        story(
            "search_venues",
            "* search_venues",
            "- action_search_venues",
            SlotStep("venues", VENUES),
        ),
        story("compare_reviews_venues", "* compare_reviews", "- action_show_venue_reviews"),
        story("compare_reviews_concerts", "* compare_reviews", "- action_show_concert_reviews"),
    ]


def dialogue(*items: str | Event) -> list[Event]:
    """Events from `/intent` (a user message), action names and events as they are."""
    events: list[Event] = []
    for item in items:
        if not isinstance(item, str):
            events.append(item)
        elif item.startswith("/"):
            events.append(UserUttered(item, item[1:]))
        else:
            events.append(ActionExecuted(item))
    return events


SEED_SCENARIO = (
    ACTION_LISTEN,
    "/greet",
    "utter_greet",
    ACTION_LISTEN,
    "/search_concerts",
    "action_search_concerts",
)
"""The seed's dialogue up to the question; then slot concerts, listen, /compare_reviews."""
