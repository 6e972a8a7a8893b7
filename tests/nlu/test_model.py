from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ModelError
from bot.nlu.model import NLU_FALLBACK, EntitySpan, NluData
from nlu.model import NluModel, train_nlu
from tests.nlu.concert import CITIES, ZIP, concert_data

TEXTS = [
    "hi there",
    "any concerts in Berlin?",
    "concerts near NYC",
    "which one has better reviews?",
]


def test_parse_understands_intent_and_entities() -> None:
    model = train_nlu(concert_data())
    understood = model.parse("any concerts in Lisbon?")
    assert understood.intent == "search_concerts"
    assert understood.entities == (EntitySpan(16, 22, "city", "Lisbon"),)
    assert model.intents == frozenset({"greet", "search_concerts", "compare_reviews"})


def test_annotated_values_become_synonyms() -> None:
    model = train_nlu(concert_data())
    assert model.parse("any concerts near NYC?").entities == (
        EntitySpan(18, 21, "city", "New York"),
    )


def test_save_and_load_give_identical_parses(tmp_path: Path) -> None:
    model = train_nlu(
        concert_data(synonyms={"big apple": "New York"}, regexes=(ZIP,), lookups=(CITIES,))
    )
    model.save(tmp_path / "nlu")
    model.save(tmp_path / "nlu")  # replacing a saved model
    loaded = NluModel.load(tmp_path / "nlu")
    assert [loaded.parse(t) for t in TEXTS] == [model.parse(t) for t in TEXTS]
    assert loaded.intents == model.intents
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nlu"]


def test_a_model_without_entities_saves_and_parses(tmp_path: Path) -> None:
    data = NluData(tuple(e for e in concert_data().examples if not e.entities))
    train_nlu(data).save(tmp_path / "nlu")
    assert NluModel.load(tmp_path / "nlu").parse("any concerts in Berlin?").entities == ()


def test_no_data_understands_nothing() -> None:
    understood = train_nlu(NluData()).parse("hello")
    assert (understood.intent, understood.intents, understood.entities) == (NLU_FALLBACK, (), ())


def test_a_missing_or_corrupt_folder_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        NluModel.load(tmp_path / "absent")
    train_nlu(concert_data()).save(tmp_path / "nlu")
    (tmp_path / "nlu" / "intents.npz").write_bytes(b"not numpy")
    with pytest.raises(ModelError, match="retrain"):
        NluModel.load(tmp_path / "nlu")
