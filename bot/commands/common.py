"""What every `ozbot` command shares: loading the project, the store, progress output."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.app import LoadedProject, load_project
from bot.project import Project, open_project, read_config
from bot.stores.base import TrackerStore
from bot.stores.redis import RedisTrackerStore
from bot.stores.settings import RedisSettings, redis_settings
from bot.stores.sqlite import SqliteTrackerStore
from connectors.chat_commands import check_domain


def progress(step: str, done: int, total: int) -> None:
    """A progress bar on stderr: redrawn in place on a terminal, one line when finished."""
    if done < total and not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    bar = f"{'#' * filled}{'.' * (width - filled)}"
    print(f"\r{step:<24} [{bar}] {done}/{total}", end=end, file=sys.stderr, flush=True)


def say(text: str) -> None:
    print(text, flush=True)


def load(args: argparse.Namespace) -> LoadedProject:
    """The project of `--project`, checked; warnings go to stderr."""
    loaded = load_project(open_project(Path(args.project)), check_domain)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return loaded


async def open_store(project: Project) -> TrackerStore:
    """Redis when REDIS_URL or config.yml's `store:` names one, else the project's SQLite file.

    A Redis that is misconfigured or unreachable fails here; there is no fallback to SQLite.
    """
    settings = store_settings(project, os.environ)
    if settings is None:
        return await SqliteTrackerStore.open(project.store_file)
    return await RedisTrackerStore.connect(settings)


def store_settings(project: Project, env: Mapping[str, str]) -> RedisSettings | None:
    """The Redis store's settings (REDIS_URL or config.yml's `store:`), or None for SQLite."""
    default_prefix = f"ozbot:{project.root.name}"
    return redis_settings(env, read_config(project), default_prefix, str(project.config_file))
