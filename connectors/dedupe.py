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


async def first_time(seen: SeenIds, key: str) -> bool:
    """`seen.first_time(key)`; True when the ids cannot be read (Redis down), so the update is
    processed and its user hears from the engine why it cannot be answered now."""
    try:
        return await seen.first_time(key)
    except StoreError as exc:
        log.warning("cannot tell whether %s is a repeat (%s); processing it", key, exc)
        return True
