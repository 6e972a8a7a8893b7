"""`ozbot interactive`: teach the bot in the terminal."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot import logs
from bot.commands.common import progress, say, settings

if TYPE_CHECKING:
    from bot import app
    from connectors.console import ReadLine

DEFAULT_CONVERSATION = "terminal"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--conversation",
        default=DEFAULT_CONVERSATION,
        help=f"conversation id (default: {DEFAULT_CONVERSATION}); the same id continues it",
    )


async def chat(args: argparse.Namespace, *, trainer: bool) -> None:
    """The terminal loop on the conversation of `--conversation`, until the user quits."""
    from bot import app

    notes = app.TrainerNotes(lambda text: say(f"ozbot: {text}"))
    chosen = settings(args)
    async with app.running_bot(chosen, learn=trainer, progress=progress, notes=notes) as bot:
        await console(bot, args.conversation, chosen.project.log_file, trainer=trainer)


async def console(bot: app.Bot, conversation: str, log_file: Path, *, trainer: bool) -> None:
    """On a terminal, lines are edited with prompt_toolkit and notes print above the prompt;
    from a pipe or a file they are read plainly. Tracebacks go to `log_file`, not between the
    trainer's lines."""
    from bot import app
    from connectors import console, terminal_input

    read: ReadLine
    above: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if sys.stdin.isatty() and sys.stdout.isatty():
        read = terminal_input.PromptLines(console.completions(bot.engine.domain)).read
        above = terminal_input.notes_above_the_prompt()
    else:
        read = terminal_input.StdinLines().read
    with above, logs.tracebacks_in(log_file):
        await app.terminal(bot, conversation, trainer=trainer, read=read, write=say).run()


async def interactive(args: argparse.Namespace) -> None:
    await chat(args, trainer=True)
