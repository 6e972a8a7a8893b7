"""The NLU as a part of every model version: trained with the taught messages, reused when
nothing changed, refused when the project's NLU data changed since."""

from pathlib import Path

import pytest

import nlu.part
from bot.errors import ModelError
from bot.events import ActionExecuted, UserUttered
from bot.nlu.model import EntitySpan, Example, NluData
from nlu.model import train_nlu
from nlu.part import NluPart
from tests.nlu.concert import concert_data

TAUGHT = {
    "c1": [
        ActionExecuted("action_listen"),
        UserUttered("where do bands play", "search_venues", {}),
        ActionExecuted("action_search_venues", "trainer"),
        UserUttered("gigs round Oslo tonight", "search_concerts", {"city": "Oslo"}),
        ActionExecuted("action_search_concerts", "trainer"),
    ]
}


def test_a_version_s_nlu_reads_each_taught_message_as_taught(tmp_path: Path) -> None:
    part = NluPart(concert_data())
    part.build(TAUGHT, tmp_path / "nlu", None)
    loaded = part.load(tmp_path / "nlu")
    assert loaded.parse("Where do  bands play").intents == (("search_venues", 1.0),)
    oslo = loaded.parse("GIGS round Oslo tonight")
    assert oslo.intent == "search_concerts"
    assert oslo.entities == (EntitySpan(11, 15, "city", "Oslo"),)
    assert loaded.parse("hello there").intent == "greet"  # the rest is the model's


def test_a_retrain_with_nothing_new_for_the_nlu_copies_it(tmp_path: Path, monkeypatch) -> None:
    part = NluPart(concert_data())
    part.build(TAUGHT, tmp_path / "1", None)
    trained = []
    monkeypatch.setattr(nlu.part, "train_nlu", lambda data: trained.append(data) or train_nlu(data))
    part.build(TAUGHT, tmp_path / "2", tmp_path / "1")
    assert trained == []
    assert part.load(tmp_path / "2").parse("where do bands play").intent == "search_venues"
    more = {
        **TAUGHT,
        "c2": [UserUttered("yo", "greet", {}), ActionExecuted("utter_greet", "trainer")],
    }
    part.build(more, tmp_path / "3", tmp_path / "2")
    assert [len(data.examples) for data in trained] == [len(concert_data().examples) + 3]


def test_a_version_trained_before_the_nlu_data_changed_cannot_serve(tmp_path: Path) -> None:
    NluPart(concert_data()).build({}, tmp_path / "nlu", None)
    data = concert_data()
    changed = NluData((*data.examples, Example("howdy folks", "greet")), data.synonyms)
    with pytest.raises(ModelError, match="the NLU data, or how ozbot trains the NLU, changed"):
        NluPart(changed).load(tmp_path / "nlu")
    with pytest.raises(ModelError, match="has no NLU"):
        NluPart(changed).load(tmp_path / "missing")


def test_a_corrupt_taught_file_cannot_serve(tmp_path: Path) -> None:
    part = NluPart(concert_data())
    part.build(TAUGHT, tmp_path / "nlu", None)
    (tmp_path / "nlu" / nlu.part.TAUGHT).write_text('[["greet", "[unclosed"]]')
    with pytest.raises(ModelError, match="taught.json: corrupt"):
        part.load(tmp_path / "nlu")


def test_the_fingerprint_follows_the_data_not_the_order_of_synonyms() -> None:
    one = NluData((Example("hi", "greet"),), {"a": "A", "b": "B"})
    other = NluData((Example("hi", "greet"),), {"b": "B", "a": "A"})
    assert nlu.part.fingerprint(one) == nlu.part.fingerprint(other)
    assert nlu.part.fingerprint(one) != nlu.part.fingerprint(NluData((Example("hi", "bye"),)))
