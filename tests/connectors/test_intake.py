"""A connector's way into its inbox: repeats dropped, unfinished entries handed over at start,
and an inbox that cannot be written does not stop the updates."""

import asyncio
import logging

from bot.errors import StoreUnavailableError
from bot.stores.inbox import Entry, MemoryInbox
from bot.stores.sqlite_inbox import SqliteInbox
from connectors.intake import Intake


async def test_a_repeat_is_dropped():
    intake = Intake(MemoryInbox(), "telegram")
    first = await intake.accept("telegram:1", "{}")
    assert first is not None and await intake.accept("telegram:1", "{}") is None


async def test_the_entries_a_stop_left_unfinished_are_handed_over_at_start(tmp_path):
    killed = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    entries = [await killed.add(f"slack:Ev{n}", "{}") for n in range(3)]
    await killed.done(entries[0])
    await killed.close()
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    intake, handed = Intake(inbox, "slack"), []

    async def process(entry: Entry) -> None:
        handed.append(entry.key)
        await intake.done(entry)

    await intake.start(process)
    await intake.stop()
    assert handed == ["slack:Ev1", "slack:Ev2"]
    assert await inbox.recover() == []
    await inbox.close()


async def test_a_dead_replica_s_entries_are_taken_over_after_the_timeout(tmp_path):
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    intake, handed = Intake(inbox, "slack", claim_seconds=0.2), asyncio.Queue()
    await intake.start(handed.put)
    await inbox.add("slack:Ev1", "{}")  # as a replica that then died
    taken = await asyncio.wait_for(handed.get(), timeout=5)
    await intake.stop()
    await inbox.close()
    assert taken.key == "slack:Ev1"


class Down(MemoryInbox):
    async def add(self, key: str, payload: str) -> Entry | None:
        raise StoreUnavailableError("Redis is down")


async def test_an_inbox_that_cannot_be_written_lets_updates_through_logged_once(caplog):
    intake = Intake(Down(), "telegram")
    with caplog.at_level(logging.WARNING, "connectors.intake"):
        entries = [await intake.accept(f"telegram:{n}", "{}") for n in range(3)]
    assert [e.key for e in entries if e is not None] == ["telegram:0", "telegram:1", "telegram:2"]
    for entry in entries:
        await intake.done(entry)  # nothing stored: nothing to mark
    assert len(caplog.records) == 1 and "Redis is down" in caplog.records[0].getMessage()


async def test_with_locks_that_outlive_a_kill_unfinished_entries_wait_for_them(tmp_path):
    killed = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    await killed.add("slack:Ev1", "{}")
    await killed.close()
    inbox = await SqliteInbox.open(tmp_path / "ozbot.db", "slack")
    inbox.settle_seconds = 0.2  # as a Redis store's conversation locks
    intake, handed = Intake(inbox, "slack"), asyncio.Queue()
    await intake.start(handed.put)
    assert handed.empty()  # not yet: the killed turn's lock may still be held
    taken = await asyncio.wait_for(handed.get(), timeout=5)
    await intake.stop()
    await inbox.close()
    assert taken.key == "slack:Ev1"
