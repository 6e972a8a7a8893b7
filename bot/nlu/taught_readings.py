"""A trainer's reading of a message sticks at once: the same text, said again, means the same.

Every message of a taught conversation was seen by a trainer, who confirmed its intent and
entities or corrected them. Those readings are kept by normalised text (case and spaces) and
answer before the NLU model does: in the same conversation, after /restart and in a new process
(rebuilt from the taught conversations at start). An undone message no longer counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.events import Event, UserUttered
from bot.interpreter import TYPED_ANYWHERE, Interpreter, is_typed
from bot.nlu.model import Understanding
from bot.nlu.normalised import normalised
from bot.nlu.spans import as_taught
from bot.tracker import Tracker, applied_parts


class TaughtReadings:
    """An `Interpreter` in front of another, and a `Learner` of the trainers' readings."""

    def __init__(
        self, interpreter: Interpreter, taught: Mapping[str, Sequence[Event]] | None = None
    ) -> None:
        """`taught`: the events of each conversation taught before, the most recent last."""
        self._interpreter = interpreter
        self._by_conversation = {cid: _readings(events) for cid, events in (taught or {}).items()}
        self._readings = _merged(self._by_conversation)

    async def parse(self, text: str) -> Understanding:
        reading = self._readings.get(normalised(text))
        if reading is None:
            return await self._interpreter.parse(text)
        return as_taught(text, reading.intent, reading.entities)

    def learn(self, tracker: Tracker) -> None:
        """The conversation's readings as they stand now: an undone message no longer counts,
        and this conversation's readings win over older ones."""
        before = self._by_conversation.pop(tracker.conversation_id, {})
        now = self._by_conversation[tracker.conversation_id] = _readings(tracker.events)
        if before.keys() <= now.keys():  # it only grew: its readings win, the others' stand
            self._readings.update(now)
        else:  # a text was taken back: an older conversation's reading of it counts again
            self._readings = _merged(self._by_conversation)


def _readings(events: Sequence[Event]) -> dict[str, UserUttered]:
    """Each free text of a conversation as last read, without those a trainer took back."""
    found: dict[str, UserUttered] = {}
    for part in applied_parts(events):
        for event in part:
            if isinstance(event, UserUttered) and not is_typed(event.text, TYPED_ANYWHERE):
                found[normalised(event.text)] = event
    return found


def _merged(by_conversation: Mapping[str, dict[str, UserUttered]]) -> dict[str, UserUttered]:
    merged: dict[str, UserUttered] = {}
    for readings in by_conversation.values():  # the most recently taught last: it wins
        merged.update(readings)
    return merged
