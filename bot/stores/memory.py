"""In-memory tracker store, for tests and throwaway shells."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from bot.errors import ConflictError, StoreError, StoreUnavailableError
from bot.events import Event
from bot.locks import ConversationLocks
from bot.review import Flag
from bot.stores.base import (
    KEPT_DELIVERIES,
    Conversation,
    ConversationTail,
    Delivered,
    StoredTurn,
    Taught,
    is_taught,
    local_turn,
)
from bot.teaching import Question
from bot.tracker import Snapshot


class MemoryTrackerStore:
    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = {}
        self._pending: dict[str, Question | None] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._taught: set[str] = set()
        self._deliveries: dict[str, deque[Delivered]] = {}
        self.flags: dict[str, Flag] = {}
        """The review queue's flags by key (`MemoryReviewQueue` reads and claims them)."""
        self._locks = ConversationLocks()

    async def load(self, conversation_id: str) -> Conversation:
        events = tuple(self._events.get(conversation_id, ()))
        return Conversation(conversation_id, events, self._pending.get(conversation_id))

    async def load_tail(self, conversation_id: str) -> ConversationTail:
        snapshot = self._snapshots.get(conversation_id)
        after = self._events.get(conversation_id, [])[snapshot.length if snapshot else 0 :]
        return ConversationTail(
            conversation_id, snapshot, tuple(after), self._pending.get(conversation_id)
        )

    def turn(self, conversation_id: str) -> AbstractAsyncContextManager[StoredTurn]:
        return local_turn(self, self._locks, conversation_id)

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
        """Also the write of a turn's commit; see `Appends.append`."""
        length = len(self._events.get(conversation_id, ()))
        if length != expected_length:
            raise ConflictError(
                f"conversation {conversation_id} has {length} events, expected {expected_length}"
            )
        self._events.setdefault(conversation_id, []).extend(events)
        self._pending[conversation_id] = pending
        if snapshot is not None:
            self._snapshots[conversation_id] = snapshot
        if is_taught(events):
            self._taught.add(conversation_id)
        if flag is not None:
            self.flags[flag.key] = flag
        if delivered is not None:
            kept = self._deliveries.setdefault(conversation_id, deque(maxlen=KEPT_DELIVERIES))
            kept.append(delivered)

    async def delivered(self, conversation_id: str, key: str) -> Delivered | None:
        kept = self._deliveries.get(conversation_id, ())
        return next((d for d in reversed(kept) if d.key == key), None)  # the latest

    async def conversation_ids(self) -> list[str]:
        return sorted(self._events)

    async def taught(self) -> Taught:
        conversations, corrupt = {}, {}
        for conversation_id in sorted(self._taught):
            try:
                conversations[conversation_id] = (await self.load(conversation_id)).events
            except StoreUnavailableError:
                raise
            except StoreError as exc:  # only a test's store fails here
                corrupt[conversation_id] = exc
        return Taught(conversations, corrupt)

    async def close(self) -> None:
        return None
