"""What every tracker store promises; each store runs the same tests."""

import asyncio

import pytest

from bot.errors import ConflictError
from bot.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from bot.policy import TRAINER
from bot.stores.base import KEPT_DELIVERIES, Delivered, Taught
from bot.teaching import Question
from bot.tracker import Tracker

QUESTION = Question("q1", "confirm", "utter_greet", 0.9, "memoization")
GREETING = [
    ActionExecuted("action_listen"),
    UserUttered("/greet", "greet"),
    ActionExecuted("utter_greet"),
    BotUttered("hey there!"),
    ActionExecuted("action_listen"),
]


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


async def test_conversations_are_listed_sorted_whatever_their_ids(store):
    ids = ["b", "a:1", "*", "{x}", "über"]
    for conversation_id in ids:
        await store.append(conversation_id, GREETING[:1], expected_length=0, pending=None)
    assert await store.conversation_ids() == sorted(ids)


async def test_a_new_conversation_has_no_snapshot(store):
    tail = await store.load_tail("nobody")
    assert (tail.snapshot, tail.events, tail.pending, tail.length) == (None, (), None, 0)


async def test_the_tail_is_the_snapshot_and_the_events_after_it(store, concert_domain):
    snapshot = Tracker("c1", concert_domain, GREETING[:2]).snapshot()
    await store.append("c1", GREETING[:2], expected_length=0, pending=QUESTION, snapshot=snapshot)
    await store.append("c1", GREETING[2:], expected_length=2, pending=None)
    tail = await store.load_tail("c1")
    assert tail.snapshot == snapshot and tail.events == tuple(GREETING[2:])
    assert tail.length == len(GREETING) and tail.pending is None
    resumed = Tracker.resume("c1", concert_domain, tail.snapshot, tail.events)
    assert resumed.snapshot() == Tracker("c1", concert_domain, GREETING).snapshot()


async def test_a_new_snapshot_replaces_the_old_one(store, concert_domain):
    await store.append(
        "c1",
        GREETING[:2],
        expected_length=0,
        pending=None,
        snapshot=Tracker("c1", concert_domain, GREETING[:2]).snapshot(),
    )
    latest = Tracker("c1", concert_domain, GREETING).snapshot()
    await store.append("c1", GREETING[2:], expected_length=2, pending=None, snapshot=latest)
    tail = await store.load_tail("c1")
    assert tail.snapshot == latest and tail.events == ()
    assert (await store.load("c1")).events == tuple(GREETING)


async def test_pending_question_is_stored_with_the_conversation(store):
    await store.append("c1", [], expected_length=0, pending=QUESTION)
    assert (await store.load("c1")).pending == QUESTION


async def test_an_append_with_a_stale_length_is_refused_and_changes_nothing(store, concert_domain):
    await store.append("c1", [ActionExecuted("a")], expected_length=0, pending=None)
    with pytest.raises(ConflictError, match="has 1 events, expected 0"):
        await store.append(
            "c1",
            [ActionExecuted("b")],
            expected_length=0,
            pending=QUESTION,
            snapshot=Tracker("c1", concert_domain, [ActionExecuted("b")]).snapshot(),
        )
    conversation = await store.load("c1")
    assert conversation.events == (ActionExecuted("a"),) and conversation.pending is None
    assert (await store.load_tail("c1")).snapshot is None


async def test_turns_serialize_one_conversation_but_not_others(store):
    order = []

    async def hold(conversation_id, tag, seconds):
        async with store.turn(conversation_id):
            order.append(f"{tag}+")
            await asyncio.sleep(seconds)
            order.append(f"{tag}-")

    await asyncio.wait_for(
        asyncio.gather(hold("c1", "a", 0.05), hold("c1", "b", 0.0), hold("c2", "c", 0.0)), 5
    )
    first, second = sorted("ab", key=lambda tag: order.index(f"{tag}+"))  # either may lock first
    assert order.index(f"{first}-") < order.index(f"{second}+")
    assert order.index("c-") < order.index("a-")


async def test_a_turn_reads_the_tail_and_commits_after_it(store, concert_domain):
    snapshot = Tracker("c1", concert_domain, GREETING[:2]).snapshot()
    await store.append("c1", GREETING[:2], expected_length=0, pending=QUESTION, snapshot=snapshot)
    async with store.turn("c1") as turn:
        assert turn.tail == await store.load_tail("c1")
        assert await turn.load_all() == tuple(GREETING[:2])
        await turn.commit(GREETING[2:], pending=None, snapshot=None)
    conversation = await store.load("c1")
    assert conversation.events == tuple(GREETING) and conversation.pending is None
    assert (await store.load_tail("c1")).snapshot == snapshot


async def test_a_turn_on_a_conversation_that_grew_meanwhile_changes_nothing(store):
    async with store.turn("c1") as turn:
        await store.append("c1", GREETING[:1], expected_length=0, pending=None)
        with pytest.raises(ConflictError, match="has 1 events, expected 0"):
            await turn.load_all()
        with pytest.raises(ConflictError, match="has 1 events, expected 0"):
            await turn.commit(GREETING[1:], pending=QUESTION, snapshot=None)
    conversation = await store.load("c1")
    assert conversation.events == tuple(GREETING[:1]) and conversation.pending is None


async def test_a_turn_commits_once(store):
    async with store.turn("c1") as turn:
        await turn.commit(GREETING[:1], pending=None, snapshot=None)
        with pytest.raises(RuntimeError, match="has committed already"):
            await turn.commit(GREETING[1:], pending=None, snapshot=None)
    async with store.turn("c1") as turn:  # the lock was released
        assert turn.tail.length == 1


async def test_a_commit_records_the_update_it_stored(store):
    async with store.turn("c1") as turn:
        assert await turn.delivered("telegram:1") is None
        await turn.commit(GREETING[:2], pending=QUESTION, snapshot=None, delivery="telegram:1")
    async with store.turn("c1") as turn:
        await turn.commit(GREETING[2:], pending=None, snapshot=None, delivery="telegram:2")
    async with store.turn("c1") as turn:
        assert await turn.delivered("telegram:1") == Delivered("telegram:1", 0, 2)
        assert await turn.delivered("telegram:2") == Delivered("telegram:2", 2, 5)
        assert await turn.delivered("telegram:3") is None
    async with store.turn("c2") as turn:  # each conversation its own
        assert await turn.delivered("telegram:1") is None


async def test_only_the_last_updates_of_a_conversation_are_remembered(store):
    for number in range(KEPT_DELIVERIES + 1):
        async with store.turn("c1") as turn:
            listen = [ActionExecuted("action_listen")]
            await turn.commit(listen, pending=None, snapshot=None, delivery=f"slack:{number}")
    async with store.turn("c1") as turn:
        assert await turn.delivered("slack:0") is None
        assert await turn.delivered("slack:1") == Delivered("slack:1", 1, 2)
        last = f"slack:{KEPT_DELIVERIES}"
        assert await turn.delivered(last) == Delivered(last, KEPT_DELIVERIES, KEPT_DELIVERIES + 1)


def taught_turn(at):
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("/greet", "greet", timestamp=at),
        ActionExecuted("utter_greet", TRAINER, 1.0, timestamp=at),
    ]


async def test_only_conversations_a_trainer_answered_in_are_taught(store):
    assert (await store.taught()) == Taught({}, {})
    for conversation_id in ["user", "trainer"]:
        async with store.turn(conversation_id) as turn:
            await turn.commit(GREETING[:2], pending=QUESTION, snapshot=None)
    async with store.turn("trainer") as turn:
        await turn.commit(taught_turn(1.0)[2:], pending=None, snapshot=None)
    async with store.turn("user") as turn:
        await turn.commit(GREETING[2:3], pending=None, snapshot=None)
    async with store.turn("trainer") as turn:  # stays taught
        await turn.commit(GREETING[3:], pending=None, snapshot=None)
    found = await store.taught()
    assert found.conversations == {"trainer": (*GREETING[:2], taught_turn(1.0)[2], *GREETING[3:])}
    assert found.corrupt == {}


async def test_a_refused_commit_teaches_nothing(store):
    await store.append("c1", GREETING[:1], expected_length=0, pending=None)
    with pytest.raises(ConflictError):
        await store.append("c1", taught_turn(1.0), expected_length=0, pending=None)
    assert (await store.taught()).conversations == {}
