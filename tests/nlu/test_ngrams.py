from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.ngrams import NgramSpace, fit_space

TEXTS = [
    "Any concerts in Berlin?",
    "which one has  better reviews??",
    "I'd like to top-up my card, card, CARD",
    "hi",
    "a b c",
]


@pytest.mark.parametrize(
    ("kind", "low", "high"), [("word", 1, 2), ("char_wb", 2, 5), ("word", 1, 1)]
)
def test_vectors_are_scikit_learns(kind: str, low: int, high: int) -> None:
    fitted = fit_space(kind, low, high, TEXTS)
    assert fitted is not None
    space, matrix = fitted
    unseen = ["concerts in Berlin, any?", "reviews better than one card", "zzz"]
    for row, text in enumerate(TEXTS + unseen):
        expected = np.zeros(len(space.idf))
        if row < len(TEXTS):
            expected = matrix[row].toarray()[0]
        else:
            vectorizer = TfidfVectorizer(
                analyzer="char_wb" if kind == "char_wb" else "word",
                ngram_range=(low, high),
                sublinear_tf=True,
            ).fit(TEXTS)
            expected = vectorizer.transform([text]).toarray()[0]
        got = np.zeros(len(space.idf))
        columns, values = space.vector(text)
        got[columns] = values
        np.testing.assert_allclose(got, expected, atol=1e-12)


def test_a_word_space_without_words_is_none() -> None:
    assert fit_space("word", 1, 2, ["k", "?"]) is None


def test_a_stem_space_gives_inflections_one_column_and_parses_as_it_trained() -> None:
    texts = ["my cards arrived", "ordering a card", "when will it arrive"]
    fitted = fit_space("stem", 1, 2, texts)
    assert fitted is not None
    space, matrix = fitted
    for row, text in enumerate(texts):
        got = np.zeros(len(space.idf))
        columns, values = space.vector(text)
        got[columns] = values
        np.testing.assert_allclose(got, matrix[row].toarray()[0], atol=1e-12)
    assert set(space.vector("Carded")[0]) == {space.vocabulary["card"]}
    assert space.vocabulary["order card"] in space.vector("orders cards")[0]


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="n-gram kind 'lemma'"):
        fit_space("lemma", 1, 2, TEXTS)
    space, _ = fit_space("word", 1, 1, TEXTS) or pytest.fail("no word space")
    with pytest.raises(ValueError, match="n-gram kind 'lemma'"):
        NgramSpace.from_dict({**space.to_dict(), "kind": "lemma"}, space.idf)


def test_stem_pairs_join_words_apart_in_either_order() -> None:
    fitted = fit_space("stem_pairs", 2, 2, ["my top up failed", "failed to top it up"])
    assert fitted is not None
    space, matrix = fitted
    assert space.vocabulary["fail top"] in space.vector("top ups fail")[0]  # 2 apart, any order
    assert "my top" not in space.vocabulary  # neighbours are the stem bigrams' business
    assert "fail my" not in space.vocabulary  # 3 words apart: outside 2..2
    assert matrix[0, space.vocabulary["fail top"]] > 0
