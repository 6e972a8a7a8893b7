import logging
import os
import shutil

import pytest

from bot.app import current_policy, load_project, train_and_save, training_data
from bot.errors import ProjectError, StoreError
from bot.events import ActionExecuted, UserUttered
from bot.project import open_project
from bot.stores.memory import MemoryTrackerStore
from bot.tracker import SNAPSHOT_TURNS
from policy.persistence import BOOSTER
from policy.training import TrainingData
from tests.bot.test_cli import project  # noqa: F401  (a fixture)
from tests.conftest import REPO


def events(at, policy):
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("/greet", "greet", timestamp=at),
        ActionExecuted("utter_greet", policy, 1.0, timestamp=at),
    ]


async def test_training_data_holds_taught_conversations_newest_last():
    store = MemoryTrackerStore()
    await store.append("a-late", events(300.0, "trainer"), expected_length=0, pending=None)
    await store.append("b-user", events(100.0, "lightgbm"), expected_length=0, pending=None)
    await store.append("c-early", events(200.0, "trainer"), expected_length=0, pending=None)
    data = await training_data(load_project(open_project(REPO)), store)
    assert list(data.conversations) == ["c-early", "a-late"]
    assert {"greet", "compare_reviews_concerts"} <= {story.name for story in data.stories}


async def test_a_corrupt_conversation_is_left_out_of_training_with_a_warning(caplog):
    class CorruptStore(MemoryTrackerStore):
        async def load(self, conversation_id):
            if conversation_id == "broken":
                raise StoreError("conversation broken, event 0: stored event is not valid JSON")
            return await super().load(conversation_id)

    store = CorruptStore()
    await store.append("broken", events(100.0, "trainer"), expected_length=0, pending=None)
    await store.append("fine", events(200.0, "trainer"), expected_length=0, pending=None)
    with caplog.at_level(logging.WARNING):
        data = await training_data(load_project(open_project(REPO)), store)
    assert list(data.conversations) == ["fine"]
    assert "not training on conversation broken: conversation broken, event 0" in caplog.text


def test_a_policy_window_longer_than_the_snapshot_is_refused_at_start_up(tmp_path):
    shutil.copy(REPO / "domain.yml", tmp_path / "domain.yml")
    (tmp_path / "config.yml").write_text(f"max_history: {SNAPSHOT_TURNS + 1}\n")
    with pytest.raises(ProjectError, match=f"max_history {SNAPSHOT_TURNS + 1} is more than the"):
        load_project(open_project(tmp_path))


def test_on_restart_the_newest_valid_model_serves_without_training(project, caplog):  # noqa: F811
    loaded = load_project(open_project(project))
    data = TrainingData(loaded.stories, {})
    train_and_save(loaded, data)
    train_and_save(loaded, data)
    booster = project / "models" / "2" / BOOSTER
    booster.write_text(booster.read_text()[:50])

    live = current_policy(loaded, data)

    assert live.record.version == 1
    assert "model version 2 cannot serve" in caplog.text
    assert sorted(p.name for p in (project / "models").iterdir()) == ["1", "2", "current"]


def test_without_a_model_one_is_trained_and_made_live(project):  # noqa: F811
    loaded = load_project(open_project(project))
    live = current_policy(loaded, TrainingData(loaded.stories, {}))
    assert live.record.version == 1
    assert os.readlink(project / "models" / "current") == "1"
