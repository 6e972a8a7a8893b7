"""The running bot as bot/app.py builds it: a project's files, its store, its model and rollout."""

import asyncio
import shutil
import socket
import sys
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from bot import texts
from bot.app import Bot, TrainerNotes, load_project, running_bot, serving_platforms, train
from bot.engine import Command, UserMessage
from bot.errors import ConnectorError, ModelError, ProjectError
from bot.events import ActionExecuted
from bot.outputs import ActionProposal, BotMessage, Choices, Exported
from bot.settings import Settings, read_serving, read_settings
from bot.stores.redis_rollout import RedisRollout
from bot.stores.settings import RedisSettings
from bot.stories.model import ActionStep, UserStep, UserTurn
from bot.stories.reader import read_stories
from bot.teaching import Answer
from rasa_actions.server import RemoteAction
from tests.bot.test_cli import project  # noqa: F401  (a fixture)
from tests.conftest import REPO
from tests.connectors.fake_telegram import FakeBotApi
from tests.nlu.test_rasa_http import BERLIN, rasa  # noqa: F401  (a fixture)
from tests.rasa_actions.conftest import SDK_BOT, action_server_url  # noqa: F401  (a fixture)

WAIT_STEPS = 500
"""Polls of 10 ms for something a background task does (a bound, not a measurement)."""


def no_progress(step: str, done: int, total: int) -> None:
    """Quiet."""


def on_redis(root: Path, redis: RedisSettings) -> Settings:
    return replace(read_settings(root, {}), store=redis)


def learning_on_redis(
    root: Path, redis: RedisSettings, notes: TrainerNotes | None = None
) -> AbstractAsyncContextManager[Bot]:
    """The project's bot on Redis, learning from its trainers, as one replica runs."""
    return running_bot(
        on_redis(root, redis), learn=True, progress=no_progress, notes=notes or TrainerNotes()
    )


def replica_of(root: Path, tmp_path: Path) -> Path:
    """A copy of the project for a second replica: its own models/ folder, the same store."""
    elsewhere = tmp_path / "replica"
    shutil.copytree(root, elsewhere)
    return elsewhere


def paced(root: Path, **retraining: float) -> None:
    """config.yml's `retraining:` set to these."""
    config = yaml.safe_load((root / "config.yml").read_text())
    (root / "config.yml").write_text(yaml.safe_dump({**config, "retraining": retraining}))


def test_an_intent_named_like_a_chat_command_is_refused_before_anything_trains(
    tmp_path: Path,
) -> None:
    domain = (REPO / "domain.yml").read_text().replace("- greet", "- greet\n  - status", 1)
    (tmp_path / "domain.yml").write_text(domain)
    with pytest.raises(ProjectError, match="intents: status collide with ozbot's commands"):
        load_project(read_settings(tmp_path, {}))
    assert not (tmp_path / "models").exists()


def test_a_story_file_that_does_not_parse_is_reported_and_skipped(
    project: Path,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = project / "stories" / "broken.md"
    broken.write_text('## hand edited\n* search_concerts{"city": "<!--"}\n')
    loaded = load_project(read_settings(project, {}))
    assert loaded.stories  # the concert bot's stories still serve
    assert f"skipped a story file: {broken}:2" in caplog.text


async def test_the_built_bot_answers_on_the_project_s_sqlite_store(project: Path) -> None:  # noqa: F811
    notes: list[str] = []
    settings = read_settings(project, {})
    async with running_bot(
        settings, learn=False, progress=no_progress, notes=TrainerNotes(notes.append)
    ) as bot:
        outputs = await bot.engine.handle("u1", UserMessage("/greet"), trainer=False)
        metrics = (await bot.metrics()).splitlines()
        assert "ozbot_model_version 1" in metrics
        assert "ozbot_review_queue 0" in metrics
        assert (await bot.health()).ok
        assert bot.commands(learn=False).retrain is None
    assert [o.text for o in outputs if isinstance(o, BotMessage)] == ["hey there!"]
    assert (project / "ozbot.db").is_file()
    async with running_bot(
        settings, learn=False, progress=no_progress, notes=TrainerNotes(notes.append)
    ) as bot:
        assert len((await bot.engine.store.load("u1")).events) > 0  # kept across starts
    assert notes == []


def test_trainer_notes_reach_every_reader_that_joined() -> None:
    terminal: list[str] = []
    telegram: list[str] = []
    notes = TrainerNotes(terminal.append)
    notes.join(telegram.append)
    notes("model 2 live: 8 stories, trained in 1.0 s")
    assert terminal == telegram == ["model 2 live: 8 stories, trained in 1.0 s"]


async def test_ozbot_train_with_redis_reaches_the_running_replicas(
    project: Path,  # noqa: F811
    redis_settings: RedisSettings,
    tmp_path: Path,
) -> None:
    elsewhere = replica_of(project, tmp_path)
    notes: list[str] = []
    async with learning_on_redis(elsewhere, redis_settings, TrainerNotes(notes.append)) as replica:
        trained = await train(on_redis(project, redis_settings), no_progress)
        for _ in range(WAIT_STEPS):
            if replica.live.version == trained.record.version:
                break
            await asyncio.sleep(0.01)
        assert replica.live.version == 2

    assert trained.record.version == 2  # after the replica's version 1 on disk elsewhere
    assert (elsewhere / "models" / "2" / "version.json").is_file()
    assert notes == []


async def test_ozbot_train_refuses_while_a_replica_retrains(
    project: Path,  # noqa: F811
    redis_settings: RedisSettings,
) -> None:
    rollout = await RedisRollout.connect(redis_settings)
    try:
        async with rollout.claim():
            with pytest.raises(ModelError, match=texts.RETRAIN_CLAIMED):
                await train(on_redis(project, redis_settings), no_progress)
    finally:
        await rollout.stop()
    assert not (project / "models" / "1").exists()


async def test_a_corrupt_published_model_keeps_the_live_one_and_is_reported(
    project: Path,  # noqa: F811
    redis_settings: RedisSettings,
) -> None:
    notes: list[str] = []
    publisher = await RedisRollout.connect(redis_settings)
    try:
        async with learning_on_redis(project, redis_settings, TrainerNotes(notes.append)) as bot:
            await publisher.publish(2, b"not a model")
            for _ in range(WAIT_STEPS):
                if notes:
                    break
                await asyncio.sleep(0.01)
            assert bot.live.version == 1
            metrics = (await bot.metrics()).splitlines()
    finally:
        await publisher.stop()

    assert notes == [
        "retraining failed: published model version 2 is corrupt: not a gzip file; "
        "model 1 keeps serving"
    ]
    assert 'ozbot_errors_total{kind="background"} 1' in metrics


async def test_a_start_that_fails_half_way_closes_what_it_opened(project: Path) -> None:  # noqa: F811
    """Telegram refuses the token after the store, the model and the web server are up: the
    error reaches the user and the port is free again for the next start."""
    api = FakeBotApi()
    await api.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "TELEGRAM_TOKEN": "1:wrong",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "OZBOT_HOST": "127.0.0.1",
    }
    settings, serving = read_settings(project, {}), read_serving(["telegram"], port, env)
    notes = TrainerNotes()
    try:
        with pytest.raises(ConnectorError, match="Telegram rejected TELEGRAM_TOKEN"):
            async with (
                running_bot(settings, learn=True, progress=no_progress, notes=notes) as bot,
                serving_platforms(settings, serving, bot),
            ):
                pytest.fail("the start went through")
    finally:
        await api.stop()
    with socket.socket() as again:  # the web server let go of its port
        again.bind(("127.0.0.1", port))


async def test_with_nlu_data_people_write_sentences_and_a_correction_sticks(
    project: Path,  # noqa: F811
) -> None:
    shutil.copy(REPO / "stories" / "nlu.yml", project / "stories" / "nlu.yml")
    settings = read_settings(project, {})
    notes = TrainerNotes()
    async with running_bot(settings, learn=True, progress=no_progress, notes=notes) as bot:
        engine = bot.engine
        said = await engine.handle("user", UserMessage("any concerts in Berlin?"), trainer=False)
        assert next(o.text for o in said if isinstance(o, BotMessage)) == (
            "looking for concerts in Berlin"
        )
        [asked] = await engine.handle("t", UserMessage("where do bands play"), trainer=True)
        assert isinstance(asked, ActionProposal) and asked.intent != "search_venues"
        [choices] = await engine.handle(
            "t", Answer(asked.question_id, "wrong_intent"), trainer=True
        )
        assert isinstance(choices, Choices)
        await engine.handle(
            "t", Answer(choices.question_id, "choose_intent", "search_venues"), trainer=True
        )
        [again] = await engine.handle("t2", UserMessage("Where do bands play"), trainer=True)
        assert isinstance(again, ActionProposal) and again.intent == "search_venues"
    async with running_bot(settings, learn=True, progress=no_progress, notes=notes) as bot:
        [later] = await bot.engine.handle("t3", UserMessage("where do bands play"), trainer=True)
        assert isinstance(later, ActionProposal) and later.intent == "search_venues"


async def test_a_correction_sticks_on_another_replica_at_once(
    project: Path,  # noqa: F811
    redis_settings: RedisSettings,
    tmp_path: Path,
) -> None:
    shutil.copy(REPO / "stories" / "nlu.yml", project / "stories" / "nlu.yml")
    paced(project, wait_seconds=3600, min_interval_seconds=3600)  # no retrain meanwhile
    elsewhere = replica_of(project, tmp_path)
    async with (
        learning_on_redis(project, redis_settings) as bot,
        learning_on_redis(elsewhere, redis_settings) as replica,
    ):
        assert replica.engine.nlu is not None
        domain = replica.engine.domain
        before = await replica.engine.nlu.read("Where do bands play", domain)
        assert before.intent != "search_venues"
        versions = (bot.live.version, replica.live.version)
        [asked] = await bot.engine.handle("t", UserMessage("where do bands play"), trainer=True)
        [choices] = await bot.engine.handle(
            "t", Answer(asked.question_id, "wrong_intent"), trainer=True
        )
        await bot.engine.handle(
            "t", Answer(choices.question_id, "choose_intent", "search_venues"), trainer=True
        )
        for _ in range(WAIT_STEPS * 4):
            read = await replica.engine.nlu.read("Where do bands play", domain)
            if read.intent == "search_venues":
                break
            await asyncio.sleep(0.01)
        assert read.intent == "search_venues"
        assert (bot.live.version, replica.live.version) == versions  # no new version needed


async def test_a_correction_reaches_another_replica_with_the_next_model_version(
    project: Path,  # noqa: F811
    redis_settings: RedisSettings,
    tmp_path: Path,
) -> None:
    shutil.copy(REPO / "stories" / "nlu.yml", project / "stories" / "nlu.yml")
    paced(project, wait_seconds=0.05)
    elsewhere = replica_of(project, tmp_path)
    async with (
        learning_on_redis(project, redis_settings) as bot,
        learning_on_redis(elsewhere, redis_settings) as replica,
    ):
        [asked] = await bot.engine.handle("t", UserMessage("where do bands play"), trainer=True)
        assert isinstance(asked, ActionProposal) and asked.intent != "search_venues"
        [choices] = await bot.engine.handle(
            "t", Answer(asked.question_id, "wrong_intent"), trainer=True
        )
        outputs = await bot.engine.handle(
            "t", Answer(choices.question_id, "choose_intent", "search_venues"), trainer=True
        )
        [proposal] = [o for o in outputs if isinstance(o, ActionProposal)]
        await bot.engine.handle("t", Answer(proposal.question_id, "approve"), trainer=True)
        before = replica.live.version or 0
        for _ in range(WAIT_STEPS * 4):
            if (replica.live.version or 0) > before:
                break
            await asyncio.sleep(0.01)
        assert (replica.live.version or 0) > before
        [read] = await replica.engine.handle("r", UserMessage("Where do bands play"), trainer=True)
        assert isinstance(read, ActionProposal) and read.intent == "search_venues"
        version = replica.live.version
        assert (elsewhere / "models" / str(version) / "nlu" / "taught.json").is_file()


async def test_config_yml_sets_the_retraining_pace(project: Path) -> None:  # noqa: F811
    paced(project, after_turns=1, wait_seconds=0, min_interval_seconds=0)
    notes: list[str] = []
    settings = read_settings(project, {})
    async with running_bot(
        settings, learn=True, progress=no_progress, notes=TrainerNotes(notes.append)
    ) as bot:
        [asked] = await bot.engine.handle("t", UserMessage("/greet"), trainer=True)
        assert isinstance(asked, ActionProposal)
        await bot.engine.handle("t", Answer(asked.question_id, "approve"), trainer=True)
        await asyncio.wait_for(bot.schedule.wait_idle(), 60)

        assert bot.live.version == 2  # one approved turn is enough here
    assert notes == []  # without a correction, nobody is told


async def test_a_python_class_in_config_yml_reads_the_free_text(project: Path) -> None:  # noqa: F811
    (project / "keywords_nlu.py").write_text(
        "class Keywords:\n"
        "    async def parse(self, text):\n"
        "        found = text.find('Berlin')\n"
        "        city = [{'entity': 'city', 'start': found, 'end': found + 6, 'value': 'Berlin'}]\n"
        "        return {'intent': {'name': 'search_concerts', 'confidence': 0.9},\n"
        "                'entities': city if found >= 0 else []}\n",
        encoding="utf-8",
    )
    config = (project / "config.yml").read_text()
    (project / "config.yml").write_text(config + "nlu: {class: keywords_nlu.Keywords}\n")
    settings = read_settings(project, {})
    async with running_bot(
        settings, learn=False, progress=no_progress, notes=TrainerNotes()
    ) as bot:
        said = await bot.engine.handle("u", UserMessage("gigs in Berlin?"), trainer=False)
    assert next(o.text for o in said if isinstance(o, BotMessage)) == (
        "looking for concerts in Berlin"
    )
    (project / "config.yml").write_text(config + "nlu: {class: keywords_nlu.Missing}\n")
    with pytest.raises(ProjectError, match="nlu.class: keywords_nlu.Missing: keywords_nlu has no"):
        load_project(read_settings(project, {}))


async def test_a_rasa_server_in_config_yml_reads_the_free_text(project: Path, rasa) -> None:  # noqa: F811
    async def answer(request):
        return web.json_response(BERLIN)

    url = await rasa(answer)
    config = (project / "config.yml").read_text()
    (project / "config.yml").write_text(config + f"nlu: {{url: '{url}'}}\n")
    settings = read_settings(project, {})
    async with running_bot(
        settings, learn=False, progress=no_progress, notes=TrainerNotes()
    ) as bot:
        said = await bot.engine.handle("u", UserMessage("any concerts in Berlin?"), trainer=False)
    assert next(o.text for o in said if isinstance(o, BotMessage)) == (
        "looking for concerts in Berlin"
    )


async def test_an_export_in_the_chat_of_a_yaml_project_writes_rasa_3_yaml(tmp_path: Path) -> None:
    root = tmp_path / "moodbot"
    shutil.copytree(REPO / "tests" / "rasa_bots" / "moodbot", root)
    settings = read_settings(root, {})
    notes = TrainerNotes(lambda note: None)
    async with running_bot(settings, learn=False, progress=no_progress, notes=notes) as bot:
        await bot.engine.handle("u1", UserMessage("/greet"), trainer=False)
        [exported] = await bot.engine.handle("u1", Command("export"), trainer=True)
    assert isinstance(exported, Exported)
    assert exported.path == str(root / "data" / "exported" / "u1.yml")
    [story] = read_stories(Path(exported.path))
    assert story.steps[:2] == (UserStep((UserTurn("greet"),)), ActionStep("utter_greet"))


async def test_a_rasa_project_s_actions_run_on_its_action_server(
    tmp_path: Path,
    action_server_url: str,  # noqa: F811
) -> None:
    shutil.copytree(SDK_BOT, tmp_path / "bot", ignore=shutil.ignore_patterns("actions"))
    endpoint = f"action_endpoint:\n  url: {action_server_url}\n"
    (tmp_path / "bot" / "endpoints.yml").write_text(endpoint)
    settings = read_settings(tmp_path / "bot", {})
    async with running_bot(
        settings, learn=False, progress=no_progress, notes=TrainerNotes()
    ) as bot:
        outputs = await bot.engine.handle("u1", UserMessage("/follow"), trainer=False)
        said = await bot.engine.handle("u1", UserMessage('/search{"city": "Rome"}'), trainer=False)
        events = (await bot.engine.store.load("u1")).events
    assert [o.text for o in outputs if isinstance(o, BotMessage)] == ["goodbye, None"]
    assert ActionExecuted("utter_goodbye", "followup", 1.0) in events
    assert next(o.text for o in said if isinstance(o, BotMessage)).startswith(
        "u1 asked (search) for concerts in Rome"
    )


@pytest.mark.parametrize(
    ("library", "message"),
    [
        ("rasa_sdk", "written for rasa-sdk: pip install rasa-sdk"),
        ("rasa_core_sdk", "stands in for Rasa Core 0.x's rasa_core_sdk with"),  # not its forms
    ],
)
def test_actions_whose_rasa_library_is_not_here_run_on_the_action_server(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    library: str,
    message: str,
) -> None:
    shutil.copytree(SDK_BOT, tmp_path / "bot")
    actions = tmp_path / "bot" / "actions" / "actions.py"
    actions.write_text(actions.read_text().replace("rasa_sdk", library))
    monkeypatch.setitem(sys.modules, "rasa_sdk", None)  # as if not installed
    with pytest.raises(ProjectError, match=message):
        load_project(read_settings(tmp_path / "bot", {}))
    endpoint = "action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n"
    (tmp_path / "bot" / "endpoints.yml").write_text(endpoint)
    loaded = load_project(read_settings(tmp_path / "bot", {}))
    assert isinstance(loaded.actions.get("action_search_concerts"), RemoteAction)
    assert "the action server at http://127.0.0.1:5055/webhook runs them" in caplog.text
