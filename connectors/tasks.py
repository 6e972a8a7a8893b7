"""A connector's share of the bot's background tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from bot.background import BackgroundTasks


class ConnectorTasks:
    """Spawns into `BackgroundTasks` (shared by the running bot, or the connector's own), and
    knows which tasks are the connector's, so that its stop waits for those alone."""

    def __init__(self, tasks: BackgroundTasks | None = None) -> None:
        self._all = tasks or BackgroundTasks()
        self._ours: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        task = self._all.spawn(work, what)
        self._ours.add(task)
        task.add_done_callback(self._ours.discard)

    async def idle(self) -> None:
        """Until every task of the connector spawned so far, and those they spawn, has ended."""
        while self._ours:
            await asyncio.gather(*self._ours, return_exceptions=True)
