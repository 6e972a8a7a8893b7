"""`ozbot export`: stored conversations as Rasa stories, from the configured store, and with
`--domain` the domain as Rasa 3 reads it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.common import say, settings
from bot.domain import load_domain
from bot.domain_writer import write_domain_yaml
from bot.errors import OzbotError, StoreError, StoreUnavailableError
from bot.exporter import FORMATS, StoryExporter, project_story_format
from bot.project import Project
from bot.stories.export import stories_from_events

if TYPE_CHECKING:
    from bot.stores.base import TrackerStore

HELP = "write stored conversations as Rasa stories to stories/exported/ (and the domain)"
DOMAIN_FILE = "exported-domain.yml"
"""Where `--domain` writes by default: in the project, outside its data and its domain.yml."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every stored conversation")
    which.add_argument("--conversation", metavar="ID", help="the conversation with this id")
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        help="yaml: Rasa 2/3 stories; md: Rasa 1 Markdown "
        "(default: the format most of the project's story files use, yaml when none)",
    )
    parser.add_argument(
        "--domain",
        nargs="?",
        const="",
        metavar="FILE",
        help=f"also write the domain as Rasa 3.6 reads it (default file: {DOMAIN_FILE} "
        "in the project)",
    )


async def run(args: argparse.Namespace) -> None:
    from bot import app

    read = settings(args)
    if args.domain is not None:
        _export_domain(read.project, args.domain)
    if not args.all and args.conversation is None:
        if args.domain is None:
            raise OzbotError("say what to export: --all, --conversation ID or --domain")
        return
    story_format = args.format or project_story_format(read.project.data_dirs)
    async with app.opened_store(read) as store:
        if args.all:
            ids = await store.conversation_ids()
        elif (await store.load(args.conversation)).events:
            ids = [args.conversation]
        else:
            raise OzbotError(f"the store has no conversation {args.conversation!r}")
        await _export(store, ids, StoryExporter(read.project.exported_dir, story_format))


def _export_domain(project: Project, file: str) -> None:
    """The project's domain in Rasa 3 YAML, to `file` or by default into the project."""
    path = Path(file) if file else project.root / DOMAIN_FILE
    text = write_domain_yaml(load_domain(project.domain_file))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OzbotError(f"{path}: cannot write the domain: {exc.strerror or exc}") from exc
    say(f"domain -> {path}")


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
