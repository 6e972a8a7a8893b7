"""The tracker store protocol: where conversations live (memory, sqlite, redis).

A store keeps, per conversation, the append-only events, the pending training question and a
tracker snapshot; an append writes all three at once. A turn reads the snapshot and the events
after it (`load_tail`), so its cost does not grow with the conversation.

The engine works on a conversation through a turn, its unit of work:

    async with store.turn(conversation_id) as turn:  # takes the lock, reads the tail
        past = await turn.load_all()                  # only when the whole past is needed
        await turn.commit(events, pending=..., snapshot=...)  # the turn's one write
    # leaving the block releases the lock; a store may release it with the commit

A commit may name the platform update it processed (`delivery`, its inbox key); the store keeps
the last `KEPT_DELIVERIES` of each conversation with the events their commits appended
(`Delivered`), in the same write. An update processed again after a crash (committed, not yet
marked done in the inbox) is then found stored (`turn.delivered(key)`) instead of stored twice.

A store also keeps the ids of its taught conversations (those a trainer answered a question in),
added by the same append that stores the trainer's action, so that retraining reads only those.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from bot.errors import ConflictError, StoreError
from bot.events import ActionExecuted, Corrected, Event, event_from_json
from bot.locks import ConversationLocks
from bot.policy import TRAINER
from bot.review import Flag
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


KEPT_DELIVERIES = 32
"""Deliveries remembered per conversation. One conversation's updates are processed in order,
so one processed again after a crash is one of its last few."""


@dataclass(frozen=True)
class Delivered:
    """A platform update a turn stored: its inbox key and the events its commit appended
    (positions `start` to `end`)."""

    key: str
    start: int
    end: int

    def to_text(self) -> str:
        return f"{self.start} {self.end} {self.key}"

    @classmethod
    def from_text(cls, text: str | bytes) -> Delivered:
        """The record `to_text` wrote; a damaged one reads as a record of no update."""
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        start, _, rest = text.partition(" ")
        end, _, key = rest.partition(" ")
        if not (start.isdigit() and end.isdigit()):
            return cls("", 0, 0)
        return cls(key, int(start), int(end))


@dataclass(frozen=True)
class Taught:
    """The taught conversations of a store, read for retraining."""

    conversations: dict[str, tuple[Event, ...]]
    corrupt: dict[str, StoreError]
    """Taught conversations that could not be read, with why: to log and leave out."""


class TrackerStore(Protocol):
    async def load(self, conversation_id: str) -> Conversation:
        """The stored conversation; an empty one when the id is new. Takes no lock."""
        ...

    async def load_tail(self, conversation_id: str) -> ConversationTail:
        """The latest snapshot and the events after it, with the pending question. Takes no
        lock: for what only reads (the pending question shown again, health checks)."""
        ...

    def turn(self, conversation_id: str) -> AbstractAsyncContextManager[StoredTurn]:
        """Takes the conversation's lock and reads its tail; the block is the turn.

        Turns of one conversation run one after the other, other conversations in parallel.
        A store that waits a bounded time for the lock raises ConversationBusyError.
        """
        ...

    async def conversation_ids(self) -> list[str]:
        """Every stored conversation, sorted."""
        ...

    async def taught(self) -> Taught:
        """Every taught conversation, read and decoded off the event loop; no other."""
        ...

    async def close(self) -> None: ...


class Loads(Protocol):
    async def load(self, conversation_id: str) -> Conversation: ...


class Appends(Loads, Protocol):
    """What a turn needs of its store: to read the whole conversation and to append.

    Each store also offers `append` outside a turn, with no lock: for tests and imports.
    """

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
        """Append events, set the pending question and the snapshot, all or nothing.

        `snapshot` is the fold of the conversation including `events`; None keeps the stored
        one. `flag` puts the turn in the review queue, `delivered` records the update the
        events came from, with the same write. Raises ConflictError when the conversation no
        longer has `expected_length` events.
        """
        ...

    async def delivered(self, conversation_id: str, key: str) -> Delivered | None:
        """The record of the update with inbox key `key`, if one of the conversation's last
        `KEPT_DELIVERIES` commits stored it."""
        ...


class StoredTurn:
    """One turn on a conversation, inside `TrackerStore.turn`: its tail, the whole past on
    demand, and one commit."""

    def __init__(self, store: Appends, tail: ConversationTail) -> None:
        self.tail = tail
        self._store = store
        self._committed = False

    async def load_all(self) -> tuple[Event, ...]:
        """Every event of the conversation; ConflictError when it grew since the tail."""
        return await load_matching(self._store, self.tail)

    async def delivered(self, key: str) -> Delivered | None:
        """How the update with inbox key `key` was stored, if a commit stored it."""
        return await self._store.delivered(self.tail.id, key)

    async def commit(
        self,
        events: Sequence[Event],
        *,
        pending: Question | None,
        snapshot: Snapshot | None,
        flag: Flag | None = None,
        delivery: str | None = None,
    ) -> None:
        """Appends the turn's events after the tail, with the pending question and the
        snapshot, all or nothing (ConflictError when the conversation grew since the tail).

        It is the turn's last use of the store: a store may release the lock with it. `flag`
        (a user's turn to review) and `delivery` (the inbox key of the update the turn
        processed) are written by the same append.
        """
        if self._committed:
            raise RuntimeError(f"the turn on conversation {self.tail.id} has committed already")
        self._committed = True
        await self._store.append(
            self.tail.id,
            events,
            expected_length=self.tail.length,
            pending=pending,
            snapshot=snapshot,
            flag=flag,
            delivered=None
            if delivery is None
            else Delivered(delivery, self.tail.length, self.tail.length + len(events)),
        )


class LocalStore(Appends, Protocol):
    async def load_tail(self, conversation_id: str) -> ConversationTail: ...


@asynccontextmanager
async def local_turn(
    store: LocalStore, locks: ConversationLocks, conversation_id: str
) -> AsyncIterator[StoredTurn]:
    """A turn under a lock of this process (memory and sqlite stores)."""
    async with locks.hold(conversation_id):
        yield StoredTurn(store, await store.load_tail(conversation_id))


async def load_matching(store: Loads, tail: ConversationTail) -> tuple[Event, ...]:
    """Every event of the conversation `tail` was read from; ConflictError when it grew since."""
    events = (await store.load(tail.id)).events
    if len(events) != tail.length:
        raise ConflictError(
            f"conversation {tail.id} has {len(events)} events, expected {tail.length}"
        )
    return events


def is_taught(events: Iterable[Event]) -> bool:
    """A conversation a trainer answered questions in: an action ran as "trainer", or the
    trainer corrected an intent (which must stick before any action runs)."""
    return any(
        isinstance(e, Corrected) or (isinstance(e, ActionExecuted) and e.policy == TRAINER)
        for e in events
    )


def decode_taught(
    stored: Mapping[str, Sequence[str | bytes]], where: Callable[[str], str]
) -> Taught:
    """The taught ones of stored conversations (id: event JSON); blocking work for a thread.

    `where(id)` names a conversation in errors.
    """
    conversations, corrupt = {}, {}
    for conversation_id, texts in stored.items():
        try:
            events = decode_events(texts, where(conversation_id))
        except StoreError as exc:
            corrupt[conversation_id] = exc
            continue
        if is_taught(events):
            conversations[conversation_id] = events
    return Taught(conversations, corrupt)


def decode_events(texts: Iterable[str | bytes], where: str, first: int = 0) -> tuple[Event, ...]:
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
