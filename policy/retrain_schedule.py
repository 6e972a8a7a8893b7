"""When to retrain: debounced (a burst of answers trains once), one retrain at a time, and once
more after a retrain when something was asked for while it ran."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot import texts
from bot.background import BackgroundTasks

RETRAIN_DELAY = 0.3
"""Seconds of quiet after the last request before a retrain starts."""
RETRAINING = "retraining"
"""What a retrain is called among the background tasks (in the log and `on_failure`)."""
RetrainJob = Callable[[], Awaitable[bool]]
"""One retrain; False when it could not run now (another replica retrains): try again later."""


class RetrainSchedule:
    """Lifecycle: `start`, then `request` or `retrain_now` any number of times, then `stop`.

    Retrains run as background `tasks`, named "retraining": a failure is logged and reported
    there (as RETRAINING), and the next request retrains again.
    """

    def __init__(self, retrain: RetrainJob, tasks: BackgroundTasks, delay: float = RETRAIN_DELAY):
        self._retrain = retrain
        self._tasks = tasks
        self._delay = delay
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task[Any] | None = None
        self._pending = False
        """Something was requested that no finished or running retrain includes."""
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        """Wait for a running retrain; one that is only scheduled is dropped."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = False
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)
        self._loop = None
        self._idle.set()

    def request(self, delay: float | None = None) -> None:
        """Retrain after `delay` seconds (default: the debounce) without a further request."""
        if self._loop is None:
            raise RuntimeError("RetrainSchedule used before start()")
        self._pending = True
        self._idle.clear()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_later(self._delay if delay is None else delay, self._begin)

    def retrain_now(self) -> str:
        """`/retrain`: start a retrain without waiting for the debounce; says what happens."""
        if self._running is not None:
            self._pending = True
            return texts.RETRAIN_QUEUED
        self.request(0.0)
        return texts.RETRAIN_STARTED

    async def wait_idle(self) -> None:
        """Until no retrain is scheduled or running (for tests and benchmarks)."""
        await self._idle.wait()

    def _begin(self) -> None:
        self._timer = None
        if self._running is not None or self._loop is None:
            return  # the running retrain schedules the next one when it ends
        self._pending = False
        self._running = self._tasks.spawn(self._run(), RETRAINING)
        # added after the tasks' own callback: a failure is reported before wait_idle returns
        self._running.add_done_callback(self._ended)

    async def _run(self) -> None:
        if not await self._retrain():
            self._pending = True  # another replica retrains: try again after it

    def _ended(self, _: asyncio.Task[Any]) -> None:
        self._running = None
        if self._timer is not None or self._loop is None:
            return
        if self._pending:
            self.request()
        else:
            self._idle.set()
