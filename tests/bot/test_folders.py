"""A folder is replaced whole, or not at all."""

from pathlib import Path

import pytest

from bot.folders import replaced_whole, write_json


def test_the_new_folder_replaces_the_old_one_whole(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "old.txt").write_text("old")
    with replaced_whole(folder) as staging:
        write_json(staging / "new.json", {"v": 2})
    assert [p.name for p in folder.iterdir()] == ["new.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging left behind


def test_an_error_while_writing_leaves_the_old_folder_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "old.txt").write_text("old")
    with pytest.raises(OSError), replaced_whole(folder) as staging:
        (staging / "half.json").write_text("{")
        raise OSError("disk full")
    assert [p.name for p in folder.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
