"""The terminal connector: the seed's "Is this correct? 1/2/3/0" loop, for real.

It only renders the engine's outputs and turns typed lines into inputs; the conversation
itself lives in the store, so quitting and starting again continues where it stopped. ozbot's
commands are those of every chat (`connectors.chat_commands`); the one at the keyboard owns
the project, so none is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from bot import texts
from bot.engine import Engine, UserMessage
from bot.outputs import (
    ActionProposal,
    BotDid,
    BotMessage,
    Choices,
    ConversationStart,
    Decided,
    EntityFix,
    Exported,
    HistoryLine,
    Notice,
    Output,
    Refused,
    ShownQuestion,
    UserSaid,
)
from bot.teaching import Answer
from connectors.chat_commands import BY_NAME, ChatCommands, Context, HelpText, Read, Wording, answer
from connectors.training_view import entities_title

ReadLine = Callable[[str], Awaitable[str | None]]
Write = Callable[[str], None]
WORDING = Wording(texts.TERMINAL_HELP, texts.SHELL_HELP, texts.SHELL_TEACHING_ONLY)
"""Without `trainer` (`ozbot shell`), the teaching commands are refused."""
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Every control character but the line break and the tab, and the bidirectional overrides."""
_ANSWERS = {
    "1": "approve",
    "2": "wrong_action",
    "3": "wrong_intent",
    "4": "wrong_entities",
    "0": "export",
}


class StdinLines:
    """Lines typed in the terminal, for the event loop.

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


class Console:
    def __init__(
        self,
        engine: Engine,
        conversation_id: str,
        *,
        trainer: bool,
        read: ReadLine,
        write: Write,
        commands: ChatCommands,
    ) -> None:
        self.engine = engine
        self.conversation_id = conversation_id
        self.trainer = trainer
        self.read = read
        self.write = write
        self._context = Context(engine, conversation_id, trainer, commands, WORDING)

    async def run(self) -> None:
        """Chat until the trainer exports with 0 or input ends."""
        for output in await answer(BY_NAME["help"], self._context):
            self.write(render(output))
        open_question = await self.engine.pending_outputs(self.conversation_id)
        if open_question and not await self._show_and_answer(open_question):
            return
        while True:
            line = await self.read("Your input -> ")
            if line is None:
                await self._quit()
                return
            if not await self._show_and_answer(await answer(_parse(line), self._context)):
                return

    async def _send(self, inp: Answer) -> list[Output]:
        return await self.engine.handle(self.conversation_id, inp, trainer=self.trainer)

    async def _show_and_answer(self, outputs: list[Output]) -> bool:
        """Render outputs; while a question is open, ask it. False when the session should end."""
        while True:
            for output in outputs:
                self.write(render(output))
            question = next((o for o in outputs if isinstance(o, ShownQuestion)), None)
            if question is None:
                return True
            answer = await self._ask(question)
            if answer is None:
                await self._quit()
                return False
            outputs = await self._send(answer)
            if answer.kind == "export" and any(isinstance(o, Exported) for o in outputs):
                self.write("\n".join(render(o) for o in outputs))
                return False
            if any(isinstance(o, Refused) for o in outputs):  # ask what is open now, again
                outputs += await self.engine.pending_outputs(self.conversation_id)

    async def _ask(self, question: ShownQuestion) -> Answer | None:
        prompt = "Your marked message -> " if isinstance(question, EntityFix) else "Your choice -> "
        while True:
            line = await self.read(prompt)
            if line is None:
                return None
            answer = _to_answer(question, line.strip())
            if answer is not None:
                return answer
            if isinstance(question, ActionProposal):
                self.write(texts.ANSWER_CHOICES)
            elif isinstance(question, Choices):
                self.write(texts.choice_out_of_range(len(question.options)))

    async def _quit(self) -> None:
        if not self.trainer:  # the shell keeps nothing: no export to offer
            self.write(texts.SHELL_BYE)
            return
        line = await self.read("\nExport the conversation as stories before quitting? [y/N] ")
        if line is not None and line.strip().lower() in ("y", "yes"):
            outputs = await answer(BY_NAME["export"], self._context)
            self.write("\n".join(render(o) for o in outputs))
        self.write("Bye. The conversation is kept; start again to continue it.")


def _parse(line: str) -> Read:
    word = line.strip()
    command = BY_NAME.get(word[1:]) if word.startswith("/") else None
    return command or UserMessage(line)


def _to_answer(question: ShownQuestion, text: str) -> Answer | None:
    if isinstance(question, ActionProposal):
        kind = _ANSWERS.get(text)
        return Answer(question.question_id, kind) if kind else None  # type: ignore[arg-type]
    if isinstance(question, EntityFix):
        if text == "0":
            return Answer(question.question_id, "export")
        return Answer(question.question_id, "mark_entities", text) if text else None
    names = [name for name, _ in question.options]
    if text.isdigit() and int(text) < len(names):
        text = names[int(text)]
    if text not in names:
        return None
    kind = "choose_action" if question.kind == "action" else "choose_intent"
    return Answer(question.question_id, kind, text)  # type: ignore[arg-type]


def render(output: Output) -> str:
    """The terminal text of one output, control characters shown escaped (`\\x1b`): a user's
    text or value must not move the cursor, recolour or retitle the trainer's terminal."""
    return _CONTROL.sub(lambda match: repr(match[0])[1:-1], _text(output))


def _text(output: Output) -> str:
    match output:
        case HelpText(text=text):
            return text
        case BotMessage(text=text, buttons=buttons):
            extra = "".join(f"\n    [{title}] {payload}" for title, payload in buttons)
            return f"Bot: {text}{extra}"
        case Notice(text=text):
            return f"ozbot: {text}"
        case Decided(text=text):
            return f"  → {text}"
        case Exported():
            return output.summary
        case ActionProposal():
            return _render_proposal(output)
        case Choices():
            return _render_choices(output)
        case EntityFix():
            return f"\n{entities_title(output)}\n\n    {output.marked}\n"
    raise TypeError(f"cannot render {output!r}")


def _render_proposal(proposal: ActionProposal) -> str:
    history = "\n".join(
        f"     {who + ':':<18}{what}" for line in proposal.history for who, what in _seed(line)
    )
    slots = ", ".join(f"{name}: {_short(value)}" for name, value in proposal.slots)
    question = texts.QUESTION.format(action=proposal.action)
    confidence = f"(confidence {proposal.confidence:.2f}, {proposal.policy})"
    choices = "\n".join(f"    {key}.       {label}" for key, label in texts.CHOICES)
    return (
        f"\nChat history:\n\n{history}\n\n"
        f"we currently have slots: {slots or 'none'}\n{question} {confidence}\n\n{choices}\n"
    )


def _seed(line: HistoryLine) -> list[tuple[str, str]]:
    """The seed's (who, what) lines of one history step."""
    match line:
        case ConversationStart():
            return [("bot did", "None")]
        case BotDid(action=action):
            return [("bot did", action)]
        case UserSaid(text=text):
            return [("user said", text), ("whose intent is", line.meaning)]
    raise TypeError(f"cannot render {line!r}")


def _render_choices(choices: Choices) -> str:
    title = texts.ASK_ACTION if choices.kind == "action" else texts.ASK_INTENT
    width = max((len(name) for name, _ in choices.options), default=10)
    lines = [
        f"{i:>6}  {name:>{width + 4}}    {p:.2f}" for i, (name, p) in enumerate(choices.options)
    ]
    return f"\n{title}\n\n" + "\n".join(lines) + "\n"


def _short(value: Any, limit: int = 120) -> str:
    if value is None:
        return "None"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."
