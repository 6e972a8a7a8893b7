"""config.yml's `lightgbm:` checked before anything trains: the key, the value, the fix."""

from __future__ import annotations

import pytest

from bot.errors import ProjectError
from policy.config import DEFAULT_LIGHTGBM
from policy.lightgbm_params import check_lightgbm_params

WHERE = "config.yml: lightgbm"


def test_the_defaults_and_lightgbm_s_aliases_pass() -> None:
    check_lightgbm_params(DEFAULT_LIGHTGBM, WHERE)
    check_lightgbm_params({**DEFAULT_LIGHTGBM, "nthreads": 1, "eta": 0.1}, WHERE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"num_leaves": -3},
            "config.yml: lightgbm.num_leaves: LightGBM refuses -3: Check failed: "
            "(num_leaves) > (1); fix it",
        ),
        ({"num_leavs": 3}, "unknown LightGBM parameter 'num_leavs' (did you mean 'num_leaves'?)"),
        ({"learning_rate": "fast"}, "lightgbm.learning_rate: LightGBM refuses 'fast'"),
        ({"bagging_fraction": 2}, "lightgbm.bagging_fraction: LightGBM refuses 2"),
        ({"num_boost_round": 0}, "lightgbm.num_boost_round: expected a whole number of at least 1"),
        ({"objective": "binary"}, "ozbot trains a multiclass model"),
    ],
)
def test_a_wrong_key_or_value_is_named_with_the_fix(change, message, capfd) -> None:
    with pytest.raises(ProjectError) as error:
        check_lightgbm_params({**DEFAULT_LIGHTGBM, **change}, WHERE)
    assert message in str(error.value)
    assert " at /" not in str(error.value)  # not where in LightGBM's C++ it failed
    assert "[LightGBM] [Fatal]" not in capfd.readouterr().err
