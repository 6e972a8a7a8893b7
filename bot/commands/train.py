"""`ozbot train`: train the policy from the project files and the taught conversations."""

from __future__ import annotations

import argparse

from bot.commands.common import progress, say, settings

HELP = "train the policy from domain.yml, stories/ and config.yml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options of its own."""


async def run(args: argparse.Namespace) -> None:
    from bot import app

    read = settings(args)
    policy = (await app.train(read, progress)).policy
    assert policy.metadata is not None
    m = policy.metadata.metrics
    say(
        f"Trained on {m.stories} stories and {m.conversations} taught conversations "
        f"({m.examples} examples, {m.augmented_examples} more from glued stories) in "
        f"{m.seconds:.1f} s; accuracy on the training data {m.accuracy:.2f}. "
        f"Saved to {read.project.models_dir}."
    )
