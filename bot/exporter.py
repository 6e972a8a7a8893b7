"""Writes a conversation as Rasa Markdown stories under the project's `stories/exported/`."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from pathlib import Path

from bot.events import Event
from bot.outputs import Exported
from bot.stories.export import conversation_markdown, stories_from_events

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
        return Exported(str(written), count, markdown)


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
