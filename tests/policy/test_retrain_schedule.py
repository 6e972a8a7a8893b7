"""When retrains run, with a stand-in retrain that counts, holds, fails or finds the claim taken."""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from bot import texts
from bot.background import BackgroundTasks
from policy.retrain_schedule import RETRAINING, RetrainSchedule

DELAY = 0.05


@dataclass
class Retrains:
    """Counts the retrains; `hold` keeps the next ones running until `release`."""

    runs: int = 0
    claimed: list[bool] = field(default_factory=list)
    """What each retrain finds, True (it may train) when the list is empty."""
    error: Exception | None = None
    running: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.released.set()

    async def __call__(self) -> bool:
        self.runs += 1
        self.running.set()
        await self.released.wait()
        if self.error is not None:
            raise self.error
        return self.claimed.pop(0) if self.claimed else True

    def hold(self) -> None:
        self.released.clear()


@dataclass
class Scheduled:
    schedule: RetrainSchedule
    retrains: Retrains
    failures: list[tuple[str, BaseException]]


@pytest.fixture
async def scheduled() -> AsyncIterator[Scheduled]:
    retrains, failures = Retrains(), []
    tasks = BackgroundTasks(lambda what, exc: failures.append((what, exc)))
    schedule = RetrainSchedule(retrains, tasks, DELAY)
    await schedule.start()
    yield Scheduled(schedule, retrains, failures)
    retrains.released.set()
    await schedule.stop()
    await tasks.close()


async def test_a_burst_of_requests_retrains_once(scheduled: Scheduled) -> None:
    for _ in range(5):
        scheduled.schedule.request()
        await asyncio.sleep(DELAY / 5)

    await scheduled.schedule.wait_idle()

    assert scheduled.retrains.runs == 1


async def test_nothing_runs_before_the_debounce_ends(scheduled: Scheduled) -> None:
    scheduled.schedule.request()
    await asyncio.sleep(DELAY / 2)

    assert scheduled.retrains.runs == 0
    await scheduled.schedule.wait_idle()
    assert scheduled.retrains.runs == 1


async def test_a_request_during_a_retrain_retrains_once_more_after_it(
    scheduled: Scheduled,
) -> None:
    scheduled.retrains.hold()
    scheduled.schedule.request()
    await scheduled.retrains.running.wait()

    for _ in range(3):
        scheduled.schedule.request()
    await asyncio.sleep(2 * DELAY)  # the debounce ends while the first retrain still runs
    assert scheduled.retrains.runs == 1
    scheduled.retrains.released.set()
    await scheduled.schedule.wait_idle()

    assert scheduled.retrains.runs == 2


async def test_retrain_now_skips_the_debounce_and_queues_behind_a_running_one(
    scheduled: Scheduled,
) -> None:
    scheduled.retrains.hold()

    assert scheduled.schedule.retrain_now() == texts.RETRAIN_STARTED
    await asyncio.wait_for(scheduled.retrains.running.wait(), DELAY / 2)
    assert scheduled.schedule.retrain_now() == texts.RETRAIN_QUEUED
    scheduled.retrains.released.set()
    await scheduled.schedule.wait_idle()

    assert scheduled.retrains.runs == 2


async def test_when_another_replica_retrains_it_tries_again_after_the_debounce(
    scheduled: Scheduled,
) -> None:
    scheduled.retrains.claimed = [False, False]

    scheduled.schedule.request()
    await scheduled.schedule.wait_idle()

    assert scheduled.retrains.runs == 3


async def test_a_failed_retrain_is_reported_once_and_the_next_request_retrains(
    scheduled: Scheduled, caplog: pytest.LogCaptureFixture
) -> None:
    scheduled.retrains.error = RuntimeError("disk full")

    with caplog.at_level(logging.ERROR):
        scheduled.schedule.request()
        await scheduled.schedule.wait_idle()

    [(what, exc)] = scheduled.failures  # reported before wait_idle returns
    assert (what, str(exc)) == (RETRAINING, "disk full")
    assert [r.getMessage() for r in caplog.records] == ["retraining failed"]
    scheduled.retrains.error = None
    scheduled.schedule.request()
    await scheduled.schedule.wait_idle()
    assert scheduled.retrains.runs == 2


async def test_stop_waits_for_the_running_retrain_and_drops_the_scheduled_one(
    scheduled: Scheduled,
) -> None:
    scheduled.retrains.hold()
    scheduled.schedule.request()
    await scheduled.retrains.running.wait()
    scheduled.schedule.request()

    stopping = asyncio.create_task(scheduled.schedule.stop())
    await asyncio.sleep(DELAY)
    assert not stopping.done()
    scheduled.retrains.released.set()
    await stopping
    await asyncio.sleep(2 * DELAY)

    assert scheduled.retrains.runs == 1


async def test_a_request_before_start_is_a_programming_error() -> None:
    schedule = RetrainSchedule(Retrains(), BackgroundTasks())

    with pytest.raises(RuntimeError, match="before start"):
        schedule.request()
