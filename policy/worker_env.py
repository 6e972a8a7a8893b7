"""The training process's environment, set before it imports LightGBM.

Kept apart from the training modules so that importing it loads no OpenMP runtime.
"""

from __future__ import annotations

import contextlib
import os

NICENESS = 10
"""Training yields the CPU to the processes that serve conversations."""


def isolate() -> None:
    """One OpenMP thread that sleeps when idle (two on a busy 2-core box ran 4x slower)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    with contextlib.suppress(OSError):  # not allowed on some platforms: training still works
        os.nice(NICENESS)
