import logging
import re
import tomllib
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from policy import fast_predict
from policy.fast_predict import (
    FAST_PATH_VERSIONS,
    PublicRowPredictor,
    SingleRowPredictor,
    fast_path_problem,
    single_row_predictor,
)

N_FEATURES = 12
PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


@pytest.fixture(scope="module")
def booster() -> lgb.Booster:
    """Four classes over sparse rows with values that float32 rounds."""
    random = np.random.default_rng(0)
    rows = random.random((400, N_FEATURES)) * 5
    rows[random.random(rows.shape) < 0.6] = 0.0
    labels = (rows[:, 0] > 1).astype(int) + 2 * (rows[:, 1] + rows[:, 2] > 3).astype(int)
    params = {"objective": "multiclass", "num_class": 4, "min_data_in_leaf": 5, "verbose": -1}
    params |= {"seed": 0, "num_threads": 1}
    return lgb.train(params, lgb.Dataset(rows.astype(np.float32), labels), num_boost_round=30)


@pytest.fixture(autouse=True)
def not_yet_warned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_predict, "_warned", False)


def sparse_rows(count: int) -> list[tuple[list[int], list[float]]]:
    random = np.random.default_rng(1)
    rows = []
    for _ in range(count):
        indices = sorted(random.choice(N_FEATURES, random.integers(0, N_FEATURES), replace=False))
        values = random.random(len(indices)) * 5
        rows.append(([int(i) for i in indices], [float(v) for v in values]))
    return rows


def split_thresholds(booster: lgb.Booster) -> list[tuple[int, float]]:
    """(feature, threshold) of every split of every tree."""
    splits: list[tuple[int, float]] = []

    def walk(node: dict[str, Any]) -> None:
        if "split_feature" in node:
            splits.append((node["split_feature"], node["threshold"]))
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    return splits


def test_the_fast_and_the_public_path_give_the_same_probabilities(booster: lgb.Booster) -> None:
    # Rows at the next double above each threshold: as float64 they go right, but float32 (the
    # fast path's type) may round some back onto the threshold, which goes left.
    splits = split_thresholds(booster)
    assert any(np.float32(np.nextafter(threshold, np.inf)) <= threshold for _, threshold in splits)
    above = [([f], [float(np.nextafter(threshold, np.inf))]) for f, threshold in splits]
    rows = sparse_rows(300) + above
    dense = np.zeros((len(rows), N_FEATURES), dtype=np.float32)
    for number, (indices, values) in enumerate(rows):
        dense[number, indices] = values

    fast = SingleRowPredictor(booster, N_FEATURES)
    public = PublicRowPredictor(booster, N_FEATURES)
    fast_probabilities = np.array([fast.predict(*row) for row in rows])
    public_probabilities = np.array([public.predict(*row) for row in rows])

    assert len({tuple(p.round(3)) for p in fast_probabilities}) > 20  # the rows differ
    np.testing.assert_allclose(public_probabilities, fast_probabilities, rtol=0, atol=1e-12)
    batch = booster.predict(dense, num_threads=1)
    np.testing.assert_allclose(fast_probabilities, batch, rtol=0, atol=1e-12)


def test_the_installed_lightgbm_gets_the_fast_path(
    booster: lgb.Booster, caplog: pytest.LogCaptureFixture
) -> None:
    assert fast_path_problem() is None
    assert isinstance(single_row_predictor(booster, N_FEATURES), SingleRowPredictor)
    assert caplog.records == []


@pytest.mark.parametrize("version", ["4.5.0", "4.7.0", "4.99.1rc1"])
def test_versions_in_the_verified_range_get_the_fast_path(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lgb, "__version__", version)

    assert fast_path_problem() is None


@pytest.mark.parametrize("version", ["5.0.0", "4.4.1", "3.3.5", "nightly"])
def test_another_version_gets_the_public_path_and_one_warning(
    version: str,
    booster: lgb.Booster,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(lgb, "__version__", version)

    first = single_row_predictor(booster, N_FEATURES)
    second = single_row_predictor(booster, N_FEATURES)

    assert isinstance(first, PublicRowPredictor)
    assert isinstance(second, PublicRowPredictor)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert f"LightGBM {version} is not one the fast path was verified with" in record.getMessage()
    assert "slower, the same probabilities" in record.getMessage()


@pytest.mark.parametrize("name", ["_LIB", "_C_API_DTYPE_INT32"])
def test_a_missing_private_name_gets_the_public_path(
    name: str,
    booster: lgb.Booster,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delattr(lgb.basic, name)

    predictor = single_row_predictor(booster, N_FEATURES)

    assert isinstance(predictor, PublicRowPredictor)
    assert f"has no {name}" in caplog.text


class _LibraryWithout:
    """LightGBM's library as another version might build it: one function fewer."""

    def __init__(self, library: object, missing: str) -> None:
        self._library = library
        self._missing = missing

    def __getattr__(self, name: str) -> object:
        if name == self._missing:
            raise AttributeError(name)
        return getattr(self._library, name)


def test_a_missing_c_function_gets_the_public_path(
    booster: lgb.Booster, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    indices, values = [0, 1, 2], [1.5, 0.0, 2.5]
    expected = SingleRowPredictor(booster, N_FEATURES).predict(indices, values)
    missing = "LGBM_BoosterPredictForCSRSingleRowFast"
    monkeypatch.setattr(lgb.basic, "_LIB", _LibraryWithout(lgb.basic._LIB, missing))

    predictor = single_row_predictor(booster, N_FEATURES)

    assert isinstance(predictor, PublicRowPredictor)
    assert f"has no {missing}" in caplog.text
    np.testing.assert_allclose(predictor.predict(indices, values), expected, rtol=0, atol=1e-12)


def test_a_fast_path_that_fails_to_set_up_gets_the_public_path(
    booster: lgb.Booster, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Refusing(_LibraryWithout):
        """A library whose fast-path set-up returns an error code."""

        def LGBM_BoosterPredictForCSRSingleRowFastInit(self, *args: object) -> int:
            return -1

    monkeypatch.setattr(lgb.basic, "_LIB", Refusing(lgb.basic._LIB, ""))

    predictor = single_row_predictor(booster, N_FEATURES)

    assert isinstance(predictor, PublicRowPredictor)
    assert "refused to set up the fast path" in caplog.text


def test_the_verified_range_is_the_pin_in_pyproject() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    [pin] = [d for d in dependencies if d.startswith("lightgbm")]

    match = re.fullmatch(r"lightgbm>=(\d+)\.(\d+),<(\d+)", pin)

    assert match is not None, pin
    low_major, low_minor, high_major = map(int, match.groups())
    assert ((low_major, low_minor), (high_major, 0)) == FAST_PATH_VERSIONS
