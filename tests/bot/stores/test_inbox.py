"""What every inbox promises (memory keeps no entries; it dedupes like the others)."""

import asyncio

import pytest

from bot.stores.inbox import MemoryInbox
from bot.stores.redis_inbox import RedisInbox
from bot.stores.sqlite_inbox import SqliteInbox


@pytest.fixture(params=["sqlite", "redis", "redis-cluster"])
async def inboxes(request, tmp_path, redis_settings):
    """Opens inboxes of one store: each call is another process (a restart, a replica)."""
    opened = []

    async def open_inbox(replica="host-1", source="telegram"):
        if request.param == "sqlite":
            inbox = await SqliteInbox.open(tmp_path / "ozbot.db", source)
        elif request.param == "redis":
            inbox = await RedisInbox.connect(redis_settings, source, replica)
        else:
            settings = request.getfixturevalue("cluster_settings")
            inbox = await RedisInbox.connect(settings, source, replica)
        opened.append(inbox)
        return inbox

    yield open_inbox
    for inbox in opened:
        await inbox.close()


async def test_an_update_is_added_once_however_often_it_is_delivered(inboxes):
    first, replica = await inboxes(), await inboxes("host-2")
    entry = await first.add("telegram:1", '{"update_id": 1}')
    assert (entry.key, entry.payload) == ("telegram:1", '{"update_id": 1}')
    assert await first.add("telegram:1", "{}") is None
    assert await replica.add("telegram:1", "{}") is None
    await first.done(entry)
    assert await first.add("telegram:1", "{}") is None  # done, still remembered


async def test_a_restart_recovers_the_unfinished_entries_in_order_once(inboxes):
    killed = await inboxes()
    entries = [await killed.add(f"telegram:{n}", f'{{"n": {n}}}') for n in range(5)]
    await killed.done(entries[1])
    restarted = await inboxes()
    recovered = await restarted.recover()
    assert [e.key for e in recovered] == ["telegram:0", "telegram:2", "telegram:3", "telegram:4"]
    assert [e.payload for e in recovered][:2] == ['{"n": 0}', '{"n": 2}']
    for entry in recovered:
        await restarted.done(entry)
    assert await (await inboxes()).recover() == []


async def test_another_replica_takes_over_entries_only_after_the_timeout(inboxes):
    dead = await inboxes("host-1")
    entry = await dead.add("telegram:7", "{}")
    other = await inboxes("host-2")
    assert await other.claim_stale(60.0) == []
    await asyncio.sleep(0.05)
    [taken] = await other.claim_stale(0.01)
    assert taken.key == entry.key and taken.payload == entry.payload
    assert await other.claim_stale(60.0) == []  # taken just now
    await other.done(taken)
    await asyncio.sleep(0.05)
    assert await other.claim_stale(0.01) == []


async def test_sources_keep_their_own_entries(inboxes):
    telegram, slack = await inboxes(source="telegram"), await inboxes(source="slack")
    await telegram.add("telegram:1", "{}")
    await slack.add("slack:Ev1", "{}")
    assert [e.key for e in await (await inboxes(source="slack")).recover()] == ["slack:Ev1"]


async def test_memory_remembers_the_last_keys_and_keeps_nothing():
    inbox = MemoryInbox(size=2)
    assert [await inbox.add(key, "{}") is not None for key in "abab"] == [True, True, False, False]
    await inbox.add("c", "{}")
    assert await inbox.add("a", "{}") is not None  # forgotten past the size
    assert await inbox.add("c", "{}") is None
    assert await inbox.recover() == [] and await inbox.claim_stale(0) == []
