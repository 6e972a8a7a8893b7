"""Training runs in a spawned process: the event loop never waits for LightGBM.

One process, reused between retrains (spawning one costs about a second of imports). When it
dies (kill -9, out of memory) the retrain fails with a ModelError, and the next one gets a new
process.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.errors import ModelError
from policy.training_job import Built, Job, build
from policy.worker_env import isolate


class TrainingProcess:
    """Implements `policy.deployer.Worker`. Lifecycle: `start`, then `stop`."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        self._pool = _new_pool()
        with _no_ctrl_c():
            self._pool.submit(_warm)  # imports LightGBM now, not at the first correction

    async def run(self, job: Job) -> Built:
        if self._pool is None:
            raise RuntimeError("TrainingProcess.run() before start()")
        try:
            with _no_ctrl_c():  # a new process may start here
                built = asyncio.get_running_loop().run_in_executor(self._pool, build, job)
            return await built
        except BrokenProcessPool as exc:
            self._pool.shutdown(wait=False)
            self._pool = _new_pool()
            raise ModelError("the training process died (killed, or out of memory)") from exc

    async def stop(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


def _new_pool() -> ProcessPoolExecutor:
    spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
    return ProcessPoolExecutor(1, mp_context=spawn, initializer=isolate)


@contextlib.contextmanager
def _no_ctrl_c() -> Iterator[None]:
    """SIGINT held back while a training process starts: the process inherits the mask, so a
    Ctrl-C while it imports does not print its traceback (`isolate` then ignores SIGINT)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _warm() -> None:
    """Nothing: unpickling this function in the process imported the training modules."""
