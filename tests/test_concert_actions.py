"""The concert bot's own actions (actions.py at the repository root)."""

import pytest

from bot.action_loader import load_custom_actions
from bot.actions import Dispatcher
from bot.events import SlotSet
from bot.tracker import Tracker
from tests.conftest import REPO


async def run(domain, name, slots=()):
    action = load_custom_actions(REPO, domain)[name]
    tracker = Tracker("c", domain, [SlotSet(k, v) for k, v in slots])
    dispatcher = Dispatcher(domain, tracker)
    events = await action.run(dispatcher, tracker, domain)
    return [m.text for m in dispatcher.messages], events


async def test_search_concerts_fills_the_slot_and_mentions_the_city(concert_domain):
    texts, events = await run(concert_domain, "action_search_concerts", [("city", "Berlin")])
    assert texts == ["looking for concerts in Berlin", "Foo Fighters, Katy Perry"]
    assert [e.name for e in events] == ["concerts"] and len(events[0].value) == 2


@pytest.mark.parametrize(
    ("action", "search", "best"),
    [
        ("action_show_concert_reviews", "action_search_concerts", "Katy Perry"),
        ("action_show_venue_reviews", "action_search_venues", "Rock Cellar"),
    ],
)
async def test_reviews_answer_from_the_search(concert_domain, action, search, best):
    _, found = await run(concert_domain, search)
    texts, _ = await run(concert_domain, action, [(found[0].name, found[0].value)])
    assert texts == [f"{best} has the best reviews (5.0)"]


async def test_reviews_before_a_search_say_what_to_do(concert_domain):
    texts, events = await run(concert_domain, "action_show_venue_reviews")
    assert texts == ["search for venues first, then I compare"] and events == []
