"""Redis tracker store (redis.asyncio): production, several bots and replicas on one Redis or
one Redis Cluster.

Keys of one conversation share the hash tag `{id}`: a cluster keeps them in one slot, so the
scripts of a turn run on one master, while different conversations spread over the slots:

    <prefix>:conv:{<id>}:events   list of event JSON, only ever appended to
    <prefix>:conv:{<id>}:meta     hash: pending question, snapshot, `at` (events the snapshot
                                  covers), `token` (of the last append)
    <prefix>:conv:{<id>}:lock     the conversation's lock, with an expiry
    <prefix>:taught               set of the taught conversations' ids
    <prefix>:taught:built         there when the set lists every taught conversation
    <prefix>:conv:{<id>}:flags    hash: the conversation's turns to review (position: flag)
    <prefix>:conv:{<id>}:delivered list: the last updates its commits stored (`Delivered`)
    <prefix>:review:flags         hash: the review queue's index (flag key: flag)
    <prefix>:review:claim:<key>   the trainer who has a flag open, with an expiry
    <prefix>:review:by:<trainer>  the flag a trainer has open, with the same expiry

A turn is two round trips (see redis_scripts.py): `turn()` takes the lock and reads the tail
the turn needs; its commit appends, checking the expected length so that even a lock that
expired mid-turn cannot lose or interleave events, and releases the lock in the same script.

The taught set is global, so it cannot share a conversation's hash tag and stay in its script
(a cluster refuses keys of two slots in one script). A commit whose events include a trainer's
action adds the id first, in a round trip of its own (a trainer's turn is rare and slow
anyway), then appends: the set may name a conversation whose append failed, never miss one,
and `taught()` reads only what is taught. Ids stay after their conversation expires; reading
them finds nothing. A Redis written before the set has no marker: the first `taught()` fills
the set from every conversation once, then sets the marker (replicas doing it at the same
time only add the same ids).

A flagged user's turn (see bot/review.py) writes its flag into the conversation's own flags
hash inside APPEND: that is the record, atomic with the turn. The queue's index is one global
hash, so it cannot join the script on a cluster; it is written in the same pipeline, just
before the script (one round trip on a single Redis; on a cluster the two commands go to their
nodes at once). The index may name a flag whose append then failed (the review queue checks the
conversation's hash when it claims, and drops such an entry); it misses one only if Redis fails
between the two commands of one pipeline. Flags expire with their conversation.

On a cluster, listing scans every master and the reads of many conversations go out as one
pipeline per master (redis-py's cluster client routes them); the rest is the same commands.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import NoScriptError

from bot.errors import ConflictError, ConversationBusyError, StoreUnavailableError
from bot.events import Event, event_to_json
from bot.review import Flag
from bot.stores import redis_scripts
from bot.stores.base import (
    KEPT_DELIVERIES,
    Conversation,
    ConversationTail,
    Delivered,
    StoredTurn,
    Taught,
    decode_events,
    decode_question,
    decode_snapshot,
    decode_taught,
    is_taught,
)
from bot.stores.outage import Outage
from bot.stores.redis_client import MAX_CONNECTIONS, RedisClient, connect, redis_errors
from bot.stores.settings import RedisSettings
from bot.teaching import Question
from bot.tracker import Snapshot

log = logging.getLogger(__name__)
_GLOB_SPECIAL = str.maketrans({c: f"\\{c}" for c in "*?[]\\"})
_LOCK_POLL_SECONDS = 0.005
_READ_BATCH = 500
"""Conversations read in one pipeline when filling the taught set."""


@dataclass
class _Lock:
    """A conversation's lock taken by one turn."""

    key: str
    token: str
    released: bool = False


class _Holding:
    """The store as a turn that holds `lock` sees it: its append also releases the lock."""

    def __init__(self, store: RedisTrackerStore, lock: _Lock) -> None:
        self._store = store
        self._lock = lock

    async def load(self, conversation_id: str) -> Conversation:
        return await self._store.load(conversation_id)

    async def append(
        self,
        conversation_id: str,
        events: Sequence[Event],
        *,
        expected_length: int,
        pending: Question | None,
        snapshot: Snapshot | None = None,
        flag: Flag | None = None,
        delivered: Delivered | None = None,
    ) -> None:
        await self._store._write(
            conversation_id, events, expected_length, pending, snapshot, self._lock, flag, delivered
        )

    async def delivered(self, conversation_id: str, key: str) -> Delivered | None:
        return await self._store.delivered(conversation_id, key)


class RedisTrackerStore:
    """Use `await RedisTrackerStore.connect(settings)`; `close()` when done."""

    def __init__(self, client: RedisClient, settings: RedisSettings) -> None:
        self._redis = client
        self._settings = settings
        self._read_tail = client.register_script(redis_scripts.READ_TAIL)
        self._lock_and_read = client.register_script(redis_scripts.LOCK_AND_READ)
        self._append = client.register_script(redis_scripts.APPEND)
        self._release = client.register_script(redis_scripts.RELEASE)
        self._outage = Outage(f"Redis at {settings.shown_url}")
        self._taught = f"{settings.prefix}:taught"
        self._turns = asyncio.Semaphore(MAX_CONNECTIONS)
        """Turns at once: a burst waits for a free connection (the cluster client would
        refuse it: its pools do not wait)."""
        self._unreleased: list[tuple[str, str]] = []
        """(lock, token) whose release failed in an outage: released when Redis is back."""

    @classmethod
    async def connect(cls, settings: RedisSettings) -> RedisTrackerStore:
        """Connects and checks that Redis answers: a wrong URL fails here, at start-up."""
        client = await connect(
            settings,
            decode_responses=True,
            socket_timeout=2.0,
            socket_connect_timeout=1.0,
            # A dropped connection (Redis restarted) is retried at once; an outage
            # gives up after about 0.1 s and Outage spaces the next tries.
            retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=3),
        )
        return cls(client, settings)

    def _keys(self, conversation_id: str) -> list[str]:
        """The events, meta and lock keys of a conversation."""
        head = f"{self._settings.prefix}:conv:{{{conversation_id}}}"
        return [f"{head}:events", f"{head}:meta", f"{head}:lock"]

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        """Redis errors become store errors; connection trouble is an outage."""
        self._outage.check()
        async with redis_errors(self._outage.name, self._outage.failed):
            yield
        self._outage.succeeded()

    async def load(self, conversation_id: str) -> Conversation:
        events_key, meta_key, _ = self._keys(conversation_id)
        async with self._guard(), self._redis.pipeline(transaction=True) as pipe:
            pipe.lrange(events_key, 0, -1)
            pipe.hget(meta_key, "pending")
            texts, pending = await pipe.execute()
        events = decode_events(texts, events_key)
        return Conversation(conversation_id, events, decode_question(pending, meta_key))

    async def load_tail(self, conversation_id: str) -> ConversationTail:
        async with self._guard():
            reply = await self._read_tail(keys=self._keys(conversation_id)[:2])
        return await self._decode_tail(conversation_id, reply)

    async def _decode_tail(self, conversation_id: str, reply: list[Any]) -> ConversationTail:
        events_key, meta_key, _ = self._keys(conversation_id)
        pending, text, at, texts = reply
        snapshot = decode_snapshot(text, meta_key)
        if snapshot is None and at:  # corrupt: fold every event instead
            at = 0
            async with self._guard():
                texts = await self._redis.lrange(events_key, 0, -1)
        events = decode_events(texts, events_key, at)
        question = decode_question(pending, meta_key)
        return ConversationTail(conversation_id, snapshot, events, question)

    async def append(
        self,
        conversation_id: str,
        events: Sequence[Event],
        *,
        expected_length: int,
        pending: Question | None,
        snapshot: Snapshot | None = None,
        flag: Flag | None = None,
        delivered: Delivered | None = None,
    ) -> None:
        """An append outside a turn; see `Appends.append`."""
        await self._write(
            conversation_id, events, expected_length, pending, snapshot, None, flag, delivered
        )

    async def delivered(self, conversation_id: str, key: str) -> Delivered | None:
        async with self._guard():
            kept = await self._redis.lrange(self._deliveries_key(conversation_id), 0, -1)
        return next((d for d in map(Delivered.from_text, kept) if d.key == key), None)

    async def _write(
        self,
        conversation_id: str,
        events: Sequence[Event],
        expected_length: int,
        pending: Question | None,
        snapshot: Snapshot | None,
        lock: _Lock | None,
        flag: Flag | None = None,
        delivered: Delivered | None = None,
    ) -> None:
        """The append, which also releases `lock` when it is still the turn's."""
        keys = [
            *self._keys(conversation_id),
            self.flags_key(conversation_id),
            self._deliveries_key(conversation_id),
        ]
        ttl = self._settings.ttl_seconds
        args: list[str | int] = [
            expected_length,
            uuid.uuid4().hex,
            ttl * 1000 if ttl else 0,
            json.dumps(pending.to_dict()) if pending else "",
            snapshot.to_json() if snapshot else "",
            lock.token if lock else "",
            flag.position if flag else "",
            flag.to_json() if flag else "",
            delivered.to_text() if delivered else "",
            KEPT_DELIVERIES,
            *(event_to_json(event) for event in events),
        ]
        async with self._guard():
            if is_taught(events):  # before the append: the set never misses a conversation
                await self._redis.sadd(self._taught, conversation_id)
            if flag is None:
                appended, length, released = await self._append(keys=keys, args=args)
            else:
                appended, length, released = await self._append_flagged(keys, args, flag)
        if not appended:
            raise ConflictError(f"{keys[0]} has {length} events, expected {expected_length}")
        if lock and released:
            lock.released = True

    async def _append_flagged(self, keys: list[str], args: list[str | int], flag: Flag) -> Any:
        """APPEND with the flag's index entry in the same pipeline (see the module's notes)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hset(self.review_index, flag.key, flag.to_json())
            pipe.execute_command("EVALSHA", self._append.sha, len(keys), *keys, *args)
            _, reply = await pipe.execute(raise_on_error=False)
        if isinstance(reply, NoScriptError):  # a Redis that has not seen the script yet
            return await self._append(keys=keys, args=args)
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def client(self) -> RedisClient:
        """For the review queue (bot/stores/review_redis.py), with `guarded`."""
        return self._redis

    def guarded(self) -> AbstractAsyncContextManager[None]:
        """Redis errors as store errors, connection trouble as an outage."""
        return self._guard()

    @property
    def prefix(self) -> str:
        return self._settings.prefix

    def flags_key(self, conversation_id: str) -> str:
        """The hash of a conversation's flags (same hash tag as its events)."""
        return f"{self._settings.prefix}:conv:{{{conversation_id}}}:flags"

    def _deliveries_key(self, conversation_id: str) -> str:
        return f"{self._settings.prefix}:conv:{{{conversation_id}}}:delivered"

    @property
    def review_index(self) -> str:
        return f"{self._settings.prefix}:review:flags"

    async def conversation_ids(self) -> list[str]:
        """Found with SCAN, never KEYS: Redis keeps serving others while it runs."""
        head = f"{self._settings.prefix}:conv:{{"
        pattern = f"{head.translate(_GLOB_SPECIAL)}*}}:meta"
        async with self._guard():
            keys = [key async for key in self._redis.scan_iter(match=pattern, count=1000)]
        return sorted({key[len(head) : -len("}:meta")] for key in keys})

    async def taught(self) -> Taught:
        """One pipeline reads the taught conversations; a thread decodes them. The ids of
        conversations that expired meanwhile (TTL) leave the set."""
        async with self._guard():
            if not await self._redis.exists(f"{self._taught}:built"):
                await self._build_taught()
            ids = sorted(map(str, await self._redis.smembers(self._taught)))
            stored = await self._read_events(ids)
            expired = [cid for cid, texts in stored.items() if not texts]
            if expired:
                await self._redis.srem(self._taught, *expired)
        return await asyncio.to_thread(decode_taught, stored, self._events_key)

    async def _build_taught(self) -> None:
        """Fills the taught set of a Redis written before it, from every conversation."""
        ids = await self.conversation_ids()
        for start in range(0, len(ids), _READ_BATCH):
            stored = await self._read_events(ids[start : start + _READ_BATCH])
            found = await asyncio.to_thread(decode_taught, stored, self._events_key)
            listed = [*found.conversations, *found.corrupt]  # corrupt: reported when read
            if listed:
                await self._redis.sadd(self._taught, *listed)
        await self._redis.set(f"{self._taught}:built", 1)
        log.info("listed the taught conversations of %d stored ones", len(ids))

    async def _read_events(self, ids: list[str]) -> dict[str, list[str]]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for conversation_id in ids:
                pipe.lrange(self._events_key(conversation_id), 0, -1)
            return dict(zip(ids, await pipe.execute(), strict=True))

    def _events_key(self, conversation_id: str) -> str:
        return self._keys(conversation_id)[0]

    def turn(self, conversation_id: str) -> AbstractAsyncContextManager[StoredTurn]:
        return self._turn(conversation_id)

    @asynccontextmanager
    async def _turn(self, conversation_id: str) -> AsyncIterator[StoredTurn]:
        async with self._turns, self._held(conversation_id) as turn:
            yield turn

    @asynccontextmanager
    async def _held(self, conversation_id: str) -> AsyncIterator[StoredTurn]:
        keys = self._keys(conversation_id)
        lock = _Lock(keys[2], uuid.uuid4().hex)
        reply = await self._acquire(keys, lock.token)
        try:
            tail = await self._decode_tail(conversation_id, reply)
            yield StoredTurn(_Holding(self, lock), tail)
        finally:
            if not lock.released:  # no commit, or one that failed
                await self._release_later_if_down(lock.key, lock.token)

    async def _acquire(self, keys: list[str], token: str) -> list[Any]:
        """Takes the lock, waiting a bounded time; returns the tail read with it."""
        settings = self._settings
        deadline = asyncio.get_running_loop().time() + settings.lock_wait_seconds
        lock_ms = int(settings.lock_seconds * 1000)
        async with self._guard():
            while self._unreleased:  # each orphan released by one turn, even concurrent ones
                orphan = self._unreleased.pop()
                try:
                    await self._release_now(*orphan)
                except BaseException:
                    self._unreleased.append(orphan)
                    raise
            while True:
                reply = await self._lock_and_read(keys=keys, args=[token, lock_ms])
                if reply is not None:
                    return list(reply)
                if asyncio.get_running_loop().time() >= deadline:
                    raise ConversationBusyError(
                        f"{keys[2]} stayed taken for {settings.lock_wait_seconds} s"
                    )
                await asyncio.sleep(_LOCK_POLL_SECONDS)

    async def _release_later_if_down(self, lock: str, token: str) -> None:
        try:
            async with self._guard():
                await self._release_now(lock, token)
        except StoreUnavailableError:
            self._unreleased.append((lock, token))

    async def _release_now(self, lock: str, token: str) -> None:
        if not await self._release(keys=[lock], args=[token]):
            log.warning(
                "%s had expired before its release; the append's length check kept the "
                "conversation whole",
                lock,
            )

    async def close(self) -> None:
        await self._redis.aclose()
