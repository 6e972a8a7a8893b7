"""A start loads the NLU saved for its data, and trains only when the data changed."""

from pathlib import Path

import pytest

import nlu.cache
from bot.nlu.model import Example, NluData
from nlu.cache import FOLDER, fingerprint, nlu_model
from nlu.model import train_nlu
from tests.nlu.concert import concert_data


def test_the_second_start_loads_what_the_first_trained(tmp_path: Path, monkeypatch) -> None:
    data = concert_data()
    first = nlu_model(data, tmp_path)
    trained = []
    monkeypatch.setattr(nlu.cache, "train_nlu", lambda d: trained.append(d) or train_nlu(d))
    second = nlu_model(data, tmp_path)
    assert trained == []
    assert second.parse("any gigs in Oslo?") == first.parse("any gigs in Oslo?")


def test_changed_data_trains_again_and_the_old_folder_goes(tmp_path: Path) -> None:
    data = concert_data()
    nlu_model(data, tmp_path)
    more = NluData((*data.examples, Example("howdy folks", "greet")), data.synonyms)
    nlu_model(more, tmp_path)
    assert [p.name for p in (tmp_path / FOLDER).iterdir()] == [fingerprint(more)]


def test_a_corrupt_saved_model_is_trained_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = concert_data()
    nlu_model(data, tmp_path)
    for file in (tmp_path / FOLDER / fingerprint(data)).iterdir():
        file.write_text("garbage")
    assert nlu_model(data, tmp_path).parse("hi there").intent == "greet"
    assert "training the NLU again" in caplog.text


def test_the_fingerprint_follows_the_data_not_the_order_of_synonyms() -> None:
    one = NluData((Example("hi", "greet"),), {"a": "A", "b": "B"})
    other = NluData((Example("hi", "greet"),), {"b": "B", "a": "A"})
    assert fingerprint(one) == fingerprint(other)
    assert fingerprint(one) != fingerprint(NluData((Example("hi", "goodbye"),)))
