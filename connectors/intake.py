"""How a connector's updates go through the inbox (bot/stores/inbox.py): each one is added
before the platform hears it arrived and marked done once processed; what a killed process left
unfinished is processed at the next start, and what a dead replica left, after a timeout.

Platforms deliver again what they think was lost (Telegram webhook retries, Slack retries):
the inbox adds a key once, so a repeat is acknowledged and dropped. An entry handed out again
(`Entry.again`) may have been stored by a turn before the stop: the connector processes it with
its `Delivery` (bot/delivery.py), and the engine finds it stored instead of storing it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.errors import StoreError
from bot.stores.inbox import CLAIM_SECONDS, Entry, Inbox

log = logging.getLogger(__name__)
Process = Callable[[Entry], Awaitable[None]]
"""Hands an entry from the inbox to the connector's processing (quickly: it queues it)."""
UNSTORED = ""
"""The id of an entry the inbox could not store: processed, not durable."""


class Intake:
    """A connector's inbox. When the inbox cannot be written (Redis down), an update is
    processed anyway, not durably, and its user hears from the engine why it cannot be answered
    now; that is logged once an outage, not once an update.

    Lifecycle: `start(process)` hands over the unfinished entries and checks, every quarter of
    `claim_seconds`, for those of replicas that died; `stop()`.
    """

    def __init__(self, inbox: Inbox, source: str, claim_seconds: float = CLAIM_SECONDS) -> None:
        self._inbox = inbox
        self._source = source
        self._claim_seconds = claim_seconds
        self._failing = False
        self._claimer: asyncio.Task[None] | None = None

    async def accept(self, key: str, payload: str) -> Entry | None:
        """The update's entry, stored before it is acknowledged; None for a repeat."""
        try:
            entry = await self._inbox.add(key, payload)
        except StoreError as exc:
            if not self._failing:
                log.warning(
                    "cannot store %s updates (%s); processing them as they come", self._source, exc
                )
            self._failing = True
            return Entry(UNSTORED, key, payload)
        if self._failing:
            log.warning("%s updates are stored again before they are acknowledged", self._source)
            self._failing = False
        if entry is None:
            log.info("%s update %s was delivered before; dropped", self._source, key)
        return entry

    async def done(self, entry: Entry) -> None:
        if entry.id == UNSTORED:
            return
        try:
            await self._inbox.done(entry)
        except StoreError as exc:
            log.warning("cannot mark %s update %s as processed: %s", self._source, entry.key, exc)

    async def start(self, process: Process) -> None:
        """Hands over the unfinished entries: at once when the killed turns' locks died with
        their process, else once those locks have expired (in the background)."""
        unfinished = [replace(entry, again=True) for entry in await self._inbox.recover()]
        if unfinished:
            log.info("processing %d unfinished %s updates", len(unfinished), self._source)
        if not self._inbox.settle_seconds:
            for entry in unfinished:
                await process(entry)
            unfinished = []
        self._claimer = asyncio.create_task(self._in_background(process, unfinished))

    async def stop(self) -> None:
        if self._claimer is not None:
            self._claimer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._claimer

    async def _in_background(self, process: Process, unfinished: list[Entry]) -> None:
        if unfinished:
            await asyncio.sleep(self._inbox.settle_seconds)
            for entry in unfinished:
                await process(entry)
        while True:
            await asyncio.sleep(self._claim_seconds / 4)
            try:
                stale = await self._inbox.claim_stale(self._claim_seconds)
            except StoreError as exc:
                log.warning("cannot look for %s updates of stopped replicas: %s", self._source, exc)
                continue
            if stale:
                log.info("processing %d %s updates of a stopped replica", len(stale), self._source)
            for entry in stale:
                await process(replace(entry, again=True))
