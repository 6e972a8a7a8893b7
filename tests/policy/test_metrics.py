import pytest

from policy.metrics import Confusion, LabelScores, accuracy, confusions, label_scores, weighted

GOLDS = ["a", "a", "b", "b", "b", "c"]
PREDICTIONS = ["a", "b", "b", "b", "a", "a"]


def test_accuracy_counts_equal_pairs() -> None:
    assert accuracy(GOLDS, PREDICTIONS) == pytest.approx(3 / 6)
    assert accuracy([], []) == 0.0


def test_label_scores_as_scikit_learn_gives_them() -> None:
    scores = label_scores(GOLDS, PREDICTIONS, ["a", "b", "c", "d"])

    assert scores["a"] == LabelScores(pytest.approx(1 / 3), 0.5, pytest.approx(0.4), 2)
    assert scores["b"] == LabelScores(
        pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(2 / 3), 3
    )
    assert scores["c"] == LabelScores(0.0, 0.0, 0.0, 1)  # never predicted: 0, not an error
    assert scores["d"] == LabelScores(0.0, 0.0, 0.0, 0)


def test_weighted_means_follow_support() -> None:
    scores = label_scores(GOLDS, PREDICTIONS, ["a", "b", "c"])

    # scikit-learn: f1_score(GOLDS, PREDICTIONS, average="weighted") = (0.4*2 + 2/3*3 + 0*1) / 6
    assert weighted(scores, "f1") == pytest.approx((0.8 + 2) / 6)
    assert weighted(scores, "precision") == pytest.approx((2 / 3 + 2) / 6)
    assert weighted({}, "f1") == 0.0


def test_confusions_most_frequent_first_then_by_name() -> None:
    assert confusions(GOLDS, PREDICTIONS) == [
        Confusion("a", "b", 1),
        Confusion("b", "a", 1),
        Confusion("c", "a", 1),
    ]
    assert confusions(["x", "x", "y"], ["y", "y", "x"])[0] == Confusion("x", "y", 2)
