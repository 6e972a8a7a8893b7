"""`ozbot export` as a user runs it, against whichever store the project is configured for."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys

import pytest

from bot.events import ActionExecuted, BotUttered, UserUttered
from bot.stores.redis import RedisTrackerStore
from bot.stores.sqlite import SqliteTrackerStore
from bot.stories.model import ActionStep, UserStep
from bot.stories.reader import read_stories
from tests.conftest import REDIS_URL, REPO

GREETING = [
    ActionExecuted("action_listen"),
    UserUttered("/greet", "greet"),
    ActionExecuted("utter_greet"),
    BotUttered("hey there!"),
    ActionExecuted("action_listen"),
]


@pytest.fixture
def project(tmp_path):
    shutil.copy(REPO / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def ozbot(project, *args, redis_url=None):
    environ = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    if redis_url:
        environ["REDIS_URL"] = redis_url
    return subprocess.run(
        [sys.executable, "-m", "bot", "--project", str(project), "export", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environ,
        cwd=REPO,
    )


def exported_intents(project):
    found = {}
    for path in (project / "stories" / "exported").glob("*.md"):
        [story] = read_stories(path)
        steps = story.steps
        found[path.stem] = (
            [s.alternatives[0].intent for s in steps if isinstance(s, UserStep)],
            [s.name for s in steps if isinstance(s, ActionStep)],
        )
    return found


async def test_export_all_reads_redis_under_the_configured_prefix(project, redis_settings):
    (project / "config.yml").write_text(f"store:\n  prefix: {redis_settings.prefix}\n")
    store = await RedisTrackerStore.connect(redis_settings)
    for conversation_id in ("alice", "bob"):
        await store.append(conversation_id, GREETING, expected_length=0, pending=None)
    await store.append("silent", GREETING[:1], expected_length=0, pending=None)
    await store.close()

    result = ozbot(project, "--all", redis_url=REDIS_URL)
    assert result.returncode == 0, result.stderr
    assert "Exported 2 stories from 2 of 3 conversations." in result.stdout
    assert exported_intents(project) == {
        "alice": (["greet"], ["utter_greet"]),
        "bob": (["greet"], ["utter_greet"]),
    }


async def test_export_one_conversation_from_the_sqlite_store(project):
    store = await SqliteTrackerStore.open(project / "ozbot.db")
    await store.append("alice", GREETING, expected_length=0, pending=None)
    await store.append("bob", GREETING, expected_length=0, pending=None)
    await store.close()

    result = ozbot(project, "--conversation", "bob")
    assert result.returncode == 0, result.stderr
    assert list(exported_intents(project)) == ["bob"]
    missing = ozbot(project, "--conversation", "carol")
    assert missing.returncode == 2
    assert "error: the store has no conversation 'carol'" in missing.stderr


async def test_a_corrupt_conversation_is_reported_and_the_others_exported(project, redis_settings):
    (project / "config.yml").write_text(f"store:\n  prefix: {redis_settings.prefix}\n")
    store = await RedisTrackerStore.connect(redis_settings)
    await store.append("alice", GREETING, expected_length=0, pending=None)
    await store.append("bob", GREETING, expected_length=0, pending=None)
    await store._redis.lset(f"{redis_settings.prefix}:conv:{{bob}}:events", 1, "{oops")
    await store.close()

    result = ozbot(project, "--all", redis_url=REDIS_URL)
    assert result.returncode == 2
    assert f"skipped bob: {redis_settings.prefix}:conv:{{bob}}:events, event 1:" in result.stderr
    assert "error: 1 conversation(s) could not be read: bob" in result.stderr
    assert list(exported_intents(project)) == ["alice"]


async def test_an_event_of_wrong_types_skips_its_conversation_only(project):
    store = await SqliteTrackerStore.open(project / "ozbot.db")
    await store.append("alice", GREETING, expected_length=0, pending=None)
    await store.append("bob", GREETING, expected_length=0, pending=None)
    await store.close()
    with sqlite3.connect(project / "ozbot.db") as db:
        db.execute(
            "UPDATE events SET data = ? WHERE conversation_id = 'bob' AND seq = 1",
            ('{"event": "user", "v": 1, "text": "/greet", "intent": "greet", "entities": 5}',),
        )

    result = ozbot(project, "--all")
    assert result.returncode == 2
    assert "skipped bob: conversation bob, event 1: event 'user' has a wrong entities: 5" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert list(exported_intents(project)) == ["alice"]


def test_an_unreachable_redis_fails_instead_of_falling_back_to_sqlite(project):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = ozbot(project, "--all", redis_url=f"redis://127.0.0.1:{port}/0")
    assert result.returncode == 2
    assert f"error: cannot reach Redis at redis://127.0.0.1:{port}/0" in result.stderr
    assert not (project / "ozbot.db").exists()
