"""What every `ozbot` command shares: its project's settings, progress and output lines."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.settings import Settings, read_settings
from bot.settings import environment as set_variables


def settings(args: argparse.Namespace) -> Settings:
    """The settings of `--project`, read once; warnings about config.yml go to stderr."""
    read = read_settings(Path(args.project), environment())
    for warning in read.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return read


def environment() -> dict[str, str]:
    """This process's environment as every command reads it: an empty variable means unset."""
    return set_variables(os.environ)


def progress(step: str, done: int, total: int) -> None:
    """A progress bar on stderr: redrawn in place on a terminal, one line when finished.

    Each redraw clears the rest of the line: a shorter count ("48/48" after "47/480") leaves
    nothing behind.
    """
    on_terminal = sys.stderr.isatty()
    if done < total and not on_terminal:
        return
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    bar = f"{'#' * filled}{'.' * (width - filled)}"
    clear = "\x1b[K" if on_terminal else ""
    print(f"\r{step:<24} [{bar}] {done}/{total}{clear}", end=end, file=sys.stderr, flush=True)


def say(text: str) -> None:
    print(text, flush=True)
