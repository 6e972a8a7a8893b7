"""Telegram updates through the inbox: the application's update queue adds each update to the
inbox before it queues it, so before Telegram learns it arrived. Both ways in pass its `put`:
the webhook answers 200 after it, and the updater polls past an update (the offset that
confirms it) only after it.
"""

from __future__ import annotations

import asyncio
import json

from telegram import Bot, Update

from bot.delivery import Delivery
from bot.stores.inbox import Entry
from connectors.intake import Intake


class InboxQueue(asyncio.Queue[object]):
    """The update queue of the application; `finished` marks an update's entry done."""

    def __init__(self, intake: Intake) -> None:
        super().__init__()
        self._intake = intake
        self._entries: dict[int, Entry] = {}

    async def put(self, item: object) -> None:
        """An update is queued once it is in the inbox, a repeat not at all; anything else
        (the application's stop signal) as it is."""
        if isinstance(item, Update):
            entry = await self._intake.accept(f"telegram:{item.update_id}", item.to_json())
            if entry is None:
                return
            self._entries[item.update_id] = entry
        await super().put(item)

    async def replay(self, entry: Entry, bot: Bot) -> None:
        """Queues an update from the inbox (a stop left it unfinished)."""
        update = Update.de_json(json.loads(entry.payload), bot)
        self._entries[update.update_id] = entry
        await super().put(update)

    def delivery(self, update: object) -> Delivery | None:
        """What the engine records of the update (None for what is not one)."""
        entry = self._entries.get(update.update_id) if isinstance(update, Update) else None
        return None if entry is None else Delivery(entry.key, entry.again)

    async def finished(self, update: object) -> None:
        if isinstance(update, Update):
            entry = self._entries.pop(update.update_id, None)
            if entry is not None:
                await self._intake.done(entry)
