"""`ozbot review --export FILE` as a user runs it, on the project's SQLite store."""

import json
import shutil
import time

import pytest

from bot.events import ActionExecuted, UserUttered
from bot.review import Flag
from bot.stores.sqlite import SqliteTrackerStore
from tests.bot.test_cli import on_store, ozbot
from tests.conftest import REPO

TURN = [ActionExecuted("action_listen"), UserUttered("wher is my card", "greet")]


@pytest.fixture
def project(tmp_path):
    shutil.copy(REPO / "domain.yml", tmp_path / "domain.yml")
    (tmp_path / "stories").mkdir()
    return tmp_path


def review(project, *args):
    return ozbot(project, "review", *args, env=on_store())


def flag(conversation_id, confidence, at):
    return Flag(conversation_id, 1, "greet", confidence, "utter_greet", 0.9, ("nlu",), at, "hi")


async def test_export_writes_the_flagged_turns_most_useful_first(project, tmp_path):
    store = await SqliteTrackerStore.open(project / "ozbot.db")
    now = time.time()
    flags = [flag("sure", 0.45, now), flag("unsure", 0.1, now), flag("old", 0.1, now - 99 * 86400)]
    for one in flags:
        await store.append(one.conversation_id, TURN, expected_length=0, pending=None, flag=one)
    await store.close()
    result = review(project, "--export", str(tmp_path / "flags.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "2 turns to review, 2 of them about greet." in result.stdout
    lines = (tmp_path / "flags.jsonl").read_text().splitlines()
    assert [json.loads(line)["conversation_id"] for line in lines] == ["unsure", "sure"]
    assert json.loads(lines[0])["text"] == "hi"


def test_an_unwritable_file_is_a_clear_error(project, tmp_path):
    result = review(project, "--export", str(tmp_path / "missing" / "flags.jsonl"))
    assert result.returncode != 0
    assert "cannot write the flagged turns" in result.stderr
    assert "Traceback" not in result.stderr
