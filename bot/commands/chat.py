"""`ozbot interactive` / `shell`: talk to the bot in the terminal, teaching it or not.

`serving` builds the running bot (store, policy, retrainer, engine) for every connector.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Serving:
    engine: Engine
    retrainer: Retrainer


@asynccontextmanager
async def serving(args: argparse.Namespace, *, learn: bool) -> AsyncIterator[Serving]:
    """The project's bot, ready to talk: store open, policy loaded or trained, retraining on.

    `learn` lets the trainers' answers teach the policy at once.
    """
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
            retrainer if learn else None,
        )
        try:
            yield Serving(engine, retrainer)
        finally:
            await retrainer.stop()
    finally:
        await store.close()


async def console(args: argparse.Namespace, engine: Engine, *, trainer: bool) -> None:
    """The terminal loop on the conversation of `--conversation`, until the user quits."""
    stdin = StdinLines()
    await Console(engine, args.conversation, trainer=trainer, read=stdin.read, write=say).run()


async def chat(args: argparse.Namespace, *, trainer: bool) -> None:
    async with serving(args, learn=trainer) as bot:
        await console(args, bot.engine, trainer=trainer)


async def interactive(args: argparse.Namespace) -> None:
    await chat(args, trainer=True)


async def shell(args: argparse.Namespace) -> None:
    await chat(args, trainer=False)
