"""The tracker store protocol: where conversations live (memory, sqlite, redis)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from bot.events import Event
from bot.training import Question


@dataclass(frozen=True)
class Conversation:
    id: str
    events: tuple[Event, ...]
    pending: Question | None = None
    """The training question waiting for the trainer's answer, if any."""


class TrackerStore(Protocol):
    async def load(self, conversation_id: str) -> Conversation:
        """The stored conversation; an empty one when the id is new."""
        ...

    async def append(
        self,
        conversation_id: str,
        events: Sequence[Event],
        *,
        expected_length: int,
        pending: Question | None,
    ) -> None:
        """Append events and set the pending question, all or nothing.

        Raises ConflictError when the conversation no longer has `expected_length` events.
        """
        ...

    async def conversation_ids(self) -> list[str]: ...

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """Serializes the turns of one conversation; other conversations run in parallel."""
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
