"""What a taught conversation adds to the NLU data: the texts as the trainer confirmed them.

Only conversations a trainer taught give examples (nobody confirmed what other users meant),
and only free text: a typed `/intent` says nothing about how people put things.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from bot.events import Event, UserUttered
from bot.interpreter import TYPED_ANYWHERE, is_typed
from bot.nlu.model import EntitySpan, Example, NluData
from bot.nlu.spans import located
from bot.stores.base import is_taught
from bot.tracker import applied_parts


def taught_examples(events: Sequence[Event]) -> NluData:
    """The free-text messages of a taught conversation, each once, as last read.

    A message whose entity values do not all stand in its text (a value a synonym gave) is
    left out: its spans are not known, and a half-marked example would teach the NLU wrong.
    """
    if not is_taught(events):
        return NluData()
    latest: dict[str, UserUttered] = {}
    for part in applied_parts(events):  # without the readings a trainer took back
        for event in part:
            if isinstance(event, UserUttered) and not is_typed(event.text, TYPED_ANYWHERE):
                latest.pop(event.text, None)
                latest[event.text] = event
    examples = []
    for said in latest.values():
        spans = located(said.text, said.entities)
        if len(spans) == len(said.entities) and not _overlapping(spans):
            examples.append(Example(said.text, said.intent, spans))
    return NluData(tuple(examples))


def _overlapping(spans: Sequence[EntitySpan]) -> bool:
    return any(later.start < earlier.end for earlier, later in pairwise(spans))
