"""The built-in NLU as the engine's interpreter (`bot.interpreter.Interpreter`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.nlu.model import Understanding


class Parser(Protocol):
    def parse(self, text: str) -> Understanding: ...


class BuiltinInterpreter:
    """Parses with the NLU of the version serving now (`current()`), on the event loop: a
    parse takes well under a millisecond, and one thread only ever uses the model (crfsuite's
    tagger is not known to be thread-safe)."""

    def __init__(self, current: Callable[[], Parser]) -> None:
        self._current = current

    async def parse(self, text: str) -> Understanding:
        return self._current().parse(text)
