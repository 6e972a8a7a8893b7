"""The lines a trainer types in the terminal, for the event loop: `read(prompt)` gives the next
line, or None for Ctrl-D (`connectors.console.ReadLine`).

On a terminal, `PromptLines` reads with prompt_toolkit: the line is edited in place, Tab
completes intents, actions and commands, and what ozbot prints while it waits (a "model 2
live" note) appears above the prompt, which stays intact (`notes_above_the_prompt`). From a
pipe or a file, `StdinLines` reads plain lines (scripts, tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator, Sequence

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.patch_stdout import patch_stdout


class PromptLines:
    """Lines edited with prompt_toolkit, Tab completing `words`. Ctrl-C raises
    KeyboardInterrupt (the command line ends with "Interrupted", no traceback)."""

    def __init__(
        self, words: Sequence[str], *, input: Input | None = None, output: Output | None = None
    ) -> None:
        """`input` and `output`: the terminal's, unless given (tests)."""
        completer = WordCompleter(list(words), WORD=True)
        self._session: PromptSession[str] = PromptSession(
            completer=completer, complete_while_typing=False, input=input, output=output
        )

    async def read(self, prompt: str) -> str | None:
        try:
            return await self._session.prompt_async(prompt)
        except EOFError:  # Ctrl-D
            return None


@contextlib.contextmanager
def notes_above_the_prompt() -> Iterator[None]:
    """While it is open, what is printed appears above a prompt_toolkit prompt, redrawn."""
    with patch_stdout():
        yield


class StdinLines:
    """Lines from standard input read plainly (a pipe or a file; a terminal without
    prompt_toolkit's help).

    A daemon thread reads the raw file descriptor (no Python file object, no lock held), so
    Ctrl-C ends the program at once, and the terminal's modes are left alone. On a terminal,
    Ctrl-D yields None once and reading goes on (to ask whether to export); on a pipe or file
    the end is final. Lines past LIMIT bytes are cut there.
    """

    LIMIT = 1 << 20

    def __init__(self, fd: int = 0) -> None:
        self._fd = fd
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._ended = False
        self._started = False

    async def read(self, prompt: str) -> str | None:
        if not self._started:
            self._started = True
            loop = asyncio.get_running_loop()
            threading.Thread(
                target=self._pump, args=(loop,), name="ozbot-stdin", daemon=True
            ).start()
        print(prompt, end="", flush=True)
        if self._ended and self._lines.empty():
            return None
        return await self._lines.get()

    def _pump(self, loop: asyncio.AbstractEventLoop) -> None:
        keep_reading = os.isatty(self._fd)
        pending = b""
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:  # the terminal went away: that is the end
                chunk, keep_reading = b"", False
            if chunk:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                pending = pending[: self.LIMIT]
                for line in lines:
                    self._deliver(loop, line[: self.LIMIT].decode(errors="replace").rstrip("\r"))
                continue
            if pending:
                self._deliver(loop, pending.decode(errors="replace"))
                pending = b""
            if not keep_reading:
                with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to tell
                    loop.call_soon_threadsafe(self._end)
                return
            self._deliver(loop, None)

    def _end(self) -> None:
        """The end of a pipe or file, in one step on the loop: a read after it never waits."""
        self._ended = True
        self._lines.put_nowait(None)

    def _deliver(self, loop: asyncio.AbstractEventLoop, line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: the program is ending
            loop.call_soon_threadsafe(self._lines.put_nowait, line)
