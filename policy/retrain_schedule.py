"""When to retrain: when there is something new to learn, at a pace that suits people.

A correction makes a retrain due, and so do enough newly taught turns; `/retrain` retrains at
once. A due retrain waits a little (`wait_seconds`, so that a burst of teaching trains once),
and never starts sooner after the previous one than the interval, which grows with the time
training takes. One retrain runs at a time; what is taught while it runs is trained next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot import texts
from bot.background import BackgroundTasks
from policy.config import RetrainPace

RETRAINING = "retraining"
"""What a retrain is called among the background tasks (in the log and `on_failure`)."""
RetrainJob = Callable[[bool], Awaitable[bool]]
"""One retrain, told whether a trainer asked for it (`/retrain`); False when it could not run
now (another replica retrains): try again later."""


@dataclass(frozen=True)
class Lesson:
    """What a trainer's confirmation taught that was not taught before."""

    corrections: int = 0
    """Actions, intents and entities corrected."""
    turns: int = 0
    """Messages taught (typed or free text), each with the actions approved after it."""


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """What the schedule needs of time: the running event loop, or a fake one in tests."""

    def time(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], object]) -> Cancellable: ...


class RetrainSchedule:
    """Lifecycle: `start`, then `learned`, `request` or `retrain_now` any number of times,
    then `stop`.

    Retrains run as background `tasks`, named "retraining": a failure is logged and reported
    there (as RETRAINING), and the next thing due retrains again.
    """

    def __init__(
        self,
        retrain: RetrainJob,
        tasks: BackgroundTasks,
        pace: RetrainPace | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`clock`: the running event loop unless given."""
        self._retrain = retrain
        self._tasks = tasks
        self._pace = pace or RetrainPace()
        self._given_clock = clock
        self._clock: Clock | None = None
        self._timer: Cancellable | None = None
        self._running: asyncio.Task[Any] | None = None
        self._turns = 0
        """Turns taught since the last retrain started."""
        self._due = False
        """Something to learn that no finished or running retrain includes."""
        self._asked = False
        """A trainer asked for a retrain (`/retrain`) that has not trained yet."""
        self._now = False
        """Start the next retrain without waiting (what `/retrain` asked, during a retrain)."""
        self._last_start: float | None = None
        self._last_seconds = 0.0
        """How long the last retrain took."""
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        self._clock = self._given_clock or _LoopClock(asyncio.get_running_loop())

    async def stop(self) -> None:
        """Wait for a running retrain; one that is only due is dropped."""
        self._cancel_timer()
        self._due = self._asked = self._now = False
        self._clock = None
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)
        self._idle.set()

    def learned(self, lesson: Lesson) -> None:
        """A trainer taught this: a correction or enough turns make a retrain due."""
        self._started()
        self._turns += lesson.turns
        if lesson.corrections or self._turns >= self._pace.after_turns:
            self.request()

    def request(self) -> None:
        """Retrain at the pace: after `wait_seconds`, and not before the interval since the
        last retrain has passed. Raises RuntimeError before `start`."""
        self._started()
        self._due = True
        self._idle.clear()
        self._plan()

    def retrain_now(self) -> str:
        """`/retrain`: start a retrain now, or right after the running one; says which."""
        self._started()
        self._asked = self._now = True
        self._idle.clear()
        if self._running is not None:
            return texts.RETRAIN_QUEUED
        self._cancel_timer()
        self._begin()
        return texts.RETRAIN_STARTED

    async def wait_idle(self) -> None:
        """Until no retrain is due or running (for tests and benchmarks)."""
        await self._idle.wait()

    def _started(self) -> Clock:
        if self._clock is None:
            raise RuntimeError("RetrainSchedule used before start()")
        return self._clock

    def _interval(self) -> float:
        """From the start of the last retrain to the start of the next, at least."""
        grown = self._pace.interval_per_training_second * self._last_seconds
        return max(self._pace.min_interval_seconds, grown)

    def _plan(self) -> None:
        """Set the timer of a due retrain, unless one is set (it trains this too) or running."""
        if self._timer is not None or self._running is not None or self._clock is None:
            return
        now = self._clock.time()
        at = now + self._pace.wait_seconds
        if self._last_start is not None:
            at = max(at, self._last_start + self._interval())
        self._timer = self._clock.call_later(at - now, self._begin)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _begin(self) -> None:
        self._timer = None
        if self._running is not None or self._clock is None:
            return
        asked = self._asked
        self._asked = self._now = self._due = False
        self._turns = 0
        self._last_start = self._clock.time()
        self._running = self._tasks.spawn(self._run(self._clock, asked), RETRAINING)
        # added after the tasks' own callback: a failure is reported before wait_idle returns
        self._running.add_done_callback(self._ended)

    async def _run(self, clock: Clock, asked: bool) -> None:
        started = clock.time()
        claimed = True
        try:
            claimed = await self._retrain(asked)
        finally:
            if claimed:  # what a failed claim took says nothing about training
                self._last_seconds = clock.time() - started
        if not claimed:  # another replica retrains: try again at the pace, after it
            self._due = True
            self._asked = self._asked or asked

    def _ended(self, _: asyncio.Task[Any]) -> None:
        self._running = None
        if self._clock is None:
            return
        if self._now:
            self._begin()
        elif self._due:
            self._plan()
        else:
            self._idle.set()


@dataclass(frozen=True)
class _LoopClock:
    loop: asyncio.AbstractEventLoop

    def time(self) -> float:
        return self.loop.time()

    def call_later(self, delay: float, callback: Callable[[], object]) -> Cancellable:
        return self.loop.call_later(delay, callback)
