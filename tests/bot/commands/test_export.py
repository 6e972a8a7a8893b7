"""`ozbot export` as a user runs it, against whichever store the project is configured for."""

import shutil
import socket
import sqlite3

import pytest

from bot.domain import load_domain
from bot.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from bot.stores.redis import RedisTrackerStore
from bot.stores.sqlite import SqliteTrackerStore
from bot.stories.model import ActionStep, SlotStep, UserStep, UserTurn
from bot.stories.reader import read_stories, story_files
from tests.bot.test_cli import on_store, ozbot
from tests.conftest import REDIS_URL, REPO
from tests.rasa_schema import validate, validate_domain

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


def export(project, *args, redis_url=None):
    return ozbot(project, "export", *args, env=on_store(redis_url))


def exported_intents(project):
    found = {}
    for path in story_files(project / "stories" / "exported"):
        if path.name.endswith(".nlu.yml"):
            continue
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

    result = export(project, "--all", redis_url=REDIS_URL)
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

    result = export(project, "--conversation", "bob")
    assert result.returncode == 0, result.stderr
    assert list(exported_intents(project)) == ["bob"]
    missing = export(project, "--conversation", "carol")
    assert missing.returncode == 2
    assert "error: the store has no conversation 'carol'" in missing.stderr


async def test_a_corrupt_conversation_is_reported_and_the_others_exported(project, redis_settings):
    (project / "config.yml").write_text(f"store:\n  prefix: {redis_settings.prefix}\n")
    store = await RedisTrackerStore.connect(redis_settings)
    await store.append("alice", GREETING, expected_length=0, pending=None)
    await store.append("bob", GREETING, expected_length=0, pending=None)
    await store._redis.lset(f"{redis_settings.prefix}:conv:{{bob}}:events", 1, "{oops")
    await store.close()

    result = export(project, "--all", redis_url=REDIS_URL)
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

    result = export(project, "--all")
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
    result = export(project, "--all", redis_url=f"redis://127.0.0.1:{port}/0")
    assert result.returncode == 2
    assert f"error: cannot reach Redis at redis://127.0.0.1:{port}/0" in result.stderr
    assert not (project / "ozbot.db").exists()


CONCERTS = [
    ActionExecuted("action_listen"),
    UserUttered("concerts in Berlin", "search_concerts", {"city": "Berlin"}, confidence=0.9),
    ActionExecuted("action_search_concerts", "trainer"),
    SlotSet("concerts", [{"artist": "Foo Fighters", "reviews": 4.5}]),
    ActionExecuted("action_listen"),
]


async def stored(project, conversations):
    store = await SqliteTrackerStore.open(project / "ozbot.db")
    for conversation_id, events in conversations.items():
        await store.append(conversation_id, events, expected_length=0, pending=None)
    await store.close()


def exported_files(folder):
    return sorted(path.name for path in folder.iterdir())


async def test_the_concert_bot_exports_what_rasa_3_s_schemas_accept_and_reads_it_back(project):
    shutil.copytree(REPO / "stories", project / "stories", ignore=shutil.ignore_patterns("exp*"))
    await stored(project, {"alice": GREETING + CONCERTS})

    markdown = export(project, "--all")  # the concert bot's stories are Markdown
    assert markdown.returncode == 0, markdown.stderr
    exported = project / "stories" / "exported"
    assert exported_files(exported) == ["alice.md", "alice.nlu.yml"]

    result = export(project, "--all", "--format", "yaml", "--domain")
    assert result.returncode == 0, result.stderr
    assert exported_files(exported) == ["alice.nlu.yml", "alice.yml"]  # the .md one replaced
    validate((exported / "alice.yml").read_text(), "stories")
    validate((exported / "alice.nlu.yml").read_text(), "nlu")
    domain_file = project / "exported-domain.yml"
    assert f"domain -> {domain_file}" in result.stdout
    written = validate_domain(domain_file.read_text())
    assert written["slots"]["city"] == {
        "type": "any",
        "influence_conversation": False,
        "mappings": [{"type": "from_entity", "entity": "city"}],
    }
    assert written["slots"]["concerts"]["mappings"] == [{"type": "custom"}]
    assert "action_search_concerts" in written["actions"]
    [story] = read_stories(exported / "alice.yml")
    assert story.steps[-2:] == (
        ActionStep("action_search_concerts"),
        SlotStep("concerts", [{"artist": "Foo Fighters", "reviews": 4.5}]),
    )
    assert load_domain(domain_file).actions == load_domain(project / "domain.yml").actions


async def test_a_yaml_bot_with_rules_exports_yaml_and_a_domain_rasa_accepts(tmp_path):
    project = tmp_path / "reminderbot"
    shutil.copytree(REPO / "tests" / "rasa_bots" / "reminderbot", project)
    greeting = [
        ActionExecuted("action_listen"),
        UserUttered("hello, I am Ada", "greet", {"name": "Ada"}, confidence=0.9),
        ActionExecuted("utter_what_can_do", "trainer"),
        ActionExecuted("action_listen"),
    ]
    await stored(project, {"ada": greeting})

    result = export(project, "--all", "--domain", str(tmp_path / "domain.yml"))
    assert result.returncode == 0, result.stderr
    [story_file] = (project / "data" / "exported").glob("ada.yml")
    validate(story_file.read_text(), "stories")
    validate((project / "data" / "exported" / "ada.nlu.yml").read_text(), "nlu")
    written = validate_domain((tmp_path / "domain.yml").read_text())
    assert written["slots"]["name"]["mappings"] == [{"type": "from_entity", "entity": "name"}]
    [story] = read_stories(story_file)
    assert story.steps[0] == UserStep((UserTurn("greet", {"name": "Ada"}),))


def test_the_domain_alone_needs_no_store_and_nothing_asked_is_an_error(project):
    result = export(project, "--domain")
    assert result.returncode == 0, result.stderr
    validate_domain((project / "exported-domain.yml").read_text())
    assert not (project / "ozbot.db").exists()
    nothing = export(project)
    assert nothing.returncode == 2
    assert "say what to export: --all, --conversation ID or --domain" in nothing.stderr
