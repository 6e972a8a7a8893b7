"""`ozbot shell`: talk to the bot as its users do; nothing said here is kept or learned.

The shell's conversation is its own and lives in memory only: it never continues or joins
the `terminal` conversation a trainer teaches, the store never sees it (so no export and no
retrain takes it in), and the teaching commands (/export, /retrain, /undo, /status) are refused.
"""

from __future__ import annotations

import argparse

from bot.commands.chat import console
from bot.commands.common import progress, say, settings

HELP = "talk to the bot as its users do: no questions, nothing kept or learned"
CONVERSATION = "shell"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options of its own: the shell's conversation is always a new one."""


async def run(args: argparse.Namespace) -> None:
    from bot import app

    notes = app.TrainerNotes(lambda text: say(f"ozbot: {text}"))
    chosen = settings(args)
    async with app.running_bot(
        chosen, learn=False, remember=False, progress=progress, notes=notes
    ) as bot:
        await console(bot, CONVERSATION, chosen.project.log_file, trainer=False)
