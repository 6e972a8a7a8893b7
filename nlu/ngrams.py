"""TF-IDF over word, word-stem and character n-grams, computed for one message without
scikit-learn.

scikit-learn fits the vocabularies and idf weights (`fit_space`, over this module's n-grams);
parsing a message then needs only those n-grams and a dict look-up, which costs a few tens of
microseconds where a `TfidfVectorizer.transform` call costs several hundred. The word and
char_wb n-grams are exactly scikit-learn's analyzers' (tests/nlu/test_ngrams.py compares the
vectors). "stem" n-grams are word n-grams over English Snowball stems (PyStemmer), so "cards",
"carded" and "card" share their columns: what few examples per intent need. "stem_pairs" are
two stems low..high words apart, in either order ("top up failed" holds "fail top"): what a
linear model cannot make of single words and neighbours alone.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import Stemmer
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

WORD = re.compile(r"(?u)\b\w\w+\b")
"""scikit-learn's default token pattern."""
SPACES = re.compile(r"\s\s+")
KINDS = ("word", "stem", "stem_pairs", "char_wb")
_STEMMERS = threading.local()
"""A stemmer per thread: PyStemmer's are not to be shared between threads."""


@dataclass(frozen=True)
class NgramSpace:
    """One block of features: n-grams of one of KINDS of lengths low..high (stem pairs: words
    low..high apart), lower-cased, weighted 1 + log(count) times idf, scaled to unit length."""

    kind: str
    low: int
    high: int
    vocabulary: dict[str, int]
    idf: np.ndarray

    def __post_init__(self) -> None:
        _check_kind(self.kind)

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The non-zero columns of the message and their values."""
        known = self.vocabulary.get
        found = grams(self.kind, self.low, self.high, text)
        counts = Counter(c for c in map(known, found) if c is not None)
        columns = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float64, len(counts))
        values = (1.0 + np.log(tf)) * self.idf[columns]
        norm = math.sqrt(values @ values)
        return columns, values / norm if norm else values

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "vocabulary": self.vocabulary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], idf: np.ndarray) -> NgramSpace:
        return cls(data["kind"], data["low"], data["high"], dict(data["vocabulary"]), idf)


def fit_space(
    kind: str, low: int, high: int, texts: list[str]
) -> tuple[NgramSpace, csr_matrix] | None:
    """The space fitted on the texts and their matrix; None when the texts hold no such n-gram
    (a word space over messages like "k" or "?")."""
    _check_kind(kind)
    analyzer = partial(grams, kind, low, high)
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float64)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # scikit-learn's "empty vocabulary"
        return None
    vocabulary = {str(g): int(i) for g, i in vectorizer.vocabulary_.items()}
    return NgramSpace(kind, low, high, vocabulary, np.asarray(vectorizer.idf_)), csr_matrix(matrix)


def grams(kind: str, low: int, high: int, text: str) -> list[str]:
    """The message's n-grams of one of KINDS, lengths low..high."""
    text = text.lower()
    if kind == "word":
        return _word_grams(WORD.findall(text), low, high)
    if kind == "stem":
        return _word_grams(_stemmer().stemWords(WORD.findall(text)), low, high)
    if kind == "stem_pairs":
        return _pairs(_stemmer().stemWords(WORD.findall(text)), low, high)
    return _char_wb_grams(SPACES.sub(" ", text), low, high)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"n-gram kind {kind!r}, not one of {', '.join(KINDS)}")


def _stemmer() -> Any:
    if not hasattr(_STEMMERS, "english"):
        _STEMMERS.english = Stemmer.Stemmer("english")
    return _STEMMERS.english


def _word_grams(tokens: list[str], low: int, high: int) -> list[str]:
    return [
        " ".join(tokens[i : i + n])
        for n in range(low, min(high, len(tokens)) + 1)
        for i in range(len(tokens) - n + 1)
    ]


def _pairs(tokens: list[str], low: int, high: int) -> list[str]:
    return [
        " ".join(sorted((tokens[i], tokens[j])))
        for i in range(len(tokens))
        for j in range(i + low, min(i + high + 1, len(tokens)))
    ]


def _char_wb_grams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's char_wb: n-grams inside each space-padded word; a word shorter than n
    counts once, whole."""
    found: list[str] = []
    for word in text.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:
                found.append(padded)
                break
            found.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return found
