"""What every command shares: settings read once, a progress bar on a terminal and in a log."""

import argparse
import asyncio
import io
import sys
from typing import Any

import pytest

from bot import project as project_module
from bot import yaml_reading
from bot.commands import train
from bot.commands.common import progress
from tests.bot.test_cli import project  # noqa: F401  (a fixture)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def shown(written: str) -> str:
    """What a terminal shows of one line redrawn with \\r and cleared with ESC [K."""
    line = ""
    for part in written.split("\r"):
        kept, clear, _ = part.rstrip("\n").partition("\x1b[K")
        line = kept + ("" if clear else line[len(kept) :])
    return line


def test_on_a_terminal_a_shorter_count_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress("lightgbm", 47, 480)
    progress("lightgbm", 48, 48)  # stopped early: the bar ends full
    assert shown(terminal.getvalue()) == f"{'lightgbm':<24} [{'#' * 30}] 48/48"


def test_in_a_log_only_the_finished_line_is_written(monkeypatch: pytest.MonkeyPatch):
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    progress("lightgbm", 47, 480)
    progress("lightgbm", 48, 48)
    assert log.getvalue() == f"\r{'lightgbm':<24} [{'#' * 30}] 48/48\n"


def test_a_command_parses_config_yml_once(project, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    config = (project / "config.yml").read_text()
    parses = []
    real = yaml_reading.load_yaml

    def counted(text: str, *args: Any) -> Any:
        parses.append(text == config)
        return real(text, *args)

    monkeypatch.setattr(yaml_reading, "load_yaml", counted)
    monkeypatch.setattr(project_module, "load_yaml", counted)
    asyncio.run(train.run(argparse.Namespace(project=str(project))))
    assert parses.count(True) == 1
