"""Story files and folders: the format follows the file ending (`.md`, `.yml`, `.yaml`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from bot.errors import StoryError
from bot.stories.markdown import is_nlu_markdown, parse_markdown, write_markdown
from bot.stories.model import Story
from bot.stories.yaml_format import parse_yaml, write_yaml

_Parser = Callable[[str, str, list[str] | None], list[Story]]
_Writer = Callable[[Iterable[Story]], str]
_FORMATS: dict[str, tuple[_Parser, _Writer]] = {
    ".md": (parse_markdown, write_markdown),
    ".yml": (parse_yaml, write_yaml),
    ".yaml": (parse_yaml, write_yaml),
}


def read_stories(path: Path) -> list[Story]:
    """The stories of one file, or of every story file in a folder and its subfolders.

    In a folder, hidden files and other endings are ignored, and files without stories (NLU
    data, the domain) read as none, so a Rasa `data/` folder can be read as it is.
    """
    if path.is_dir():
        return [story for file in story_files(path) for story in read_folder_file(file)]
    if not path.exists():
        raise StoryError(f"{path}: no such file or folder")
    return _format(path)[0](_read_text(path), str(path), None)


def write_stories(stories: Iterable[Story], path: Path) -> None:
    """Write stories in the format of the file ending, replacing the file."""
    text = _format(path)[1](stories)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise StoryError(f"{path}: cannot write the stories: {exc.strerror or exc}") from exc


def story_files(folder: Path) -> list[Path]:
    """The story files of a folder and its subfolders, in name order, hidden ones left out."""
    return sorted(
        file
        for file in folder.rglob("*")
        if file.suffix.lower() in _FORMATS
        and not any(part.startswith(".") for part in file.relative_to(folder).parts)
        and file.is_file()
    )


def read_folder_file(file: Path, problems: list[str] | None = None) -> list[Story]:
    """The stories of one file of a story folder; NLU Markdown reads as none. With `problems`,
    what cannot be read goes there and the rest of the file is read."""
    text = _read_text(file)
    if file.suffix.lower() == ".md" and is_nlu_markdown(text):
        return []
    return _format(file)[0](text, str(file), problems)


def _format(path: Path) -> tuple[_Parser, _Writer]:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise StoryError(
            f"{path}: unknown story file ending; story files end in {', '.join(_FORMATS)}"
        ) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StoryError(f"{path}: cannot read the stories: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise StoryError(f"{path}: cannot read the stories: it is not UTF-8 text") from exc
