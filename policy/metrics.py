"""Classification counts as scikit-learn makes them, which is what Rasa prints.

No scikit-learn here: these few sums are all `rasa test core` uses of it (`accuracy_score`,
`precision_recall_fscore_support` with `average="weighted"` over a list of labels, and the
per-label report), and the policy should not pull in another 40 MB for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScores:
    precision: float
    recall: float
    f1: float
    support: int
    """How often the label is the gold answer."""


@dataclass(frozen=True)
class Confusion:
    gold: str
    predicted: str
    count: int


def accuracy(golds: Sequence[str], predictions: Sequence[str]) -> float:
    """Share of predictions equal to the gold label; 0 when there is nothing to count."""
    if not golds:
        return 0.0
    return sum(g == p for g, p in zip(golds, predictions, strict=True)) / len(golds)


def label_scores(
    golds: Sequence[str], predictions: Sequence[str], labels: Iterable[str]
) -> dict[str, LabelScores]:
    """Precision, recall, F1 and support of each label; a score without a denominator is 0,
    as scikit-learn's default `zero_division` makes it."""
    pairs = list(zip(golds, predictions, strict=True))
    hits = Counter(g for g, p in pairs if g == p)
    gold_counts, predicted_counts = Counter(golds), Counter(predictions)
    scores = {}
    for label in labels:
        precision = _ratio(hits[label], predicted_counts[label])
        recall = _ratio(hits[label], gold_counts[label])
        f1 = _ratio(2 * precision * recall, precision + recall)
        scores[label] = LabelScores(precision, recall, f1, gold_counts[label])
    return scores


def weighted(scores: dict[str, LabelScores], measure: str) -> float:
    """The support-weighted mean of `measure` ("precision", "recall" or "f1")."""
    total = sum(score.support for score in scores.values())
    weighted_sum = sum(getattr(score, measure) * score.support for score in scores.values())
    return _ratio(weighted_sum, total)


def confusions(golds: Sequence[str], predictions: Sequence[str]) -> list[Confusion]:
    """Every (gold, predicted) pair that differs, the most frequent first."""
    counts = Counter((g, p) for g, p in zip(golds, predictions, strict=True) if g != p)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Confusion(gold, predicted, count) for (gold, predicted), count in ordered]


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0
