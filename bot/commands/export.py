"""`ozbot export`: stored conversations as Rasa Markdown stories, from the configured store."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.commands.common import say, settings
from bot.errors import OzbotError, StoreError, StoreUnavailableError
from bot.exporter import StoryExporter
from bot.stories.export import stories_from_events

if TYPE_CHECKING:
    from bot.stores.base import TrackerStore

HELP = "write stored conversations as Rasa Markdown stories to stories/exported/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every stored conversation")
    which.add_argument("--conversation", metavar="ID", help="the conversation with this id")


async def run(args: argparse.Namespace) -> None:
    from bot import app

    read = settings(args)
    async with app.opened_store(read) as store:
        if args.all:
            ids = await store.conversation_ids()
        elif (await store.load(args.conversation)).events:
            ids = [args.conversation]
        else:
            raise OzbotError(f"the store has no conversation {args.conversation!r}")
        await _export(store, ids, StoryExporter(read.project.exported_dir))


async def _export(store: TrackerStore, ids: list[str], exporter: StoryExporter) -> None:
    """Exports one file per conversation with stories; a corrupt one is reported and skipped."""
    written = stories = 0
    failed = []
    for conversation_id in ids:
        try:
            events = (await store.load(conversation_id)).events
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            print(f"skipped {conversation_id}: {exc}", file=sys.stderr)
            failed.append(conversation_id)
            continue
        if not stories_from_events(events, conversation_id):
            continue
        exported = await exporter.export(conversation_id, events)
        say(f"{conversation_id}: {_stories(exported.stories)} -> {exported.path}")
        written, stories = written + 1, stories + exported.stories
    say(f"Exported {_stories(stories)} from {written} of {len(ids)} conversations.")
    if failed:
        raise StoreError(f"{len(failed)} conversation(s) could not be read: {', '.join(failed)}")


def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"
