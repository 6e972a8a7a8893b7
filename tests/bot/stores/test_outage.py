"""An outage is logged once, fails fast between retries that back off, and its end is logged."""

import logging

from bot.errors import StoreUnavailableError
from bot.stores.outage import Outage


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_an_outage_is_logged_once_and_its_end_once(caplog):
    clock = Clock()
    outage = Outage("Redis at redis://x", first_delay=0.1, max_delay=1.0, clock=clock)
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            outage.failed(ConnectionError("refused"))
            clock.now += 5
        outage.succeeded()
        outage.succeeded()
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
    assert "Redis at redis://x is unavailable (refused)" in caplog.records[0].message
    assert "is back after 25.0 s; 5 operations failed" in caplog.records[1].message


def retry_delay(outage, clock):
    """How long check() keeps failing fast from now on, probed every 10 ms."""
    start = clock.now
    for step in range(1, 1000):
        clock.now = start + step / 100
        try:
            outage.check()
        except StoreUnavailableError:
            continue
        return step / 100
    raise AssertionError("still failing after 10 s")


def test_between_retries_it_fails_fast_with_growing_delays():
    clock = Clock()
    outage = Outage("Redis", first_delay=0.1, max_delay=0.4, clock=clock)
    delays = []
    for _ in range(4):
        assert isinstance(outage.failed(ConnectionError("refused")), StoreUnavailableError)
        delays.append(retry_delay(outage, clock))
    assert delays == [0.1, 0.2, 0.4, 0.4]


def test_a_new_outage_starts_again_from_the_first_delay():
    clock = Clock()
    outage = Outage("Redis", first_delay=0.1, max_delay=2.0, clock=clock)
    for _ in range(3):
        outage.failed(ConnectionError("refused"))
    outage.succeeded()
    outage.check()
    outage.failed(ConnectionError("refused"))
    assert retry_delay(outage, clock) == 0.1
