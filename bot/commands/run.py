"""`ozbot run [CONNECTOR ...]`: the main job, the bot on its connectors.

Without names it runs the connectors whose tokens are set, and the terminal training loop (as
`ozbot interactive`) when none is. Tokens and URLs are read here, once, and checked before
anything trains, so that a missing one is the first thing the user hears about.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from contextlib import AsyncExitStack

from bot.commands import chat
from bot.commands.common import say
from bot.errors import ConnectorError
from connectors.telegram import TelegramConnector
from connectors.telegram_settings import TelegramSettings
from connectors.web import WebServer, WebSettings

HELP = "the main job: teach the bot in the terminal, or serve it on Telegram"
CONNECTORS = ("terminal", "telegram")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    chat.add_arguments(parser)
    parser.add_argument(
        "connectors",
        nargs="*",
        metavar="CONNECTOR",
        help="terminal, telegram (default: telegram when TELEGRAM_TOKEN is set, else terminal)",
    )


def chosen(names: list[str], env: Mapping[str, str]) -> tuple[str, ...]:
    """The connectors to run: those named, else those whose token is set, else the terminal."""
    unknown = [name for name in names if name not in CONNECTORS]
    if unknown:
        raise ConnectorError(
            f"unknown connector {', '.join(unknown)}; ozbot has {', '.join(CONNECTORS)}"
        )
    if names:
        return tuple(dict.fromkeys(names))
    return ("telegram",) if env.get("TELEGRAM_TOKEN", "").strip() else ("terminal",)


async def run(args: argparse.Namespace) -> None:
    names = chosen(args.connectors, os.environ)
    if os.environ.get("SLACK_BOT_TOKEN"):
        print("note: SLACK_BOT_TOKEN is set, but ozbot has no Slack connector yet", file=sys.stderr)
    if "telegram" not in names:
        await chat.interactive(args)
        return
    settings = TelegramSettings.from_env(os.environ)
    web = WebServer(WebSettings.from_env(os.environ)) if settings.webhook_url else None
    if not settings.trainer_ids:
        print(
            "warning: TELEGRAM_TRAINER_IDS is empty: nobody is asked training questions",
            file=sys.stderr,
        )
    async with AsyncExitStack() as stack:
        bot = await stack.enter_async_context(chat.serving(args, learn=True))
        connector = TelegramConnector(bot.engine, settings, bot.retrainer.status, web=web)
        if web is not None:
            await web.start()
            stack.push_async_callback(web.stop)
        await connector.start()
        stack.push_async_callback(connector.stop)
        say(_serving_note(settings, web))
        if "terminal" in names:
            await chat.console(args, bot.engine, trainer=True)
        else:
            await _until_stopped()
    say("Stopped. The conversations are kept.")


def _serving_note(settings: TelegramSettings, web: WebServer | None) -> str:
    if web is None:
        how = "long polling"
    else:
        how = f"webhook {settings.webhook_url}, listening on port {web.port}"
    trainers = ", ".join(map(str, sorted(settings.trainer_ids))) or "none"
    return f"ozbot: serving on Telegram ({how}); trainers: {trainers}. Ctrl-C stops."


async def _until_stopped() -> None:
    """Until Ctrl-C or SIGTERM (how containers are stopped); the caller then shuts down."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
