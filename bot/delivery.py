"""Which platform update the running task processes, for the turn that stores it.

A connector processes an update from its inbox (bot/stores/inbox.py) deep inside its platform
library's dispatch (python-telegram-bot's handlers, Bolt's listeners), which has no place for
ozbot's own arguments; a context variable crosses it, as request ids do in web frameworks. The
engine reads it to record the update in its turn's commit, and, for an update processed again
after a crash, to find it stored already (bot/engine.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Delivery:
    key: str
    """The update's inbox key, e.g. `telegram:812`."""
    again: bool
    """Processed again from the inbox (a process stopped before it was done): its turn may have
    been stored already."""


_CURRENT: ContextVar[Delivery | None] = ContextVar("ozbot_delivery", default=None)


def current_delivery() -> Delivery | None:
    """The update this task processes; None outside a connector's processing (the terminal)."""
    return _CURRENT.get()


@contextmanager
def delivering(delivery: Delivery | None) -> Iterator[None]:
    """The block (and the tasks it starts) processes `delivery`."""
    token = _CURRENT.set(delivery)
    try:
        yield
    finally:
        _CURRENT.reset(token)
