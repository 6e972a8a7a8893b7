"""What every store's review queue promises: flags written by the turn's append, claimed by one
trainer at a time, gone for everyone once removed, kept across restarts."""

import asyncio

import pytest

from bot.errors import ConflictError
from bot.events import ActionExecuted, UserUttered
from bot.review import Flag
from bot.stores.memory import MemoryTrackerStore
from bot.stores.redis import RedisTrackerStore
from bot.stores.review_queue import MemoryReviewQueue, SqliteReviewQueue
from bot.stores.review_redis import RedisReviewQueue
from bot.stores.sqlite import SqliteTrackerStore

TURN = [ActionExecuted("action_listen"), UserUttered("wher is my card", "card_arrival")]


def flag(conversation_id="c1", position=1, confidence=0.3):
    return Flag(
        conversation_id, position, "card_arrival", confidence, "utter_x", 0.9, ("nlu",), 100.0
    )


def queue_of(store):
    if isinstance(store, MemoryTrackerStore):
        return MemoryReviewQueue(store)
    if isinstance(store, SqliteTrackerStore):
        return SqliteReviewQueue(store)
    return RedisReviewQueue(store)


async def test_the_append_of_a_flagged_turn_queues_its_flag(store):
    queue = queue_of(store)
    assert await queue.flags() == []
    await store.append("c1", TURN, expected_length=0, pending=None, flag=flag())
    await store.append("c2", TURN, expected_length=0, pending=None)
    assert await queue.flags() == [flag()]
    assert len((await store.load("c1")).events) == 2


async def test_a_failed_append_queues_no_flag_a_trainer_could_claim(store):
    queue = queue_of(store)
    await store.append("c1", TURN, expected_length=0, pending=None)
    with pytest.raises(ConflictError):
        await store.append("c1", TURN, expected_length=0, pending=None, flag=flag(position=3))
    assert not await queue.claim(flag(position=3), "t1", until=200.0, now=100.0)
    assert await queue.flags() == []


async def test_two_trainers_never_get_the_same_turn_until_the_claim_expires(store):
    queue = queue_of(store)
    await store.append("c1", TURN, expected_length=0, pending=None, flag=flag())
    assert await queue.claim(flag(), "t1", until=100.5, now=100.0)
    assert not await queue.claim(flag(), "t2", until=101.0, now=100.0)
    assert await queue.opened("t1", now=100.0) == flag()
    assert await queue.opened("t2", now=100.0) is None
    if isinstance(store, RedisTrackerStore):  # Redis's own clock expires the claim
        await asyncio.sleep(0.6)
    assert await queue.claim(flag(), "t2", until=1000.0, now=200.0)
    assert await queue.opened("t1", now=200.0) is None


async def test_leaving_a_turn_keeps_it_claimed_and_a_new_claim_leaves_the_old(store):
    queue = queue_of(store)
    for position in (1, 3):
        await store.append(
            "c1", TURN, expected_length=position - 1, pending=None, flag=flag(position=position)
        )
    assert await queue.claim(flag(), "t1", until=200.0, now=100.0)
    assert await queue.claim(flag(position=3), "t1", until=200.0, now=100.0)
    assert await queue.opened("t1", now=100.0) == flag(position=3)
    assert not await queue.claim(flag(), "t2", until=200.0, now=100.0)
    await queue.leave("t1")
    assert await queue.opened("t1", now=100.0) is None


async def test_a_removed_turn_is_gone_for_every_reader(store, tmp_path, redis_settings):
    queue = queue_of(store)
    await store.append("c1", TURN, expected_length=0, pending=None, flag=flag())
    await queue.claim(flag(), "t1", until=200.0, now=100.0)
    await queue.remove([flag()])
    assert await queue.flags() == []
    assert await queue.opened("t1", now=100.0) is None
    assert not await queue.claim(flag(), "t2", until=200.0, now=100.0)


async def test_the_queue_survives_a_restart_of_the_sqlite_store(tmp_path):
    store = await SqliteTrackerStore.open(tmp_path / "ozbot.db")
    await store.append("c1", TURN, expected_length=0, pending=None, flag=flag())
    await store.close()
    reopened = await SqliteTrackerStore.open(tmp_path / "ozbot.db")
    try:
        assert await SqliteReviewQueue(reopened).flags() == [flag()]
    finally:
        await reopened.close()


async def test_replicas_share_one_redis_queue(redis_settings):
    one = await RedisTrackerStore.connect(redis_settings)
    two = await RedisTrackerStore.connect(redis_settings)
    try:
        await one.append("c1", TURN, expected_length=0, pending=None, flag=flag())
        assert await RedisReviewQueue(one).claim(flag(), "t1", until=200.0, now=100.0)
        assert not await RedisReviewQueue(two).claim(flag(), "t2", until=200.0, now=100.0)
        await RedisReviewQueue(one).remove([flag()])
        assert await RedisReviewQueue(two).flags() == []
    finally:
        await one.close()
        await two.close()


async def test_trainers_claiming_at_once_get_the_turn_exactly_once(store):
    queue = queue_of(store)
    await store.append("c1", TURN, expected_length=0, pending=None, flag=flag())
    won = await asyncio.gather(
        *(queue.claim(flag(), f"t{i}", until=200.0, now=100.0) for i in range(8))
    )
    assert sum(won) == 1
