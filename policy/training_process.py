"""Training runs in a spawned process: the event loop never waits for LightGBM.

One process, reused between retrains (spawning one costs about a second of imports). When it
dies (kill -9, out of memory) the retrain fails with a ModelError, and the next one gets a new
process. `stop` ends a training under way instead of waiting for it: a Ctrl-C must not wait
for LightGBM.
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
        self._process: multiprocessing.process.BaseProcess | None = None
        """The pool's process, to end a training under way at `stop`."""

    async def start(self) -> None:
        self._pool = self._started_pool()

    def _started_pool(self) -> ProcessPoolExecutor:
        spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
        pool = ProcessPoolExecutor(1, mp_context=spawn, initializer=isolate)
        before = set(multiprocessing.active_children())
        with _no_ctrl_c():
            pool.submit(_warm)  # imports LightGBM now, not at the first correction
        started = set(multiprocessing.active_children()) - before  # submit started it
        self._process = started.pop() if len(started) == 1 else None
        return pool

    async def run(self, job: Job) -> Built:
        if self._pool is None:
            raise RuntimeError("TrainingProcess.run() before start()")
        try:
            with _no_ctrl_c():  # a new process may start here
                built = asyncio.get_running_loop().run_in_executor(self._pool, build, job)
            return await built
        except BrokenProcessPool as exc:
            if self._pool is not None:  # not stopped: the next retrain gets a new process
                self._pool.shutdown(wait=False)
                self._pool = self._started_pool()
            raise ModelError("the training process died (killed, or out of memory)") from exc

    async def stop(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            if self._process is not None and self._process.is_alive():
                self._process.terminate()  # a training (or the start) under way ends now
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


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
