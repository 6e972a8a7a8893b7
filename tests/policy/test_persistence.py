import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Domain, domain_from_dict
from bot.errors import ModelError
from bot.events import ACTION_LISTEN, ActionExecuted, Restarted
from bot.policy import TRAINER
from bot.tracker import Tracker
from policy.config import PolicyConfig
from policy.persistence import load_model, save_model
from policy.training import TrainingData, train_policy
from tests.policy.concert import CONCERT_DOMAIN, dialogue, story

Trainer = Callable[..., Any]


def test_round_trip_gives_identical_predictions(
    tmp_path: Path, concert_domain: Domain, train_concert: Trainer, seed_tracker: Any
) -> None:
    policy = train_concert()
    taught = seed_tracker()
    taught.apply(ActionExecuted("action_show_concert_reviews", TRAINER, 0.3))
    policy.teach(taught)
    folder = tmp_path / "models" / "current"

    save_model(policy, folder)
    loaded = load_model(folder, concert_domain)

    states = [seed_tracker().states(), seed_tracker(ACTION_LISTEN, "/greet", Restarted()).states()]
    states.append(
        Tracker("c", concert_domain, dialogue(ACTION_LISTEN, "/compare_reviews")).states()
    )
    assert loaded.predict_many(states) == policy.predict_many(states)
    assert loaded.predict(seed_tracker()).policy == "memoization"
    assert loaded.metadata == policy.metadata
    assert sorted(p.name for p in folder.iterdir()) == [
        "booster.txt",
        "featurizer.json",
        "memoization.json",
        "metadata.json",
        "rules.json",
    ]


def test_saving_again_replaces_the_folder_and_leaves_no_temporary_files(
    tmp_path: Path, concert_domain: Domain, train_concert: Trainer
) -> None:
    folder = tmp_path / "current"
    save_model(train_concert(), folder)
    (folder / "stale.txt").write_text("from an older model")

    save_model(train_concert(), folder)

    assert not (folder / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["current"]
    load_model(folder, concert_domain)


def test_a_model_without_booster_round_trips(tmp_path: Path) -> None:
    domain = domain_from_dict({"intents": ["greet"], "actions": ["utter_greet"]})
    policy = train_policy(domain, TrainingData([story("s", "* greet")], {}), PolicyConfig())
    save_model(policy, tmp_path / "m")

    loaded = load_model(tmp_path / "m", domain)

    assert loaded.model.classes == ()
    assert (tmp_path / "m" / "booster.txt").read_text() == ""


def test_a_model_of_another_domain_asks_for_training(
    tmp_path: Path, train_concert: Trainer
) -> None:
    save_model(train_concert(), tmp_path / "m")
    other = domain_from_dict({**CONCERT_DOMAIN, "intents": [*CONCERT_DOMAIN["intents"], "bye"]})

    with pytest.raises(ModelError, match=r"trained for another domain .*run `ozbot train`"):
        load_model(tmp_path / "m", other)


def test_a_corrupt_booster_is_a_model_error_naming_the_file(
    tmp_path: Path, concert_domain: Domain, train_concert: Trainer
) -> None:
    save_model(train_concert(), tmp_path / "m")
    booster = tmp_path / "m" / "booster.txt"
    booster.write_text(booster.read_text()[: len(booster.read_text()) // 2])  # would abort LightGBM

    with pytest.raises(ModelError, match=r"booster\.txt: corrupt .*run `ozbot train`"):
        load_model(tmp_path / "m", concert_domain)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("featurizer.json", None, "featurizer.json: no such file"),
        ("memoization.json", "{not json", "memoization.json: cannot read it"),
        ("memoization.json", '{"states": []}', "memoization.json: corrupt"),
        ("metadata.json", "[]", "metadata.json: corrupt"),
        ("booster.txt", None, "booster.txt: no such file"),
    ],
)
def test_a_missing_or_corrupt_file_is_a_model_error_naming_it(
    tmp_path: Path,
    concert_domain: Domain,
    train_concert: Trainer,
    name: str,
    content: str | None,
    message: str,
) -> None:
    save_model(train_concert(), tmp_path / "m")
    path = tmp_path / "m" / name
    if content is None:
        path.unlink()
    else:
        path.write_text(content)

    with pytest.raises(ModelError, match=f"^{tmp_path / 'm' / message}"):
        load_model(tmp_path / "m", concert_domain)


def test_a_model_of_another_format_asks_for_training(
    tmp_path: Path, concert_domain: Domain, train_concert: Trainer
) -> None:
    save_model(train_concert(), tmp_path / "m")
    path = tmp_path / "m" / "metadata.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "format": 99}))

    with pytest.raises(ModelError, match=r"model format 99; run `ozbot train`"):
        load_model(tmp_path / "m", concert_domain)
