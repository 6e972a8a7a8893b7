"""The concert bot's custom actions (the seed's examples/concertbot/actions.py).

A custom action is a class with a `name` and a `run(dispatcher, tracker, domain)` that returns
events. Here the "search" is a fixed list; a real bot would call an API.
"""

from __future__ import annotations

from typing import Any

from bot.actions import Dispatcher
from bot.domain import Domain
from bot.events import Event, SlotSet
from bot.tracker import Tracker

CONCERTS = [
    {"artist": "Foo Fighters", "reviews": 4.5},
    {"artist": "Katy Perry", "reviews": 5.0},
]
VENUES = [
    {"name": "Big Arena", "reviews": 4.5},
    {"name": "Rock Cellar", "reviews": 5.0},
]


def _compare_reviews(dispatcher: Dispatcher, items: Any, key: str, what: str) -> list[Event]:
    """Name the best reviewed of the concerts or venues found earlier in the conversation."""
    if not items:
        dispatcher.utter_message(f"search for {what} first, then I compare")
        return []
    best = max(items, key=lambda item: item["reviews"])
    dispatcher.utter_message(f"{best[key]} has the best reviews ({best['reviews']})")
    return []


class ActionSearchConcerts:
    name = "action_search_concerts"

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        city = tracker.slots.get("city")
        dispatcher.utter_message(f"looking for concerts{f' in {city}' if city else ''}")
        dispatcher.utter_message(", ".join(concert["artist"] for concert in CONCERTS))
        return [SlotSet("concerts", CONCERTS)]


class ActionSearchVenues:
    name = "action_search_venues"

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        dispatcher.utter_message("here are some venues I found")
        dispatcher.utter_message(", ".join(venue["name"] for venue in VENUES))
        return [SlotSet("venues", VENUES)]


class ActionShowConcertReviews:
    name = "action_show_concert_reviews"

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        return _compare_reviews(dispatcher, tracker.slots.get("concerts"), "artist", "concerts")


class ActionShowVenueReviews:
    name = "action_show_venue_reviews"

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        return _compare_reviews(dispatcher, tracker.slots.get("venues"), "name", "venues")
