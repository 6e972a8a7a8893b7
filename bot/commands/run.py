"""`ozbot run [CONNECTOR ...]`: the main job, the bot on its connectors.

Without names it runs Telegram when its token is set, and the terminal training loop (as
`ozbot interactive`) otherwise; Slack runs when named (`ozbot run slack`, `ozbot run telegram
slack`). Tokens and URLs are read here, once, and checked before
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
from functools import partial
from pathlib import Path

from bot.commands import chat
from bot.commands.common import say, store_settings
from bot.errors import ConnectorError
from bot.health import Health, check_health
from bot.project import open_project
from connectors import observability
from connectors.chat_commands import ChatCommands
from connectors.dedupe import RedisSeenIds, SeenIds
from connectors.slack import SlackConnector
from connectors.slack_settings import EVENTS_PATH, SlackSettings
from connectors.telegram import TelegramConnector
from connectors.telegram_settings import TelegramSettings
from connectors.web import WebServer, WebSettings

HELP = "the main job: teach the bot in the terminal, or serve it on Telegram and Slack"
CONNECTORS = ("terminal", "telegram", "slack")
SLACK_PORT = 3000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    chat.add_arguments(parser)
    parser.add_argument(
        "connectors",
        nargs="*",
        metavar="CONNECTOR",
        help="terminal, telegram, slack (default: telegram when TELEGRAM_TOKEN is set, "
        "else terminal)",
    )
    parser.add_argument(
        "--port",
        type=int,
        help=f"the web server's port (Slack events, webhooks, health); default PORT, "
        f"OZBOT_PORT, else {SLACK_PORT} with Slack",
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
    if os.environ.get("SLACK_BOT_TOKEN") and "slack" not in names:
        print("note: SLACK_BOT_TOKEN is set; `ozbot run slack` serves Slack", file=sys.stderr)
    if "telegram" not in names and "slack" not in names:
        await chat.interactive(args)
        return
    telegram = TelegramSettings.from_env(os.environ) if "telegram" in names else None
    slack = SlackSettings.from_env(os.environ) if "slack" in names else None
    # webhooks, Slack's events, /healthz and /metrics
    web = WebServer(web_settings(args.port, os.environ, slack=slack is not None))
    for name, settings in (("TELEGRAM", telegram), ("SLACK", slack)):
        if settings is not None and not settings.trainer_ids:
            print(
                f"warning: {name}_TRAINER_IDS is empty: nobody is asked training questions",
                file=sys.stderr,
            )
    async with AsyncExitStack() as stack:
        bot = await stack.enter_async_context(chat.serving(args, learn=True))
        seen = await _shared_seen_ids(args, stack)
        commands = ChatCommands(bot.retraining.live.status, bot.retraining.schedule.retrain_now)
        connectors: list[TelegramConnector | SlackConnector] = []
        if telegram is not None:
            telegram_connector = TelegramConnector(
                bot.engine, telegram, commands, web=web, seen=seen
            )
            bot.listeners.append(telegram_connector.tell_trainers)
            connectors.append(telegram_connector)
        if slack is not None:
            slack_connector = SlackConnector(bot.engine, slack, commands, web, seen=seen)
            bot.listeners.append(slack_connector.tell_trainers)
            connectors.append(slack_connector)
        observability.mount(web, partial(health, bot), bot.telemetry.render)
        await web.start()
        stack.push_async_callback(web.stop)
        for connector in connectors:
            await connector.start()
            stack.push_async_callback(connector.stop)
        # On the way out the port closes first (no new updates), then the connectors finish
        # the turns in flight, then retraining and the store close.
        stack.push_async_callback(web.stop)
        if telegram is not None:
            say(_serving_note(telegram, web))
        if slack is not None:
            say(_slack_note(slack, web))
        if "terminal" in names:
            await chat.console(args, bot.engine, trainer=True, commands=commands)
        else:
            await _until_stopped()
    say("Stopped. The conversations are kept.")


def _serving_note(settings: TelegramSettings, web: WebServer) -> str:
    how = "long polling" if settings.webhook_url is None else f"webhook {settings.webhook_url}"
    trainers = ", ".join(map(str, sorted(settings.trainer_ids))) or "none"
    return (
        f"ozbot: serving on Telegram ({how}); trainers: {trainers}; /healthz and /metrics on "
        f"port {web.port}. Ctrl-C stops."
    )


def web_settings(port: int | None, env: Mapping[str, str], *, slack: bool) -> WebSettings:
    """`--port`, else `PORT`, else `OZBOT_PORT`, else 3000 with Slack (Bolt's habit) or 8080."""
    default = str(SLACK_PORT) if slack else None
    chosen_port = str(port) if port is not None else env.get("PORT") or env.get("OZBOT_PORT")
    raw = chosen_port or default
    return WebSettings.from_env({**env, "OZBOT_PORT": raw} if raw else env)


async def _shared_seen_ids(args: argparse.Namespace, stack: AsyncExitStack) -> SeenIds | None:
    """Replicas on one Redis store share the ids of the updates they processed."""
    settings = store_settings(open_project(Path(args.project)), os.environ)
    if settings is None:
        return None  # one process: each connector remembers its own
    seen = await RedisSeenIds.connect(settings)
    stack.push_async_callback(seen.close)
    return seen


def _slack_note(settings: SlackSettings, web: WebServer) -> str:
    trainers = ", ".join(sorted(settings.trainer_ids)) or "none"
    return (
        f"ozbot: serving on Slack at port {web.port}, path {EVENTS_PATH} (events, "
        f"interactivity and /ozbot); trainers: {trainers}. Ctrl-C stops."
    )


async def health(bot: chat.Serving) -> Health:
    """The store answers and a model serves."""
    return await check_health(bot.engine.store, lambda: bot.retraining.live.version)


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
