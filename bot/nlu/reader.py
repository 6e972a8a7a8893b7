"""NLU data files and folders: the format follows the file ending (`.md`, `.yml`, `.yaml`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from pathlib import Path

from bot.errors import NluDataError
from bot.nlu.markdown import parse_nlu_markdown, write_nlu_markdown
from bot.nlu.model import NluData
from bot.nlu.yaml_format import parse_nlu_yaml, write_nlu_yaml
from bot.stories.reader import story_files

_Parser = Callable[[str, str], NluData]
_Writer = Callable[[NluData], str]
_FORMATS: dict[str, tuple[_Parser, _Writer]] = {
    ".md": (parse_nlu_markdown, write_nlu_markdown),
    ".yml": (parse_nlu_yaml, write_nlu_yaml),
    ".yaml": (parse_nlu_yaml, write_nlu_yaml),
}


def read_nlu(path: Path) -> NluData:
    """The NLU data of one file, or of every file a story folder reads, merged in name order.

    NLU data sits beside the stories, as in a Rasa `data/` folder: the same files are read, and
    the parts that are not NLU data (stories, rules, the domain) are skipped.
    """
    if path.is_dir():
        files = story_files(path)
    elif path.exists():
        files = [path]
    else:
        raise NluDataError(f"{path}: no such file or folder")
    return reduce(NluData.merged, (_read_file(file) for file in files), NluData())


def readable_nlu(folder: Path) -> tuple[NluData, list[NluDataError]]:
    """The NLU data of every file of a story folder that reads, and the error of each that
    does not (skipped, as a story file that does not read is)."""
    data = NluData()
    errors: list[NluDataError] = []
    for file in story_files(folder):
        try:
            data = data.merged(_read_file(file))
        except NluDataError as exc:
            errors.append(exc)
    return data, errors


def write_nlu(data: NluData, path: Path) -> None:
    """Write NLU data in the format of the file ending, replacing the file."""
    text = _format(path)[1](data)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise NluDataError(f"{path}: cannot write the NLU data: {exc.strerror or exc}") from exc


def _read_file(path: Path) -> NluData:
    parse = _format(path)[0]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NluDataError(f"{path}: cannot read the NLU data: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise NluDataError(f"{path}: cannot read the NLU data: it is not UTF-8 text") from exc
    return parse(text, str(path))


def _format(path: Path) -> tuple[_Parser, _Writer]:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise NluDataError(
            f"{path}: unknown NLU file ending; NLU files end in {', '.join(_FORMATS)}"
        ) from None
