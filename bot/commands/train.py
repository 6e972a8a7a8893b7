"""`ozbot train`: train the policy from the project files and the taught conversations."""

from __future__ import annotations

import argparse
import asyncio

from bot.app import train_and_save, training_data
from bot.commands.common import load, open_store, progress, say

HELP = "train the policy from domain.yml, stories/ and config.yml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options of its own."""


async def run(args: argparse.Namespace) -> None:
    loaded = load(args)
    store = await open_store(loaded.project)
    try:
        data = await training_data(loaded, store)
    finally:
        await store.close()
    policy = (await asyncio.to_thread(train_and_save, loaded, data, progress)).policy
    assert policy.metadata is not None
    m = policy.metadata.metrics
    say(
        f"Trained on {m.stories} stories and {m.conversations} taught conversations "
        f"({m.examples} examples, {m.augmented_examples} more from glued stories) in "
        f"{m.seconds:.1f} s; accuracy on the training data {m.accuracy:.2f}. "
        f"Saved to {loaded.project.models_dir}."
    )
