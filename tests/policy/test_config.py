import pytest

from bot.errors import ProjectError
from policy.config import (
    DEFAULT_LIGHTGBM,
    PolicyConfig,
    RetrainPace,
    policy_config_from_dict,
    retrain_pace_from_dict,
)


def test_defaults_suit_tiny_data() -> None:
    config = PolicyConfig()

    assert (config.max_history, config.augmentation_factor, config.seed) == (5, 20, 42)
    assert config.fallback_threshold == 0.3
    assert config.lightgbm["min_data_in_leaf"] == 5
    assert config.lightgbm["lambda_l2"] == 5.0
    assert config.lightgbm["min_data_in_bin"] == 1
    assert config.lightgbm["num_threads"] == 1
    assert config.lightgbm["deterministic"] is True
    assert config.lightgbm["verbose"] == -1


def test_flat_form_and_lightgbm_params_merge_over_defaults() -> None:
    data = {
        "max_history": 3,
        "augmentation_factor": 0,
        "seed": 7,
        "fallback_threshold": 1,
        "lightgbm": {"num_leaves": 7},
        "store": {"type": "redis"},
    }

    config, warnings = policy_config_from_dict(data, "config.yml")

    assert config == PolicyConfig(3, 0, 7, 1.0, {**DEFAULT_LIGHTGBM, "num_leaves": 7})
    assert warnings == []


def test_rasa_config_takes_max_history_from_the_first_policy_that_has_one() -> None:
    data = {
        "language": "en",
        "pipeline": [{"name": "WhitespaceTokenizer"}],
        "policies": [
            {"name": "RulePolicy"},
            {"name": "MemoizationPolicy", "max_history": 3},
            {"name": "TEDPolicy", "max_history": 8},
        ],
        "assistant_id": "x",
    }

    config, warnings = policy_config_from_dict(data, "config.yml")

    assert config.max_history == 3
    assert len(warnings) == 2
    assert warnings[0].startswith(
        "config.yml: Rasa's keys language, pipeline, policies; pipeline WhitespaceTokenizer; "
        "policies RulePolicy, MemoizationPolicy, TEDPolicy are not run"
    )
    assert warnings[1] == (
        "config.yml: taken from Rasa's settings: max_history 3 (MemoizationPolicy)"
    )


def test_our_max_history_wins_over_rasa_policies() -> None:
    data = {"max_history": 2, "policies": [{"name": "TEDPolicy", "max_history": 8}]}

    config, warnings = policy_config_from_dict(data, "config.yml")

    assert config.max_history == 2
    assert len(warnings) == 1 and "policies TEDPolicy are not run" in warnings[0]


def test_unknown_key_names_source_and_key() -> None:
    with pytest.raises(ProjectError, match=r"^config\.yml: unknown key 'epochs'; policy settings"):
        policy_config_from_dict({"epochs": 3}, "config.yml")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("max_history", "5", "a whole number of at least 1"),
        ("max_history", 0, "a whole number of at least 1"),
        ("augmentation_factor", True, "a whole number of at least 0"),
        ("seed", 1.5, "a whole number"),
        ("fallback_threshold", 1.5, "a number from 0 to 1"),
        ("lightgbm", [1], "a mapping of LightGBM parameters"),
    ],
)
def test_wrong_type_names_source_key_and_expected_type(
    key: str, value: object, expected: str
) -> None:
    with pytest.raises(ProjectError) as error:
        policy_config_from_dict({key: value}, "config.yml")

    assert str(error.value) == f"config.yml: {key}: expected {expected}, got {value!r}"


def test_wrong_max_history_in_rasa_policies_names_it() -> None:
    with pytest.raises(ProjectError, match=r"config\.yml: policies: max_history: expected"):
        policy_config_from_dict({"policies": [{"max_history": "x"}]}, "config.yml")


def test_the_retraining_pace_comes_from_its_mapping_over_the_defaults() -> None:
    pace = retrain_pace_from_dict({"after_turns": 5, "min_interval_seconds": 30}, "config.yml")

    assert pace == RetrainPace(
        after_turns=5, wait_seconds=10, min_interval_seconds=30, interval_per_training_second=10
    )
    assert retrain_pace_from_dict({}, "config.yml") == RetrainPace()
    assert policy_config_from_dict({"retraining": {}}, "config.yml")[0] == PolicyConfig()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ([1], "config.yml: retraining: expected a mapping, e.g. {min_interval_seconds: 60}"),
        (
            {"every": 3},
            "config.yml: retraining: unknown key(s) every; known: after_turns, wait_seconds, "
            "min_interval_seconds, interval_per_training_second",
        ),
        (
            {"after_turns": 0},
            "config.yml: retraining.after_turns: expected a whole number of at least 1, got 0",
        ),
        (
            {"wait_seconds": "10s"},
            "config.yml: retraining.wait_seconds: expected seconds from 0 to 3600, got '10s'",
        ),
        (
            {"min_interval_seconds": -1},
            "config.yml: retraining.min_interval_seconds: expected seconds from 0 to 86400 "
            "(a day), got -1",
        ),
        (
            {"interval_per_training_second": True},
            "config.yml: retraining.interval_per_training_second: expected a number from 0 "
            "to 1000, got True",
        ),
    ],
)
def test_a_wrong_retraining_pace_says_what_to_fix(section: object, message: str) -> None:
    with pytest.raises(ProjectError) as error:
        retrain_pace_from_dict(section, "config.yml")

    assert str(error.value) == message


def test_rasa_fallback_thresholds_and_action_names_are_taken() -> None:
    data = {
        "pipeline": [{"name": "FallbackClassifier", "threshold": 0.6}],
        "policies": [
            {"name": "RulePolicy", "core_fallback_threshold": 0.4,
             "core_fallback_action_name": "action_ask_rephrase"},
        ],
    }  # fmt: skip

    config, warnings = policy_config_from_dict(data, "config.yml")

    assert (config.fallback_threshold, config.fallback_action) == (0.4, "action_ask_rephrase")
    assert warnings[1] == (
        "config.yml: taken from Rasa's settings: fallback_threshold 0.4 (RulePolicy "
        "core_fallback_threshold), fallback_action action_ask_rephrase (RulePolicy "
        "core_fallback_action_name), nlu_threshold 0.6 (FallbackClassifier threshold)"
    )


def test_rasa_1_fallback_policy_is_read_and_a_wrong_value_names_it() -> None:
    policies = [{"name": "FallbackPolicy", "core_threshold": 0.2, "fallback_action_name": "x"}]
    config, _ = policy_config_from_dict({"policies": policies}, "config.yml")
    assert (config.fallback_threshold, config.fallback_action) == (0.2, "x")
    with pytest.raises(ProjectError, match=r"config\.yml: policies: fallback_threshold"):
        policy_config_from_dict(
            {"policies": [{"name": "RulePolicy", "core_fallback_threshold": 3}]}, "config.yml"
        )
