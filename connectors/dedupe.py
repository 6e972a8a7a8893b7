"""Platforms deliver again what they think was lost (Telegram webhook retries, Slack retries):
an id seen before must not be processed twice.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol


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
