"""The tracker store protocol: where conversations live (memory, sqlite, redis).

A store keeps, per conversation, the append-only events, the pending training question and a
tracker snapshot; an append writes all three at once. A turn reads the snapshot and the events
after it (`load_tail`), so its cost does not grow with the conversation.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from bot.errors import StoreError
from bot.events import Event, event_from_json
from bot.teaching import Question
from bot.tracker import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conversation:
    id: str
    events: tuple[Event, ...]
    pending: Question | None = None
    """The training question waiting for the trainer's answer, if any."""


@dataclass(frozen=True)
class ConversationTail:
    """What a turn reads: the latest snapshot and the events after it (all without one)."""

    id: str
    snapshot: Snapshot | None
    events: tuple[Event, ...]
    pending: Question | None = None

    @property
    def length(self) -> int:
        """The number of events in the whole conversation."""
        return (self.snapshot.length if self.snapshot else 0) + len(self.events)


class TrackerStore(Protocol):
    async def load(self, conversation_id: str) -> Conversation:
        """The stored conversation; an empty one when the id is new."""
        ...

    async def load_tail(self, conversation_id: str) -> ConversationTail:
        """The latest snapshot and the events after it, with the pending question."""
        ...

    async def append(
        self,
        conversation_id: str,
        events: Sequence[Event],
        *,
        expected_length: int,
        pending: Question | None,
        snapshot: Snapshot | None = None,
    ) -> None:
        """Append events, set the pending question and the snapshot, all or nothing.

        `snapshot` is the fold of the conversation including `events`; None keeps the stored
        one. Raises ConflictError when the conversation no longer has `expected_length` events.
        """
        ...

    async def conversation_ids(self) -> list[str]:
        """Every stored conversation, sorted."""
        ...

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """Serializes the turns of one conversation; other conversations run in parallel.

        A turn's append is the last thing it does under the lock: a store may release the
        lock with it (Redis does, to save a round trip).
        """
        ...

    async def close(self) -> None: ...


class ConversationLocks:
    """One asyncio lock per conversation, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._users[conversation_id] = self._users.get(conversation_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[conversation_id] -= 1
            if not self._users[conversation_id]:
                del self._users[conversation_id], self._locks[conversation_id]


def decode_events(texts: Iterable[str], where: str, first: int = 0) -> tuple[Event, ...]:
    """Stored events; a corrupt one raises StoreError naming `where` and its position."""
    events = []
    for position, text in enumerate(texts, start=first):
        try:
            events.append(event_from_json(text))
        except StoreError as exc:
            raise StoreError(f"{where}, event {position}: {exc}") from exc
    return tuple(events)


def decode_snapshot(text: str | None, where: str) -> Snapshot | None:
    """The stored snapshot; a corrupt one is logged and ignored, since events can be refolded."""
    if text is None:
        return None
    try:
        return Snapshot.from_json(text)
    except StoreError as exc:
        log.warning(
            "%s: ignoring the tracker snapshot, refolding the events instead: %s", where, exc
        )
        return None


def decode_question(text: str | None, where: str) -> Question | None:
    """The stored pending question; a corrupt one raises StoreError naming `where`."""
    if text is None:
        return None
    try:
        return Question.from_dict(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise StoreError(f"{where}: the pending question is not valid: {exc}") from exc
