"""`ozbot train`: train the policy from the project files and the taught conversations."""

from __future__ import annotations

import argparse
import os

from bot.app import training_data
from bot.commands.common import load, open_store, progress, say, store_settings
from bot.retraining import train_now

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
    redis = store_settings(loaded.project, os.environ)
    policy = (await train_now(loaded, data, redis, progress)).policy
    assert policy.metadata is not None
    m = policy.metadata.metrics
    say(
        f"Trained on {m.stories} stories and {m.conversations} taught conversations "
        f"({m.examples} examples, {m.augmented_examples} more from glued stories) in "
        f"{m.seconds:.1f} s; accuracy on the training data {m.accuracy:.2f}. "
        f"Saved to {loaded.project.models_dir}."
    )
