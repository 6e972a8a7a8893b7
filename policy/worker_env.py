"""The training process's environment, set before it imports LightGBM, and its life: it
ends when the bot that started it ends, even by kill -9.

Kept apart from the training modules so that importing it loads no OpenMP runtime.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading

NICENESS = 10
"""Training yields the CPU to the processes that serve conversations."""


def isolate() -> None:
    """One OpenMP thread that sleeps when idle (two on a busy 2-core box ran 4x slower), and
    an exit when the bot's process dies. Ctrl-C reaches every process of the terminal: the
    bot's process handles it (and stops this one), so this one ignores it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    with contextlib.suppress(OSError):  # not allowed on some platforms: training still works
        os.nice(NICENESS)
    exit_with_parent()


def exit_with_parent() -> None:
    """A killed parent cannot shut its process pool down, and a pool worker waits for work on
    a queue it holds both ends of, for ever (and keeps the resource tracker alive): a thread
    waits for the parent's end instead and ends this process then."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not a child of a multiprocessing start: nothing to watch
        return
    threading.Thread(
        target=_exit_when_ended, args=(parent.sentinel,), name="ozbot-parent-watch", daemon=True
    ).start()


def _exit_when_ended(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)  # no clean-up to wait for: whatever the training wrote is staged, not live
