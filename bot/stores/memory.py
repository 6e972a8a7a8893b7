"""In-memory tracker store, for tests and throwaway shells."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from bot.errors import ConflictError
from bot.events import Event
from bot.stores.base import Conversation, ConversationLocks, ConversationTail
from bot.teaching import Question
from bot.tracker import Snapshot


class MemoryTrackerStore:
    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = {}
        self._pending: dict[str, Question | None] = {}
        self._snapshots: dict[str, Snapshot] = {}
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

    async def append(
        self,
        conversation_id: str,
        events: Sequence[Event],
        *,
        expected_length: int,
        pending: Question | None,
        snapshot: Snapshot | None = None,
    ) -> None:
        length = len(self._events.get(conversation_id, ()))
        if length != expected_length:
            raise ConflictError(
                f"conversation {conversation_id} has {length} events, expected {expected_length}"
            )
        self._events.setdefault(conversation_id, []).extend(events)
        self._pending[conversation_id] = pending
        if snapshot is not None:
            self._snapshots[conversation_id] = snapshot

    async def conversation_ids(self) -> list[str]:
        return sorted(self._events)

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(conversation_id)

    async def close(self) -> None:
        return None
