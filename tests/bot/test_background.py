"""Background tasks: kept until they end, each failure reported once, none lost at close."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.background import BackgroundTasks


async def test_a_failure_is_logged_and_reported_once_with_what_failed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures: list[tuple[str, str]] = []
    tasks = BackgroundTasks(lambda what, exc: failures.append((what, str(exc))))

    async def broken() -> None:
        raise RuntimeError("redis went away")

    with caplog.at_level(logging.ERROR, logger="bot.background"):
        tasks.spawn(broken(), "adopting model 3")
        await tasks.idle()
    assert failures == [("adopting model 3", "redis went away")]
    assert [r.getMessage() for r in caplog.records] == ["adopting model 3 failed"]


async def test_close_waits_for_running_work() -> None:
    done: list[str] = []
    tasks = BackgroundTasks()

    async def slow() -> None:
        await asyncio.sleep(0.05)
        done.append("sent")

    tasks.spawn(slow(), "telling trainers")
    await tasks.close(timeout=5)
    assert done == ["sent"]


async def test_close_cancels_what_outlives_the_timeout_without_reporting_it() -> None:
    failures: list[str] = []
    tasks = BackgroundTasks(lambda what, exc: failures.append(what))
    forever = tasks.spawn(asyncio.sleep(60), "forever")
    await tasks.close(timeout=0.05)
    assert forever.cancelled()
    assert failures == []


async def test_a_broken_reporter_does_not_hide_the_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def reporter(what: str, exc: BaseException) -> None:
        raise ValueError("reporter broke")

    tasks = BackgroundTasks(reporter)

    async def broken() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="bot.background"):
        tasks.spawn(broken(), "retraining")
        await tasks.idle()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["retraining failed", "reporting that retraining failed failed too"]
