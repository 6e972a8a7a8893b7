"""Pictures of an evaluation, as PNG files a person can read.

Drawn on matplotlib `Figure` objects with the Agg canvas, without pyplot: no global state, no
display needed, safe off the main thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure

MAX_LABELS = 12
"""A confusion matrix of 80 actions is unreadable: it shows the actions most involved in errors."""
DPI = 100


def confusion_png(
    golds: Sequence[str],
    predictions: Sequence[str],
    path: Path,
    max_labels: int = MAX_LABELS,
    label: str = "action",
) -> None:
    """Gold labels down, predicted across, for the labels most involved in wrong predictions;
    `label` names them ("action", "intent")."""
    pairs = Counter(zip(golds, predictions, strict=True))
    labels = most_confused(pairs, max_labels)
    matrix = [[pairs[gold, predicted] for predicted in labels] for gold in labels]
    errors = sum(count for (gold, predicted), count in pairs.items() if gold != predicted)
    shown = sum(matrix[i][j] for i in range(len(labels)) for j in range(len(labels)) if i != j)
    size = 3 + 0.55 * len(labels)
    figure = Figure(figsize=(size + 2, size), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    # Errors in red; the diagonal (right predictions) only as grey numbers, for scale.
    wrong = [
        [0 if i == j else count for j, count in enumerate(row)] for i, row in enumerate(matrix)
    ]
    image = axes.imshow(wrong, cmap="Reds", vmin=0)
    figure.colorbar(image, ax=axes, shrink=0.8, label="wrong predictions")
    axes.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel(f"predicted {label}")
    axes.set_ylabel(f"gold {label}")
    title = f"{label.capitalize()} confusions: {shown} of {errors} wrong predictions shown"
    axes.set_title(title, fontsize=10)
    high = max((max(row) for row in wrong), default=0)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count and i == j:
                axes.text(j, i, str(count), ha="center", va="center", color="grey", fontsize=8)
            elif count:
                color = "white" if count > high / 2 else "black"
                axes.text(j, i, str(count), ha="center", va="center", color=color, fontsize=9)
    figure.savefig(path, format="png")


def most_confused(pairs: Counter[tuple[str, str]], limit: int) -> list[str]:
    """Labels by the number of wrong predictions they take part in, then by support."""
    involved: Counter[str] = Counter()
    support: Counter[str] = Counter()
    for (gold, predicted), count in pairs.items():
        support[gold] += count
        if gold != predicted:
            involved[gold] += count
            involved[predicted] += count
    ranked = sorted(support.keys() | involved.keys(), key=lambda a: (-involved[a], -support[a], a))
    return sorted(ranked[:limit])


def learning_curve_png(
    stories: Sequence[int], curves: Mapping[str, Sequence[float]], path: Path
) -> None:
    """One line per accuracy against the number of training stories."""
    figure = Figure(figsize=(7, 4.5), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    for name, values in curves.items():
        axes.plot(stories, values, marker="o", label=name)
    axes.set_xlabel("training stories")
    axes.set_ylabel("accuracy on the test stories")
    axes.set_ylim(0, 1.02)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    axes.set_title("Learning curve: does more teaching pay off?", fontsize=10)
    figure.savefig(path, format="png")
