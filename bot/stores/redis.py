"""Redis tracker store (redis.asyncio): production, several bots and replicas on one Redis.

Keys of one conversation share the hash tag `{id}`, so that its scripts also run on a cluster:

    <prefix>:conv:{<id>}:events   list of event JSON, only ever appended to
    <prefix>:conv:{<id>}:meta     hash: pending question, snapshot, `at` (events the snapshot
                                  covers), `token` (of the last append)
    <prefix>:conv:{<id>}:lock     the conversation's lock, with an expiry

A turn is two round trips (see redis_scripts.py): taking the lock reads the tail the turn
needs, and the append, which checks the expected length so that even a lock that expired
mid-turn cannot lose or interleave events, releases the lock. The first append of a turn ends
its hold on the lock.
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

from redis import exceptions
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from bot.errors import ConflictError, ConversationBusyError, StoreError, StoreUnavailableError
from bot.events import Event, event_to_json
from bot.stores import redis_scripts
from bot.stores.base import (
    Conversation,
    ConversationTail,
    decode_events,
    decode_question,
    decode_snapshot,
)
from bot.stores.outage import Outage
from bot.stores.redis_client import answering
from bot.stores.settings import RedisSettings
from bot.teaching import Question
from bot.tracker import Snapshot

log = logging.getLogger(__name__)
_GLOB_SPECIAL = str.maketrans({c: f"\\{c}" for c in "*?[]\\"})
_LOCK_POLL_SECONDS = 0.005


@dataclass
class _Hold:
    """A lock this process holds for one task (the turn that took it)."""

    token: str
    task: asyncio.Task[Any] | None
    tail: ConversationTail | None = None
    """Read with the lock, for the turn's load_tail."""
    released: bool = False


class RedisTrackerStore:
    """Use `await RedisTrackerStore.connect(settings)`; `close()` when done."""

    def __init__(self, client: Redis, settings: RedisSettings) -> None:
        self._redis = client
        self._settings = settings
        self._read_tail = client.register_script(redis_scripts.READ_TAIL)
        self._lock_and_read = client.register_script(redis_scripts.LOCK_AND_READ)
        self._append = client.register_script(redis_scripts.APPEND)
        self._release = client.register_script(redis_scripts.RELEASE)
        self._outage = Outage(f"Redis at {settings.shown_url}")
        self._holds: dict[str, _Hold] = {}
        self._unreleased: list[tuple[str, str]] = []
        """(lock, token) whose release failed in an outage: released when Redis is back."""

    @classmethod
    async def connect(cls, settings: RedisSettings) -> RedisTrackerStore:
        """Connects and checks that Redis answers: a wrong URL fails here, at start-up."""
        try:
            client = Redis.from_url(
                settings.url,
                decode_responses=True,
                socket_timeout=2.0,
                socket_connect_timeout=1.0,
                # A dropped connection (Redis restarted) is retried at once; an outage
                # gives up after about 0.1 s and Outage spaces the next tries.
                retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=3),
            )
        except ValueError as exc:
            raise StoreError(f"{settings.source}: {exc}") from exc
        await answering(client, settings)
        return cls(client, settings)

    def _keys(self, conversation_id: str) -> list[str]:
        """The events, meta and lock keys of a conversation."""
        head = f"{self._settings.prefix}:conv:{{{conversation_id}}}"
        return [f"{head}:events", f"{head}:meta", f"{head}:lock"]

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        """Redis errors become store errors; connection trouble is an outage."""
        self._outage.check()
        try:
            yield
        except (exceptions.ConnectionError, exceptions.TimeoutError) as exc:
            raise self._outage.failed(exc) from exc
        except exceptions.RedisError as exc:
            raise StoreError(f"Redis at {self._settings.shown_url} failed: {exc}") from exc
        self._outage.succeeded()

    def _own_hold(self, conversation_id: str) -> _Hold | None:
        hold = self._holds.get(conversation_id)
        return hold if hold and hold.task is asyncio.current_task() else None

    async def load(self, conversation_id: str) -> Conversation:
        events_key, meta_key, _ = self._keys(conversation_id)
        async with self._guard(), self._redis.pipeline(transaction=True) as pipe:
            pipe.lrange(events_key, 0, -1)
            pipe.hget(meta_key, "pending")
            texts, pending = await pipe.execute()
        events = decode_events(texts, events_key)
        return Conversation(conversation_id, events, decode_question(pending, meta_key))

    async def load_tail(self, conversation_id: str) -> ConversationTail:
        hold = self._own_hold(conversation_id)
        if hold and hold.tail:
            tail, hold.tail = hold.tail, None
            return tail
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
    ) -> None:
        keys = self._keys(conversation_id)
        hold = self._own_hold(conversation_id)
        ttl = self._settings.ttl_seconds
        args: list[str | int] = [
            expected_length,
            uuid.uuid4().hex,
            ttl * 1000 if ttl else 0,
            json.dumps(pending.to_dict()) if pending else "",
            snapshot.to_json() if snapshot else "",
            hold.token if hold else "",
            *(event_to_json(event) for event in events),
        ]
        async with self._guard():
            appended, length, released = await self._append(keys=keys, args=args)
        if not appended:
            raise ConflictError(f"{keys[0]} has {length} events, expected {expected_length}")
        if hold and released:
            hold.released = True

    async def conversation_ids(self) -> list[str]:
        """Found with SCAN, never KEYS: Redis keeps serving others while it runs."""
        head = f"{self._settings.prefix}:conv:{{"
        pattern = f"{head.translate(_GLOB_SPECIAL)}*}}:meta"
        async with self._guard():
            keys = [key async for key in self._redis.scan_iter(match=pattern, count=1000)]
        return sorted({key[len(head) : -len("}:meta")] for key in keys})

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        return self._hold(conversation_id)

    @asynccontextmanager
    async def _hold(self, conversation_id: str) -> AsyncIterator[None]:
        keys = self._keys(conversation_id)
        hold = _Hold(uuid.uuid4().hex, asyncio.current_task())
        reply = await self._acquire(keys, hold.token)
        self._holds[conversation_id] = hold
        try:
            hold.tail = await self._decode_tail(conversation_id, reply)
            yield
        finally:
            if self._holds.get(conversation_id) is hold:  # not taken over after an expiry
                del self._holds[conversation_id]
            if not hold.released:
                await self._release_later_if_down(keys[2], hold.token)

    async def _acquire(self, keys: list[str], token: str) -> list[Any]:
        """Takes the lock, waiting a bounded time; returns the tail read with it."""
        settings = self._settings
        deadline = asyncio.get_running_loop().time() + settings.lock_wait_seconds
        lock_ms = int(settings.lock_seconds * 1000)
        async with self._guard():
            for orphan in list(self._unreleased):
                await self._release_now(*orphan)
                self._unreleased.remove(orphan)
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
