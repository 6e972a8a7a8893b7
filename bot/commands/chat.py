"""`ozbot interactive` / `shell`: talk to the bot in the terminal, teaching it or not.

`serving` builds the running bot (store, policy, retraining, engine) for every connector.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.app import current_policy, training_data
from bot.commands.common import load, open_store, progress, say, store_settings
from bot.engine import Engine
from bot.exporter import StoryExporter
from bot.retraining import Retraining, project_retraining
from bot.telemetry import Telemetry
from connectors.chat_commands import ChatCommands
from connectors.console import Console, StdinLines
from policy.deployer import Notify

DEFAULT_CONVERSATION = "terminal"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--conversation",
        default=DEFAULT_CONVERSATION,
        help=f"conversation id (default: {DEFAULT_CONVERSATION}); the same id continues it",
    )


@dataclass(frozen=True)
class Serving:
    engine: Engine
    retraining: Retraining
    telemetry: Telemetry
    listeners: list[Notify]
    """Who hears "model N live" and why a retrain failed: the terminal; connectors add theirs."""


@asynccontextmanager
async def serving(args: argparse.Namespace, *, learn: bool) -> AsyncIterator[Serving]:
    """The project's bot, ready to talk: store open, policy loaded or trained, retraining on.

    `learn` lets the trainers' answers teach the policy at once.
    """
    loaded = load(args)
    store = await open_store(loaded.project)
    try:
        data = await training_data(loaded, store)
        live = await asyncio.to_thread(current_policy, loaded, data, progress)
        redis = store_settings(loaded.project, os.environ)
        listeners: list[Notify] = [lambda text: say(f"ozbot: {text}")]

        def notify(text: str) -> None:
            for listener in listeners:
                listener(text)

        telemetry = Telemetry(lambda: parts.live.version)
        async with project_retraining(loaded, store, data, live, redis, notify, telemetry) as parts:
            engine = Engine(
                loaded.domain,
                parts.live,
                store,
                loaded.actions,
                StoryExporter(loaded.project.exported_dir),
                parts.learner if learn else None,
                on_turn=telemetry.turn,
            )
            yield Serving(engine, parts, telemetry, listeners)
    finally:
        await store.close()


async def console(
    args: argparse.Namespace, engine: Engine, *, trainer: bool, commands: ChatCommands
) -> None:
    """The terminal loop on the conversation of `--conversation`, until the user quits."""
    stdin = StdinLines()
    await Console(
        engine, args.conversation, trainer=trainer, read=stdin.read, write=say, commands=commands
    ).run()


async def chat(args: argparse.Namespace, *, trainer: bool) -> None:
    async with serving(args, learn=trainer) as bot:
        retrain = bot.retraining.schedule.retrain_now if trainer else None
        commands = ChatCommands(bot.retraining.live.status, retrain)
        await console(args, bot.engine, trainer=trainer, commands=commands)


async def interactive(args: argparse.Namespace) -> None:
    await chat(args, trainer=True)


async def shell(args: argparse.Namespace) -> None:
    await chat(args, trainer=False)
