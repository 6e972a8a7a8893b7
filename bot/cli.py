"""`ozbot`: train, talk to and teach a bot. The command line: parses it, sets up logging and runs
one subcommand (bot/commands/); the running bot is built in bot/app.py."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass

from bot import logs
from bot.commands import chat, check, evaluate, export, run, train
from bot.errors import OzbotError
from bot.settings import chosen


@dataclass(frozen=True)
class Subcommand:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], Coroutine[None, None, None]]


SUBCOMMANDS = {
    "run": Subcommand(run.HELP, run.add_arguments, run.run),
    "interactive": Subcommand(
        "teach the bot: approve or correct every action", chat.add_arguments, chat.interactive
    ),
    "shell": Subcommand(
        "talk to the bot without training questions", chat.add_arguments, chat.shell
    ),
    "train": Subcommand(train.HELP, train.add_arguments, train.run),
    "evaluate": Subcommand(evaluate.HELP, evaluate.add_arguments, evaluate.run),
    "export": Subcommand(export.HELP, export.add_arguments, export.run),
    "check": Subcommand(check.HELP, check.add_arguments, check.run),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ozbot", description=__doc__)
    parser.add_argument("--project", default=".", help="the bot's folder (default: here)")
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        help="default: info when `run` serves a chat platform (a line per turn), else warning",
    )
    parser.add_argument("--log-json", action="store_true", help="log one JSON object a line")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, subcommand in SUBCOMMANDS.items():
        subcommand.add_arguments(commands.add_parser(name, help=subcommand.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # SIGTERM ends a terminal session like Ctrl-C: the open turn is dropped, the store closed.
    # Serving a platform, `ozbot run` handles it on the loop and finishes turns in flight.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        logs.configure(_log_level(args), as_json=args.log_json, secrets=logs.secrets_in(os.environ))
        asyncio.run(SUBCOMMANDS[args.command].run(args))
    except OzbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\nInterrupted. The conversation is kept; start again to continue it.", file=sys.stderr
        )
        return 130
    return 0


def _log_level(args: argparse.Namespace) -> int:
    if args.log_level is not None:
        return int(getattr(logging, args.log_level.upper()))
    serving = args.command == "run" and "terminal" not in chosen(args.connectors, os.environ)
    return logging.INFO if serving else logging.WARNING
