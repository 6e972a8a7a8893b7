"""Writes a conversation as stories under the project's `stories/exported/`, and the free text
a trainer confirmed in it as Rasa NLU examples beside them (`*.nlu.yml`).

The stories are Rasa 3 YAML (`.yml`) or Rasa 1 Markdown (`.md`): by default the format most of
the project's story files use, YAML when they are as many or there are none.
One conversation has one export file, named after its id: exporting it again replaces the
file, in either format (training would read each copy), and a file is written whole or not at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from bot.errors import NluDataError, StoryError
from bot.events import Event
from bot.nlu.export import taught_examples
from bot.nlu.model import Example, NluData
from bot.nlu.yaml_format import write_nlu_yaml
from bot.outputs import Exported
from bot.stories.export import stories_from_events
from bot.stories.markdown import is_nlu_markdown, write_markdown
from bot.stories.model import Story
from bot.stories.reader import story_files
from bot.stories.yaml_format import write_yaml

log = logging.getLogger(__name__)
NAME_CHARS = 60
"""How much of a conversation id a file or story name keeps; a hash of the whole id follows."""
_SAFE_NAME = re.compile(rf"[A-Za-z0-9_-]{{1,{NAME_CHARS}}}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_NOT_PRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NLU_ENDING = ".nlu.yml"
YAML = "yaml"
MARKDOWN = "md"
FORMATS: dict[str, tuple[str, Callable[[Iterable[Story]], str]]] = {
    YAML: (".yml", write_yaml),
    MARKDOWN: (".md", write_markdown),
}
"""Format name -> the file ending and the writer of its stories."""
_STORIES_KEY = re.compile(r"^(stories|rules)\s*:", re.MULTILINE)


class StoryExporter:
    def __init__(self, folder: Path, story_format: str = MARKDOWN) -> None:
        self.folder = folder
        self.story_format = story_format

    async def export(self, conversation_id: str, events: Sequence[Event]) -> Exported:
        """Write the conversation's stories, replacing its earlier export; each restart in it
        starts a new story. A conversation without a story writes no file (no stories, no path).

        Raises StoryError when the files cannot be written (a full disk, say)."""
        name = f"conversation {shown_id(conversation_id)} {time.strftime('%Y-%m-%d %H:%M:%S')}"
        stories = stories_from_events(events, name)
        if not stories:
            return Exported("", 0, "")
        ending, write = FORMATS[self.story_format]
        text = write(stories)
        stem = file_stem(conversation_id)
        path = self.folder / f"{stem}{ending}"
        others = [self.folder / f"{stem}{e}" for e, _ in FORMATS.values() if e != ending]
        examples = writable(taught_examples(events))
        nlu = self.folder / f"{stem}{NLU_ENDING}"
        nlu_text = write_nlu_yaml(examples) if examples.examples else None
        await asyncio.to_thread(_write_export, path, text, nlu, nlu_text, others)
        return Exported(str(path), len(stories), text, len(examples.examples))


def project_story_format(folders: Sequence[Path]) -> str:
    """The format most story files of the folders use (NLU and domain files left out); YAML
    when as many are Markdown, or there are none."""
    markdown = yaml = 0
    for file in (file for folder in folders for file in story_files(folder)):
        if file.name.endswith(NLU_ENDING):
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reading the stories reports it
        if file.suffix.lower() == ".md":
            markdown += not is_nlu_markdown(text)
        else:
            yaml += bool(_STORIES_KEY.search(text))
    return MARKDOWN if markdown > yaml else YAML


def file_stem(conversation_id: str) -> str:
    """A file name for the id: the id itself when it is short and plain, else its plain
    characters, cut, and a hash of the whole id (so two ids never share a file). Never hidden
    (a leading dot), never a path, never longer than about 70 characters."""
    if _SAFE_NAME.fullmatch(conversation_id):
        return conversation_id
    digest = hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    plain = _UNSAFE.sub("_", conversation_id).strip("_")[:NAME_CHARS]
    return f"{plain}-{digest}" if plain else digest


def shown_id(conversation_id: str) -> str:
    """The id as a story name shows it: on one line, cut to NAME_CHARS."""
    shown = _NOT_PRINTABLE.sub("?", conversation_id)
    return shown if len(shown) <= NAME_CHARS else shown[: NAME_CHARS - 3] + "..."


def writable(data: NluData) -> NluData:
    """The examples Rasa's format can hold as they are (a text with markup characters of its
    own, say, cannot): the rest are left out rather than written as something else."""

    def fits(example: Example) -> bool:
        try:
            write_nlu_yaml(NluData((example,)))
        except NluDataError:
            log.info("not exported as NLU data, Rasa's format cannot hold it: %r", example.text)
            return False
        return True

    return NluData(tuple(filter(fits, data.examples)))


def _write_export(
    path: Path, stories: str, nlu: Path, nlu_text: str | None, others: list[Path]
) -> None:
    """The stories and their NLU examples, each file replaced whole; no examples now removes
    the examples of an earlier export, and an earlier export in another format goes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_whole(path, stories)
        for other in others:
            other.unlink(missing_ok=True)
        if nlu_text is None:
            nlu.unlink(missing_ok=True)
        else:
            replace_whole(nlu, nlu_text)
    except OSError as exc:
        raise StoryError(
            f"{path}: cannot write the export ({exc.strerror or exc}); no file was left half "
            "written and the conversation is still stored: free some space and export again"
        ) from exc


def replace_whole(path: Path, text: str) -> None:
    """Written into a hidden file beside it (training skips those), then renamed over it: a
    full disk or a crash leaves the old file or none, never half a file. Raises OSError."""
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
