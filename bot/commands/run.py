"""`ozbot run [CONNECTOR ...]`: the main job, the bot on its connectors.

Without names it runs Telegram when its token is set, and the terminal training loop (as
`ozbot interactive`) otherwise; Slack runs when named (`ozbot run slack`, `ozbot run telegram
slack`). The connectors' settings are read and checked first, so that a missing token is the
first thing the user hears about, before anything trains.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import TYPE_CHECKING

from bot.commands import chat
from bot.commands.common import environment, progress, say, settings
from bot.redaction import origin_only
from bot.settings import CONNECTORS, SLACK_PORT, Serving, read_serving
from connectors.slack_settings import EVENTS_PATH

if TYPE_CHECKING:
    from connectors.web import WebServer

HELP = "the main job: teach the bot in the terminal, or serve it on Telegram and Slack"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    chat.add_arguments(parser)
    parser.add_argument(
        "connectors",
        nargs="*",
        metavar="CONNECTOR",
        help=f"{', '.join(CONNECTORS)} (default: telegram when TELEGRAM_TOKEN is set, "
        "else terminal)",
    )
    parser.add_argument(
        "--port",
        type=int,
        help=f"the web server's port (Slack events, webhooks, health); default PORT, "
        f"OZBOT_PORT, else {SLACK_PORT} with Slack",
    )


async def run(args: argparse.Namespace) -> None:
    serving = read_serving(args.connectors, args.port, environment())
    _warn(serving)
    if not serving.platforms:
        await chat.interactive(args)
        return
    from bot import app  # only now: the settings are read, so a missing token is told at once

    read = settings(args)
    notes = app.TrainerNotes(lambda text: say(f"ozbot: {text}"))
    async with (
        app.running_bot(read, learn=True, progress=progress, notes=notes) as bot,
        app.serving_platforms(read, serving, bot) as web,
    ):
        assert web is not None  # a platform serves
        for note in _serving_notes(serving, web):
            say(note)
        if "terminal" in serving.connectors:
            await chat.console(bot, args.conversation, read.project.log_file, trainer=True)
        else:
            await _until_stopped()
    say("Stopped. The conversations are kept.")


def _warn(serving: Serving) -> None:
    if environment().get("SLACK_BOT_TOKEN") and serving.slack is None:
        print("note: SLACK_BOT_TOKEN is set; `ozbot run slack` serves Slack", file=sys.stderr)
    for name, platform in (("TELEGRAM", serving.telegram), ("SLACK", serving.slack)):
        if platform is not None and not platform.trainer_ids:
            print(
                f"warning: {name}_TRAINER_IDS is empty: nobody is asked training questions",
                file=sys.stderr,
            )


def _serving_notes(serving: Serving, web: WebServer) -> list[str]:
    notes = []
    if serving.telegram is not None:
        telegram = serving.telegram
        webhook = telegram.webhook_url
        how = "long polling" if webhook is None else f"webhook {origin_only(webhook)}"
        trainers = ", ".join(map(str, sorted(telegram.trainer_ids))) or "none"
        notes.append(
            f"ozbot: serving on Telegram ({how}); trainers: {trainers}; /healthz and /metrics "
            f"on port {web.port}. Ctrl-C stops."
        )
    if serving.slack is not None:
        trainers = ", ".join(sorted(serving.slack.trainer_ids)) or "none"
        where = (
            "over Socket Mode (no public URL needed)"
            if serving.slack.socket_mode
            else f"at port {web.port}, path {EVENTS_PATH} (events, interactivity and /ozbot)"
        )
        notes.append(f"ozbot: serving on Slack {where}; trainers: {trainers}. Ctrl-C stops.")
    return notes


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
