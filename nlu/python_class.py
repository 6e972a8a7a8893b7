"""A Python class of the bot's own as the interpreter: config.yml's `nlu: {class: my_nlu.MyNlu}`.

The seed's "swap the Interpreter class", for any NLU (wit.ai, Lex, a model of your own): the
class is made with no arguments, and its `async def parse(self, text)` returns either an
`Understanding` or Rasa's parse JSON (`{"intent": {"name": ..., "confidence": ...},
"intent_ranking": [...], "entities": [{"entity", "start", "end", "value"}]}`). Optional
`async def start(self)` and `async def close(self)` run when the bot starts and stops. A parse
that raises, answers something else or takes longer than `timeout_seconds` raises
NluUnavailableError: the message gets a notice, the traceback goes to the log, nothing is stored.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from pathlib import Path
from typing import Any

from bot.errors import NluUnavailableError, ProjectError
from bot.nlu.model import Understanding
from bot.project_code import project_class
from nlu.rasa_http import understanding

log = logging.getLogger(__name__)


def interpreter_class(path: str, root: Path, where: str) -> type:
    """The class config.yml names, from the bot's folder; ProjectError when it is not one with
    an `async def parse(self, text)`."""
    found = project_class(path, root, where)
    if not inspect.iscoroutinefunction(getattr(found, "parse", None)):
        raise ProjectError(f"{where}: {path} needs an `async def parse(self, text)` method")
    return found


class PythonInterpreter:
    """Lifecycle: `start`, `parse` any number of times, `close`."""

    def __init__(self, instance: Any, name: str, timeout_seconds: float) -> None:
        self._instance = instance
        self._name = name
        self._timeout = timeout_seconds

    @classmethod
    def made(cls, found: type, name: str, timeout_seconds: float) -> PythonInterpreter:
        """An interpreter of a new instance of `found`; ProjectError when making one fails."""
        try:
            instance = found()
        except Exception as exc:
            raise ProjectError(f"{name}() failed: {exc!r}") from exc
        return cls(instance, name, timeout_seconds)

    async def start(self) -> None:
        await self._call("start")

    async def close(self) -> None:
        await self._call("close")

    async def parse(self, text: str) -> Understanding:
        try:
            answer = await asyncio.wait_for(self._instance.parse(text), self._timeout)
        except TimeoutError as exc:
            raise NluUnavailableError(
                f"{self._name}.parse did not answer in {self._timeout:g} s"
            ) from exc
        except Exception as exc:
            log.exception("%s.parse(%r) raised", self._name, text[:80])
            raise NluUnavailableError(f"{self._name}.parse raised {exc!r}") from exc
        if isinstance(answer, Understanding):
            return answer
        return understanding(text, answer, f"{self._name}.parse")

    async def _call(self, hook: str) -> None:
        method = getattr(self._instance, hook, None)
        if method is not None:
            await method()
