import pickle

import lightgbm as lgb
import numpy as np
import pytest

from policy import fast_predict
from policy.config import DEFAULT_LIGHTGBM
from policy.fast_predict import PublicRowPredictor, SingleRowPredictor
from policy.lightgbm_policy import (
    TEMPERATURES,
    LightGBMModel,
    Validation,
    fit_temperature,
    tempered,
    train_lightgbm,
)

PARAMS = {**DEFAULT_LIGHTGBM, "seed": 42, "num_boost_round": 20}
N_ACTIONS = 5


def toy_data(copies: int = 10) -> tuple[np.ndarray, list[int]]:
    """Feature i set means action LABELS[i]: actions 0 and 3 never occur."""
    labels = [1, 2, 4] * copies  # enough rows for leaves of min_data_in_leaf
    rows = np.zeros((len(labels), 3), dtype=np.float32)
    rows[np.arange(len(labels)), np.arange(len(labels)) % 3] = 1.0
    return rows, labels


def test_learns_a_separable_problem_and_gives_absent_actions_zero() -> None:
    rows, labels = toy_data()

    model = train_lightgbm(rows, labels, N_ACTIONS, PARAMS)
    probabilities = model.predict_proba_many(rows[:3])

    assert model.classes == (1, 2, 4)
    assert list(probabilities.argmax(axis=1)) == [1, 2, 4]
    assert np.all(probabilities[:, [0, 3]] == 0.0)
    assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])
    assert np.array_equal(model.predict_proba(rows[0]), probabilities[0])


def test_one_action_only_needs_no_booster() -> None:
    rows = np.ones((3, 2), dtype=np.float32)

    model = train_lightgbm(rows, [2, 2, 2], N_ACTIONS, PARAMS)

    assert model.booster is None
    assert list(model.predict_proba(rows[0])) == [0.0, 0.0, 1.0, 0.0, 0.0]


def test_no_training_data_gives_a_uniform_distribution() -> None:
    model = train_lightgbm(np.zeros((0, 2), dtype=np.float32), [], N_ACTIONS, PARAMS)

    assert list(model.predict_proba(np.zeros(2, dtype=np.float32))) == [0.2] * 5


def test_training_is_deterministic() -> None:
    rows, labels = toy_data()

    first = train_lightgbm(rows, labels, N_ACTIONS, PARAMS)
    second = train_lightgbm(rows, labels, N_ACTIONS, PARAMS)

    assert first.to_string() == second.to_string()
    assert np.array_equal(first.predict_proba_many(rows), second.predict_proba_many(rows))


def test_progress_is_reported_after_every_round() -> None:
    rows, labels = toy_data()
    calls: list[tuple[str, int, int]] = []

    def progress(step: str, done: int, total: int) -> None:
        calls.append((step, done, total))

    train_lightgbm(rows, labels, N_ACTIONS, {**PARAMS, "num_boost_round": 4}, None, progress)

    assert calls == [("lightgbm", 1, 4), ("lightgbm", 2, 4), ("lightgbm", 3, 4), ("lightgbm", 4, 4)]


def test_early_stopping_keeps_the_best_round_when_validation_stops_improving() -> None:
    random = np.random.default_rng(0)
    rows = random.random((200, 4), dtype=np.float32)
    labels = list(random.integers(0, 3, 200))  # noise: held-out loss gets worse soon
    validation = Validation(rows[:40], labels[:40][::-1])
    params = {**PARAMS, "num_boost_round": 100, "early_stopping_round": 3}

    model = train_lightgbm(rows, labels, N_ACTIONS, params, validation)

    assert model.booster is not None
    assert model.booster.current_iteration() < 100


def test_model_text_round_trip_and_mismatches() -> None:
    rows, labels = toy_data()
    model = train_lightgbm(rows, labels, N_ACTIONS, PARAMS)

    loaded = LightGBMModel.from_string(model.to_string(), model.classes, N_ACTIONS)

    assert np.array_equal(loaded.predict_proba_many(rows), model.predict_proba_many(rows))
    with pytest.raises(ValueError, match="the booster has 3 classes, the metadata 4"):
        LightGBMModel.from_string(model.to_string(), (0, 1, 2, 4), N_ACTIONS)
    with pytest.raises(ValueError):
        LightGBMModel.from_string("not a model", (1, 2), N_ACTIONS)


def test_the_fast_single_row_path_gives_what_the_batch_gives() -> None:
    rows, labels = toy_data()
    model = train_lightgbm(rows, labels, N_ACTIONS, PARAMS)

    for row in rows[:3]:
        indices = list(np.flatnonzero(row))
        fast = model.predict_sparse(indices, [float(row[i]) for i in indices])
        assert fast == pytest.approx(model.predict_proba(row))


def test_a_lightgbm_without_the_fast_path_predicts_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows, labels = toy_data()
    fast = train_lightgbm(rows, labels, N_ACTIONS, PARAMS)
    monkeypatch.setattr(fast_predict, "_warned", False)
    monkeypatch.setattr(lgb, "__version__", "5.0.0")

    public = LightGBMModel.from_string(fast.to_string(), fast.classes, N_ACTIONS)

    assert isinstance(public._single, PublicRowPredictor)
    assert isinstance(fast._single, SingleRowPredictor)
    for indices, values in [([0], [1.0]), ([1], [1.0]), ([2], [1.0]), ([], [])]:
        np.testing.assert_array_equal(
            public.predict_sparse(indices, values), fast.predict_sparse(indices, values)
        )


def test_temperature_flattens_a_sure_booster_on_noisy_held_out_rows() -> None:
    sure = np.array([[0.95, 0.05]] * 10)
    noisy_labels = [0, 1] * 5  # the truth is a coin toss
    honest_labels = [0] * 10

    assert fit_temperature(sure, noisy_labels) > 5
    assert fit_temperature(sure, honest_labels) == min(TEMPERATURES)
    assert tempered(sure, 1.0)[0] == pytest.approx([0.95, 0.05])
    assert tempered(sure, 1e9)[0] == pytest.approx([0.5, 0.5])


def test_a_pickled_model_predicts_the_same() -> None:
    rows, labels = toy_data()
    model = train_lightgbm(rows, labels, N_ACTIONS, PARAMS, Validation(rows, labels))

    copy = pickle.loads(pickle.dumps(model))

    assert copy.temperature == model.temperature
    assert np.array_equal(copy.predict_sparse([0], [1.0]), model.predict_sparse([0], [1.0]))
