"""What trainers taught: in memory, re-taught after a swap and counted by /status; read from
the store, trained on."""

from __future__ import annotations

import logging

from bot.events import Event
from bot.stores.base import TrackerStore
from bot.stories.model import Story
from bot.tracker import Tracker
from policy.model_store import VersionRecord
from policy.training import TrainingData

log = logging.getLogger(__name__)


class TaughtConversations:
    """The conversations trainers taught, the most recently taught last (a newer teaching wins
    over an older one when they are replayed in order)."""

    def __init__(self, conversations: dict[str, list[Event]] | None = None) -> None:
        """`conversations`: those taught before this process started, oldest first."""
        self._conversations = dict(conversations or {})

    def remember(self, tracker: Tracker) -> None:
        """The trainer confirmed this conversation so far; it becomes the most recent one."""
        self._conversations.pop(tracker.conversation_id, None)
        self._conversations[tracker.conversation_id] = list(tracker.events)

    def unseen(self, tracker: Tracker) -> list[Event]:
        """The conversation's events after those remembered of it (all, when none were)."""
        known = len(self._conversations.get(tracker.conversation_id, ()))
        return list(tracker.events)[known:]

    def all(self) -> dict[str, list[Event]]:
        """Every taught conversation, the most recently taught last (a copy)."""
        return dict(self._conversations)

    def after(self, record: VersionRecord | None) -> dict[str, list[Event]]:
        """What `record`'s version did not learn from (everything when there is no version)."""
        if record is None:
            return self.all()
        return record.taught_after(self._conversations)

    def corrections_after(self, record: VersionRecord) -> int:
        """Corrections taught after `record`'s version was trained."""
        return record.corrections_after(self._conversations)


async def read_taught(stories: list[Story], store: TrackerStore) -> TrainingData:
    """The stories and every conversation taught in `store` (by any replica), the most recently
    active last, so that a newer teaching wins over an older one.

    Only taught conversations are read, decoded off the event loop by the store; a corrupt one
    is logged and left out, so that it cannot stop the bot.
    """
    found = await store.taught()
    for conversation_id, exc in found.corrupt.items():
        log.warning("not training on conversation %s: %s", conversation_id, exc)
    newest_last = sorted(
        found.conversations.items(), key=lambda item: (item[1][-1].timestamp, item[0])
    )
    return TrainingData(stories, {cid: list(events) for cid, events in newest_last})
