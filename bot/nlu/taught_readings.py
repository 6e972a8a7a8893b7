"""A trainer's reading of a message sticks at once: the same text, said again, means the same.

Every message of a taught conversation was seen by a trainer, who confirmed its intent and
entities or corrected them. Those readings are kept by normalised text (case and spaces) and
answer before the NLU model does: in the same conversation, after /restart, in a new process
(rebuilt from the taught conversations at start) and, once the NLU retrains, in its model too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.events import Event, UserUttered
from bot.interpreter import TYPED_ANYWHERE, Interpreter, is_typed
from bot.nlu.export import find_value
from bot.nlu.model import EntitySpan, Understanding
from bot.tracker import Tracker, applied_parts

_SPACES = re.compile(r"\s+")


def normalised(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())


class TaughtReadings:
    """An `Interpreter` in front of another, and a `Learner` of the trainers' readings."""

    def __init__(self, interpreter: Interpreter, taught: Iterable[Sequence[Event]] = ()) -> None:
        """`taught`: the events of the conversations taught before, oldest first."""
        self._interpreter = interpreter
        self._readings: dict[str, UserUttered] = {}
        for events in taught:
            for part in applied_parts(events):  # without the readings a trainer took back
                self._remember(part)

    async def parse(self, text: str) -> Understanding:
        reading = self._readings.get(normalised(text))
        if reading is None:
            return await self._interpreter.parse(text)
        spans = tuple(_span(text, entity, value) for entity, value in reading.entities.items())
        return Understanding(text, ((reading.intent, 1.0),), spans)

    def learn(self, tracker: Tracker) -> None:
        self._remember(tracker.applied)

    def _remember(self, events: Iterable[Event]) -> None:
        for event in events:
            if isinstance(event, UserUttered) and not is_typed(event.text, TYPED_ANYWHERE):
                self._readings[normalised(event.text)] = event


def _span(text: str, entity: str, value: object) -> EntitySpan:
    """Where the value stands in the text, when it does (else an empty span at the start:
    the value still counts, as a synonym's would)."""
    return EntitySpan(*(find_value(text, value) or (0, 0)), entity, value)
