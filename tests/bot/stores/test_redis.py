"""What only the Redis store does: keys per bot, expiry, SCAN, locks across replicas, bad data."""

import asyncio
import dataclasses
import logging
import socket

import pytest
from redis.asyncio import Redis

from bot.errors import ConflictError, ConversationBusyError, StoreError, StoreUnavailableError
from bot.events import ActionExecuted, UserUttered
from bot.stores.base import Delivered, Taught
from bot.stores.redis import RedisTrackerStore
from bot.stores.redis_client import MAX_CONNECTIONS
from bot.stores.settings import RedisSettings
from bot.tracker import Tracker
from tests.conftest import REDIS_URL

EVENTS = [ActionExecuted("action_listen"), UserUttered("/greet", "greet")]


@pytest.fixture
async def connect(redis_settings):
    """Opens stores (replicas) on the test's prefix, with changed settings if asked."""
    stores = []

    async def open_store(**changes):
        settings = dataclasses.replace(redis_settings, **changes)
        stores.append(await RedisTrackerStore.connect(settings))
        return stores[-1]

    yield open_store
    for store in stores:
        await store.close()


def commands_sent(store, monkeypatch):
    """The names of the Redis commands the store sends from now on, in order."""
    sent = []
    send = store._redis.execute_command

    async def counted(*args, **options):
        sent.append(args[0])
        return await send(*args, **options)

    monkeypatch.setattr(store._redis, "execute_command", counted)
    return sent


@pytest.fixture
async def client():
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()


async def test_keys_live_under_the_bots_prefix(connect, client, redis_settings):
    store = await connect()
    await store.append("c1", EVENTS, expected_length=0, pending=None)
    keys = [key async for key in client.scan_iter(match=f"{redis_settings.prefix}:*")]
    prefix = redis_settings.prefix
    assert sorted(keys) == [f"{prefix}:conv:{{c1}}:events", f"{prefix}:conv:{{c1}}:meta"]


async def test_bots_with_other_prefixes_do_not_see_each_others_conversations(
    connect, redis_settings
):
    first = await connect()
    second = await connect(prefix=f"{redis_settings.prefix}:other")
    await first.append("c1", EVENTS, expected_length=0, pending=None)
    await second.append("c2", EVENTS[:1], expected_length=0, pending=None)
    assert await first.conversation_ids() == ["c1"]
    assert await second.conversation_ids() == ["c2"]
    assert (await second.load("c1")).events == ()


async def test_listing_scans_every_conversation(connect, client, redis_settings):
    store = await connect()
    ids = [f"c{number:04}" for number in range(2500)]
    async with client.pipeline(transaction=False) as pipe:
        for conversation_id in ids:
            pipe.hset(f"{redis_settings.prefix}:conv:{{{conversation_id}}}:meta", "token", "t")
        await pipe.execute()
    assert await store.conversation_ids() == ids


async def test_a_conversation_expires_after_its_ttl_and_lives_on_without_one(
    connect, client, redis_settings
):
    store = await connect(ttl_seconds=1)
    await store.append("c1", EVENTS, expected_length=0, pending=None)
    lasting = await connect(ttl_seconds=None)
    await lasting.append("c2", EVENTS, expected_length=0, pending=None)
    key = f"{redis_settings.prefix}:conv:{{c2}}:events"
    await client.pexpire(key, 60_000)  # set by an earlier configuration with a TTL
    await lasting.append("c2", [], expected_length=2, pending=None)
    assert await client.pttl(key) == -1
    for _ in range(40):  # bounded: at most 4 s for a TTL of 1 s
        if await store.conversation_ids() == ["c2"]:
            break
        await asyncio.sleep(0.1)
    assert await store.conversation_ids() == ["c2"]
    assert (await store.load("c1")).events == ()


async def test_a_corrupt_event_is_reported_with_its_key_and_position(
    connect, client, redis_settings
):
    store = await connect()
    await store.append("c1", EVENTS, expected_length=0, pending=None)
    key = f"{redis_settings.prefix}:conv:{{c1}}:events"
    await client.rpush(key, '{"event": "dance", "v": 1}')
    with pytest.raises(StoreError, match=rf"{key}, event 2: unknown event type 'dance'"):
        await store.load("c1")
    await client.lset(key, 2, "{not json")
    with pytest.raises(StoreError, match=rf"{key}, event 2: stored event is not valid JSON"):
        await store.load_tail("c1")


async def test_a_corrupt_snapshot_is_logged_and_the_events_are_folded_instead(
    connect, client, redis_settings, concert_domain, caplog
):
    store = await connect()
    snapshot = Tracker("c1", concert_domain, EVENTS).snapshot()
    await store.append("c1", EVENTS, expected_length=0, pending=None, snapshot=snapshot)
    key = f"{redis_settings.prefix}:conv:{{c1}}:meta"
    await client.hset(key, "snapshot", "{broken")
    with caplog.at_level(logging.WARNING):
        tail = await store.load_tail("c1")
    assert tail.snapshot is None and tail.events == tuple(EVENTS)
    assert f"{key}: ignoring the tracker snapshot" in caplog.text


async def test_a_retried_append_is_applied_once(connect, redis_settings):
    """A reply lost with the connection makes redis-py send the script again."""
    store = await connect()
    kinds = ("events", "meta", "lock", "flags", "delivered")
    keys = [f"{redis_settings.prefix}:conv:{{c1}}:{kind}" for kind in kinds]
    restart = '{"event": "restart", "v": 1, "timestamp": 1.0}'
    args = [0, "token-1", 0, "", "", "", "", "", "0 1 telegram:1", 32, restart]
    assert await store._append(keys=keys, args=args) == [1, 1, 0]
    assert await store._append(keys=keys, args=args) == [1, 1, 0]
    assert len((await store.load("c1")).events) == 1
    assert await store.delivered("c1", "telegram:1") == Delivered("telegram:1", 0, 1)


async def test_the_lock_serializes_replicas_and_its_wait_is_bounded(connect):
    first, second = await connect(), await connect(lock_wait_seconds=0.05)
    async with first.turn("c1"):
        with pytest.raises(ConversationBusyError, match=r"conv:\{c1\}:lock stayed taken"):
            async with second.turn("c1"):
                pass
        async with second.turn("c2"):
            pass
    async with second.turn("c1"):
        pass


async def test_a_lock_that_expired_mid_turn_cannot_lose_events(connect, caplog):
    slow, fast = await connect(lock_seconds=0.05), await connect()
    with caplog.at_level(logging.WARNING):
        async with slow.turn("c1") as slow_turn:
            await asyncio.sleep(0.1)  # the lock expires while this turn is still running
            async with fast.turn("c1") as fast_turn:
                await fast_turn.commit(EVENTS, pending=None, snapshot=None)
            with pytest.raises(ConflictError, match="has 2 events, expected 0"):
                await slow_turn.commit(EVENTS[:1], pending=None, snapshot=None)
    assert (await fast.load("c1")).events == tuple(EVENTS)
    assert "had expired before its release" in caplog.text


async def test_a_turn_is_two_round_trips_and_its_commit_releases_the_lock(
    connect, client, redis_settings, monkeypatch
):
    store = await connect()
    await store.append("c1", EVENTS, expected_length=0, pending=None)
    sent = commands_sent(store, monkeypatch)
    async with store.turn("c1") as turn:
        assert turn.tail.events == tuple(EVENTS)
        await turn.commit([ActionExecuted("utter_greet")], pending=None, snapshot=None)
        assert not await client.exists(f"{redis_settings.prefix}:conv:{{c1}}:lock")
    assert sent == ["EVALSHA", "EVALSHA"]
    assert len((await store.load("c1")).events) == 3


async def test_a_turn_left_without_a_commit_releases_the_lock(connect, client, redis_settings):
    store = await connect(lock_wait_seconds=0.05)
    with pytest.raises(RuntimeError, match="the action broke"):
        async with store.turn("c1"):
            raise RuntimeError("the action broke")
    assert not await client.exists(f"{redis_settings.prefix}:conv:{{c1}}:lock")
    async with store.turn("c1") as turn:
        await turn.commit(EVENTS, pending=None, snapshot=None)


async def test_an_unreachable_redis_fails_at_start_up_with_what_to_fix():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = RedisSettings(f"redis://:secret@127.0.0.1:{port}/0", "ozbot-test:x")
    with pytest.raises(StoreUnavailableError, match="cannot reach Redis at") as caught:
        await RedisTrackerStore.connect(settings)
    assert f"redis://:***@127.0.0.1:{port}/0" in str(caught.value)
    assert "fix REDIS_URL" in str(caught.value) and "secret" not in str(caught.value)


async def test_a_url_that_is_not_redis_fails_at_start_up():
    settings = RedisSettings("http://127.0.0.1", "ozbot-test:x", source="config.yml: store.url")
    with pytest.raises(StoreError, match="config.yml: store.url: Redis URL must specify"):
        await RedisTrackerStore.connect(settings)


async def test_a_turn_of_the_same_process_may_take_over_an_expired_lock(connect):
    store = await connect(lock_seconds=0.05)
    taken_over = asyncio.Event()

    async def slow_turn():
        async with store.turn("c1") as turn:
            await asyncio.wait_for(taken_over.wait(), 5)
            with pytest.raises(ConflictError, match="has 2 events, expected 0"):
                await turn.commit(EVENTS[:1], pending=None, snapshot=None)

    async def next_turn():
        await asyncio.sleep(0.1)  # the slow turn's lock has expired by now
        async with store.turn("c1") as turn:
            await turn.commit(EVENTS, pending=None, snapshot=None)
        taken_over.set()

    await asyncio.wait_for(asyncio.gather(slow_turn(), next_turn()), 10)
    assert (await store.load("c1")).events == tuple(EVENTS)


def taught_events(policy):
    return [*EVENTS, ActionExecuted("utter_greet", policy, 1.0)]


async def test_a_redis_from_before_the_taught_set_keeps_what_was_taught(
    connect, client, redis_settings
):
    store = await connect()
    for conversation_id, policy in [("taught", "trainer"), ("user", "lightgbm")]:
        await store.append(conversation_id, taught_events(policy), expected_length=0, pending=None)
    await store.append("broken", taught_events("trainer"), expected_length=0, pending=None)
    prefix = redis_settings.prefix
    await client.lset(f"{prefix}:conv:{{broken}}:events", 0, "{not json")
    await client.delete(f"{prefix}:taught", f"{prefix}:taught:built")  # as written before

    found = await (await connect()).taught()
    assert found.conversations == {"taught": tuple(taught_events("trainer"))}
    assert list(found.corrupt) == ["broken"]
    assert f"{prefix}:conv:{{broken}}:events, event 0: stored event is not valid JSON" in str(
        found.corrupt["broken"]
    )
    assert await client.smembers(f"{prefix}:taught") == {"taught", "broken"}
    await client.srem(f"{prefix}:taught", "broken")  # the marker says: built, not again
    assert list((await store.taught()).corrupt) == []


async def test_taught_conversations_are_read_in_one_pipeline(connect, monkeypatch):
    store = await connect()
    for number in range(3):
        await store.append(f"c{number}", taught_events("trainer"), expected_length=0, pending=None)
    await store.taught()  # the taught set is built
    sent = commands_sent(store, monkeypatch)
    assert list((await store.taught()).conversations) == ["c0", "c1", "c2"]
    assert sent == ["EXISTS", "SMEMBERS"]  # the LRANGEs go as one pipeline


async def test_an_expired_taught_conversation_is_not_read_and_leaves_the_set(
    connect, client, redis_settings
):
    store = await connect(ttl_seconds=1)
    await store.append("c1", taught_events("trainer"), expected_length=0, pending=None)
    assert list((await store.taught()).conversations) == ["c1"]
    for _ in range(40):  # at most about 2 s
        if not (await store.load("c1")).events:
            break
        await asyncio.sleep(0.05)
    assert await store.taught() == Taught({}, {})
    assert await client.smembers(f"{redis_settings.prefix}:taught") == set()


async def test_a_burst_of_more_turns_than_connections_is_served_not_refused(connect):
    store = await connect()
    burst = MAX_CONNECTIONS * 3

    async def turn(conversation_id):
        async with store.turn(conversation_id) as opened:
            await asyncio.sleep(0.01)  # the policy and actions take their time
            await opened.commit(EVENTS, pending=None, snapshot=None)

    await asyncio.wait_for(asyncio.gather(*(turn(f"c{i}") for i in range(burst))), 30)
    assert len(await store.conversation_ids()) == burst


@pytest.fixture
async def cluster_connect(cluster_settings):
    """Opens stores on the local Redis Cluster, under the test's prefix."""
    stores = []

    async def open_store():
        stores.append(await RedisTrackerStore.connect(cluster_settings))
        return stores[-1]

    yield open_store
    for store in stores:
        await store.close()


async def test_on_a_cluster_a_conversation_keeps_one_slot_and_conversations_spread(
    cluster_connect, cluster_settings
):
    store = await cluster_connect()
    ids = [f"c{number}" for number in range(30)]
    for conversation_id in ids:
        async with store.turn(conversation_id) as turn:  # the lock, the events and the meta
            await turn.commit(EVENTS, pending=None, snapshot=None)
    client = store._redis
    masters = set()
    for conversation_id in ids:
        slots = {client.keyslot(key) for key in store._keys(conversation_id)}
        assert len(slots) == 1, f"{conversation_id} spans slots {slots}"
        masters.add(client.get_node_from_key(store._keys(conversation_id)[0]).name)
    assert len(masters) == 3  # every master holds some conversations
    assert await store.conversation_ids() == sorted(ids)


async def test_on_a_cluster_listing_and_the_taught_set_read_every_master(
    cluster_connect, cluster_settings
):
    store = await cluster_connect()
    for number in range(60):
        policy = "trainer" if number % 3 == 0 else "lightgbm"
        await store.append(f"c{number}", taught_events(policy), expected_length=0, pending=None)
    taught = sorted(f"c{number}" for number in range(0, 60, 3))
    assert sorted((await store.taught()).conversations) == taught
    prefix = cluster_settings.prefix
    await store._redis.delete(f"{prefix}:taught")  # as a Redis written before the set:
    await store._redis.delete(f"{prefix}:taught:built")  # built again from every master
    assert sorted((await (await cluster_connect()).taught()).conversations) == taught
    assert len(await store.conversation_ids()) == 60


async def test_on_a_cluster_a_burst_of_more_turns_than_connections_is_served(cluster_connect):
    store = await cluster_connect()

    async def turn(conversation_id):
        async with store.turn(conversation_id) as opened:
            await asyncio.sleep(0.01)
            await opened.commit(EVENTS, pending=None, snapshot=None)

    burst = MAX_CONNECTIONS * 3
    await asyncio.wait_for(asyncio.gather(*(turn(f"c{i % 7}-{i}") for i in range(burst))), 30)
    assert len(await store.conversation_ids()) == burst
