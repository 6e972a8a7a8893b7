"""Where an entity's value stands in a message: its span, found again from the value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.nlu.model import EntitySpan, Understanding


def located(text: str, entities: Mapping[str, Any]) -> tuple[EntitySpan, ...]:
    """The entities whose value stands in the text (case aside), where it stands, in order."""
    spans = []
    for entity, value in entities.items():
        found = find_value(text, value)
        if found is not None:
            spans.append(EntitySpan(*found, entity, value))
    return tuple(sorted(spans, key=lambda span: span.start))


def find_value(text: str, value: Any) -> tuple[int, int] | None:
    """(start, end) of the value's first appearance in the text, case aside; None if absent.

    Searched in the text itself: lower-casing first can change a text's length ("İ")."""
    written = str(value)
    found = re.search(re.escape(written), text, re.IGNORECASE) if written else None
    return None if found is None else found.span()


def as_taught(text: str, intent: str, entities: Mapping[str, Any]) -> Understanding:
    """The message read as a trainer taught it: that intent, sure, and each entity where its
    value stands in the text (else an empty span at the start: the value still counts, as a
    synonym's would)."""
    spans = tuple(
        EntitySpan(*(find_value(text, value) or (0, 0)), entity, value)
        for entity, value in entities.items()
    )
    return Understanding(text, ((intent, 1.0),), spans)
