"""The intent classifier: a linear model over word-stem and character n-gram TF-IDF.

Why this shape (every choice made on a validation split of BANKING77's training data; the
figures are in the note of benchmarks/nlu.py): word-stem 1-2-grams carry the meaning and let
"cards" and "card" share a column; pairs of stems 2 to 8 words apart add what words mean
together (0.9 points with all the data, 0.7 with 10 examples an intent); char_wb 2-5-grams
catch typos and words never seen in training. Each intent's name, read as words
("card_arrival" -> "card arrival"), is one more example of it: 1.7 points with 10 examples an
intent. With few examples an intent, multinomial logistic regression (saga) is the better
learner, 2 points ahead of a one-vs-rest linear SVM at 10 examples; from about 30 on the two
are even and the SVM trains ten times faster, so the median number of examples an intent picks
it. Scores become probabilities by temperature scaling (one softmax temperature, fitted on a
held-out part of the training examples), which was better calibrated than scikit-learn's
CalibratedClassifierCV and three times cheaper. A regex or lookup list of the project adds one
0/1 column each, so a regex named like an intent helps that intent. Weights are kept as
float32: half the size, the same rankings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from bot.nlu.model import Example
from nlu.ngrams import NgramSpace, fit_space
from nlu.tokens import Patterns

SPACES = (("stem", 1, 2), ("stem_pairs", 2, 8), ("char_wb", 2, 5))
FEW_EXAMPLES = 30
"""Below this median number of examples per intent, logistic regression; from it on, the SVM."""
SVM_C = 0.5
LOGISTIC_C = 10.0
DEFAULT_TEMPERATURES = {"logistic": 0.5, "svm": 0.2}
"""Used when the data is too small or too easy to fit one on; with either, the concert bot's
unseen paraphrases clear its 0.6 fallback threshold and gibberish stays below it."""
TEMPERATURES = np.geomspace(0.01, 5.0, 60)
FEW_HELD_OUT = 100
"""Below this many held-out messages a fitted temperature is not trusted to be sharper than
the learner's default (a concert bot's 16 held-out messages made "good day to you" read as
goodbye with 0.9999)."""
HELD_OUT = 0.2


@dataclass(frozen=True)
class IntentClassifier:
    """Scores every intent it knows for a message; `weights` has one row per feature column
    (the spaces' columns one after another, then one per pattern) and one column per intent."""

    intents: tuple[str, ...]
    spaces: tuple[NgramSpace, ...]
    patterns: Patterns
    weights: np.ndarray
    bias: np.ndarray
    temperature: float

    def rank(self, text: str) -> tuple[tuple[str, float], ...]:
        """Every intent with its probability, the most likely first."""
        if len(self.intents) < 2:
            return tuple((intent, 1.0) for intent in self.intents)
        columns, values = self.features(text)
        scores = self.bias + values @ self.weights[columns]
        probabilities = _softmax(scores / self.temperature)
        order = np.argsort(-probabilities, kind="stable")
        names = [self.intents[i] for i in order.tolist()]
        return tuple(zip(names, probabilities[order].tolist(), strict=True))

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The message's non-zero feature columns and their values."""
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        offset = 0
        for space in self.spaces:
            found, weights = space.vector(text)
            columns.append(found + offset)
            values.append(weights)
            offset += len(space.idf)
        found_patterns = set(self.patterns.found(text))
        hits = [offset + i for i, name in enumerate(self.patterns.names) if name in found_patterns]
        columns.append(np.array(hits, dtype=np.int64))
        values.append(np.ones(len(hits)))
        return np.concatenate(columns), np.concatenate(values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "intents": list(self.intents),
            "spaces": [space.to_dict() for space in self.spaces],
            "temperature": self.temperature,
        }

    def arrays(self) -> dict[str, np.ndarray]:
        idf = {f"idf_{i}": space.idf for i, space in enumerate(self.spaces)}
        return {"weights": self.weights, "bias": self.bias, **idf}

    @classmethod
    def from_saved(
        cls, data: dict[str, Any], arrays: dict[str, np.ndarray], patterns: Patterns
    ) -> IntentClassifier:
        spaces = tuple(
            NgramSpace.from_dict(space, arrays[f"idf_{i}"])
            for i, space in enumerate(data["spaces"])
        )
        return cls(
            tuple(data["intents"]),
            spaces,
            patterns,
            arrays["weights"],
            arrays["bias"],
            float(data["temperature"]),
        )


def train_intents(
    examples: tuple[Example, ...], patterns: Patterns, *, seed: int = 42
) -> IntentClassifier:
    """Fit the classifier; blocking (seconds on ten thousand examples)."""
    intents = tuple(dict.fromkeys(e.intent for e in examples))
    if len(intents) < 2:  # nothing to tell apart
        empty = np.zeros((0, len(intents)))
        return IntentClassifier(intents, (), patterns, empty, np.zeros(len(intents)), 1.0)
    named = examples + tuple(Example(intent.replace("_", " "), intent) for intent in intents)
    texts = [e.text for e in named]
    labels = np.array([intents.index(e.intent) for e in named])
    fitted = [f for kind, low, high in SPACES if (f := fit_space(kind, low, high, texts))]
    spaces = tuple(space for space, _ in fitted)
    matrix = hstack([m for _, m in fitted] + [_pattern_matrix(patterns, texts)], format="csr")
    weights, bias = _fit_linear(matrix, labels, len(intents), seed)
    temperature = _fit_temperature(matrix, labels, len(intents), len(examples), seed)
    weights = weights.astype(np.float32)  # half the size on disk, the same rankings
    return IntentClassifier(intents, spaces, patterns, weights, bias, temperature)


def _pattern_matrix(patterns: Patterns, texts: list[str]) -> csr_matrix:
    rows = [set(patterns.found(text)) for text in texts]
    dense = [[1.0 if name in row else 0.0 for name in patterns.names] for row in rows]
    return csr_matrix(np.array(dense, dtype=np.float64).reshape(len(texts), len(patterns.names)))


def _fit_linear(
    matrix: csr_matrix, labels: np.ndarray, intents: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features x intents) and bias of every intent; an intent absent from `labels`
    (a held-out split) never wins."""
    model = _learner(labels, seed)
    model.fit(matrix, labels)
    weights = np.zeros((matrix.shape[1], intents))
    bias = np.full(intents, -1e3)
    classes = model.classes_
    if len(classes) == 2:  # scikit-learn keeps one score: positive means the second class
        weights[:, classes[1]] = model.coef_[0]
        bias[classes] = (0.0, float(model.intercept_[0]))
    else:
        weights[:, classes] = model.coef_.T
        bias[classes] = model.intercept_
    return weights, bias


def _learner_name(labels: np.ndarray) -> str:
    """Logistic regression for few examples per intent, where it is the better; the SVM for
    more, where the two are even and the SVM trains ten times faster."""
    few = np.median(np.bincount(labels)[np.unique(labels)]) < FEW_EXAMPLES
    return "logistic" if few else "svm"


def _learner(labels: np.ndarray, seed: int) -> LinearSVC | LogisticRegression:
    if _learner_name(labels) == "logistic":
        return LogisticRegression(
            C=LOGISTIC_C,
            class_weight="balanced",
            solver="saga",
            tol=1e-3,  # as accurate as the default 1e-4 on BANKING77, in a third of the time
            max_iter=1000,
            random_state=seed,
        )
    return LinearSVC(C=SVM_C, class_weight="balanced", random_state=seed)


def _fit_temperature(
    matrix: csr_matrix, labels: np.ndarray, intents: int, messages: int, seed: int
) -> float:
    """The softmax temperature with the least log loss on a held-out part of the first
    `messages` rows (the examples, not the intents' names), from a model fitted on the rest
    (Guo et al., 2017, "On Calibration of Modern Neural Networks")."""
    held_out = _held_out(labels[:messages], seed)
    kept = np.setdiff1d(np.arange(len(labels)), held_out)
    default = DEFAULT_TEMPERATURES[_learner_name(labels)]
    if len(held_out) == 0 or len(np.unique(labels[kept])) < 2:
        return default
    weights, bias = _fit_linear(matrix[kept], labels[kept], intents, seed)
    scores = matrix[held_out] @ weights + bias
    losses = [_log_loss(scores / t, labels[held_out]) for t in TEMPERATURES]
    best = int(np.argmin(losses))
    if best == 0:  # every held-out example right by a margin: the loss only falls towards 0,
        return default  # which would make any text, gibberish too, look certain
    if len(held_out) < FEW_HELD_OUT:  # a small bot's few held-out messages were mostly easy:
        return max(float(TEMPERATURES[best]), default)  # never sharper than the default
    return float(TEMPERATURES[best])


def _held_out(labels: np.ndarray, seed: int) -> np.ndarray:
    """About HELD_OUT of each intent's examples, always leaving one to train on."""
    rng = random.Random(seed)
    chosen: list[int] = []
    for label in np.unique(labels):
        rows = [int(i) for i in np.flatnonzero(labels == label)]
        if len(rows) >= 2:
            chosen += rng.sample(rows, max(1, min(len(rows) - 1, round(HELD_OUT * len(rows)))))
    return np.array(sorted(chosen), dtype=np.int64)


def _log_loss(scores: np.ndarray, labels: np.ndarray) -> float:
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(labels)), labels]))


def _softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max())
    return np.asarray(exp / exp.sum())
