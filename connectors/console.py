"""The terminal connector: the seed's "Is this correct? 1/2/3/0" loop, for real.

It only renders the engine's outputs (`connectors.console_render`) and turns typed lines into
inputs; the conversation itself lives in the store, so quitting and starting again continues
where it stopped. ozbot's commands are those of every chat (`connectors.chat_commands`), and
/quit; they work at every prompt. The one at the keyboard owns the project, so none is refused.
A question left open by an earlier session takes no answer typed ahead: the first line must
answer it, else the trainer says `answer` (or /undo, /restart) before any line does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot import texts
from bot.domain import Domain
from bot.engine import Engine, UserMessage
from bot.outputs import (
    ActionProposal,
    Choices,
    EntityFix,
    Exported,
    Output,
    Refused,
    ShownQuestion,
    UserSaid,
)
from bot.teaching import Answer, AnswerKind
from connectors.chat_commands import BY_NAME, NAMES, ChatCommands, Context, Wording, answer
from connectors.console_render import render

ReadLine = Callable[[str], Awaitable[str | None]]
Write = Callable[[str], None]
WORDING = Wording(texts.TERMINAL_HELP, texts.SHELL_HELP, texts.SHELL_TEACHING_ONLY)
"""Without `trainer` (`ozbot shell`), the teaching commands are refused."""
QUIT = "quit"
"""The terminal's own command: ask about exporting, then end."""
CLOSING = ("undo", "restart")
"""Commands that close an open question."""
INPUT, CHOICE, MARKED, GUARD = (
    "Your input -> ",
    "Your choice -> ",
    "Your marked message -> ",
    "answer, /undo or /restart -> ",
)
_ANSWERS: dict[str, AnswerKind] = {
    "1": "approve",
    "2": "wrong_action",
    "3": "wrong_intent",
    "4": "wrong_entities",
    "0": "export",
}
_BACK = ("", "back")


def completions(domain: Domain) -> list[str]:
    """What Tab completes at the terminal's prompts: commands, typed intents, the names of
    the pick lists."""
    commands = [f"/{name}" for name in (*NAMES, QUIT)]
    typed = [f"/{intent}" for intent in domain.intents]
    return [*commands, *typed, *domain.actions, *domain.intents, "back", "answer"]


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
        """Chat until the trainer exports with 0, quits, or input ends."""
        self._show(await answer(BY_NAME["help"], self._context))
        open_question = await self._pending()
        turns = await self.engine.user_turns(self.conversation_id)
        self.write(texts.where_the_trainer_is(self.conversation_id, turns, _asking(open_question)))
        if open_question and not await self._show_and_answer(open_question, resumed=True):
            return
        while True:
            line = await self.read(INPUT)
            word = "/quit" if line is None else line.strip()
            if word == "0" and self.trainer:  # the seed: 0 writes the conversation and exits
                await self._export_and_end()
                return
            if word == f"/{QUIT}":
                await self._quit()
                return
            command = BY_NAME.get(word[1:]) if word.startswith("/") else None
            outputs = await answer(command or UserMessage(line or ""), self._context)
            if not await self._show_and_answer(outputs):
                return

    async def _show_and_answer(self, outputs: list[Output], *, resumed: bool = False) -> bool:
        """Render outputs; while a question is open, ask it. False when the session ends."""
        while True:
            self._show(outputs)
            question = next((o for o in outputs if isinstance(o, ShownQuestion)), None)
            if question is None:
                return True
            reply = await self._ask(question, resumed=resumed)
            resumed = False
            if reply is None:
                await self._quit()
                return False
            if not isinstance(reply, Answer):  # a command closed the question, or re-shows it
                outputs = reply
                continue
            outputs = await self.engine.handle(self.conversation_id, reply, trainer=self.trainer)
            if reply.kind == "export" and any(isinstance(o, Exported) for o in outputs):
                self._show(outputs)
                self.write(texts.BYE)
                return False
            if any(isinstance(o, Refused) for o in outputs):  # ask what is open now, again
                outputs += await self._pending()

    async def _ask(self, question: ShownQuestion, *, resumed: bool) -> Answer | list[Output] | None:
        """The trainer's answer; or what a command that closed the question showed (with
        anything open now); None to quit."""
        prompt = MARKED if isinstance(question, EntityFix) else CHOICE
        while True:
            text = await self._read_at_question(prompt)
            if not isinstance(text, str):
                return text
            reply = _to_answer(question, text)
            if isinstance(reply, Answer):
                return reply
            if resumed:
                return await self._guard()
            self.write(reply)

    async def _guard(self) -> list[Output] | None:
        """A line typed at a question left open by an earlier session that does not answer
        it: it may have been meant for something else, so no answer is taken until the
        trainer asks for the question again (`answer`) or closes it (/undo, /restart)."""
        self.write(texts.STALE_QUESTION)
        while True:
            text = await self._read_at_question(GUARD)
            if not isinstance(text, str):
                return text
            if text == "answer":
                return await self._pending()
            self.write(texts.STALE_QUESTION_AGAIN)

    async def _read_at_question(self, prompt: str) -> str | list[Output] | None:
        """The next line at a question that is not one of ozbot's commands, stripped; or,
        when a command closed the question, what to show next (with anything open now);
        None to quit. A command that leaves the question open shows its outputs here."""
        while True:
            line = await self.read(prompt)
            text = f"/{QUIT}" if line is None else line.strip()
            if text == f"/{QUIT}":
                return None
            if not (text.startswith("/") and text[1:] in NAMES):
                return text
            outputs = await answer(BY_NAME[text[1:]], self._context)
            if text[1:] in CLOSING:
                return outputs + await self._pending()
            self._show(outputs)

    async def _pending(self) -> list[Output]:
        return await self.engine.pending_outputs(self.conversation_id)

    async def _export_and_end(self) -> None:
        self._show(await answer(BY_NAME["export"], self._context))
        self.write(texts.BYE)

    async def _quit(self) -> None:
        if not self.trainer:  # the shell keeps nothing: no export to offer
            self.write(texts.SHELL_BYE)
            return
        line = await self.read(texts.EXPORT_BEFORE_QUITTING)
        if line is not None and line.strip().lower() in ("y", "yes"):
            self._show(await answer(BY_NAME["export"], self._context))
        self.write(texts.BYE)

    def _show(self, outputs: Sequence[Output]) -> None:
        for output in outputs:
            self.write(render(output))


def _asking(outputs: list[Output]) -> str | None:
    """What the open question asks, in a few words; None when none is open."""
    for output in outputs:
        if isinstance(output, ActionProposal):
            said = [line for line in output.history if isinstance(line, UserSaid)]
            after = f" after {said[-1].text!r} ({said[-1].intent})" if said else ""
            return texts.asking_action(output.action, after)
        if isinstance(output, Choices):
            return texts.ASKING_PICK[output.kind]
        if isinstance(output, EntityFix):
            return texts.ASKING_ENTITIES
    return None


def _to_answer(question: ShownQuestion, text: str) -> Answer | str:
    """The answer a typed line gives, or why it gives none."""
    if isinstance(question, ActionProposal):
        kind = _ANSWERS.get(text)
        return texts.ANSWER_CHOICES if kind is None else Answer(question.question_id, kind)
    if text.lower() in _BACK:
        return Answer(question.question_id, "back")
    if isinstance(question, EntityFix):
        if text == "0":
            return Answer(question.question_id, "export")
        return Answer(question.question_id, "mark_entities", text)
    return _picked(question, text)


def _picked(question: Choices, text: str) -> Answer | str:
    """A pick by number, name or the unique start of a name."""
    names = [name for name, _ in question.options]
    if text.isdigit() and int(text) < len(names):
        text = names[int(text)]
    matches = [text] if text in names else [name for name in names if name.startswith(text)]
    if len(matches) != 1:
        many = len(matches) > 1
        return texts.ambiguous_pick(text, matches) if many else texts.pick_how(len(names))
    kind: AnswerKind = "choose_action" if question.kind == "action" else "choose_intent"
    return Answer(question.question_id, kind, matches[0])
