"""Writes a conversation as Rasa Markdown stories under the project's `stories/exported/`, and
the free text a trainer confirmed in it as Rasa NLU examples beside them (`*.nlu.yml`)."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path

from bot.errors import NluDataError
from bot.events import Event
from bot.nlu.export import taught_examples
from bot.nlu.model import Example, NluData
from bot.nlu.yaml_format import write_nlu_yaml
from bot.outputs import Exported
from bot.stories.export import conversation_markdown, stories_from_events

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class StoryExporter:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def export(self, conversation_id: str, events: Sequence[Event]) -> Exported:
        """Write the conversation to a new file; each restart in it starts a new story."""
        name = f"{conversation_id} {time.strftime('%Y-%m-%d %H:%M:%S')}"
        markdown = conversation_markdown(events, name)
        count = len(stories_from_events(events, name))
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{_UNSAFE.sub('_', conversation_id)}-{stamp}.md"
        written = await asyncio.to_thread(_write_new, path, markdown)
        examples = writable(taught_examples(events))
        if examples.examples:
            nlu = written.with_suffix(".nlu.yml")
            await asyncio.to_thread(_write_new, nlu, write_nlu_yaml(examples))
        return Exported(str(written), count, markdown, len(examples.examples))


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


def _write_new(path: Path, text: str) -> Path:
    """Never overwrite an earlier export: a second export in the same second gets a suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        candidate = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")
        try:
            with candidate.open("x", encoding="utf-8") as file:
                file.write(text)
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: too many exports in one second")
