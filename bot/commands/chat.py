"""`ozbot interactive` / `shell` / `run`: talk to the bot in the terminal, teaching it or not."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.app import MODEL_FOLDER, current_policy, training_data
from bot.commands.common import load, open_store, progress, say
from bot.engine import Engine
from bot.exporter import StoryExporter
from connectors.console import Console, StdinLines
from policy.retrainer import Retrainer

DEFAULT_CONVERSATION = "terminal"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--conversation",
        default=DEFAULT_CONVERSATION,
        help=f"conversation id (default: {DEFAULT_CONVERSATION}); the same id continues it",
    )


async def chat(args: argparse.Namespace, *, trainer: bool) -> None:
    loaded = load(args)
    store = await open_store(loaded.project)
    try:
        data = await training_data(loaded, store)
        policy = await asyncio.to_thread(current_policy, loaded, data, progress)
        retrainer = Retrainer(
            loaded.domain,
            data,
            loaded.config,
            policy,
            model_folder=loaded.project.models_dir / MODEL_FOLDER,
            on_error=lambda text: say(f"ozbot: retraining failed, the old model serves: {text}"),
        )
        await retrainer.start()
        engine = Engine(
            loaded.domain,
            retrainer,
            store,
            loaded.actions,
            StoryExporter(loaded.project.exported_dir),
            retrainer if trainer else None,
        )
        try:
            stdin = StdinLines()
            console = Console(
                engine, args.conversation, trainer=trainer, read=stdin.read, write=say
            )
            await console.run()
        finally:
            await retrainer.stop()
    finally:
        await store.close()


async def interactive(args: argparse.Namespace) -> None:
    await chat(args, trainer=True)


async def shell(args: argparse.Namespace) -> None:
    await chat(args, trainer=False)


async def run(args: argparse.Namespace) -> None:
    """The main job; Telegram and Slack join here when their connectors land."""
    for name in ("TELEGRAM_TOKEN", "SLACK_BOT_TOKEN"):
        if os.environ.get(name):
            print(
                f"note: {name} is set, but this version has only the terminal connector",
                file=sys.stderr,
            )
    await chat(args, trainer=True)
