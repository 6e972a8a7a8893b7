"""The inbox (bot/stores/inbox.py) as a Redis stream with a consumer group, shared by the
replicas on one Redis (or Redis Cluster):

    <prefix>:inbox:{<source>}              the stream: an entry an update (key, payload)
    <prefix>:inbox:{<source>}:seen:<key>   there for a day after <key> was added: the dedupe

Both share one hash tag, so a cluster keeps a source's inbox in one slot and ADD runs whole:
it sets the seen key (NX), appends the entry (XADD) and reads it into this replica's pending
list (XREADGROUP), or does nothing for a key seen before. DONE acknowledges and deletes the
entry (XACK, XDEL). Each is one round trip. A replica is a consumer named after its host, so a
restarted container finds its own pending entries at once (`recover`: XREADGROUP from 0); the
other replicas take over those of a host that is gone after a timeout (`claim_stale`:
XAUTOCLAIM).
"""

from __future__ import annotations

import socket
from contextlib import AbstractAsyncContextManager
from typing import Any

from bot.errors import StoreError
from bot.stores.inbox import SEEN_SECONDS, Entry
from bot.stores.redis_client import (
    RedisClient,
    connect,
    redis_errors,
)
from bot.stores.settings import RedisSettings

GROUP = "ozbot"
_BATCH = 100
ADD = """
-- KEYS: stream, seen key. ARGV: group, consumer, seen seconds, key, payload.
-- The new entry's id, taken by the consumer; nothing when the key was seen before.
if not redis.call('SET', KEYS[2], 1, 'NX', 'EX', ARGV[3]) then
  return false
end
local id = redis.call('XADD', KEYS[1], '*', 'key', ARGV[4], 'payload', ARGV[5])
redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
return id
"""
DONE = """
-- KEYS: stream. ARGV: group, entry id. Acknowledged and deleted: it is never handed out again.
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
"""


class RedisInbox:
    """Use `await RedisInbox.connect(settings, source)`; `close()` when done."""

    def __init__(
        self, client: RedisClient, settings: RedisSettings, source: str, consumer: str
    ) -> None:
        self._redis = client
        self._settings = settings
        self._stream = f"{settings.prefix}:inbox:{{{source}}}"
        self._consumer = consumer
        self._add = client.register_script(ADD)
        self._done = client.register_script(DONE)
        self.settle_seconds = settings.lock_seconds
        """A killed turn's conversation lock expires after this."""

    @classmethod
    async def connect(
        cls, settings: RedisSettings, source: str, consumer: str | None = None
    ) -> RedisInbox:
        """Connects and makes the consumer group; `consumer` defaults to the host's name."""
        client = await connect(
            settings, decode_responses=True, socket_timeout=2.0, socket_connect_timeout=1.0
        )
        inbox = cls(client, settings, source, consumer or socket.gethostname())
        try:
            async with inbox._guard():
                await client.xgroup_create(inbox._stream, GROUP, id="0", mkstream=True)
        except StoreError as exc:
            if "BUSYGROUP" not in str(exc):  # made before: by another replica, or a start
                await client.aclose()
                raise
        return inbox

    def _guard(self) -> AbstractAsyncContextManager[None]:
        return redis_errors(f"Redis inbox {self._stream}")

    async def add(self, key: str, payload: str) -> Entry | None:
        seen = f"{self._stream}:seen:{key}"
        args: list[str | int] = [GROUP, self._consumer, SEEN_SECONDS, key, payload]
        async with self._guard():
            entry_id = await self._add(keys=[self._stream, seen], args=args)
        return None if entry_id is None else Entry(entry_id, key, payload)

    async def done(self, entry: Entry) -> None:
        async with self._guard():
            await self._done(keys=[self._stream], args=[GROUP, entry.id])

    async def recover(self) -> list[Entry]:
        """This consumer's pending entries, read again from the start of its history."""
        entries: list[Entry] = []
        after = "0"
        async with self._guard():
            while True:
                reply: Any = await self._redis.xreadgroup(
                    GROUP, self._consumer, {self._stream: after}, count=_BATCH
                )
                batch = reply[0][1] if reply else []
                if not batch:
                    return entries
                entries += await self._entries(batch)
                after = batch[-1][0]

    async def claim_stale(self, idle_seconds: float) -> list[Entry]:
        entries: list[Entry] = []
        cursor = "0-0"
        async with self._guard():
            while True:
                claimed: Any = await self._redis.xautoclaim(
                    self._stream,
                    GROUP,
                    self._consumer,
                    int(idle_seconds * 1000),
                    start_id=cursor,
                    count=_BATCH,
                )
                cursor, batch = claimed[0], claimed[1]
                entries += await self._entries(batch)
                if cursor == "0-0":
                    return entries

    async def _entries(self, batch: list[Any]) -> list[Entry]:
        """The entries of a reply; those deleted meanwhile (no fields) are acknowledged."""
        gone = [entry_id for entry_id, fields in batch if not fields]
        if gone:
            await self._redis.xack(self._stream, GROUP, *gone)
        return [Entry(id_, fields["key"], fields["payload"]) for id_, fields in batch if fields]

    async def close(self) -> None:
        await self._redis.aclose()
