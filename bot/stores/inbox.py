"""The inbox protocol: where a platform's updates wait, durably, until they are processed.

Telegram and Slack do not deliver again what was acknowledged (a webhook's 200, a poll past the
update's offset). A connector therefore adds an update to the inbox before it acknowledges it,
processes it from there and marks it done afterwards; a process killed in between leaves it
unfinished, and the next start (or another replica, after a timeout) processes it then:

    entry = await inbox.add(key, payload)   # None: `key` was added before (a redelivery)
    ...acknowledge; process...
    await inbox.done(entry)
    # at start: await inbox.recover(); on a timer: await inbox.claim_stale(seconds)

`add` is also the dedupe of redelivered updates: a key is added once (within a day), in the
same write that stores it, so no crash can leave an update seen but not stored. One inbox
serves one source (`telegram`, `slack`); its adapters: memory (dedupe only, nothing durable),
sqlite (a table in the store's file), redis (a stream with a consumer group).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

SEEN_SECONDS = 86_400
"""How long a key is remembered after it was added (platforms redeliver within minutes)."""
CLAIM_SECONDS = 120.0
"""An entry taken this long ago and not done is another replica's that died: take it over.
Longer than any turn (a slow custom action included), so a live replica keeps its own."""


@dataclass(frozen=True)
class Entry:
    """An update in the inbox."""

    id: str
    """The store's id of the entry (a row, a stream entry)."""
    key: str
    """The platform's id of the update, e.g. `telegram:812` or `slack:Ev01`."""
    payload: str
    """The update as JSON, enough to process it again after a restart."""
    again: bool = False
    """Handed out again (a process stopped before it was done): its turn may be stored."""


class Inbox(Protocol):
    settle_seconds: float
    """How long the locks of a killed process's turns may outlive it: recovered entries wait
    this long, so that their turns do not find their conversations busy."""

    async def add(self, key: str, payload: str) -> Entry | None:
        """Stores the update, taken by this process, before it is acknowledged; None when
        `key` was added before. Raises StoreError when the store cannot be written."""
        ...

    async def done(self, entry: Entry) -> None:
        """The entry was processed: it is never handed out again."""
        ...

    async def recover(self) -> list[Entry]:
        """At start: the entries this replica took and did not finish (it was killed), oldest
        first, to process now."""
        ...

    async def claim_stale(self, idle_seconds: float) -> list[Entry]:
        """Entries another replica took more than `idle_seconds` ago and did not finish (it
        died), taken over by this one, oldest first."""
        ...

    async def close(self) -> None: ...


class MemoryInbox:
    """An inbox of this process alone: it remembers the last `size` keys, so redeliveries are
    dropped, and keeps nothing over a restart (tests, a bot without a store of its own)."""

    settle_seconds = 0.0

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._added = 0

    async def add(self, key: str, payload: str) -> Entry | None:
        if key in self._seen:
            return None
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        self._added += 1
        return Entry(str(self._added), key, payload)

    async def done(self, entry: Entry) -> None:
        """Nothing to record."""

    async def recover(self) -> list[Entry]:
        return []

    async def claim_stale(self, idle_seconds: float) -> list[Entry]:
        return []

    async def close(self) -> None:
        """Nothing to release."""
