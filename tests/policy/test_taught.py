"""What trainers taught: kept in memory in teaching order, and read back from the store."""

import logging
from typing import Any

import pytest

from bot.errors import StoreError
from bot.events import ActionExecuted, Corrected, Event, UserUttered
from bot.stores.memory import MemoryTrackerStore
from policy.model_store import VersionRecord
from policy.taught import TaughtConversations, read_taught
from tests.policy.concert import concert_stories
from tests.policy.retraining_fakes import corrected


def record(conversations: dict[str, int]) -> VersionRecord:
    return VersionRecord(1, 0.0, 1.0, 7, conversations)


def test_the_most_recently_taught_conversation_comes_last(seed_tracker: Any) -> None:
    taught = TaughtConversations({"a": [], "b": []})
    tracker = corrected(seed_tracker)

    taught.remember(tracker)

    assert list(taught.all()) == ["a", "b", "seed"]
    assert taught.all()["seed"] == list(tracker.events)


def test_a_conversation_taught_again_moves_to_the_end(seed_tracker: Any) -> None:
    tracker = corrected(seed_tracker)
    taught = TaughtConversations({"seed": [], "other": []})

    taught.remember(tracker)

    assert list(taught.all()) == ["other", "seed"]


def test_it_keeps_the_events_as_they_were_when_taught(seed_tracker: Any) -> None:
    tracker = corrected(seed_tracker)
    taught = TaughtConversations()
    taught.remember(tracker)
    length = len(tracker.events)

    tracker.apply(Corrected("action", "a", "b"))

    assert len(taught.all()["seed"]) == length


def test_what_a_version_did_not_learn_and_its_corrections(seed_tracker: Any) -> None:
    events = list(corrected(seed_tracker).events)
    taught = TaughtConversations({"old": events, "seed": events})
    learned = record({"old": len(events), "seed": len(events) - 2})

    assert taught.after(learned) == {"seed": events}
    assert taught.after(None) == {"old": events, "seed": events}
    assert taught.corrections_after(learned) == 1
    assert taught.corrections_after(record({})) == 2
    assert sum(isinstance(e, Corrected) for e in events) == 1


def said_hello(at: float, policy: str) -> list[Event]:
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("/greet", "greet", timestamp=at),
        ActionExecuted("utter_greet", policy, 1.0, timestamp=at),
    ]


async def test_read_from_the_store_taught_conversations_come_newest_last() -> None:
    store = MemoryTrackerStore()
    await store.append("a-late", said_hello(300.0, "trainer"), expected_length=0, pending=None)
    await store.append("b-user", said_hello(100.0, "lightgbm"), expected_length=0, pending=None)
    await store.append("c-early", said_hello(200.0, "trainer"), expected_length=0, pending=None)
    stories = concert_stories()
    data = await read_taught(stories, store)
    assert list(data.conversations) == ["c-early", "a-late"]
    assert data.stories == stories


async def test_a_corrupt_conversation_is_left_out_of_training_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class CorruptStore(MemoryTrackerStore):
        async def load(self, conversation_id: str) -> Any:
            if conversation_id == "broken":
                raise StoreError("conversation broken, event 0: stored event is not valid JSON")
            return await super().load(conversation_id)

    store = CorruptStore()
    await store.append("broken", said_hello(100.0, "trainer"), expected_length=0, pending=None)
    await store.append("fine", said_hello(200.0, "trainer"), expected_length=0, pending=None)
    with caplog.at_level(logging.WARNING):
        data = await read_taught([], store)
    assert list(data.conversations) == ["fine"]
    assert "not training on conversation broken: conversation broken, event 0" in caplog.text
