"""Reading on past a broken story or step, for `ozbot check`: every problem of a file at once.

A start raises at the first problem (`problems` is None); `ozbot check` passes a list, which
gets the message of each broken part while the rest of the file is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.errors import StoryError

T = TypeVar("T")


def read_on(problems: list[str] | None, read: Callable[[], T]) -> T | None:
    """What `read` returns; None when it fails and problems are collected (the problem kept)."""
    try:
        return read()
    except StoryError as exc:
        if problems is None:
            raise
        problems.append(str(exc))
        return None
