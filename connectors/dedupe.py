"""Platforms deliver again what they think was lost (Telegram webhook retries, Slack retries):
an id seen before must not be processed twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

from bot.errors import StoreError

log = logging.getLogger(__name__)


class SeenIds(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time `key` is offered, False ever after (within the memory kept)."""
        ...


class RecentIds:
    """The last `size` ids of this process. Replicas behind one webhook share theirs in Redis
    (`bot.stores.redis_seen_ids`)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class RepeatCheck:
    """Asks `SeenIds` whether an update is new. When they cannot be read (Redis down) the update
    is processed, and its user hears from the engine why it cannot be answered now; that is
    logged once an outage, not once an update."""

    def __init__(self, seen: SeenIds) -> None:
        self._seen = seen
        self._failing = False

    async def first_time(self, key: str) -> bool:
        try:
            first = await self._seen.first_time(key)
        except StoreError as exc:
            if not self._failing:
                log.warning("cannot tell whether updates are repeats (%s); processing them", exc)
            self._failing = True
            return True
        if self._failing:
            log.warning("the ids of processed updates can be read again")
            self._failing = False
        return first
