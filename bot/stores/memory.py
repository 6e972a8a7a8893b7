"""In-memory tracker store, for tests and throwaway shells."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from bot.errors import ConflictError
from bot.events import Event
from bot.stores.base import Conversation, ConversationLocks
from bot.training import Question


class MemoryTrackerStore:
    def __init__(self) -> None:
        self._conversations: dict[str, Conversation] = {}
        self._locks = ConversationLocks()

    async def load(self, conversation_id: str) -> Conversation:
        return self._conversations.get(conversation_id, Conversation(conversation_id, ()))

    async def append(
        self,
        conversation_id: str,
        events: Sequence[Event],
        *,
        expected_length: int,
        pending: Question | None,
    ) -> None:
        current = await self.load(conversation_id)
        if len(current.events) != expected_length:
            raise ConflictError(
                f"conversation {conversation_id} has {len(current.events)} events, "
                f"expected {expected_length}"
            )
        self._conversations[conversation_id] = Conversation(
            conversation_id, current.events + tuple(events), pending
        )

    async def conversation_ids(self) -> list[str]:
        return sorted(self._conversations)

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(conversation_id)

    async def close(self) -> None:
        return None
