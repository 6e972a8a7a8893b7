from collections import Counter
from pathlib import Path

from policy.plots import MAX_LABELS, confusion_png, learning_curve_png, most_confused
from tests.policy.png import assert_readable_png, png_size


def test_confusion_png_of_many_actions_stays_readable(tmp_path: Path) -> None:
    golds = [f"utter_{i}" for i in range(80)] * 3
    predictions = [f"utter_{(i + 1) % 80 if i % 7 == 0 else i}" for i in range(80)] * 3

    confusion_png(golds, predictions, tmp_path / "matrix.png")

    assert_readable_png(tmp_path / "matrix.png")
    width, _ = png_size(tmp_path / "matrix.png")
    assert width < 1500  # MAX_LABELS columns, not 80


def test_the_actions_most_involved_in_errors_are_shown() -> None:
    pairs = Counter({("a", "a"): 50, ("b", "c"): 3, ("d", "e"): 1, ("f", "f"): 9})

    assert most_confused(pairs, 3) == ["b", "c", "d"]
    assert (
        len(most_confused(Counter({(str(i), str(i)): 1 for i in range(40)}), MAX_LABELS))
        == MAX_LABELS
    )


def test_confusion_png_without_errors_and_learning_curve(tmp_path: Path) -> None:
    confusion_png(["a", "b"], ["a", "b"], tmp_path / "none.png")
    learning_curve_png([1, 5, 10], {"action accuracy": [0.2, 0.6, 0.9]}, tmp_path / "curve.png")

    assert_readable_png(tmp_path / "none.png")
    assert_readable_png(tmp_path / "curve.png")
