"""`ozbot`: train, talk to and teach a bot from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.app import (
    LoadedProject,
    current_policy,
    load_project,
    train_and_save,
    training_data,
)
from bot.engine import Engine
from bot.errors import OzbotError
from bot.exporter import StoryExporter
from bot.project import open_project
from bot.stores.sqlite import SqliteTrackerStore
from connectors.console import RESERVED, Console, read_stdin
from policy.retrainer import Retrainer

DEFAULT_CONVERSATION = "terminal"


def _progress(step: str, done: int, total: int) -> None:
    """A progress bar on stderr: redrawn in place on a terminal, one line when finished."""
    if done < total and not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    bar = f"{'#' * filled}{'.' * (width - filled)}"
    print(f"\r{step:<24} [{bar}] {done}/{total}", end=end, file=sys.stderr, flush=True)


def _say(text: str) -> None:
    print(text, flush=True)


def _load(args: argparse.Namespace) -> LoadedProject:
    loaded = load_project(open_project(Path(args.project)), RESERVED)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return loaded


async def train(args: argparse.Namespace) -> None:
    loaded = _load(args)
    store = await SqliteTrackerStore.open(loaded.project.store_file)
    try:
        data = await training_data(loaded, store)
    finally:
        await store.close()
    policy = await asyncio.to_thread(train_and_save, loaded, data, _progress)
    assert policy.metadata is not None
    m = policy.metadata.metrics
    _say(
        f"Trained on {m.stories} stories and {m.conversations} taught conversations "
        f"({m.examples} examples, {m.augmented_examples} more from glued stories) in "
        f"{m.seconds:.1f} s; accuracy on the training data {m.accuracy:.2f}. "
        f"Saved to {loaded.project.models_dir}."
    )


async def chat(args: argparse.Namespace, *, trainer: bool) -> None:
    loaded = _load(args)
    store = await SqliteTrackerStore.open(loaded.project.store_file)
    try:
        data = await training_data(loaded, store)
        policy = await asyncio.to_thread(current_policy, loaded, data, _progress)
        retrainer = Retrainer(
            loaded.domain,
            data,
            loaded.config,
            policy,
            model_folder=loaded.project.models_dir / "current",
            on_error=lambda text: _say(f"ozbot: retraining failed, the old model serves: {text}"),
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
            console = Console(
                engine, args.conversation, trainer=trainer, read=read_stdin, write=_say
            )
            await console.run()
        finally:
            await retrainer.stop()
    finally:
        await store.close()


async def run(args: argparse.Namespace) -> None:
    """The main job; Telegram and Slack join here when their connectors land."""
    for name in ("TELEGRAM_TOKEN", "SLACK_BOT_TOKEN"):
        if os.environ.get(name):
            print(
                f"note: {name} is set, but this version has only the terminal connector",
                file=sys.stderr,
            )
    await chat(args, trainer=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ozbot", description=__doc__)
    parser.add_argument("--project", default=".", help="the bot's folder (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("train", help="train the policy from domain.yml, stories/ and config.yml")
    for name, text in (
        ("run", "the main job: teach the bot in the terminal"),
        ("interactive", "teach the bot: approve or correct every action"),
        ("shell", "talk to the bot without training questions"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument(
            "--conversation",
            default=DEFAULT_CONVERSATION,
            help=f"conversation id (default: {DEFAULT_CONVERSATION}); "
            "the same id continues the conversation",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    jobs = {
        "train": train,
        "run": run,
        "interactive": lambda a: chat(a, trainer=True),
        "shell": lambda a: chat(a, trainer=False),
    }
    try:
        asyncio.run(jobs[args.command](args))
    except OzbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\nInterrupted. The conversation is kept; start again to continue it.", file=sys.stderr
        )
        return 130
    return 0
