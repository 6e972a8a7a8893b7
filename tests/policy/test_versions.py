"""The version a start serves: the newest valid one on disk, else one trained now."""

import os
from pathlib import Path

import pytest

from bot.domain import Domain
from policy.config import PolicyConfig
from policy.deployer import TrainingSetup
from policy.model_store import ModelStore
from policy.persistence import BOOSTER
from policy.training import TrainingData
from policy.versions import starting_version, train_and_save
from tests.policy.concert import concert_stories
from tests.policy.conftest import concert_domain  # noqa: F401  (a fixture)
from tests.policy.retraining_fakes import ThreadWorker


@pytest.fixture
def training(concert_domain: Domain, tmp_path: Path) -> TrainingSetup:  # noqa: F811
    return TrainingSetup(
        concert_domain, PolicyConfig(), ModelStore(tmp_path / "models"), ThreadWorker()
    )


def test_on_restart_the_newest_valid_model_serves_without_training(
    training: TrainingSetup, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = TrainingData(concert_stories(), {})
    train_and_save(training, data)
    train_and_save(training, data)
    booster = tmp_path / "models" / "2" / BOOSTER
    booster.write_text(booster.read_text()[:50])

    live = starting_version(training, data)

    assert live.record.version == 1
    assert "model version 2 cannot serve" in caplog.text
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["1", "2", "current"]


def test_without_a_model_one_is_trained_and_made_live(
    training: TrainingSetup, tmp_path: Path
) -> None:
    live = starting_version(training, TrainingData(concert_stories(), {}))
    assert live.record.version == 1
    assert os.readlink(tmp_path / "models" / "current") == "1"


def test_a_changed_config_trains_a_new_version(training: TrainingSetup) -> None:
    data = TrainingData(concert_stories(), {})
    train_and_save(training, data)
    changed = TrainingSetup(
        training.domain, PolicyConfig(max_history=3), training.models, training.worker
    )
    assert starting_version(changed, data).record.version == 2
    assert starting_version(changed, data).record.version == 2  # and then it serves
