"""An outage of a store, seen from one process: logged once, retried with growing delays.

Between retries the store fails fast, so inputs get their "temporarily unavailable" notice at
once instead of each waiting on a dead connection; the first operation after the delay tries
again, and the first that succeeds ends the outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.errors import StoreUnavailableError

log = logging.getLogger(__name__)


class Outage:
    def __init__(
        self,
        name: str,
        *,
        first_delay: float = 0.1,
        max_delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._clock = clock
        self._since: float | None = None
        self._delay = first_delay
        self._retry_at = 0.0
        self._failures = 0

    def check(self) -> None:
        """Raises StoreUnavailableError until the next retry is due."""
        if self._since is not None and self._clock() < self._retry_at:
            self._failures += 1
            raise StoreUnavailableError(f"{self.name} is unavailable; the next retry is due soon")

    def failed(self, error: Exception) -> StoreUnavailableError:
        """Records a failed operation; returns the error to raise."""
        now = self._clock()
        if self._since is None:
            self._since, self._delay, self._failures = now, self._first_delay, 0
            log.error(
                "%s is unavailable (%s); retrying with backoff until it is back", self.name, error
            )
        else:
            self._delay = min(self._delay * 2, self._max_delay)
        self._failures += 1
        self._retry_at = now + self._delay
        return StoreUnavailableError(f"{self.name} is unavailable: {error}")

    def succeeded(self) -> None:
        """Records a successful operation: the end of the outage, if there was one."""
        if self._since is not None:
            seconds = self._clock() - self._since
            log.warning(
                "%s is back after %.1f s; %d operations failed meanwhile",
                self.name,
                seconds,
                self._failures,
            )
            self._since = None
