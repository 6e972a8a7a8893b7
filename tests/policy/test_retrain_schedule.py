"""When retrains run, on a fake clock, with a stand-in retrain that notes when it started and
can take (fake) time, hold, fail or find the claim taken."""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from bot import texts
from bot.background import BackgroundTasks
from policy.config import RetrainPace
from policy.retrain_schedule import RETRAINING, Lesson, RetrainSchedule
from tests.policy.retraining_fakes import FakeClock, settle

PACE = RetrainPace(
    after_turns=3, wait_seconds=10, min_interval_seconds=60, interval_per_training_second=10
)
CORRECTION = Lesson(corrections=1, turns=1)
TURN = Lesson(turns=1)


@dataclass
class Retrains:
    """Notes when each retrain started and whether a trainer asked for it; `seconds` is the
    (fake) time each takes; `hold` keeps the next ones running until `release`."""

    clock: FakeClock
    starts: list[float] = field(default_factory=list)
    asked: list[bool] = field(default_factory=list)
    seconds: float = 0.0
    claimed: list[bool] = field(default_factory=list)
    """What each retrain finds, True (it may train) when the list is empty."""
    error: Exception | None = None
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.released.set()

    async def __call__(self, asked: bool) -> bool:
        self.starts.append(self.clock.now)
        self.asked.append(asked)
        await self.released.wait()
        self.clock.now += self.seconds
        if self.error is not None:
            raise self.error
        return self.claimed.pop(0) if self.claimed else True

    def hold(self) -> None:
        self.released.clear()


@dataclass
class Scheduled:
    schedule: RetrainSchedule
    retrains: Retrains
    clock: FakeClock
    failures: list[tuple[str, BaseException]]


@pytest.fixture
async def scheduled() -> AsyncIterator[Scheduled]:
    clock, failures = FakeClock(), []
    retrains = Retrains(clock)
    tasks = BackgroundTasks(lambda what, exc: failures.append((what, exc)))
    schedule = RetrainSchedule(retrains, tasks, PACE, clock)
    await schedule.start()
    yield Scheduled(schedule, retrains, clock, failures)
    retrains.released.set()
    await schedule.stop()
    await tasks.close()


async def test_approved_turns_retrain_only_once_enough_are_taught(scheduled: Scheduled) -> None:
    for _ in range(2):
        scheduled.schedule.learned(TURN)
        await scheduled.clock.advance(100)
    assert scheduled.retrains.starts == []
    await asyncio.wait_for(scheduled.schedule.wait_idle(), 1)  # nothing is due

    scheduled.schedule.learned(TURN)
    await scheduled.clock.advance(100)

    assert scheduled.retrains.starts == [210.0]
    for _ in range(2):  # counted again from the retrain on
        scheduled.schedule.learned(TURN)
    await scheduled.clock.advance(1000)
    assert scheduled.retrains.starts == [210.0]


async def test_a_correction_retrains_after_the_wait_with_what_is_taught_meanwhile(
    scheduled: Scheduled,
) -> None:
    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(5)
    scheduled.schedule.learned(CORRECTION)
    scheduled.schedule.learned(TURN)
    await scheduled.clock.advance(4.9)
    assert scheduled.retrains.starts == []

    await scheduled.clock.advance(1000)

    assert scheduled.retrains.starts == [10.0]
    assert scheduled.retrains.asked == [False]


async def test_corrections_a_second_apart_retrain_at_the_pace(scheduled: Scheduled) -> None:
    for _ in range(30):
        scheduled.schedule.learned(CORRECTION)
        await scheduled.clock.advance(1)

    await scheduled.clock.advance(1000)

    # the first after the wait, the other 20 together once the interval has passed
    assert scheduled.retrains.starts == [10.0, 70.0]


async def test_the_interval_grows_with_the_time_training_takes(scheduled: Scheduled) -> None:
    scheduled.retrains.seconds = 30  # 10 s a training second: 300 s from start to start

    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(50)
    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(1000)

    assert scheduled.retrains.starts == [10.0, 310.0]


async def test_retrain_now_starts_at_once_whatever_the_pace(scheduled: Scheduled) -> None:
    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(11)

    assert scheduled.schedule.retrain_now() == texts.RETRAIN_STARTED
    await settle()

    assert scheduled.retrains.starts == [10.0, 11.0]
    assert scheduled.retrains.asked == [False, True]


async def test_retrain_now_takes_the_retrain_that_waits_with_it(scheduled: Scheduled) -> None:
    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(1)

    scheduled.schedule.retrain_now()
    await scheduled.clock.advance(1000)

    assert scheduled.retrains.starts == [1.0]


async def test_retrain_now_during_a_retrain_runs_right_after_it(scheduled: Scheduled) -> None:
    scheduled.retrains.hold()

    assert scheduled.schedule.retrain_now() == texts.RETRAIN_STARTED
    await settle()
    assert scheduled.schedule.retrain_now() == texts.RETRAIN_QUEUED
    await scheduled.clock.advance(5)
    scheduled.retrains.released.set()
    await settle()

    assert scheduled.retrains.starts == [0.0, 5.0]
    assert scheduled.retrains.asked == [True, True]


async def test_what_is_taught_during_a_retrain_retrains_once_more_at_the_pace(
    scheduled: Scheduled,
) -> None:
    scheduled.retrains.hold()
    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(10)

    for _ in range(3):
        scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(5)  # the retrain still runs
    scheduled.retrains.released.set()
    await scheduled.clock.advance(1000)

    assert scheduled.retrains.starts == [10.0, 70.0]


async def test_when_another_replica_retrains_it_tries_again_at_the_pace(
    scheduled: Scheduled,
) -> None:
    scheduled.retrains.claimed = [False, False]

    scheduled.schedule.retrain_now()
    await scheduled.clock.advance(1000)

    assert scheduled.retrains.starts == [0.0, 60.0, 120.0]
    assert scheduled.retrains.asked == [True, True, True]  # the trainer hears of the one that ran


async def test_a_failed_retrain_is_reported_once_and_the_next_correction_retrains(
    scheduled: Scheduled, caplog: pytest.LogCaptureFixture
) -> None:
    scheduled.retrains.error = RuntimeError("disk full")

    with caplog.at_level(logging.ERROR):
        scheduled.schedule.learned(CORRECTION)
        await scheduled.clock.advance(10)

    [(what, exc)] = scheduled.failures
    assert (what, str(exc)) == (RETRAINING, "disk full")
    assert [r.getMessage() for r in caplog.records] == ["retraining failed"]
    await asyncio.wait_for(scheduled.schedule.wait_idle(), 1)
    scheduled.retrains.error = None
    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(1000)
    assert scheduled.retrains.starts == [10.0, 70.0]


async def test_stop_waits_for_the_running_retrain_and_drops_the_due_one(
    scheduled: Scheduled,
) -> None:
    scheduled.retrains.hold()
    scheduled.schedule.learned(CORRECTION)
    await scheduled.clock.advance(10)
    scheduled.schedule.learned(CORRECTION)

    stopping = asyncio.create_task(scheduled.schedule.stop())
    await settle()
    assert not stopping.done()
    scheduled.retrains.released.set()
    await stopping
    await scheduled.clock.advance(1000)

    assert scheduled.retrains.starts == [10.0]


async def test_the_event_loop_is_the_clock_unless_one_is_given() -> None:
    ran = asyncio.Event()

    async def retrain(asked: bool) -> bool:
        ran.set()
        return True

    schedule = RetrainSchedule(retrain, BackgroundTasks(), RetrainPace(wait_seconds=0))
    await schedule.start()
    schedule.learned(CORRECTION)
    await asyncio.wait_for(schedule.wait_idle(), 5)
    await schedule.stop()

    assert ran.is_set()


async def test_using_the_schedule_before_start_is_a_programming_error() -> None:
    schedule = RetrainSchedule(Retrains(FakeClock()), BackgroundTasks())

    for use in (schedule.request, lambda: schedule.learned(CORRECTION), schedule.retrain_now):
        with pytest.raises(RuntimeError, match="before start"):
            use()
