import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Domain
from bot.errors import ModelError
from bot.events import ACTION_RESTART, ActionExecuted, Corrected, Restarted, UserUttered
from bot.policy import TRAINER
from bot.tracker import Tracker
from policy.ensemble import EnsemblePolicy
from policy.model_store import POINTER, ModelStore, VersionRecord, taught_dialogues
from policy.persistence import BOOSTER, METADATA
from policy.training import TrainingData
from tests.policy.concert import concert_stories


@pytest.fixture
def saved(
    train_concert: Callable[..., EnsemblePolicy], tmp_path: Path
) -> Callable[[int], ModelStore]:
    """A model store with versions 1..n of the concert policy, the newest live."""
    policy = train_concert()

    def save(versions: int) -> ModelStore:
        models = ModelStore(tmp_path / "models")
        for version in range(1, versions + 1):
            record = VersionRecord.of(version, policy, TrainingData(concert_stories(), {}))
            models.commit(models.add(policy, record), version)
            models.set_live(version)
        return models

    return save


def test_the_newest_version_serves_and_current_points_at_it(
    saved: Callable[[int], ModelStore], concert_domain: Domain
) -> None:
    models = saved(3)
    found = models.newest_valid(concert_domain)
    assert found is not None
    assert found.record.version == 3
    assert (models.live(), os.readlink(models.root / POINTER)) == (3, "3")


def test_a_corrupt_newest_model_falls_back_to_the_one_before(
    saved: Callable[[int], ModelStore], concert_domain: Domain, caplog: pytest.LogCaptureFixture
) -> None:
    models = saved(2)
    booster = models.folder(2) / BOOSTER
    booster.write_text(booster.read_text()[:100])

    found = models.newest_valid(concert_domain)

    assert found is not None and found.record.version == 1
    assert "model version 2 cannot serve" in caplog.text


@pytest.mark.parametrize(
    "change",
    [
        {"classes": "out of range"},  # the last class names an action the domain lacks
        {"temperature": -1.0},
        {"classes": "repeated"},
    ],
)
def test_a_newest_model_that_cannot_predict_gives_way_to_the_one_before(
    saved: Callable[[int], ModelStore], concert_domain: Domain, change: dict[str, Any]
) -> None:
    models = saved(2)
    path = models.folder(2) / METADATA
    metadata = json.loads(path.read_text())
    classes = metadata["classes"]
    wrong = {"out of range": [*classes[:-1], 999], "repeated": [classes[0], *classes[:-1]]}
    metadata.update({key: wrong.get(value, value) for key, value in change.items()})
    path.write_text(json.dumps(metadata))

    with pytest.raises(ModelError, match="run `ozbot train`"):
        models.load(2, concert_domain)
    found = models.newest_valid(concert_domain)
    assert found is not None and found.record.version == 1
    assert found.policy.predict(Tracker("c", concert_domain, [])).action in concert_domain.actions


def test_staged_models_are_not_versions_until_committed(
    train_concert: Callable[..., EnsemblePolicy], tmp_path: Path
) -> None:
    models = ModelStore(tmp_path / "models")
    policy = train_concert()
    models.add(policy, VersionRecord.of(1, policy, TrainingData(concert_stories(), {})))
    assert (models.versions(), models.newest()) == ([], 0)


def test_a_model_folder_of_before_versions_gives_way_to_the_pointer(
    saved: Callable[[int], ModelStore],
) -> None:
    models = saved(1)
    os.remove(models.root / POINTER)
    (models.root / POINTER).mkdir()
    (models.root / POINTER / BOOSTER).write_text("old")
    models.set_live(1)
    assert models.live() == 1


def test_old_versions_are_pruned(saved: Callable[[int], ModelStore]) -> None:
    assert saved(7).versions() == [7, 6, 5, 4, 3]


def test_a_packed_version_installs_elsewhere(
    saved: Callable[[int], ModelStore], concert_domain: Domain, tmp_path: Path
) -> None:
    packed = saved(1).pack(1)
    elsewhere = ModelStore(tmp_path / "replica")
    elsewhere.unpack(1, packed)
    assert elsewhere.load(1, concert_domain).record.version == 1


def test_corrupt_published_bytes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="published model version 4 is corrupt"):
        ModelStore(tmp_path / "models").unpack(4, b"not a tar")
    assert ModelStore(tmp_path / "models").versions() == []


def test_the_record_knows_what_was_taught_after_it(seed_tracker: Any) -> None:
    tracker = seed_tracker()
    trained_on = {"seed": list(tracker.events)}
    record = VersionRecord(1, 0.0, 0.1, 7, {"seed": len(tracker.events)}, 0)
    tracker.apply(Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews"))
    tracker.apply(ActionExecuted("action_show_concert_reviews", TRAINER))
    now = {"seed": list(tracker.events), "other": list(tracker.events)}

    assert record.taught_after(trained_on) == {}
    assert list(record.taught_after(now)) == ["seed", "other"]
    assert record.corrections_after(now) == 2


def test_taught_dialogues_are_counted_as_a_trainer_counts_them() -> None:
    taught = [UserUttered("/greet", "greet"), ActionExecuted("utter_greet", TRAINER)]
    once = [*taught, ActionExecuted(ACTION_RESTART, TRAINER), Restarted(), *taught]
    unanswered = [UserUttered("/greet", "greet"), ActionExecuted("utter_greet", "memo")]
    restarted_after = [*taught, Restarted(), UserUttered("/greet", "greet")]

    assert taught_dialogues([once, unanswered, restarted_after]) == 3
    record = {"version": 1, "trained_at": 0, "seconds": 1, "stories": 2, "corrections": 0}
    old = VersionRecord.from_dict({**record, "conversations": {"a": 3, "b": 4}})
    assert old.dialogues == 2  # a record written before dialogues were counted
