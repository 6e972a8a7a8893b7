"""`ozbot interactive`: teach the bot in the terminal."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.commands.common import progress, say, settings

if TYPE_CHECKING:
    from bot import app

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
    async with app.running_bot(
        settings(args), learn=trainer, progress=progress, notes=notes
    ) as bot:
        await console(args, bot, trainer=trainer)


async def console(args: argparse.Namespace, bot: app.Bot, *, trainer: bool) -> None:
    from bot import app
    from connectors.console import StdinLines

    stdin = StdinLines()
    await app.terminal(bot, args.conversation, trainer=trainer, read=stdin.read, write=say).run()


async def interactive(args: argparse.Namespace) -> None:
    await chat(args, trainer=True)
