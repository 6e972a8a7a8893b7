"""Background work that is never lost and never fails unseen.

Every task ozbot starts outside a turn (a retrain, adopting a replica's model, telling trainers
a note, a Slack request's work after its ack) is spawned here: the task is kept until it ends,
and a failure is logged once, with what the task was doing, and handed to `on_failure` (the
running bot counts it in /metrics and tells the trainers when it concerns them). asyncio's own
"Task exception was never retrieved" can then not happen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)
OnFailure = Callable[[str, BaseException], None]
"""Told (what the task was doing, the exception) once per failed task."""


class BackgroundTasks:
    """Lifecycle: `spawn` while running, then `close` (waits for what runs, or cancels it)."""

    def __init__(self, on_failure: OnFailure | None = None) -> None:
        self._on_failure = on_failure
        self._tasks: dict[asyncio.Task[Any], str] = {}

    def spawn(self, work: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        """Run `work` in the background; `what` names it in the log ("retraining", ...)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks[task] = what
        task.add_done_callback(self._done)
        return task

    async def idle(self) -> None:
        """Until every task spawned so far, and every task those spawn, has ended."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self, timeout: float | None = None) -> None:
        """Wait for the running tasks; after `timeout` seconds cancel what is still running."""
        if not self._tasks:
            return
        try:
            await asyncio.wait_for(self.idle(), timeout)
        except TimeoutError:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _done(self, task: asyncio.Task[Any]) -> None:
        what = self._tasks.pop(task, "background task")
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        log.error("%s failed", what, exc_info=exc)
        if self._on_failure is not None:
            try:
                self._on_failure(what, exc)
            except Exception:  # reporting must not turn one failure into two
                log.exception("reporting that %s failed failed too", what)
