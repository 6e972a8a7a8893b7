"""Training runs in a spawned process: the event loop never waits for LightGBM.

One process, reused between retrains (spawning one costs about a second of imports). When it
dies (kill -9, out of memory) the retrain fails with a ModelError, and the next one gets a new
process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
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
        self._pool.submit(_warm)  # imports LightGBM now, not at the first correction

    async def run(self, job: Job) -> Built:
        if self._pool is None:
            raise RuntimeError("TrainingProcess.run() before start()")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, build, job)
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


def _warm() -> None:
    """Nothing: unpickling this function in the process imported the training modules."""
