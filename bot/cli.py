"""`ozbot`: train, talk to and teach a bot. The command line: parses it, sets up logging and runs
one subcommand (bot/commands/); the running bot is built in bot/app.py."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass

from bot import logs
from bot.commands import (
    chat,
    check,
    evaluate,
    export,
    init,
    review,
    run,
    shell,
    train,
    visualize,
)
from bot.commands.common import environment
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
    "shell": Subcommand(shell.HELP, shell.add_arguments, shell.run),
    "train": Subcommand(train.HELP, train.add_arguments, train.run),
    "evaluate": Subcommand(evaluate.HELP, evaluate.add_arguments, evaluate.run),
    "export": Subcommand(export.HELP, export.add_arguments, export.run),
    "review": Subcommand(review.HELP, review.add_arguments, review.run),
    "check": Subcommand(check.HELP, check.add_arguments, check.run),
    "init": Subcommand(init.HELP, init.add_arguments, init.run),
    "visualize": Subcommand(visualize.HELP, visualize.add_arguments, visualize.run),
}


DESCRIPTION = "Teach a dialogue bot by talking to it: you type what the user says, approve or \
correct what the bot does, and it learns on the spot."
EPILOG = "Start with `ozbot run` (the training loop in this terminal) or `ozbot init my-bot` (a \
new bot); `ozbot COMMAND --help` tells more. The options above may stand before or after the \
command: `ozbot train --project my-bot`."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ozbot", description=DESCRIPTION, epilog=EPILOG)
    _global_options(parser, default=True)
    # The global options are accepted after the subcommand too (`ozbot train --project DIR`);
    # there they default to "not given", so that they never undo one given before it.
    after = argparse.ArgumentParser(add_help=False)
    _global_options(after, default=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, subcommand in SUBCOMMANDS.items():
        command = commands.add_parser(name, help=subcommand.help, parents=[after])
        subcommand.add_arguments(command)
    return parser


def _global_options(parser: argparse.ArgumentParser, *, default: bool) -> None:
    def given(value: object) -> object:
        return value if default else argparse.SUPPRESS

    parser.add_argument("--project", default=given("."), help="the bot's folder (default: here)")
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default=given(None),
        help="default: info when `run` serves a chat platform (a line per turn), else warning",
    )
    parser.add_argument(
        "--log-json", action="store_true", default=given(False), help="log one JSON object a line"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # SIGTERM ends a terminal session like Ctrl-C: the open turn is dropped, the store closed.
    # Serving a platform, `ozbot run` handles it on the loop and finishes turns in flight.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        logs.configure(
            _log_level(args), as_json=args.log_json, secrets=logs.secrets_in(environment())
        )
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
    serving = args.command == "run" and "terminal" not in chosen(args.connectors, environment())
    return logging.INFO if serving else logging.WARNING
