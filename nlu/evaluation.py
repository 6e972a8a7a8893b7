"""Test NLU data played through an interpreter, scored as `rasa test nlu` scores it.

Intents: accuracy, macro and weighted F1 (scikit-learn). Entities: precision, recall and F1 of
exact (entity, start, end) spans. A test example of intent `out_of_scope` or `nlu_fallback`
counts as right when the message reads as `nlu_fallback` (below the threshold); its share is
`out_of_scope_recall`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sklearn.metrics import accuracy_score, f1_score

from bot.nlu.model import NLU_FALLBACK, OUT_OF_SCOPE, EntitySpan, NluData, Understanding

FALLING_BACK = (OUT_OF_SCOPE, NLU_FALLBACK)
Parse = Callable[[str], Understanding]


@dataclass(frozen=True)
class NluMiss:
    """A test message read wrong: its intent or its entities."""

    text: str
    gold_intent: str
    predicted_intent: str
    confidence: float
    gold_entities: tuple[tuple[str, str], ...]
    predicted_entities: tuple[tuple[str, str], ...]
    """(entity, text) of each span."""


@dataclass(frozen=True)
class NluReport:
    examples: int
    intent_accuracy: float
    intent_macro_f1: float
    intent_weighted_f1: float
    entity_precision: float
    entity_recall: float
    entity_f1: float
    out_of_scope_recall: float | None
    """None when the test data has no out-of-scope example."""
    misses: tuple[NluMiss, ...]
    golds: tuple[str, ...]
    predictions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The figures, as `ozbot evaluate --nlu --json` prints them."""
        data = asdict(self)
        for kept in ("misses", "golds", "predictions"):
            data.pop(kept)
        return data


def evaluate_nlu(parse: Parse, test: NluData, threshold: float) -> NluReport:
    """Every test example parsed once; blocking."""
    golds, predictions, misses = [], [], []
    gold_spans: set[tuple[int, str, int, int]] = set()
    found_spans: set[tuple[int, str, int, int]] = set()
    for number, example in enumerate(test.examples):
        understood = parse(example.text)
        confident = understood.confidence >= threshold
        predicted = understood.intent if confident else NLU_FALLBACK
        predicted = NLU_FALLBACK if predicted in FALLING_BACK else predicted
        gold = NLU_FALLBACK if example.intent in FALLING_BACK else example.intent
        golds.append(gold)
        predictions.append(predicted)
        wanted = {_key(number, span) for span in example.entities}
        found = {_key(number, span) for span in understood.entities}
        gold_spans |= wanted
        found_spans |= found
        if gold != predicted or wanted != found:
            misses.append(_miss(example.text, gold, predicted, understood, example.entities))
    right = len(gold_spans & found_spans)
    precision = right / len(found_spans) if found_spans else 0.0
    recall = right / len(gold_spans) if gold_spans else 0.0
    out_of_scope = [p == g for g, p in zip(golds, predictions, strict=True) if g == NLU_FALLBACK]
    return NluReport(
        examples=len(golds),
        intent_accuracy=float(accuracy_score(golds, predictions)) if golds else 0.0,
        intent_macro_f1=_f1(golds, predictions, "macro"),
        intent_weighted_f1=_f1(golds, predictions, "weighted"),
        entity_precision=precision,
        entity_recall=recall,
        entity_f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        out_of_scope_recall=sum(out_of_scope) / len(out_of_scope) if out_of_scope else None,
        misses=tuple(misses),
        golds=tuple(golds),
        predictions=tuple(predictions),
    )


def _key(number: int, span: EntitySpan) -> tuple[int, str, int, int]:
    return (number, span.entity, span.start, span.end)


def _f1(golds: list[str], predictions: list[str], average: str) -> float:
    if not golds:
        return 0.0
    return float(f1_score(golds, predictions, average=average, zero_division=0))


def _miss(
    text: str,
    gold: str,
    predicted: str,
    understood: Understanding,
    gold_entities: tuple[EntitySpan, ...],
) -> NluMiss:
    def shown(spans: tuple[EntitySpan, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((span.entity, text[span.start : span.end]) for span in spans)

    return NluMiss(
        text,
        gold,
        predicted,
        understood.confidence,
        shown(gold_entities),
        shown(understood.entities),
    )
