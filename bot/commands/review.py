"""`ozbot review --export FILE`: the users' turns flagged for review, for offline work."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bot.commands.common import say, settings
from bot.errors import OzbotError
from bot.exporter import replace_whole
from bot.review import expired, ranked, summarize
from bot.texts import review_summary

HELP = "the users' turns flagged for review: --export FILE writes them (JSON Lines)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--export",
        metavar="FILE",
        required=True,
        help="write the flagged turns, most useful first, one JSON object a line",
    )


async def run(args: argparse.Namespace) -> None:
    from bot import app

    read = settings(args)
    async with app.opened_store(read) as store:
        flags = await app.review_queue(store).flags()
    now = time.time()
    kept = ranked(flag for flag in flags if not expired(flag, read.review, now))
    target = Path(args.export)
    try:
        replace_whole(target, "".join(f"{flag.to_json()}\n" for flag in kept))
    except OSError as exc:
        raise OzbotError(f"{target}: cannot write the flagged turns: {exc}") from exc
    found = summarize(kept)
    say(f"{review_summary(found.total, found.top_intent, found.top_count)} Written to {target}.")
