"""`ozbot init [FOLDER]`: a new bot project, ready to run and teach.

The project is a copy of bot/starter/: a small coffee-shop bot with a domain, stories, NLU data,
a config, a custom action and a README of its own, which `ozbot run --project FOLDER` trains
and starts at once.
"""

from __future__ import annotations

import argparse
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from bot.commands.common import say
from bot.errors import ProjectError
from bot.settings import new_assistant_id

HELP = "create a new bot project (domain, stories, NLU data, config, actions) to start from"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        help="where to create it, a new or empty folder (default: --project, here)",
    )


async def run(args: argparse.Namespace) -> None:
    folder: Path = args.folder if args.folder is not None else Path(args.project)
    written = create_project(folder)
    say(f"Created a new bot in {folder}: {', '.join(str(p) for p in written)}.")
    where = "" if folder == Path(".") else f" --project {folder}"
    say(f"Start it and teach it: ozbot run{where}   (its README.md tells more)")


ASSISTANT_ID = (
    "# The bot's own name: its conversations' keys on a Redis shared with other bots.\n"
    "assistant_id: "
)


def create_project(folder: Path) -> list[Path]:
    """Copies the starter bot into `folder`, with a name of its own in config.yml; returns the
    files written, relative to it.

    Refuses a folder that has anything but hidden files in it (a `.git` is fine), so that
    nothing of the user's is ever overwritten.
    """
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder}: is a file; name a new or empty folder for the bot")
    taken = sorted(p.name for p in _entries(folder) if not p.name.startswith("."))
    if taken:
        raise ProjectError(
            f"{folder}: is not empty ({', '.join(taken[:5])}); name a new or empty folder, "
            "e.g. `ozbot init my-bot`"
        )
    written = _copy(resources.files("bot") / "starter", folder, Path())
    with (folder / "config.yml").open("a", encoding="utf-8") as config:
        config.write(f"{ASSISTANT_ID}{new_assistant_id(folder)}\n")
    return written


def _entries(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.is_dir() else []


def _copy(source: Traversable, target: Path, relative: Path) -> list[Path]:
    written = []
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            written += _copy(entry, target, relative / entry.name)
            continue
        (target / relative).mkdir(parents=True, exist_ok=True)
        (target / relative / entry.name).write_bytes(entry.read_bytes())
        written.append(relative / entry.name)
    return written
