"""What every tracker store promises; each store runs the same tests."""

import asyncio

import pytest

from bot.errors import ConflictError
from bot.events import ActionExecuted, SlotSet, UserUttered
from bot.stores.memory import MemoryTrackerStore
from bot.stores.sqlite import SqliteTrackerStore
from bot.training import Question

QUESTION = Question("q1", "confirm", "utter_greet", 0.9, "memoization")


@pytest.fixture(params=["memory", "sqlite"])
async def store(request, tmp_path):
    if request.param == "memory":
        store = MemoryTrackerStore()
    else:
        store = await SqliteTrackerStore.open(tmp_path / "ozbot.db")
    yield store
    await store.close()


async def test_a_new_conversation_is_empty(store):
    conversation = await store.load("nobody")
    assert conversation.events == () and conversation.pending is None


async def test_appends_accumulate_with_the_pending_question(store):
    first = [ActionExecuted("action_listen"), UserUttered("/greet", "greet")]
    await store.append("c1", first, expected_length=0, pending=QUESTION)
    await store.append("c1", [SlotSet("x", [1, {"a": "ü"}])], expected_length=2, pending=None)
    conversation = await store.load("c1")
    assert conversation.events == (*first, SlotSet("x", [1, {"a": "ü"}]))
    assert conversation.pending is None
    assert await store.conversation_ids() == ["c1"]


async def test_pending_question_is_stored_with_the_conversation(store):
    await store.append("c1", [], expected_length=0, pending=QUESTION)
    assert (await store.load("c1")).pending == QUESTION


async def test_an_append_with_a_stale_length_is_refused_and_changes_nothing(store):
    await store.append("c1", [ActionExecuted("a")], expected_length=0, pending=None)
    with pytest.raises(ConflictError, match="has 1 events, expected 0"):
        await store.append("c1", [ActionExecuted("b")], expected_length=0, pending=QUESTION)
    conversation = await store.load("c1")
    assert conversation.events == (ActionExecuted("a"),) and conversation.pending is None


async def test_lock_serializes_one_conversation_but_not_others(store):
    order = []

    async def hold(conversation_id, tag, seconds):
        async with store.lock(conversation_id):
            order.append(f"{tag}+")
            await asyncio.sleep(seconds)
            order.append(f"{tag}-")

    await asyncio.wait_for(
        asyncio.gather(hold("c1", "a", 0.05), hold("c1", "b", 0.0), hold("c2", "c", 0.0)), 5
    )
    assert order.index("a-") < order.index("b+")
    assert order.index("c-") < order.index("a-")
