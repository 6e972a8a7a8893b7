import sqlite3

import pytest

from bot.errors import StoreError
from bot.events import ActionExecuted, UserUttered, event_to_json
from bot.policy import TRAINER
from bot.stores.sqlite import SqliteTrackerStore
from bot.teaching import Question
from bot.tracker import Tracker

LISTEN = ActionExecuted("action_listen")
GREET = UserUttered("/greet", "greet")


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


async def test_a_byte_flipped_event_is_reported_with_its_position_the_rest_reads(tmp_path):
    path = tmp_path / "ozbot.db"
    store = await SqliteTrackerStore.open(path)
    taught = [LISTEN, UserUttered("/greet Zürich", "greet"), ActionExecuted("utter_greet", TRAINER)]
    for conversation_id in ("c1", "c2"):
        await store.append(conversation_id, taught, expected_length=0, pending=None)
    await store.close()
    damaged = event_to_json(taught[1]).encode().replace("ü".encode(), b"\xc3\x28")
    with sqlite3.connect(path) as db:  # text that is no UTF-8, as a flipped bit leaves it
        db.execute(
            "UPDATE events SET data = CAST(? AS TEXT) WHERE conversation_id = 'c2' AND seq = 1",
            (damaged,),
        )

    store = await SqliteTrackerStore.open(path)
    try:
        with pytest.raises(StoreError, match="conversation c2, event 1: .* not UTF-8"):
            await store.load("c2")
        assert (await store.load("c1")).events == tuple(taught)
        found = await store.taught()
        assert list(found.conversations) == ["c1"] and list(found.corrupt) == ["c2"]
    finally:
        await store.close()


async def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "ozbot.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="ozbot.db: cannot open the conversation store"):
        await SqliteTrackerStore.open(path)


async def test_a_file_from_before_snapshots_is_read_and_gets_them(tmp_path, concert_domain):
    path = tmp_path / "ozbot.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE conversations (id TEXT PRIMARY KEY, length INTEGER NOT NULL, "
            "pending TEXT, updated_at REAL NOT NULL);"
            "CREATE TABLE events (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, "
            "data TEXT NOT NULL, PRIMARY KEY (conversation_id, seq));"
            "INSERT INTO conversations VALUES ('c1', 1, NULL, 0);"
        )
        db.execute("INSERT INTO events VALUES ('c1', 0, ?)", (event_to_json(LISTEN),))
    store = await SqliteTrackerStore.open(path)
    tail = await store.load_tail("c1")
    assert (tail.snapshot, tail.events) == (None, (LISTEN,))
    snapshot = Tracker("c1", concert_domain, [LISTEN, GREET]).snapshot()
    await store.append("c1", [GREET], expected_length=1, pending=None, snapshot=snapshot)
    assert (await store.load_tail("c1")).snapshot == snapshot
    await store.close()


def taught_events(policy):
    return [LISTEN, GREET, ActionExecuted("utter_greet", policy, 1.0)]


async def test_a_file_from_before_the_taught_table_keeps_what_was_taught(tmp_path):
    path = tmp_path / "ozbot.db"
    store = await SqliteTrackerStore.open(path)
    for conversation_id, policy in [("taught", "trainer"), ("user", "lightgbm")]:
        await store.append(conversation_id, taught_events(policy), expected_length=0, pending=None)
    await store.append("broken", taught_events("trainer"), expected_length=0, pending=None)
    await store.close()
    with sqlite3.connect(path) as db:  # as a file written before this version
        db.execute("DROP TABLE taught")
        db.execute("UPDATE events SET data = '{broken' WHERE conversation_id = 'broken'")

    reopened = await SqliteTrackerStore.open(path)
    found = await reopened.taught()
    await reopened.close()
    assert found.conversations == {"taught": tuple(taught_events("trainer"))}
    assert list(found.corrupt) == ["broken"]
    assert "conversation broken, event 0: stored event is not valid JSON" in str(
        found.corrupt["broken"]
    )
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT id FROM taught ORDER BY id").fetchall() == [
            ("broken",),
            ("taught",),
        ]


async def test_a_taught_conversation_corrupted_later_is_reported_not_raised(tmp_path):
    path = tmp_path / "ozbot.db"
    store = await SqliteTrackerStore.open(path)
    await store.append("c1", taught_events("trainer"), expected_length=0, pending=None)
    await store.append("c2", taught_events("trainer"), expected_length=0, pending=None)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE events SET data = '{broken' WHERE conversation_id = 'c1' AND seq = 2")
    found = await store.taught()
    await store.close()
    assert list(found.conversations) == ["c2"]
    assert "conversation c1, event 2: stored event is not valid JSON" in str(found.corrupt["c1"])
