import sqlite3

import pytest

from bot.errors import StoreError
from bot.events import ActionExecuted, UserUttered
from bot.stores.sqlite import SqliteTrackerStore
from bot.training import Question


async def test_conversations_survive_closing_the_store(tmp_path):
    path = tmp_path / "sub" / "ozbot.db"
    store = await SqliteTrackerStore.open(path)
    question = Question("q1", "confirm", "utter_greet", 0.9, "lightgbm")
    events = [ActionExecuted("action_listen"), UserUttered("/greet", "greet")]
    await store.append("c1", events, expected_length=0, pending=question)
    await store.close()

    reopened = await SqliteTrackerStore.open(path)
    conversation = await reopened.load("c1")
    await reopened.close()
    assert conversation.events == tuple(events) and conversation.pending == question


async def test_corrupt_event_is_reported_with_the_conversation_and_position(tmp_path):
    path = tmp_path / "ozbot.db"
    store = await SqliteTrackerStore.open(path)
    await store.append(
        "c1", [ActionExecuted("a"), ActionExecuted("b")], expected_length=0, pending=None
    )
    with sqlite3.connect(path) as db:
        db.execute("UPDATE events SET data = '{broken' WHERE seq = 1")
    with pytest.raises(StoreError, match="conversation c1, event 1: stored event is not valid"):
        await store.load("c1")
    await store.close()


async def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "ozbot.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="ozbot.db: cannot open the conversation store"):
        await SqliteTrackerStore.open(path)
