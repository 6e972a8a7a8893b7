"""`ozbot init`: a new bot project that starts, trains and answers at once."""

from __future__ import annotations

import os

import pytest

from bot.commands.init import create_project
from bot.errors import ProjectError
from bot.settings import read_settings
from tests.bot.commands.test_run import clean_env
from tests.bot.test_cli import ozbot


def test_a_new_bot_is_checked_trained_and_answers_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "environ", clean_env())
    bot = tmp_path / "my-bot"
    created = ozbot(tmp_path, "init", str(bot))
    assert created.returncode == 0, created.stderr
    assert f"ozbot run --project {bot}" in created.stdout

    checked = ozbot(bot, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stderr == ""  # not even a warning

    talk = ["/greet", "1", "1", "a latte please", "1", "1"]
    result = ozbot(bot, "run", lines=talk)
    assert result.returncode == 0, result.stderr
    assert "Bot: Hello! I'm the coffee bot." in result.stdout
    assert "whose intent is:  order_drink" in result.stdout  # plain words, read by its NLU
    assert "Bot: One latte, coming up! That makes 1 so far." in result.stdout  # its actions.py
    assert (bot / "models").is_dir() and (bot / "ozbot.db").is_file()


def test_nothing_of_the_user_s_is_overwritten(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ProjectError, match=r"is not empty \(notes.txt\); name a new or empty"):
        create_project(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "domain.yml").exists()
    with pytest.raises(ProjectError, match="is a file"):
        create_project(tmp_path / "notes.txt")


def test_an_empty_folder_or_one_with_only_git_is_fine(tmp_path):
    (tmp_path / ".git").mkdir()
    written = [str(path) for path in create_project(tmp_path)]
    assert written == [
        "README.md",
        "actions.py",
        "config.yml",
        "domain.yml",
        "stories/nlu.yml",
        "stories/stories.yml",
    ]


def test_a_new_bot_has_a_name_of_its_own_for_a_shared_redis(tmp_path):
    first, second = tmp_path / "my-bot", tmp_path / "other" / "my-bot"
    create_project(first)
    create_project(second)
    prefixes = {
        read_settings(folder, {"REDIS_URL": "redis://r:6379"}).store.prefix
        for folder in (first, second)
    }
    assert len(prefixes) == 2 and all(p.startswith("ozbot:my-bot-") for p in prefixes)
