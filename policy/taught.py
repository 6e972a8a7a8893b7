"""What trainers taught, in memory: re-taught after a swap, counted by /status, trained on."""

from __future__ import annotations

from bot.events import Event
from bot.tracker import Tracker
from policy.model_store import VersionRecord


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
